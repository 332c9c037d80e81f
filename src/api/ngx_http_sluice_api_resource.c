
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The resource engine: routing, GET, PUT (201 create, 200 update),
 * PATCH, DELETE, POST {name}/{action}, the long-running operation
 * resources, rendering, the files and their loading, for every type
 * (ngx_http_sluice_api_resource.h).  The list is in
 * ngx_http_sluice_api_list.c.
 *
 * Lock discipline: lookups and changes under shpool->mutex, with copies
 * (snapshots) taken out; JSON work and file writes outside it.  A change
 * made from a snapshot is applied only if the record is still the one
 * copied (serial) at the version copied.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_account_filter.h"
#include "api/ngx_http_sluice_api_asset.h"
#include "api/ngx_http_sluice_api_asset_filter.h"
#include "api/ngx_http_sluice_api_auth.h"
#include "api/ngx_http_sluice_api_content_key_policy.h"
#include "api/ngx_http_sluice_api_list.h"
#include "api/ngx_http_sluice_api_live_event.h"
#include "api/ngx_http_sluice_api_live_output.h"
#include "api/ngx_http_sluice_api_resource.h"
#include "api/ngx_http_sluice_api_store.h"
#include "api/ngx_http_sluice_api_streaming_endpoint.h"
#include "api/ngx_http_sluice_api_streaming_locator.h"
#include "api/ngx_http_sluice_api_streaming_policy.h"
#include "core/ngx_sluice_writer.h"


static ngx_int_t ngx_http_sluice_res_get(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt);
static ngx_int_t ngx_http_sluice_res_put(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt,
    ngx_uint_t patch);
static ngx_int_t ngx_http_sluice_res_delete(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt);
static ngx_int_t ngx_http_sluice_res_act(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt);
static ngx_int_t ngx_http_sluice_res_oploc(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt);
static ngx_int_t ngx_http_sluice_res_asyncop(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt);
static ngx_int_t ngx_http_sluice_res_retry_after(ngx_http_request_t *r,
    ngx_uint_t pending);
static ngx_int_t ngx_http_sluice_res_system_data(ngx_http_request_t *r,
    ngx_http_sluice_res_build_t *b);
static sluice_json_t *ngx_http_sluice_res_render_system_data(
    sluice_alloc_t *a, sluice_json_t *doc);


/* one change of a record under the mutex: what it needs and makes */
typedef struct {
    ngx_sluice_zone_ctx_t      *zctx;
    ngx_http_sluice_rt_t       *rt;
    u_char                     *parent;         /* NUL-terminated, or NULL */
    ngx_str_t                   name;
    ngx_log_t                  *log;
    ngx_pool_t                 *pool;
    ngx_msec_t                  transition;     /* sluice_transition_time */
    u_char                      opid[NGX_SLUICE_ID_LEN + 1];

    ngx_http_sluice_res_snap_t *old;            /* copied before, or NULL */
    ngx_http_sluice_res_build_t *b;             /* the validated document */
    ngx_str_t                   json;           /* b->doc as text */

    ngx_uint_t                  state;          /* out: when refused */
    ngx_sluice_op_t            *op;             /* out: started */
    ngx_http_sluice_res_snap_t  snap;           /* out: after the change */
    ngx_http_sluice_res_err_t   err;            /* out: a hook refused */
    ngx_err_t                   err_no;         /* out: a file failed */
} ngx_http_sluice_res_change_t;


static ngx_http_sluice_rt_t  *ngx_http_sluice_res_types[] = {
    &ngx_http_sluice_rt_asset,
    &ngx_http_sluice_rt_live_output,
    &ngx_http_sluice_rt_streaming_policy,
    &ngx_http_sluice_rt_streaming_locator,
    &ngx_http_sluice_rt_streaming_endpoint,
    &ngx_http_sluice_rt_content_key_policy,
    &ngx_http_sluice_rt_account_filter,
    &ngx_http_sluice_rt_asset_filter,
    &ngx_http_sluice_rt_live_event
};


#define ngx_http_sluice_res_name_ok(rt, name)                                \
    ngx_http_sluice_res_name_valid(name, (rt)->name_max, (rt)->flags)


ngx_http_sluice_rt_t *
ngx_http_sluice_res_type(ngx_uint_t type)
{
    return ngx_http_sluice_res_types[type];
}


/* --- routing ------------------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_res_route_is(ngx_str_t *seg, const char *name)
{
    return name && seg->len == ngx_strlen(name)
           && ngx_strncasecmp(seg->data, (u_char *) name, seg->len) == 0;
}


ngx_int_t
ngx_http_sluice_api_route_resource(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_str_t *seg, ngx_uint_t n)
{
    ngx_uint_t             i, flags, first;
    ngx_http_sluice_rt_t  *rt;

    first = 9;

    for (i = 0; n >= 11 && i < NGX_HTTP_SLUICE_RES_NTYPES; i++) {
        rt = ngx_http_sluice_res_types[i];

        if (rt->parent
            && ngx_http_sluice_res_route_is(&seg[8], rt->parent->collection)
            && ngx_http_sluice_res_route_is(&seg[10], rt->collection))
        {
            /* .../liveEvents/{event}/liveOutputs..., assets/{a}/... */
            ctx->parent = seg[9];
            first = 11;
            break;
        }
    }

    for (i = 0; i < NGX_HTTP_SLUICE_RES_NTYPES; i++) {
        rt = ngx_http_sluice_res_types[i];

        if (first == 9
            && ngx_http_sluice_res_route_is(&seg[8], rt->op_collection))
        {
            if (n != 10) {
                goto not_found;
            }

            ctx->resource = i + 1;
            ctx->route = NGX_HTTP_SLUICE_R_ASYNCOP;
            ctx->op = seg[9];
            return NGX_OK;
        }

        if ((rt->parent != NULL) != (first == 11)
            || !ngx_http_sluice_res_route_is(&seg[first - 1],
                                             rt->collection)
            || (first == 11
                && !ngx_http_sluice_res_route_is(&seg[8],
                                                 rt->parent->collection)))
        {
            continue;
        }

        ctx->resource = i + 1;

        flags = NGX_HTTP_SLUICE_ROUTE_ACTION;

        if (rt->flags & NGX_HTTP_SLUICE_RT_LRO) {
            flags |= NGX_HTTP_SLUICE_ROUTE_OPLOC;
        }

        if (ngx_http_sluice_api_route_item(ctx, &seg[first], n - first,
                                           flags)
            == NGX_OK)
        {
            return NGX_OK;
        }

        goto not_found;
    }

    if (first == 9) {
        return NGX_DECLINED;
    }

not_found:

    return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                                     "No route matches the request path.");
}


/* the parent in the path of a nested type's route (not its operations) */

static ngx_uint_t
ngx_http_sluice_res_parent_bad(ngx_http_sluice_api_ctx_t *ctx,
    ngx_http_sluice_rt_t *rt)
{
    return rt->parent && ctx->route != NGX_HTTP_SLUICE_R_ASYNCOP
           && !ngx_http_sluice_res_name_ok(rt->parent, &ctx->parent);
}


static ngx_int_t
ngx_http_sluice_res_bad_name(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    if (ngx_http_sluice_res_parent_bad(ctx, rt)) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "InvalidResourceName",
                   "The %s name '%V' is invalid.", rt->parent->what,
                   &ctx->parent);
    }

    return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
               "InvalidResourceName",
               "The %s name '%V' is invalid: 1 to %uz %s are allowed.",
               rt->what, &ctx->name, rt->name_max,
               (rt->flags & NGX_HTTP_SLUICE_RT_LIVE_NAME)
               ? "letters, digits and inner hyphens"
               : "letters, digits, '-', '_' and '.' (not first)");
}


ngx_int_t
ngx_http_sluice_resource_handler(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_uint_t             read;
    ngx_http_sluice_rt_t  *rt;

    rt = ngx_http_sluice_res_types[ctx->resource - 1];
    read = (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) != 0;

    if (ngx_http_sluice_res_parent_bad(ctx, rt)
        || (ctx->name.len && !ngx_http_sluice_res_name_ok(rt, &ctx->name)))
    {
        return ngx_http_sluice_res_bad_name(r, ctx, rt);
    }

    switch (ctx->route) {

    case NGX_HTTP_SLUICE_R_LIST:
        if (read) {
            return ngx_http_sluice_res_list(r, ctx, rt);
        }

        break;

    case NGX_HTTP_SLUICE_R_EVENT:
        switch (r->method) {
        case NGX_HTTP_GET:
        case NGX_HTTP_HEAD:
            return ngx_http_sluice_res_get(r, ctx, rt);
        case NGX_HTTP_PUT:
            return ngx_http_sluice_res_put(r, ctx, rt, 0);
        case NGX_HTTP_PATCH:
            if (rt->flags & NGX_HTTP_SLUICE_RT_PATCH) {
                return ngx_http_sluice_res_put(r, ctx, rt, 1);
            }
            break;
        case NGX_HTTP_DELETE:
            return ngx_http_sluice_res_delete(r, ctx, rt);
        }

        break;

    case NGX_HTTP_SLUICE_R_ACTION:
        if (r->method == NGX_HTTP_POST) {
            return ngx_http_sluice_res_act(r, ctx, rt);
        }

        break;

    case NGX_HTTP_SLUICE_R_OPLOC:
        if (read) {
            return ngx_http_sluice_res_oploc(r, ctx, rt);
        }

        break;

    case NGX_HTTP_SLUICE_R_ASYNCOP:
        if (read) {
            return ngx_http_sluice_res_asyncop(r, ctx, rt);
        }

        break;
    }

    return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_ALLOWED,
                                     "MethodNotAllowed",
                                     "The HTTP method '%V' is not allowed "
                                     "on this resource.", &r->method_name);
}


/* --- records ------------------------------------------------------------- */

ngx_int_t
ngx_http_sluice_res_snap(ngx_pool_t *pool, ngx_http_sluice_rt_t *rt,
    void *rec, ngx_http_sluice_res_snap_t *snap)
{
    ngx_sluice_op_t        *op;
    ngx_http_sluice_rec_t   v;

    rt->kind->view(rec, &v);

    snap->json.data = ngx_pnalloc(pool, *v.json_len);
    if (snap->json.data == NULL) {
        return NGX_ERROR;
    }

    if (*v.json_len) {
        ngx_memcpy(snap->json.data, *v.json, *v.json_len);
    }
    snap->json.len = *v.json_len;
    snap->doc = NULL;

    op = *v.op;

    snap->type = rt->type;
    ngx_cpystrn(snap->parent, v.parent, sizeof(snap->parent));
    ngx_cpystrn(snap->name, v.name, sizeof(snap->name));
    snap->state = *v.state;
    snap->pending = (op != NULL);
    snap->final = op ? op->target : *v.state;
    snap->op_kind = op ? op->kind : 0;
    snap->serial = *v.serial;
    snap->version = *v.version;

    ngx_memzero(&snap->f, sizeof(ngx_sluice_res_fields_t));
    snap->generation = 0;

    rt->kind->fields(rec, snap);

    return NGX_OK;
}


sluice_json_t *
ngx_http_sluice_res_doc(sluice_alloc_t *a, ngx_http_sluice_res_snap_t *snap)
{
    if (snap->doc == NULL
        && sluice_json_parse(a, snap->json.data, snap->json.len, &snap->doc,
                             NULL, NULL)
           != SLUICE_OK)
    {
        snap->doc = NULL;
    }

    return snap->doc;
}


u_char *
ngx_http_sluice_res_parent(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    u_char  *p;

    if (ctx->parent.len == 0) {
        return NULL;
    }

    p = ngx_pnalloc(r->pool, ctx->parent.len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, ctx->parent.data, ctx->parent.len);
    p[ctx->parent.len] = '\0';

    return p;
}


ngx_uint_t
ngx_http_sluice_res_parent_exists(ngx_sluice_shctx_t *sh,
    ngx_http_sluice_rt_t *rt, u_char *parent)
{
    ngx_http_sluice_rt_t  *pt;

    pt = rt->parent;

    return pt == NULL || parent == NULL
           || pt->kind->find(sh, pt, NULL, parent, ngx_strlen(parent))
              != NULL;
}


void *
ngx_http_sluice_res_insert(ngx_sluice_zone_ctx_t *zctx,
    ngx_http_sluice_rt_t *rt, ngx_http_sluice_res_build_t *b,
    ngx_str_t *json, ngx_uint_t state)
{
    void                   *rec;
    ngx_http_sluice_rec_t   v;

    rec = rt->kind->create(zctx, rt, b, json);
    if (rec == NULL) {
        return NULL;
    }

    rt->kind->view(rec, &v);
    *v.state = state;

    return rec;
}


/*
 * The record of a request copied out: NGX_OK, NGX_DECLINED (none),
 * NGX_BUSY (an operation in flight, when busy), NGX_ABORT (the parent
 * live event is gone), NGX_ERROR.
 */

static ngx_int_t
ngx_http_sluice_res_lookup(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt, u_char *parent,
    ngx_uint_t busy, ngx_http_sluice_res_snap_t *snap)
{
    void                   *rec;
    ngx_int_t               rc;
    ngx_sluice_zone_ctx_t  *zctx;
    ngx_http_sluice_rec_t   v;

    zctx = ngx_http_sluice_res_zone(ctx);

    ngx_shmtx_lock(&zctx->shpool->mutex);

    rec = NULL;

    if (!ngx_http_sluice_res_parent_exists(zctx->sh, rt, parent)) {
        rc = NGX_ABORT;

    } else {
        rec = rt->kind->find(zctx->sh, rt, parent, ctx->name.data,
                             ctx->name.len);
        rc = NGX_DECLINED;
    }

    if (rec) {
        rt->kind->view(rec, &v);

        rc = (busy && *v.op) ? NGX_BUSY
                             : ngx_http_sluice_res_snap(r->pool, rt, rec,
                                                        snap);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    return rc;
}


static ngx_int_t
ngx_http_sluice_res_not_found(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    if (rt->parent) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "%s '%V' of %s '%V' was not found.", rt->what,
                   &ctx->name, rt->parent->what, &ctx->parent);
    }

    return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                                     "%s '%V' was not found.", rt->what,
                                     &ctx->name);
}


/* the answer to a lookup or a change that did not go through */

static ngx_int_t
ngx_http_sluice_res_refused(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt, ngx_int_t rc,
    const char *busy)
{
    switch (rc) {

    case NGX_DECLINED:
        return ngx_http_sluice_res_not_found(r, ctx, rt);

    case NGX_ABORT:
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "%s '%V' was not found.",
                   rt->parent ? rt->parent->what : "Parent",
                   &ctx->parent);

    case NGX_BUSY:
        return ngx_http_sluice_api_error(r, NGX_HTTP_CONFLICT, "Conflict",
                   "%s '%V' %s.", rt->what, &ctx->name, busy);
    }

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


static void
ngx_http_sluice_res_change_init(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt,
    ngx_http_sluice_res_change_t *ch)
{
    ngx_memzero(ch, sizeof(ngx_http_sluice_res_change_t));

    ch->zctx = ngx_http_sluice_res_zone(ctx);
    ch->rt = rt;
    ch->parent = ngx_http_sluice_res_parent(r, ctx);
    ch->name = ctx->name;
    ch->log = r->connection->log;
    ch->pool = r->pool;
    ch->transition = ctx->conf->transition_time;

    ngx_http_sluice_new_uuid(ch->opid);
}


/* --- GET ----------------------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_res_get(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    ngx_int_t                    rc;
    sluice_json_t               *res;
    ngx_http_sluice_res_snap_t   snap;

    rc = ngx_http_sluice_res_lookup(r, ctx, rt,
                                    ngx_http_sluice_res_parent(r, ctx), 0,
                                    &snap);
    if (rc != NGX_OK) {
        return ngx_http_sluice_res_refused(r, ctx, rt,
                                           rc == NGX_ABORT ? NGX_DECLINED
                                                           : rc, NULL);
    }

    res = ngx_http_sluice_res_render(r, ctx, &snap);
    if (res == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


/* --- PUT, PATCH ---------------------------------------------------------- */

/* ?autoStart=true|false of a PUT creating a type that starts */

static ngx_int_t
ngx_http_sluice_res_autostart(ngx_http_request_t *r, ngx_http_sluice_rt_t *rt,
    ngx_uint_t *autostart)
{
    ngx_str_t  arg;

    *autostart = 0;

    if (rt->autostart == NULL
        || ngx_http_arg(r, (u_char *) "autoStart", sizeof("autoStart") - 1,
                        &arg)
           != NGX_OK)
    {
        return NGX_OK;
    }

    if (arg.len == 4 && ngx_strncasecmp(arg.data, (u_char *) "true", 4) == 0)
    {
        *autostart = 1;
        return NGX_OK;
    }

    if (arg.len == 5 && ngx_strncasecmp(arg.data, (u_char *) "false", 5) == 0)
    {
        return NGX_OK;
    }

    return NGX_DECLINED;
}


/*
 * Validates the document of a PUT (body), a PATCH (body merged onto the
 * stored document) or an action (its patch): NGX_OK, NGX_DECLINED
 * (b->err), NGX_ERROR.
 */

static ngx_int_t
ngx_http_sluice_res_build(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt,
    ngx_http_sluice_res_snap_t *old, sluice_json_t *patch,
    ngx_http_sluice_res_build_t *b)
{
    ngx_int_t  rc;

    ngx_memzero(b, sizeof(ngx_http_sluice_res_build_t));

    b->a = &ctx->alloc;
    b->pool = r->pool;
    b->conf = ctx->conf;
    b->zctx = ngx_http_sluice_res_zone(ctx);
    b->name = ctx->name;
    b->parent = ctx->parent;
    b->in = ctx->body;

    if (old) {
        b->old = ngx_http_sluice_res_doc(&ctx->alloc, old);
        if (b->old == NULL) {
            return NGX_ERROR;
        }

        /* the name keeps the case it was created with */
        b->name.data = old->name;
        b->name.len = ngx_strlen(old->name);
    }

    if (patch) {
        b->in = ngx_http_sluice_res_merge(&ctx->alloc, b->old, patch);
        if (b->in == NULL) {
            return NGX_ERROR;
        }
    }

    rc = rt->build(b);

    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_sluice_res_system_data(r, b);
}


/*
 * systemData of the stored document (ARM's, common-types v2): who
 * created the resource and when, kept from the old document, and who
 * changed it last, now (ngx_http_sluice_api_identity()).  A document
 * stored before systemData keeps its "created" as createdAt, its creator
 * unknown.
 */

static ngx_int_t
ngx_http_sluice_res_system_data(ngx_http_request_t *r,
    ngx_http_sluice_res_build_t *b)
{
    ngx_str_t        name;
    ngx_uint_t       i;
    const char      *type;
    sluice_json_t   *sd, *old, *now, *v;
    sluice_alloc_t  *a;

    static const char  *created[] = {
        "createdBy", "createdByType", "createdAt"
    };

    a = b->a;

    ngx_http_sluice_api_identity(r, &name, &type);

    sd = sluice_json_new(a, SLUICE_JSON_OBJECT);
    now = ngx_http_sluice_time_json(a, (int64_t) ngx_sluice_now_ms());

    if (sd == NULL || now == NULL) {
        return NGX_ERROR;
    }

    if (b->old == NULL) {
        if (ngx_http_sluice_res_set(a, sd, "createdBy",
                sluice_json_new_string(a, name.data, name.len))
            != NGX_OK
            || ngx_http_sluice_res_set(a, sd, "createdByType",
                   sluice_json_new_cstring(a, type))
               != NGX_OK
            || ngx_http_sluice_res_set(a, sd, "createdAt",
                   sluice_json_copy(a, now))
               != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else {
        old = sluice_json_get(b->old, "systemData");

        if (old == NULL) {
            v = sluice_json_get(sluice_json_get(b->old, "properties"),
                                "created");

            if (v && v->type == SLUICE_JSON_STRING
                && ngx_http_sluice_res_set(a, sd, "createdAt",
                                           sluice_json_copy(a, v))
                   != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        for (i = 0; old && i < sizeof(created) / sizeof(char *); i++) {
            v = sluice_json_get(old, created[i]);

            if (v && v->type == SLUICE_JSON_STRING
                && ngx_http_sluice_res_set(a, sd, created[i],
                                           sluice_json_copy(a, v))
                   != NGX_OK)
            {
                return NGX_ERROR;
            }
        }
    }

    if (ngx_http_sluice_res_set(a, sd, "lastModifiedBy",
            sluice_json_new_string(a, name.data, name.len))
        != NGX_OK
        || ngx_http_sluice_res_set(a, sd, "lastModifiedByType",
               sluice_json_new_cstring(a, type))
           != NGX_OK
        || ngx_http_sluice_res_set(a, sd, "lastModifiedAt", now) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_sluice_res_set(a, b->doc, "systemData", sd);
}


/* mutex held: may the change ch be made?  NGX_OK, else why not */

static ngx_int_t
ngx_http_sluice_res_put_check(ngx_http_sluice_res_change_t *ch, void *rec)
{
    ngx_sluice_shctx_t     *sh;
    ngx_http_sluice_rt_t   *rt;
    ngx_http_sluice_rec_t   v;

    sh = ch->zctx->sh;
    rt = ch->rt;

    if ((rec == NULL) != (ch->old == NULL)) {
        return NGX_BUSY;
    }

    if (rec) {
        rt->kind->view(rec, &v);

        if (*v.op || *v.version != ch->old->version) {
            return NGX_BUSY;
        }
    }

    if (!ngx_http_sluice_res_parent_exists(sh, rt, ch->parent)) {
        return NGX_ABORT;
    }

    if ((rt->unique && rt->unique(sh, ch->b, rec) != NGX_OK)
        || (rt->check && rt->check(sh, ch->b, rec) != NGX_OK))
    {
        ch->err = ch->b->err;
        return NGX_DONE;
    }

    return NGX_OK;
}


/* mutex held, in zone_begin(): a new record and its creation */

static ngx_int_t
ngx_http_sluice_res_put_create(ngx_http_sluice_res_change_t *ch,
    ngx_uint_t autostart)
{
    void                      *rec;
    ngx_http_sluice_rt_t      *rt;
    ngx_http_sluice_action_t  *act;

    rt = ch->rt;
    act = autostart ? rt->autostart : rt->create;

    rec = ngx_http_sluice_res_insert(ch->zctx, rt, ch->b, &ch->json,
                                     act ? act->state : ch->b->state);
    if (rec == NULL) {
        return NGX_ERROR;
    }

    if (act) {
        ch->op = rt->kind->op_start(ch->zctx->sh, rec, NGX_SLUICE_OP_CREATE,
                                    act->state, act->target,
                                    (act->flags & NGX_HTTP_SLUICE_ACT_INSTANT)
                                    ? 0 : ch->transition, ch->opid);
        if (ch->op == NULL) {
            rt->kind->free(ch->zctx->sh, rec);
            return NGX_ERROR;
        }
    }

    if (rt->created) {
        rt->created(ch->zctx->sh, rec);
    }

    return ngx_http_sluice_res_snap(ch->pool, rt, rec, &ch->snap);
}


/* the locked part of a PUT or a PATCH */

static ngx_int_t
ngx_http_sluice_res_put_commit(ngx_http_sluice_res_change_t *ch,
    ngx_uint_t autostart)
{
    void                   *rec;
    ngx_int_t               rc;
    ngx_sluice_shctx_t     *sh;
    ngx_http_sluice_rt_t   *rt;
    ngx_http_sluice_rec_t   v;

    sh = ch->zctx->sh;
    rt = ch->rt;

    ngx_shmtx_lock(&ch->zctx->shpool->mutex);

    ngx_sluice_zone_begin(sh, ch->log);

    rec = rt->kind->find(sh, rt, ch->parent, ch->b->name.data,
                         ch->b->name.len);

    rc = ngx_http_sluice_res_put_check(ch, rec);

    if (rc == NGX_OK && rec == NULL) {
        rc = ngx_http_sluice_res_put_create(ch, autostart);

    } else if (rc == NGX_OK) {
        rt->kind->view(rec, &v);

        rc = ngx_sluice_zone_set_json(sh, v.json, v.json_len, ch->json.data,
                                      ch->json.len);
        if (rc == NGX_OK) {
            rt->kind->apply(rec, ch->b, 1);
            (*v.version)++;
            rc = ngx_http_sluice_res_snap(ch->pool, rt, rec, &ch->snap);
        }
    }

    ngx_sluice_zone_end(sh);

    ngx_shmtx_unlock(&ch->zctx->shpool->mutex);

    return rc;
}


static ngx_int_t
ngx_http_sluice_res_put(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt,
    ngx_uint_t patch)
{
    ngx_int_t                      rc;
    ngx_uint_t                     autostart;
    sluice_json_t                 *res;
    ngx_http_sluice_res_snap_t     old;
    ngx_http_sluice_res_build_t    b;
    ngx_http_sluice_res_change_t   ch;

    if (ctx->body == NULL || ctx->body->type != SLUICE_JSON_OBJECT) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "InvalidRequestContent",
                   "The request body must be a JSON object describing the "
                   "%s.", rt->what);
    }

    if (ngx_http_sluice_res_autostart(r, rt, &autostart) != NGX_OK) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "The query parameter autoStart must be true or false.");
    }

    ngx_http_sluice_res_change_init(r, ctx, rt, &ch);

    rc = ngx_http_sluice_res_lookup(r, ctx, rt, ch.parent, 1, &old);

    if (rc == NGX_DECLINED && patch) {
        return ngx_http_sluice_res_not_found(r, ctx, rt);
    }

    if (rc != NGX_OK && rc != NGX_DECLINED) {
        return ngx_http_sluice_res_refused(r, ctx, rt, rc,
                                           "has an operation in progress");
    }

    ch.old = (rc == NGX_OK) ? &old : NULL;

    if (ch.old && old.f.builtin) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "%s '%V' is predefined and cannot be changed.", rt->what,
                   &ctx->name);
    }

    if (ch.old && (rt->flags & NGX_HTTP_SLUICE_RT_IMMUTABLE)) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_CONFLICT,
                   "ResourceExists",
                   "%s '%V' already exists and cannot be updated: delete "
                   "it first.", rt->what, &ctx->name);
    }

    rc = ngx_http_sluice_res_build(r, ctx, rt, ch.old,
                                   patch ? ctx->body : NULL, &b);
    if (rc == NGX_OK) {
        ch.b = &b;
        rc = ngx_http_sluice_res_json_text(r->pool, b.doc, &ch.json);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_res_put_commit(&ch, autostart);
    }

    switch (rc) {

    case NGX_OK:
        break;

    case NGX_DECLINED:
        return ngx_http_sluice_res_send_err(r, &b.err);

    case NGX_DONE:
        return ngx_http_sluice_res_send_err(r, &ch.err);

    case NGX_BUSY:
    case NGX_ABORT:
        return ngx_http_sluice_res_refused(r, ctx, rt, rc,
                                           "was changed by another request");

    default:
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sluice: no memory for %s \"%V\"", rt->what,
                      &ctx->name);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the answer waits until the file is on stable storage */

    if (ngx_http_sluice_store(r, ch.zctx, &ch.snap, ch.old == NULL)
        != NGX_OK)
    {
        return ngx_http_sluice_api_answer(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                          NULL);
    }

    if (ch.old == NULL && rt->done) {
        rt->done(r, ctx, &ch.snap, NGX_SLUICE_OP_CREATE);
    }

    res = ngx_http_sluice_res_render(r, ctx, &ch.snap);

    if (res == NULL
        || (ch.op
            && ngx_http_sluice_res_lro_headers(r, ctx, rt, ch.snap.parent,
                                               ch.snap.name, ch.opid,
                                               ch.snap.pending)
               != NGX_OK))
    {
        return ngx_http_sluice_api_answer(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                          NULL);
    }

    return ngx_http_sluice_api_answer(r, ch.old ? NGX_HTTP_OK
                                                : NGX_HTTP_CREATED, res);
}


/* --- DELETE -------------------------------------------------------------- */

/* mutex held, in zone_begin(): rec goes, at once or by an operation */

static ngx_int_t
ngx_http_sluice_res_remove(ngx_http_sluice_res_change_t *ch, void *rec)
{
    ngx_sluice_shctx_t    *sh;
    ngx_http_sluice_rt_t  *rt;

    sh = ch->zctx->sh;
    rt = ch->rt;

    /* a file that cannot go (read-only disk): the record stays too */

    if (rt->kind->unlink(ch->pool, ch->log, ch->zctx, rec) != NGX_OK) {
        ch->err_no = ngx_errno;
        return NGX_ERROR;
    }

    if (rt->deleting) {
        rt->deleting(sh, rec, ch->log);
    }

    if (!(rt->flags & NGX_HTTP_SLUICE_RT_LRO)) {
        rt->kind->free(sh, rec);
        return NGX_OK;
    }

    /* freed by the operation once done (at once without a delay) */

    ch->op = rt->kind->op_start(sh, rec, NGX_SLUICE_OP_DELETE,
                                rt->delete_state, rt->delete_state,
                                ch->transition, ch->opid);
    if (ch->op == NULL) {
        rt->kind->free(sh, rec);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_res_delete_commit(ngx_http_sluice_res_change_t *ch)
{
    void                  *rec;
    ngx_int_t              rc;
    ngx_sluice_shctx_t    *sh;
    ngx_http_sluice_rt_t  *rt;

    sh = ch->zctx->sh;
    rt = ch->rt;

    ngx_shmtx_lock(&ch->zctx->shpool->mutex);

    rec = rt->kind->find(sh, rt, ch->parent, ch->name.data, ch->name.len);

    rc = rec ? ngx_http_sluice_res_snap(ch->pool, rt, rec, &ch->snap)
             : NGX_DECLINED;

    if (rc == NGX_OK) {
        if (ch->snap.f.builtin) {
            rc = NGX_ABORT;

        } else if (ch->snap.pending) {
            rc = NGX_BUSY;

        } else if (rt->deletable && rt->deletable(sh, rec, &ch->err)
                                    != NGX_OK)
        {
            rc = NGX_DONE;
        }
    }

    if (rc == NGX_OK) {
        ngx_sluice_zone_begin(sh, ch->log);

        if (ngx_http_sluice_res_remove(ch, rec) != NGX_OK) {
            rc = NGX_AGAIN;
        }

        ngx_sluice_zone_end(sh);
    }

    ngx_shmtx_unlock(&ch->zctx->shpool->mutex);

    return rc;
}


static ngx_int_t
ngx_http_sluice_res_delete(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    ngx_int_t                     rc;
    ngx_http_sluice_res_change_t  ch;

    ngx_http_sluice_res_change_init(r, ctx, rt, &ch);

    rc = ngx_http_sluice_res_delete_commit(&ch);

    switch (rc) {

    case NGX_OK:
        break;

    case NGX_DECLINED:
        return ngx_http_sluice_api_send(r, NGX_HTTP_NO_CONTENT, NULL);

    case NGX_ABORT:
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "%s '%V' is predefined and cannot be deleted.", rt->what,
                   &ctx->name);

    case NGX_DONE:
        return ngx_http_sluice_res_send_err(r, &ch.err);

    case NGX_AGAIN:
        return ngx_http_sluice_store_error(r, ch.err_no, rt->what,
                                           &ctx->name,
                                           "Nothing was deleted.");

    default:
        return ngx_http_sluice_res_refused(r, ctx, rt, rc,
                                           "has an operation in progress");
    }

    if (rt->done) {
        rt->done(r, ctx, &ch.snap, NGX_SLUICE_OP_DELETE);
    }

    /* the removals on stable storage before the answer */

    if (ngx_http_sluice_store_removed(r, ch.zctx) != NGX_OK) {
        return ngx_http_sluice_api_answer(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                          NULL);
    }

    if (!(rt->flags & NGX_HTTP_SLUICE_RT_LRO)) {
        return ngx_http_sluice_api_answer(r, NGX_HTTP_OK, NULL);
    }

    if (ngx_http_sluice_res_lro_headers(r, ctx, rt, ch.snap.parent,
                                        ch.snap.name, ch.opid,
                                        ch.transition != 0)
        != NGX_OK)
    {
        return ngx_http_sluice_api_answer(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                          NULL);
    }

    return ngx_http_sluice_api_answer(r, NGX_HTTP_ACCEPTED, NULL);
}


/* --- actions ------------------------------------------------------------- */

static ngx_http_sluice_action_t *
ngx_http_sluice_res_action(ngx_http_sluice_action_t *actions,
    ngx_str_t *name)
{
    ngx_http_sluice_action_t  *act;

    for (act = actions; act && act->name.len; act++) {
        if (act->name.len == name->len
            && ngx_strncasecmp(act->name.data, name->data, name->len) == 0)
        {
            return act;
        }
    }

    return NULL;
}


/*
 * May act start on rec?  NGX_OK, NGX_BUSY (an operation in progress,
 * or changed since copied), NGX_DONE (already there), or NGX_ABORT (not
 * from this state).
 */

static ngx_int_t
ngx_http_sluice_res_act_check(ngx_http_sluice_res_change_t *ch,
    ngx_http_sluice_action_t *act, void *rec)
{
    ngx_http_sluice_rec_t  v;

    ch->rt->kind->view(rec, &v);
    ch->state = *v.state;

    if (*v.op || (ch->old && *v.version != ch->old->version)) {
        return NGX_BUSY;
    }

    if (act->flags & NGX_HTTP_SLUICE_ACT_ANY_STATE) {
        return NGX_OK;
    }

    if (*v.state == act->noop) {
        return NGX_DONE;
    }

    if (*v.state != act->from[0] && *v.state != act->from[1]) {
        return NGX_ABORT;
    }

    return NGX_OK;
}


/* mutex held, in zone_begin(): the action's operation starts */

static ngx_int_t
ngx_http_sluice_res_act_start(ngx_http_sluice_res_change_t *ch,
    ngx_http_sluice_action_t *act, ngx_http_sluice_act_in_t *in, void *rec)
{
    ngx_sluice_shctx_t         *sh;
    ngx_http_sluice_rt_t       *rt;
    ngx_http_sluice_rec_t       v;
    ngx_http_sluice_op_plan_t   plan;

    sh = ch->zctx->sh;
    rt = ch->rt;

    plan.state = act->state;
    plan.target = act->target;
    plan.delay = ch->transition;

    if (rt->acting
        && rt->acting(sh, rec, act, in, &plan, &ch->err, ch->log) != NGX_OK)
    {
        return NGX_DECLINED;
    }

    rt->kind->view(rec, &v);

    if (ch->b) {
        if (ngx_sluice_zone_set_json(sh, v.json, v.json_len, ch->json.data,
                                     ch->json.len)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        rt->kind->apply(rec, ch->b, 1);
    }

    ch->op = rt->kind->op_start(sh, rec, act->kind, plan.state, plan.target,
                                plan.delay, ch->opid);
    if (ch->op == NULL) {
        return NGX_ERROR;
    }

    (*v.version)++;

    return ngx_http_sluice_res_snap(ch->pool, rt, rec, &ch->snap);
}


static ngx_int_t
ngx_http_sluice_res_act_commit(ngx_http_sluice_res_change_t *ch,
    ngx_http_sluice_action_t *act, ngx_http_sluice_act_in_t *in)
{
    void                  *rec;
    ngx_int_t              rc;
    ngx_sluice_shctx_t    *sh;
    ngx_http_sluice_rt_t  *rt;

    sh = ch->zctx->sh;
    rt = ch->rt;

    ngx_shmtx_lock(&ch->zctx->shpool->mutex);

    rec = rt->kind->find(sh, rt, ch->parent, ch->name.data, ch->name.len);

    rc = rec ? ngx_http_sluice_res_act_check(ch, act, rec) : NGX_DECLINED;

    if (rc == NGX_OK) {
        ngx_sluice_zone_begin(sh, ch->log);
        rc = ngx_http_sluice_res_act_start(ch, act, in, rec);
        ngx_sluice_zone_end(sh);
    }

    ngx_shmtx_unlock(&ch->zctx->shpool->mutex);

    return rc;
}


static ngx_int_t
ngx_http_sluice_res_act(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    ngx_int_t                      rc;
    ngx_http_sluice_act_in_t       in;
    ngx_http_sluice_action_t      *act;
    ngx_http_sluice_res_snap_t     old;
    ngx_http_sluice_res_build_t    b;
    ngx_http_sluice_res_change_t   ch;

    act = ngx_http_sluice_res_action(rt->actions, &ctx->action);

    if (act == NULL && rt->post) {
        return rt->post(r, ctx);
    }

    if (act == NULL) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Unknown %s action '%V'.", rt->what, &ctx->action);
    }

    ngx_http_sluice_res_change_init(r, ctx, rt, &ch);
    ngx_memzero(&in, sizeof(ngx_http_sluice_act_in_t));

    rc = rt->act_body ? rt->act_body(ctx, act, &in, &ch.err) : NGX_OK;

    /* a change of the document, validated as a PATCH */

    if (rc == NGX_OK && in.patch) {
        rc = ngx_http_sluice_res_lookup(r, ctx, rt, ch.parent, 0, &old);
    }

    if (rc == NGX_OK && in.patch) {
        ch.old = &old;
        ch.b = &b;

        rc = ngx_http_sluice_res_build(r, ctx, rt, &old, in.patch, &b);

        if (rc == NGX_DECLINED) {
            ch.err = b.err;
            rc = NGX_AGAIN;

        } else if (rc == NGX_OK) {
            rc = ngx_http_sluice_res_json_text(r->pool, b.doc, &ch.json);
        }
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_res_act_commit(&ch, act, &in);
    }

    switch (rc) {

    case NGX_OK:
        break;

    case NGX_DONE:
        /* already there: nothing to do */
        return ngx_http_sluice_api_send(r, NGX_HTTP_OK, NULL);

    case NGX_ABORT:
        return ngx_http_sluice_api_error(r, NGX_HTTP_CONFLICT,
                   "InvalidResourceState",
                   "%s '%V' is %s: the %V action is not allowed in this "
                   "state.", rt->what, &ctx->name, rt->states[ch.state],
                   &ctx->action);

    case NGX_AGAIN:
        return ngx_http_sluice_res_send_err(r, &ch.err);

    default:
        if (rc == NGX_DECLINED && ch.err.status) {
            return ngx_http_sluice_res_send_err(r, &ch.err);
        }

        return ngx_http_sluice_res_refused(r, ctx, rt, rc,
                                           "has an operation in progress");
    }

    if (ngx_http_sluice_store(r, ch.zctx, &ch.snap, 0) != NGX_OK
        || ngx_http_sluice_res_lro_headers(r, ctx, rt, ch.snap.parent,
                                           ch.snap.name, ch.opid,
                                           ch.snap.pending)
           != NGX_OK)
    {
        return ngx_http_sluice_api_answer(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                          NULL);
    }

    return ngx_http_sluice_api_answer(r, NGX_HTTP_ACCEPTED, NULL);
}


/* --- long-running operations --------------------------------------------- */

ngx_int_t
ngx_http_sluice_res_lro_headers(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt, u_char *parent,
    u_char *name, u_char *op_id, ngx_uint_t pending)
{
    u_char     *p, *path;
    size_t      len;
    ngx_str_t   value;

    path = ngx_pnalloc(r->pool, sizeof("liveEvents///") - 1
                                + 2 * NGX_SLUICE_RES_NAME_LEN
                                + ngx_strlen(rt->collection));
    if (path == NULL) {
        return NGX_ERROR;
    }

    p = path;

    if (parent[0] && rt->parent) {
        p = ngx_sprintf(p, "%s/%s/", rt->parent->collection, parent);
    }

    p = ngx_sprintf(p, "%s/%s", rt->collection, name);

    len = ctx->base.len + sizeof("//operationLocations/?api-version=") - 1
          + ngx_strlen(rt->op_collection) + (p - path) + NGX_SLUICE_ID_LEN
          + ctx->api_version.len;

    value.data = ngx_pnalloc(r->pool, len);
    if (value.data == NULL) {
        return NGX_ERROR;
    }

    value.len = ngx_sprintf(value.data, "%V/%s/%s?api-version=%V",
                            &ctx->base, rt->op_collection, op_id,
                            &ctx->api_version)
                - value.data;

    if (ngx_http_sluice_api_add_header(r, "Azure-AsyncOperation", &value)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    value.data = ngx_pnalloc(r->pool, len);
    if (value.data == NULL) {
        return NGX_ERROR;
    }

    value.len = ngx_sprintf(value.data,
                            "%V/%*s/operationLocations/%s?api-version=%V",
                            &ctx->base, p - path, path, op_id,
                            &ctx->api_version)
                - value.data;

    if (ngx_http_sluice_api_add_header(r, "Location", &value) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_sluice_res_retry_after(r, pending);
}


static ngx_int_t
ngx_http_sluice_res_retry_after(ngx_http_request_t *r, ngx_uint_t pending)
{
    ngx_str_t  value;

    if (pending) {
        ngx_str_set(&value, "1");

    } else {
        ngx_str_set(&value, "0");
    }

    return ngx_http_sluice_api_add_header(r, "Retry-After", &value);
}


/* the operation of ctx->op, settled, and the record if it succeeded */

static ngx_int_t
ngx_http_sluice_res_op_lookup(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt,
    ngx_uint_t *status, ngx_uint_t *kind, ngx_http_sluice_res_snap_t *snap)
{
    void                   *rec;
    uint64_t                serial;
    ngx_int_t               rc;
    ngx_sluice_op_t        *op;
    ngx_sluice_zone_ctx_t  *zctx;
    ngx_http_sluice_rec_t   v;

    zctx = ngx_http_sluice_res_zone(ctx);
    rc = NGX_DECLINED;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    op = rt->kind->op_find(zctx->sh, rt, ctx->op.data, ctx->op.len);

    if (op) {
        *status = op->status;
        *kind = op->kind;
        rc = NGX_OK;

        rec = rt->kind->find(zctx->sh, rt, ngx_http_sluice_res_parent(r, ctx),
                             ctx->name.data, ctx->name.len);
        serial = 0;

        if (rec) {
            rt->kind->view(rec, &v);
            serial = *v.serial;
        }

        if (*kind != NGX_SLUICE_OP_DELETE
            && (rec == NULL || serial != op->event_serial))
        {
            rc = NGX_DECLINED;

        } else if (*status == NGX_SLUICE_OP_SUCCEEDED
                   && *kind != NGX_SLUICE_OP_DELETE)
        {
            rc = ngx_http_sluice_res_snap(r->pool, rt, rec, snap);
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    return rc;
}


/* GET {resource}/operationLocations/{id} */

static ngx_int_t
ngx_http_sluice_res_oploc(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    ngx_int_t                    rc;
    ngx_uint_t                   status, kind;
    sluice_json_t               *res;
    ngx_http_sluice_res_snap_t   snap;

    status = NGX_SLUICE_OP_FAILED;
    kind = 0;

    rc = ngx_http_sluice_res_op_lookup(r, ctx, rt, &status, &kind, &snap);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Operation '%V' of %s '%V' was not found.", &ctx->op,
                   rt->what, &ctx->name);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    switch (status) {

    case NGX_SLUICE_OP_IN_PROGRESS:
        if (ngx_http_sluice_res_retry_after(r, 1) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_sluice_api_send(r, NGX_HTTP_ACCEPTED, NULL);

    case NGX_SLUICE_OP_FAILED:
        return ngx_http_sluice_api_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                   "InternalServerError", "Operation '%V' failed.",
                   &ctx->op);
    }

    if (kind == NGX_SLUICE_OP_DELETE) {
        return ngx_http_sluice_api_send(r, NGX_HTTP_NO_CONTENT, NULL);
    }

    res = ngx_http_sluice_res_render(r, ctx, &snap);
    if (res == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


/* {"name": id, "status": ..., "error": ...} of an operation */

static sluice_json_t *
ngx_http_sluice_res_op_json(sluice_alloc_t *a, u_char *id, ngx_uint_t status)
{
    sluice_json_t  *res, *err;

    static const char  *names[] = { "InProgress", "Succeeded", "Failed" };

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (res == NULL
        || ngx_http_sluice_res_set(a, res, "name",
                                   sluice_json_new_cstring(a, (char *) id))
        || ngx_http_sluice_res_set(a, res, "status",
                                   sluice_json_new_cstring(a,
                                                           names[status])))
    {
        return NULL;
    }

    if (status != NGX_SLUICE_OP_FAILED) {
        return res;
    }

    err = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (err == NULL
        || ngx_http_sluice_res_set(a, err, "code",
                                   sluice_json_new_cstring(a,
                                                      "InternalServerError"))
        || ngx_http_sluice_res_set(a, err, "message",
                                   sluice_json_new_cstring(a,
                                       "The resource of this operation went "
                                       "away before it completed."))
        || ngx_http_sluice_res_set(a, res, "error", err))
    {
        return NULL;
    }

    return res;
}


/* GET {op_collection}/{id} */

static ngx_int_t
ngx_http_sluice_res_asyncop(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    ngx_uint_t              status;
    sluice_json_t          *res;
    ngx_sluice_op_t        *op;
    ngx_sluice_zone_ctx_t  *zctx;
    u_char                  id[NGX_SLUICE_ID_LEN + 1];

    zctx = ngx_http_sluice_res_zone(ctx);
    status = NGX_SLUICE_OP_FAILED;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    op = rt->kind->op_find(zctx->sh, rt, ctx->op.data, ctx->op.len);

    if (op) {
        status = op->status;
        ngx_memcpy(id, op->id, sizeof(id));
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (op == NULL) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Operation '%V' was not found.", &ctx->op);
    }

    res = ngx_http_sluice_res_op_json(&ctx->alloc, id, status);
    if (res == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (status == NGX_SLUICE_OP_IN_PROGRESS
        && ngx_http_sluice_res_retry_after(r, 1) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


/* --- rendering ----------------------------------------------------------- */

/* "/subscriptions/.../mediaservices/{account}/[liveevents/{e}/]{seg}/{n}" */

static sluice_json_t *
ngx_http_sluice_res_id(ngx_http_request_t *r, ngx_http_sluice_api_ctx_t *ctx,
    ngx_http_sluice_rt_t *rt, ngx_http_sluice_res_snap_t *snap)
{
    u_char  *id, *p;
    size_t   len;

    len = sizeof("/subscriptions//resourceGroups//providers/Microsoft.Media"
                 "/mediaservices///liveevents//") - 1
          + ctx->subscription.len + ctx->group.len + ctx->account.len
          + ngx_strlen(rt->id_segment) + 2 * NGX_SLUICE_RES_NAME_LEN;

    id = ngx_pnalloc(r->pool, len);
    if (id == NULL) {
        return NULL;
    }

    p = ngx_sprintf(id, "/subscriptions/%V/resourceGroups/%V/providers/"
                    "Microsoft.Media/mediaservices/%V/", &ctx->subscription,
                    &ctx->group, &ctx->account);

    if (snap->parent[0] && rt->parent) {
        p = ngx_sprintf(p, "%s/%s/", rt->parent->id_segment, snap->parent);
    }

    p = ngx_sprintf(p, "%s/%s", rt->id_segment, snap->name);

    return sluice_json_new_string(&ctx->alloc, id, p - id);
}


/* location and tags of a tracked resource */

static ngx_int_t
ngx_http_sluice_res_render_tracked(sluice_alloc_t *a, sluice_json_t *doc,
    sluice_json_t *res)
{
    sluice_json_t  *v;

    v = sluice_json_get(doc, "location");

    if (ngx_http_sluice_res_set(a, res, "location",
                                v ? sluice_json_copy(a, v)
                                  : sluice_json_new_cstring(a, "local")))
    {
        return NGX_ERROR;
    }

    v = sluice_json_get(doc, "tags");

    return ngx_http_sluice_res_set(a, res, "tags",
                                   v ? sluice_json_copy(a, v)
                                     : sluice_json_new(a,
                                                       SLUICE_JSON_OBJECT));
}


sluice_json_t *
ngx_http_sluice_res_render(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_snap_t *snap)
{
    sluice_json_t         *doc, *res, *props;
    sluice_alloc_t        *a;
    ngx_http_sluice_rt_t  *rt;

    a = &ctx->alloc;
    rt = ngx_http_sluice_res_types[snap->type];

    doc = ngx_http_sluice_res_doc(a, snap);
    if (doc == NULL) {
        return NULL;
    }

    /* a detached copy: setting a node relinks it */

    props = sluice_json_get(doc, "properties");
    props = props ? sluice_json_copy(a, props)
                  : sluice_json_new(a, SLUICE_JSON_OBJECT);

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);

    if (props == NULL || res == NULL
        || ngx_http_sluice_res_set(a, res, "name",
                                   sluice_json_new_cstring(a,
                                                      (char *) snap->name))
        || ngx_http_sluice_res_set(a, res, "id",
                                   ngx_http_sluice_res_id(r, ctx, rt, snap))
        || ngx_http_sluice_res_set(a, res, "type",
                                   sluice_json_new_cstring(a, rt->arm_type)))
    {
        return NULL;
    }

    if ((rt->flags & NGX_HTTP_SLUICE_RT_TRACKED)
        && ngx_http_sluice_res_render_tracked(a, doc, res) != NGX_OK)
    {
        return NULL;
    }

    if (ngx_http_sluice_res_set(a, res, "systemData",
            ngx_http_sluice_res_render_system_data(a, doc))
        != NGX_OK)
    {
        return NULL;
    }

    if ((rt->render && rt->render(r, ctx, snap, res, props) != NGX_OK)
        || ngx_http_sluice_res_set(a, res, "properties", props) != NGX_OK)
    {
        return NULL;
    }

    return res;
}


/*
 * the stored systemData; of a predefined resource or one stored before
 * systemData, Sluice's, at its created and lastModified properties
 */

static sluice_json_t *
ngx_http_sluice_res_render_system_data(sluice_alloc_t *a, sluice_json_t *doc)
{
    sluice_json_t  *sd, *props, *v, *m;

    sd = sluice_json_get(doc, "systemData");

    if (sd && sd->type == SLUICE_JSON_OBJECT) {
        return sluice_json_copy(a, sd);
    }

    sd = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (sd == NULL) {
        return NULL;
    }

    props = sluice_json_get(doc, "properties");
    v = sluice_json_get(props, "created");
    m = sluice_json_get(props, "lastModified");

    if (v && v->type != SLUICE_JSON_STRING) {
        v = NULL;
    }

    if (m == NULL || m->type != SLUICE_JSON_STRING) {
        m = v;
    }

    if (ngx_http_sluice_res_set(a, sd, "createdBy",
                                sluice_json_new_cstring(a, "sluice"))
        != NGX_OK
        || ngx_http_sluice_res_set(a, sd, "createdByType",
                                   sluice_json_new_cstring(a, "Application"))
           != NGX_OK
        || (v && ngx_http_sluice_res_set(a, sd, "createdAt",
                                         sluice_json_copy(a, v))
                 != NGX_OK)
        || ngx_http_sluice_res_set(a, sd, "lastModifiedBy",
                                   sluice_json_new_cstring(a, "sluice"))
           != NGX_OK
        || ngx_http_sluice_res_set(a, sd, "lastModifiedByType",
                                   sluice_json_new_cstring(a, "Application"))
           != NGX_OK
        || (m && ngx_http_sluice_res_set(a, sd, "lastModifiedAt",
                                         sluice_json_copy(a, m))
                 != NGX_OK))
    {
        return NULL;
    }

    return sd;
}


/* --- files --------------------------------------------------------------- */

void
ngx_http_sluice_res_persist(ngx_pool_t *pool, ngx_log_t *log,
    ngx_sluice_zone_ctx_t *zctx, ngx_http_sluice_res_snap_t *snap)
{
    void                   *rec;
    ngx_str_t               content, tmp;
    ngx_sluice_op_t        *op;
    ngx_http_sluice_rt_t   *rt;
    ngx_http_sluice_rec_t   v;

    rt = ngx_http_sluice_res_types[snap->type];

    if (snap->f.builtin
        || rt->kind->file(pool, snap, &content) != NGX_OK
        || rt->kind->write(pool, log, zctx, snap, &content, &tmp) != NGX_OK)
    {
        return;
    }

    ngx_shmtx_lock(&zctx->shpool->mutex);

    rec = rt->kind->find(zctx->sh, rt, snap->parent[0] ? snap->parent : NULL,
                         snap->name, ngx_strlen(snap->name));

    op = NULL;

    if (rec) {
        rt->kind->view(rec, &v);
        op = *v.op;
    }

    /* still the record copied, not saved newer, not being deleted */

    if (rec && *v.serial == snap->serial && *v.persisted < snap->version
        && !(op && op->kind == NGX_SLUICE_OP_DELETE))
    {
        if (rt->kind->commit(pool, log, zctx, snap, &tmp) == NGX_OK) {
            *v.persisted = snap->version;
        }

    } else {
        ngx_sluice_store_discard(log, &tmp);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (ngx_sluice_sync_dirs(tmp.data, 1) != NGX_OK) {
        ngx_log_error(NGX_LOG_ALERT, log, ngx_errno,
                      "sluice: fsync() of the directory of \"%s\" failed",
                      tmp.data);
    }
}


ngx_int_t
ngx_http_sluice_res_store_name(ngx_http_request_t *r,
    ngx_sluice_zone_ctx_t *zctx, ngx_uint_t type, u_char *parent,
    u_char *name)
{
    void                        *rec;
    ngx_int_t                    rc;
    ngx_http_sluice_rt_t        *rt;
    ngx_http_sluice_res_snap_t   snap;

    rt = ngx_http_sluice_res_types[type];

    ngx_shmtx_lock(&zctx->shpool->mutex);

    rec = rt->kind->find(zctx->sh, rt, parent, name, ngx_strlen(name));

    rc = rec ? ngx_http_sluice_res_snap(r->pool, rt, rec, &snap)
             : NGX_DECLINED;

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_OK) {
        return ngx_http_sluice_store(r, zctx, &snap, 0);
    }

    return rc == NGX_DECLINED ? NGX_OK : NGX_ERROR;
}


ngx_int_t
ngx_http_sluice_res_preload(ngx_sluice_zone_ctx_t *zctx, ngx_pool_t *pool,
    ngx_log_t *log)
{
    return ngx_http_sluice_sp_preload(zctx, pool, log);
}


/* a file's validation: NGX_OK, NGX_DECLINED (skipped), NGX_ERROR */

static ngx_int_t
ngx_http_sluice_res_load_build(ngx_sluice_zone_ctx_t *zctx,
    ngx_http_sluice_rt_t *rt, u_char *data, size_t len,
    ngx_http_sluice_res_build_t *b, ngx_log_t *log)
{
    ngx_int_t       rc;
    sluice_json_t  *root, *meta, *doc, *meta_sd;

    if (sluice_json_parse(b->a, data, len, &root, NULL, NULL) != SLUICE_OK) {
        return NGX_DECLINED;
    }

    meta = sluice_json_get(root, "sluice");
    doc = sluice_json_get(root, "resource");

    if (meta == NULL || meta->type != SLUICE_JSON_OBJECT
        || doc == NULL || doc->type != SLUICE_JSON_OBJECT)
    {
        return NGX_DECLINED;
    }

    ngx_http_sluice_res_build_load(b, b->a, b->pool, doc);
    b->zctx = zctx;

    if (rt->kind->load_name(b, meta, doc) != NGX_OK
        || !ngx_http_sluice_res_name_ok(rt, &b->name)
        || (rt->parent != NULL) != (b->parent.len != 0)
        || (rt->parent && !ngx_http_sluice_res_name_ok(rt->parent, &b->parent)))
    {
        return NGX_DECLINED;
    }

    rc = rt->build(b);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_ALERT, log, 0, "sluice: %s \"%V\": %*s",
                      rt->what, &b->name, b->err.len, b->err.msg);
        return NGX_DECLINED;
    }

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    /* systemData as it was stored */

    meta_sd = sluice_json_get(doc, "systemData");

    if (meta_sd && meta_sd->type == SLUICE_JSON_OBJECT
        && ngx_http_sluice_res_set(b->a, b->doc, "systemData",
                                   sluice_json_copy(b->a, meta_sd))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return rt->kind->load_meta(rt, b, meta);
}


ngx_int_t
ngx_http_sluice_res_load(ngx_sluice_zone_ctx_t *zctx, ngx_uint_t type,
    u_char *data, size_t len, ngx_pool_t *pool, ngx_log_t *log)
{
    u_char                       parent[NGX_SLUICE_RES_NAME_LEN + 1];
    void                        *rec;
    ngx_int_t                    rc;
    ngx_str_t                    json;
    sluice_alloc_t               a;
    ngx_sluice_shctx_t          *sh;
    ngx_http_sluice_rt_t        *rt;
    ngx_http_sluice_rec_t        v;
    ngx_http_sluice_res_build_t  b;

    rt = ngx_http_sluice_res_types[type];

    ngx_http_sluice_pool_alloc(&a, pool);
    b.a = &a;
    b.pool = pool;

    rc = ngx_http_sluice_res_load_build(zctx, rt, data, len, &b, log);

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_res_json_text(pool, b.doc, &json);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    ngx_cpystrn(parent, b.parent.data,
                ngx_min(b.parent.len + 1, sizeof(parent)));

    sh = zctx->sh;
    rc = NGX_DECLINED;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    if (rt->kind->find(sh, rt, b.parent.len ? parent : NULL, b.name.data,
                       b.name.len)
        != NULL
        || (rt->unique && rt->unique(sh, &b, NULL) != NGX_OK))
    {
        b.err.len = ngx_sprintf(b.err.msg, "duplicates another one")
                    - b.err.msg;

    } else if ((rt->flags & NGX_HTTP_SLUICE_RT_LOAD_CHECK)
               && rt->check(sh, &b, NULL) != NGX_OK)
    {
        /* b.err says why (its parent is gone) */

    } else {
        rec = ngx_http_sluice_res_insert(zctx, rt, &b, &json, b.state);

        if (rec) {
            rt->kind->view(rec, &v);
            *v.persisted = *v.version;
        }

        rc = rec ? NGX_OK : NGX_ERROR;
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_ALERT, log, 0, "sluice: %s \"%V\": %*s, skipped",
                      rt->what, &b.name, b.err.len, b.err.msg);
    }

    return rc;
}
