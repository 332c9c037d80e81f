
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The generic resource store (see ngx_sluice_resource.h): records in the
 * shared zone, their long-running operations, their files
 *
 *   {data}/api/{collection}/{[parent.]name, lowercase}.json
 *
 * written like the live events' (a temporary file renamed over the old
 * one, only if no newer version was renamed before), the loading of
 * those files into a fresh zone, and the removal of asset media.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "core/ngx_sluice_resource.h"
#include "core/ngx_sluice_asset.h"
#include "core/ngx_sluice_store.h"
#include "core/ngx_sluice_writer.h"
#include "core/ngx_sluice_zone.h"


static ngx_int_t ngx_sluice_res_settle(ngx_sluice_shctx_t *sh,
    ngx_sluice_res_t *res);


#define NGX_SLUICE_RES_FILE_MAX     (1024 * 1024)
#define NGX_SLUICE_TRASH_BUDGET     256     /* entries removed per tick */
#define NGX_SLUICE_TRASH_INTERVAL   100     /* ms between ticks */


static void ngx_sluice_res_set_path(ngx_sluice_res_root_t *root,
    ngx_str_t *path);
static void ngx_sluice_res_op_complete(ngx_sluice_shctx_t *sh,
    ngx_sluice_res_t *res, ngx_sluice_op_t *op);
static u_char *ngx_sluice_res_path(ngx_pool_t *pool, ngx_str_t *data_path,
    ngx_sluice_res_t *res, const char *prefix, size_t extra, u_char **end);
static ngx_int_t ngx_sluice_res_load_dir(ngx_sluice_zone_ctx_t *zctx,
    ngx_uint_t type, ngx_pool_t *pool, ngx_log_t *log);
static ngx_int_t ngx_sluice_res_load_file(ngx_sluice_zone_ctx_t *zctx,
    ngx_uint_t type, u_char *path, ngx_pool_t *pool, ngx_log_t *log);
static void ngx_sluice_trash_handler(ngx_event_t *ev);
static ngx_int_t ngx_sluice_trash_empty(u_char *path, size_t len,
    size_t size, ngx_uint_t *budget, ngx_log_t *log);


static const char  *ngx_sluice_res_dirs[NGX_SLUICE_RES_NTYPES] = {
    "assets",
    "liveOutputs",
    "streamingPolicies",
    "streamingLocators",
    "streamingEndpoints",
    "contentKeyPolicies",
    "accountFilters",
    "assetFilters"
};


static ngx_event_t  ngx_sluice_trash_event;
static ngx_str_t    ngx_sluice_trash_dir;


/* --- zone ---------------------------------------------------------------- */

static void
ngx_sluice_res_set_path(ngx_sluice_res_root_t *root, ngx_str_t *path)
{
    size_t  len;

    len = ngx_min(path->len, sizeof(root->path) - 1);

    ngx_memcpy(root->path, path->data, len);
    root->path[len] = '\0';

    /* a pointer into the zone: the same address in every process */
    root->data_path.data = root->path;
    root->data_path.len = len;
}


ngx_int_t
ngx_sluice_res_init_zone(ngx_sluice_zone_ctx_t *zctx, ngx_log_t *log)
{
    ngx_int_t               rc;
    ngx_uint_t              i;
    ngx_pool_t             *pool;
    ngx_sluice_res_root_t  *root;

    root = ngx_slab_calloc(zctx->shpool, sizeof(ngx_sluice_res_root_t));
    if (root == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < NGX_SLUICE_RES_NTYPES; i++) {
        ngx_queue_init(&root->queues[i]);
    }

    ngx_queue_init(&root->ops);

    ngx_sluice_res_set_path(root, &zctx->data_path);

    zctx->sh->res = root;

    pool = ngx_create_pool(16384, log);
    if (pool == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_sluice_store_hooks.preload(zctx, pool, log);

    /* live outputs refer to assets: assets first (the order of the enum) */

    for (i = 0; rc == NGX_OK && i < NGX_SLUICE_RES_NTYPES; i++) {
        if (zctx->data_path.len) {
            rc = ngx_sluice_res_load_dir(zctx, i, pool, log);
        }
    }

    ngx_destroy_pool(pool);

    return rc;
}


static ngx_int_t
ngx_sluice_res_load_dir(ngx_sluice_zone_ctx_t *zctx, ngx_uint_t type,
    ngx_pool_t *pool, ngx_log_t *log)
{
    ngx_str_t  dirname;

    dirname.len = zctx->data_path.len + sizeof("/api/") - 1
                  + ngx_strlen(ngx_sluice_res_dirs[type]);
    dirname.data = ngx_pnalloc(pool, dirname.len + 1);
    if (dirname.data == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(dirname.data, "%V/api/%s%Z", &zctx->data_path,
                ngx_sluice_res_dirs[type]);

    return ngx_sluice_dir_load(zctx, type, &dirname,
                               ngx_sluice_res_load_file, pool, log);
}


static ngx_int_t
ngx_sluice_res_load_file(ngx_sluice_zone_ctx_t *zctx, ngx_uint_t type,
    u_char *path, ngx_pool_t *pool, ngx_log_t *log)
{
    ngx_int_t  rc;
    ngx_str_t  content;

    rc = ngx_sluice_file_read(pool, log, path, NGX_SLUICE_RES_FILE_MAX,
                              &content);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_sluice_store_hooks.load(zctx, type, content.data, content.len,
                                     pool, log);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "sluice: invalid resource file \"%s\", skipped", path);
    }

    return rc;
}


void
ngx_sluice_res_repair(ngx_sluice_shctx_t *sh)
{
    ngx_uint_t              i;
    ngx_queue_t            *q, *next;
    ngx_sluice_res_t       *res;
    ngx_sluice_res_root_t  *root;

    root = ngx_sluice_res_root(sh);
    if (root == NULL) {
        return;
    }

    root->nops = ngx_sluice_queue_repair(sh->shpool, &root->ops, 65536);

    for (i = 0; i < NGX_SLUICE_RES_NTYPES; i++) {
        root->counts[i] = ngx_sluice_queue_repair(sh->shpool,
                                                  &root->queues[i], 65536);

        for (q = ngx_queue_head(&root->queues[i]);
             q != ngx_queue_sentinel(&root->queues[i]);
             q = next)
        {
            next = ngx_queue_next(q);
            res = ngx_queue_data(q, ngx_sluice_res_t, queue);

            if (res->json == NULL) {
                /* created half-way: as if it never was */
                res->op = NULL;
                ngx_sluice_res_free(sh, res);
                continue;
            }

            if (res->op && !ngx_sluice_op_linked(&root->ops, res->op)) {
                res->op = NULL;
            }
        }
    }
}


/* --- records ------------------------------------------------------------- */

static ngx_int_t
ngx_sluice_res_name_eq(u_char *a, u_char *b, size_t len)
{
    return ngx_strncasecmp(a, b, len) == 0 && a[len] == '\0';
}


ngx_sluice_res_t *
ngx_sluice_res_find(ngx_sluice_shctx_t *sh, ngx_uint_t type, u_char *parent,
    u_char *name, size_t len)
{
    size_t                  plen;
    ngx_queue_t            *q;
    ngx_sluice_res_t       *res;
    ngx_sluice_res_root_t  *root;

    root = ngx_sluice_res_root(sh);

    if (root == NULL || len == 0 || len > NGX_SLUICE_RES_NAME_LEN) {
        return NULL;
    }

    plen = parent ? ngx_strlen(parent) : 0;

    for (q = ngx_queue_head(&root->queues[type]);
         q != ngx_queue_sentinel(&root->queues[type]);
         q = ngx_queue_next(q))
    {
        res = ngx_queue_data(q, ngx_sluice_res_t, queue);

        /* no document: left half-made by a dead worker, until repaired */
        if (res->json == NULL
            || !ngx_sluice_res_name_eq(res->name, name, len))
        {
            continue;
        }

        if (parent && !ngx_sluice_res_name_eq(res->parent, parent, plen)) {
            continue;
        }

        return ngx_sluice_res_settle(sh, res) == NGX_OK ? res : NULL;
    }

    return NULL;
}


ngx_sluice_res_t *
ngx_sluice_res_next(ngx_sluice_shctx_t *sh, ngx_uint_t type,
    ngx_sluice_res_t *prev)
{
    ngx_queue_t            *q, *next;
    ngx_sluice_res_t       *res;
    ngx_sluice_res_root_t  *root;

    root = ngx_sluice_res_root(sh);
    if (root == NULL) {
        return NULL;
    }

    q = prev ? ngx_queue_next(&prev->queue)
             : ngx_queue_head(&root->queues[type]);

    for ( /* void */ ; q != ngx_queue_sentinel(&root->queues[type]);
         q = next)
    {
        next = ngx_queue_next(q);
        res = ngx_queue_data(q, ngx_sluice_res_t, queue);

        if (res->json && ngx_sluice_res_settle(sh, res) == NGX_OK) {
            return res;
        }
    }

    return NULL;
}


ngx_uint_t
ngx_sluice_res_count(ngx_sluice_shctx_t *sh, ngx_uint_t type)
{
    ngx_sluice_res_root_t  *root;

    root = ngx_sluice_res_root(sh);

    return root ? root->counts[type] : 0;
}


ngx_sluice_res_t *
ngx_sluice_locator_by_id(ngx_sluice_shctx_t *sh, u_char *id, size_t len)
{
    ngx_sluice_res_t  *res;

    if (len != NGX_SLUICE_ID_LEN) {
        return NULL;
    }

    for (res = ngx_sluice_res_next(sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                                   NULL);
         res;
         res = ngx_sluice_res_next(sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                                   res))
    {
        if (ngx_strncasecmp(res->f.id, id, len) == 0) {
            return res;
        }
    }

    return NULL;
}


ngx_sluice_res_t *
ngx_sluice_locator_by_kid(ngx_sluice_shctx_t *sh, u_char *kid,
    ngx_sluice_key_t **key)
{
    ngx_uint_t         i;
    ngx_sluice_res_t  *res;

    for (res = ngx_sluice_res_next(sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                                   NULL);
         res;
         res = ngx_sluice_res_next(sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                                   res))
    {
        for (i = 0; i < res->f.nkeys; i++) {
            if (ngx_memcmp(res->f.keys[i].kid, kid, NGX_SLUICE_KEY_LEN)
                == 0)
            {
                *key = &res->f.keys[i];
                return res;
            }
        }
    }

    return NULL;
}


ngx_sluice_key_t *
ngx_sluice_locator_key(ngx_sluice_res_t *loc, ngx_uint_t scheme,
    uint32_t fourcc)
{
    ngx_uint_t         i;
    ngx_sluice_key_t  *def;

    if (scheme == NGX_SLUICE_SCHEME_NONE || scheme >= NGX_SLUICE_SCHEME_N) {
        return NULL;
    }

    for (i = 0; i < NGX_SLUICE_MAX_CLEAR && loc->f.clear[scheme][i]; i++) {
        if (loc->f.clear[scheme][i] == fourcc) {
            return NULL;
        }
    }

    def = NULL;

    for (i = 0; i < loc->f.nkeys; i++) {
        if (loc->f.keys[i].scheme != scheme) {
            continue;
        }

        if (loc->f.keys[i].fourcc == fourcc && fourcc != 0) {
            return &loc->f.keys[i];
        }

        if (loc->f.keys[i].fourcc == 0) {
            def = &loc->f.keys[i];
        }
    }

    return def;
}


ngx_sluice_res_t *
ngx_sluice_live_output_by_asset(ngx_sluice_shctx_t *sh, u_char *asset,
    size_t len)
{
    ngx_sluice_res_t  *res;

    for (res = ngx_sluice_res_next(sh, NGX_SLUICE_RES_LIVE_OUTPUT, NULL);
         res;
         res = ngx_sluice_res_next(sh, NGX_SLUICE_RES_LIVE_OUTPUT, res))
    {
        if (ngx_sluice_res_name_eq(res->f.asset, asset, len)) {
            return res;
        }
    }

    return NULL;
}


ngx_sluice_res_t *
ngx_sluice_res_alloc(ngx_sluice_shctx_t *sh, ngx_uint_t type, u_char *parent,
    u_char *name, size_t len)
{
    ngx_sluice_res_t       *res;
    ngx_sluice_res_root_t  *root;

    root = ngx_sluice_res_root(sh);

    if (len == 0 || len > NGX_SLUICE_RES_NAME_LEN) {
        return NULL;
    }

    res = ngx_slab_calloc_locked(sh->shpool, sizeof(ngx_sluice_res_t));
    if (res == NULL) {
        return NULL;
    }

    res->type = type;
    ngx_memcpy(res->name, name, len);

    if (parent) {
        ngx_cpystrn(res->parent, parent, sizeof(res->parent));
    }

    res->serial = ++root->serial;
    res->version = 1;

    ngx_queue_insert_tail(&root->queues[type], &res->queue);

    ngx_sluice_test_crash_point(&root->data_path);

    root->counts[type]++;

    return res;
}


void
ngx_sluice_res_free(ngx_sluice_shctx_t *sh, ngx_sluice_res_t *res)
{
    ngx_sluice_res_root_t  *root;

    root = ngx_sluice_res_root(sh);

    if (res->queue.next) {
        ngx_queue_remove(&res->queue);
        root->counts[res->type]--;
    }

    if (res->json) {
        ngx_slab_free_locked(sh->shpool, res->json);
    }

    if (res->op) {
        if (res->op->status == NGX_SLUICE_OP_IN_PROGRESS) {
            res->op->status = NGX_SLUICE_OP_SUCCEEDED;
        }

        res->op->event_serial = 0;
    }

    /* no reader may take this for a live record any more */
    res->serial = 0;
    res->name[0] = '\0';
    res->f.id[0] = '\0';

    ngx_slab_free_locked(sh->shpool, res);
}


ngx_int_t
ngx_sluice_res_set_json(ngx_sluice_shctx_t *sh, ngx_sluice_res_t *res,
    u_char *json, size_t len)
{
    return ngx_sluice_zone_set_json(sh, &res->json, &res->json_len, json,
                                    len);
}


/* --- live event hooks ---------------------------------------------------- */

ngx_uint_t
ngx_sluice_live_outputs_count(ngx_sluice_shctx_t *sh, u_char *event)
{
    size_t             len;
    ngx_uint_t         n;
    ngx_sluice_res_t  *res;

    len = ngx_strlen(event);
    n = 0;

    for (res = ngx_sluice_res_next(sh, NGX_SLUICE_RES_LIVE_OUTPUT, NULL);
         res;
         res = ngx_sluice_res_next(sh, NGX_SLUICE_RES_LIVE_OUTPUT, res))
    {
        if (ngx_sluice_res_name_eq(res->parent, event, len)) {
            n++;
        }
    }

    return n;
}


void
ngx_sluice_live_outputs_remove(ngx_sluice_shctx_t *sh, u_char *event,
    ngx_log_t *log)
{
    ngx_sluice_res_remove_children(sh, NGX_SLUICE_RES_LIVE_OUTPUT, event,
                                   log);
}


void
ngx_sluice_res_remove_children(ngx_sluice_shctx_t *sh, ngx_uint_t type,
    u_char *parent, ngx_log_t *log)
{
    size_t                  len;
    ngx_uint_t              dirty;
    ngx_queue_t            *q, *next;
    ngx_sluice_res_t       *res;
    ngx_sluice_res_root_t  *root;

    root = ngx_sluice_res_root(sh);
    if (root == NULL) {
        return;
    }

    len = ngx_strlen(parent);

    dirty = sh->dirty;
    sh->dirty = 1;

    for (q = ngx_queue_head(&root->queues[type]);
         q != ngx_queue_sentinel(&root->queues[type]);
         q = next)
    {
        next = ngx_queue_next(q);
        res = ngx_queue_data(q, ngx_sluice_res_t, queue);

        if (!ngx_sluice_res_name_eq(res->parent, parent, len)) {
            continue;
        }

        (void) ngx_sluice_res_unlink(log, &root->data_path, res);
        ngx_sluice_res_free(sh, res);
    }

    sh->dirty = dirty;
}


/* --- operations ---------------------------------------------------------- */

static ngx_int_t
ngx_sluice_res_settle(ngx_sluice_shctx_t *sh, ngx_sluice_res_t *res)
{
    ngx_sluice_op_t  *op;

    op = res->op;

    if (op == NULL || !ngx_sluice_op_due(op)) {
        return NGX_OK;
    }

    ngx_sluice_res_op_complete(sh, res, op);

    return op->kind == NGX_SLUICE_OP_DELETE ? NGX_DECLINED : NGX_OK;
}


static void
ngx_sluice_res_op_complete(ngx_sluice_shctx_t *sh, ngx_sluice_res_t *res,
    ngx_sluice_op_t *op)
{
    ngx_uint_t  dirty;

    dirty = sh->dirty;
    sh->dirty = 1;

    res->op = NULL;
    op->status = NGX_SLUICE_OP_SUCCEEDED;

    if (op->kind == NGX_SLUICE_OP_DELETE) {
        ngx_sluice_res_free(sh, res);

    } else {
        res->state = op->target;
    }

    sh->dirty = dirty;
}


ngx_sluice_op_t *
ngx_sluice_res_op_start(ngx_sluice_shctx_t *sh, ngx_sluice_res_t *res,
    ngx_uint_t kind, ngx_uint_t state, ngx_uint_t target,
    ngx_msec_t delay_ms, u_char *id)
{
    ngx_sluice_op_t        *op;
    ngx_sluice_res_root_t  *root;

    root = ngx_sluice_res_root(sh);

    op = ngx_sluice_op_alloc(sh->shpool, &root->ops, &root->nops, kind,
                             target, delay_ms, id);
    if (op == NULL) {
        return NULL;
    }

    /* event: the type; event_serial: the record */
    op->event[0] = (u_char) ('0' + res->type);
    op->event_serial = res->serial;

    res->state = state;
    res->op = op;

    if (delay_ms == 0) {
        ngx_sluice_res_op_complete(sh, res, op);
    }

    return op;
}


ngx_sluice_op_t *
ngx_sluice_res_op_find(ngx_sluice_shctx_t *sh, ngx_uint_t type, u_char *id,
    size_t len)
{
    ngx_queue_t            *q;
    ngx_sluice_op_t        *op;
    ngx_sluice_res_t       *res;
    ngx_sluice_res_root_t  *root;

    root = ngx_sluice_res_root(sh);

    if (root == NULL || len != NGX_SLUICE_ID_LEN) {
        return NULL;
    }

    for (q = ngx_queue_head(&root->ops);
         q != ngx_queue_sentinel(&root->ops);
         q = ngx_queue_next(q))
    {
        op = ngx_queue_data(q, ngx_sluice_op_t, queue);

        if (op->event[0] != (u_char) ('0' + type)
            || ngx_strncasecmp(op->id, id, len) != 0)
        {
            continue;
        }

        if (op->status != NGX_SLUICE_OP_IN_PROGRESS) {
            return op;
        }

        /* settle its record: the operation completes when due */

        for (res = ngx_sluice_res_next(sh, type, NULL);
             res && op->status == NGX_SLUICE_OP_IN_PROGRESS;
             res = ngx_sluice_res_next(sh, type, res))
        {
            /* void */
        }

        if (op->status == NGX_SLUICE_OP_IN_PROGRESS) {
            for (res = ngx_sluice_res_next(sh, type, NULL);
                 res;
                 res = ngx_sluice_res_next(sh, type, res))
            {
                if (res->op == op) {
                    return op;
                }
            }

            /* its record went away (a repaired zone) */
            op->status = NGX_SLUICE_OP_FAILED;
        }

        return op;
    }

    return NULL;
}


/* --- files --------------------------------------------------------------- */

/* the parent part of a file name: an asset filter's is its assetId */

static u_char *
ngx_sluice_res_file_parent(ngx_sluice_res_t *res)
{
    return (res->type == NGX_SLUICE_RES_ASSET_FILTER) ? res->f.id
                                                      : res->parent;
}


/* "{data}/api/{dir}/{prefix}{[parent.]name, lowercase}" + extra bytes */

static u_char *
ngx_sluice_res_path(ngx_pool_t *pool, ngx_str_t *data_path,
    ngx_sluice_res_t *res, const char *prefix, size_t extra, u_char **end)
{
    u_char  *p, *last, *parent;
    size_t   plen, nlen;

    parent = ngx_sluice_res_file_parent(res);
    plen = ngx_strlen(parent);
    nlen = ngx_strlen(res->name);

    p = ngx_pnalloc(pool, data_path->len + sizeof("/api//.") + 32
                          + ngx_strlen(prefix) + plen + nlen + extra);
    if (p == NULL) {
        return NULL;
    }

    last = ngx_sprintf(p, "%V/api/%s/%s", data_path,
                       ngx_sluice_res_dirs[res->type], prefix);

    if (plen) {
        ngx_strlow(last, parent, plen);
        last += plen;
        *last++ = '.';
    }

    ngx_strlow(last, res->name, nlen);
    last += nlen;

    *end = last;

    return p;
}


ngx_int_t
ngx_sluice_res_write(ngx_pool_t *pool, ngx_log_t *log, ngx_str_t *data_path,
    ngx_sluice_res_t *res, ngx_str_t *json, ngx_str_t *tmp)
{
    u_char             *p, *last;
    static ngx_uint_t   seq;

    p = ngx_sluice_res_path(pool, data_path, res, ".",
                            sizeof("..tmp") + 2 * NGX_INT64_LEN, &last);
    if (p == NULL) {
        return NGX_ERROR;
    }

    last = ngx_sprintf(last, ".%P.%ui.tmp%Z", ngx_pid, ++seq);

    tmp->data = p;
    tmp->len = last - 1 - p;

    return json ? ngx_sluice_file_write(log, p, json) : NGX_OK;
}


ngx_int_t
ngx_sluice_res_commit(ngx_pool_t *pool, ngx_log_t *log, ngx_str_t *data_path,
    ngx_sluice_res_t *res, ngx_str_t *tmp)
{
    u_char  *p, *last;

    p = ngx_sluice_res_path(pool, data_path, res, "", sizeof(".json"),
                            &last);

    if (p != NULL) {
        ngx_memcpy(last, ".json", sizeof(".json"));

        if (ngx_sluice_file_rename(log, tmp->data, p) == NGX_OK) {
            return NGX_OK;
        }
    }

    (void) ngx_delete_file(tmp->data);

    return NGX_ERROR;
}


ngx_int_t
ngx_sluice_res_unlink(ngx_log_t *log, ngx_str_t *data_path,
    ngx_sluice_res_t *res)
{
    u_char     *p, *last, *parent;
    u_char      path[NGX_MAX_PATH];
    ngx_err_t   err;

    if (data_path->len + sizeof("/api//..json") + 32
        + 2 * NGX_SLUICE_RES_NAME_LEN > sizeof(path))
    {
        return NGX_OK;
    }

    parent = ngx_sluice_res_file_parent(res);

    p = path;
    last = ngx_sprintf(p, "%V/api/%s/", data_path,
                       ngx_sluice_res_dirs[res->type]);

    if (parent[0]) {
        ngx_strlow(last, parent, ngx_strlen(parent));
        last += ngx_strlen(parent);
        *last++ = '.';
    }

    ngx_strlow(last, res->name, ngx_strlen(res->name));
    last += ngx_strlen(res->name);
    ngx_memcpy(last, ".json", sizeof(".json"));

    if (ngx_delete_file(path) == NGX_FILE_ERROR && ngx_errno != NGX_ENOENT) {
        err = ngx_errno;
        ngx_log_error(NGX_LOG_ALERT, log, err,
                      ngx_delete_file_n " \"%s\" failed", path);
        ngx_set_errno(err);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* fsync() of every API directory, in a thread: removals reach the disk */

ngx_int_t
ngx_sluice_res_sync_dirs(ngx_str_t *data_path)
{
    u_char      path[NGX_MAX_PATH];
    ngx_uint_t  i;

    if (data_path->len + sizeof("/api/streamingEndpoints/x") > sizeof(path))
    {
        ngx_set_errno(NGX_ENAMETOOLONG);
        return NGX_ERROR;
    }

    for (i = 0; i <= NGX_SLUICE_RES_NTYPES; i++) {
        ngx_sprintf(path, "%V/api/%s/x%Z", data_path,
                    i < NGX_SLUICE_RES_NTYPES ? ngx_sluice_res_dirs[i]
                                              : "liveEvents");

        if (ngx_sluice_sync_dirs(path, 1) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* --- directories --------------------------------------------------------- */

ngx_int_t
ngx_sluice_res_init_dirs(ngx_cycle_t *cycle, ngx_str_t *path,
    ngx_sluice_zone_ctx_t *zctx)
{
    u_char      *p;
    ngx_int_t    rc;
    ngx_uid_t    user;
    ngx_uint_t   i, first;

    user = ngx_sluice_dir_user(cycle);

    p = ngx_pnalloc(cycle->pool, path->len + sizeof("/api/streamingEndpoints"));
    if (p == NULL) {
        return NGX_ERROR;
    }

    first = 0;

    for (i = 0; i < NGX_SLUICE_RES_NTYPES; i++) {
        ngx_sprintf(p, "%V/api/%s%Z", path, ngx_sluice_res_dirs[i]);

        rc = ngx_sluice_mkdir(cycle, p, user);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_OK && i == NGX_SLUICE_RES_STREAMING_ENDPOINT) {
            first = 1;
        }
    }

    ngx_sprintf(p, "%V/assets%Z", path);

    if (ngx_sluice_mkdir(cycle, p, user) == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (zctx == NULL || zctx->sh == NULL || zctx->sh->res == NULL) {
        return NGX_OK;
    }

    ngx_shmtx_lock(&zctx->shpool->mutex);
    ngx_sluice_res_set_path(ngx_sluice_res_root(zctx->sh), path);
    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (!first) {
        return NGX_OK;
    }

    /* the first start: the "default" streaming endpoint, Stopped */

    return ngx_sluice_store_hooks.first_start(zctx, cycle->pool,
                                              cycle->log);
}


/* --- asset media removal ------------------------------------------------- */

void
ngx_sluice_asset_remove_media(ngx_str_t *data_path, u_char *asset_id,
    ngx_log_t *log)
{
    u_char  from[NGX_MAX_PATH], to[NGX_MAX_PATH];

    if (data_path->len + sizeof("/assets/.deleted-") + NGX_SLUICE_ID_LEN
        > sizeof(from))
    {
        return;
    }

    ngx_sprintf(from, "%V/assets/%s%Z", data_path, asset_id);
    ngx_sprintf(to, "%V/assets/.deleted-%s%Z", data_path, asset_id);

    if (ngx_rename_file(from, to) == NGX_FILE_ERROR) {
        if (ngx_errno != NGX_ENOENT) {
            ngx_log_error(NGX_LOG_ALERT, log, ngx_errno,
                          ngx_rename_file_n " \"%s\" to \"%s\" failed",
                          from, to);
        }

        return;
    }

    if (ngx_sluice_trash_dir.data == NULL) {
        ngx_sluice_trash_dir.data = ngx_alloc(data_path->len
                                              + sizeof("/assets"), log);
        if (ngx_sluice_trash_dir.data == NULL) {
            return;
        }

        ngx_sluice_trash_dir.len = ngx_sprintf(ngx_sluice_trash_dir.data,
                                               "%V/assets%Z", data_path)
                                   - ngx_sluice_trash_dir.data - 1;

        ngx_sluice_trash_event.handler = ngx_sluice_trash_handler;
        ngx_sluice_trash_event.log = ngx_cycle->log;
        ngx_sluice_trash_event.data = &ngx_sluice_trash_dir;
        ngx_sluice_trash_event.cancelable = 1;
    }

    if (!ngx_sluice_trash_event.timer_set) {
        ngx_add_timer(&ngx_sluice_trash_event, 1);
    }
}


/*
 * One tick: removes at most NGX_SLUICE_TRASH_BUDGET entries under
 * {data}/assets/.deleted-*, then rearms itself while some remain.
 * Leftovers of a worker that died are taken at the next deletion.
 */

static void
ngx_sluice_trash_handler(ngx_event_t *ev)
{
    u_char      path[NGX_MAX_PATH], *name;
    size_t      len;
    ngx_dir_t   dir;
    ngx_str_t  *trash;
    ngx_uint_t  budget, left;

    trash = ev->data;
    budget = NGX_SLUICE_TRASH_BUDGET;
    left = 0;

    if (ngx_open_dir(trash, &dir) == NGX_ERROR) {
        return;
    }

    for ( ;; ) {
        ngx_set_errno(0);

        if (ngx_read_dir(&dir) == NGX_ERROR) {
            break;
        }

        name = ngx_de_name(&dir);
        len = ngx_de_namelen(&dir);

        if (len <= sizeof(".deleted-") - 1
            || ngx_strncmp(name, ".deleted-", sizeof(".deleted-") - 1) != 0
            || trash->len + 1 + len + 1 > sizeof(path))
        {
            continue;
        }

        if (budget == 0) {
            left = 1;
            break;
        }

        ngx_sprintf(path, "%V/%s%Z", trash, name);

        if (ngx_sluice_trash_empty(path, trash->len + 1 + len, sizeof(path),
                                   &budget, ev->log)
            != NGX_OK)
        {
            left = 1;
        }
    }

    ngx_close_dir(&dir);

    if (left && !ngx_exiting && !ngx_terminate && !ngx_quit) {
        ngx_add_timer(ev, NGX_SLUICE_TRASH_INTERVAL);
    }
}


/* removes the tree at path within *budget; NGX_OK when it is gone */

static ngx_int_t
ngx_sluice_trash_empty(u_char *path, size_t len, size_t size,
    ngx_uint_t *budget, ngx_log_t *log)
{
    u_char           *name;
    size_t            nlen;
    ngx_int_t         rc;
    ngx_str_t         dname;
    ngx_dir_t         dir;
    ngx_file_info_t   fi;

    if (ngx_link_info(path, &fi) == NGX_FILE_ERROR) {
        return ngx_errno == NGX_ENOENT ? NGX_OK : NGX_ERROR;
    }

    if (!ngx_is_dir(&fi)) {
        (*budget)--;

        if (ngx_delete_file(path) == NGX_FILE_ERROR
            && ngx_errno != NGX_ENOENT)
        {
            ngx_log_error(NGX_LOG_ALERT, log, ngx_errno,
                          ngx_delete_file_n " \"%s\" failed", path);
        }

        return NGX_OK;
    }

    dname.data = path;
    dname.len = len;

    if (ngx_open_dir(&dname, &dir) == NGX_ERROR) {
        return NGX_ERROR;
    }

    rc = NGX_OK;

    for ( ;; ) {
        ngx_set_errno(0);

        if (ngx_read_dir(&dir) == NGX_ERROR) {
            break;
        }

        name = ngx_de_name(&dir);
        nlen = ngx_de_namelen(&dir);

        if (name[0] == '.' && (nlen == 1 || (nlen == 2 && name[1] == '.'))) {
            continue;
        }

        if (*budget == 0 || len + 1 + nlen + 1 > size) {
            rc = NGX_AGAIN;
            break;
        }

        path[len] = '/';
        ngx_memcpy(path + len + 1, name, nlen);
        path[len + 1 + nlen] = '\0';

        if (ngx_sluice_trash_empty(path, len + 1 + nlen, size, budget, log)
            != NGX_OK)
        {
            rc = NGX_AGAIN;
        }

        path[len] = '\0';

        if (rc != NGX_OK) {
            break;
        }
    }

    ngx_close_dir(&dir);

    if (rc != NGX_OK) {
        return rc;
    }

    (*budget)--;

    if (ngx_delete_dir(path) == NGX_FILE_ERROR && ngx_errno != NGX_ENOENT) {
        ngx_log_error(NGX_LOG_ALERT, log, ngx_errno,
                      ngx_delete_dir_n " \"%s\" failed", path);
        return NGX_ERROR;
    }

    return NGX_OK;
}
