
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The generic record kind of the resource engine: assets, live outputs,
 * streaming policies, locators, endpoints, content key policies and
 * filters kept as ngx_sluice_res_t
 * (core/ngx_sluice_resource.h).  A file holds
 *
 *   {"sluice":{"name":..,"parent":..,"state":N,"fpts":N,"manifest":..,
 *    "event":..},"resource":{stored document}}
 *
 * meta has the name, the parent, the state (when the operation in
 * flight is done) and, for assets, the live output that recorded it.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_record.h"


static void *
ngx_http_sluice_rec_find(ngx_sluice_shctx_t *sh, ngx_http_sluice_rt_t *rt,
    u_char *parent, u_char *name, size_t len)
{
    return ngx_sluice_res_find(sh, rt->type, parent, name, len);
}


static void *
ngx_http_sluice_rec_next(ngx_sluice_shctx_t *sh, ngx_http_sluice_rt_t *rt,
    void *prev)
{
    return ngx_sluice_res_next(sh, rt->type, prev);
}


static ngx_uint_t
ngx_http_sluice_rec_count(ngx_sluice_shctx_t *sh, ngx_http_sluice_rt_t *rt)
{
    return ngx_sluice_res_count(sh, rt->type);
}


static void
ngx_http_sluice_rec_view(void *rec, ngx_http_sluice_rec_t *v)
{
    ngx_sluice_res_t  *res = rec;

    v->name = res->name;
    v->parent = res->parent;
    v->state = &res->state;
    v->op = &res->op;
    v->json = &res->json;
    v->json_len = &res->json_len;
    v->serial = &res->serial;
    v->version = &res->version;
    v->persisted = &res->persisted;
}


static void
ngx_http_sluice_rec_fields(void *rec, ngx_http_sluice_res_snap_t *snap)
{
    snap->f = ((ngx_sluice_res_t *) rec)->f;
}


/* an update keeps what the record carries beyond the document */

static void
ngx_http_sluice_rec_apply(void *rec, ngx_http_sluice_res_build_t *b,
    ngx_uint_t update)
{
    ngx_sluice_res_t  *res = rec;

    if (update) {
        ngx_memcpy(b->f.manifest, res->f.manifest, sizeof(b->f.manifest));
        ngx_memcpy(b->f.event, res->f.event, sizeof(b->f.event));
        b->f.fragments_per_ts = res->f.fragments_per_ts;
    }

    res->f = b->f;
}


static void *
ngx_http_sluice_rec_create(ngx_sluice_zone_ctx_t *zctx,
    ngx_http_sluice_rt_t *rt, ngx_http_sluice_res_build_t *b,
    ngx_str_t *json)
{
    ngx_sluice_res_t  *res;

    if (b->parent.len > NGX_SLUICE_RES_NAME_LEN) {
        return NULL;
    }

    res = ngx_sluice_res_alloc(zctx->sh, rt->type, NULL, b->name.data,
                               b->name.len);
    if (res == NULL) {
        return NULL;
    }

    if (b->parent.len) {
        ngx_memcpy(res->parent, b->parent.data, b->parent.len);
    }

    if (ngx_sluice_res_set_json(zctx->sh, res, json->data, json->len)
        != NGX_OK)
    {
        ngx_sluice_res_free(zctx->sh, res);
        return NULL;
    }

    ngx_http_sluice_rec_apply(res, b, 0);

    return res;
}


static void
ngx_http_sluice_rec_free(ngx_sluice_shctx_t *sh, void *rec)
{
    ngx_sluice_res_free(sh, rec);
}


static ngx_sluice_op_t *
ngx_http_sluice_rec_op_start(ngx_sluice_shctx_t *sh, void *rec,
    ngx_uint_t kind, ngx_uint_t state, ngx_uint_t target,
    ngx_msec_t delay_ms, u_char *id)
{
    return ngx_sluice_res_op_start(sh, rec, kind, state, target, delay_ms,
                                   id);
}


static ngx_sluice_op_t *
ngx_http_sluice_rec_op_find(ngx_sluice_shctx_t *sh, ngx_http_sluice_rt_t *rt,
    u_char *id, size_t len)
{
    return ngx_sluice_res_op_find(sh, rt->type, id, len);
}


static ngx_int_t
ngx_http_sluice_rec_file(ngx_pool_t *pool, ngx_http_sluice_res_snap_t *snap,
    ngx_str_t *content)
{
    u_char  *p;

    content->len = sizeof("{\"sluice\":{\"name\":,\"parent\":,\"state\":,"
                          "\"fpts\":,\"manifest\":,\"event\":},"
                          "\"resource\":}") - 1
                   + 2 * NGX_INT_T_LEN
                   + sluice_json_write_string(snap->name,
                                              ngx_strlen(snap->name), NULL)
                   + sluice_json_write_string(snap->parent,
                                              ngx_strlen(snap->parent), NULL)
                   + sluice_json_write_string(snap->f.manifest,
                                              ngx_strlen(snap->f.manifest),
                                              NULL)
                   + sluice_json_write_string(snap->f.event,
                                              ngx_strlen(snap->f.event), NULL)
                   + snap->json.len;

    content->data = ngx_pnalloc(pool, content->len);
    if (content->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(content->data, "{\"sluice\":{\"name\":",
                   sizeof("{\"sluice\":{\"name\":") - 1);
    p += sluice_json_write_string(snap->name, ngx_strlen(snap->name), p);
    p = ngx_cpymem(p, ",\"parent\":", sizeof(",\"parent\":") - 1);
    p += sluice_json_write_string(snap->parent, ngx_strlen(snap->parent), p);
    p = ngx_sprintf(p, ",\"state\":%ui,\"fpts\":%ui,\"manifest\":",
                    snap->final, snap->f.fragments_per_ts);
    p += sluice_json_write_string(snap->f.manifest,
                                  ngx_strlen(snap->f.manifest), p);
    p = ngx_cpymem(p, ",\"event\":", sizeof(",\"event\":") - 1);
    p += sluice_json_write_string(snap->f.event, ngx_strlen(snap->f.event),
                                  p);
    p = ngx_cpymem(p, "},\"resource\":", sizeof("},\"resource\":") - 1);
    p = ngx_cpymem(p, snap->json.data, snap->json.len);
    *p++ = '}';

    content->len = p - content->data;

    return NGX_OK;
}


/* the file names of a record only need type, parent (f.id) and name */

static void
ngx_http_sluice_rec_key(ngx_http_sluice_res_snap_t *snap,
    ngx_sluice_res_t *key)
{
    key->type = snap->type;
    ngx_memcpy(key->parent, snap->parent, sizeof(key->parent));
    ngx_memcpy(key->name, snap->name, sizeof(key->name));
    ngx_memcpy(key->f.id, snap->f.id, sizeof(key->f.id));
}


static ngx_int_t
ngx_http_sluice_rec_write(ngx_pool_t *pool, ngx_log_t *log,
    ngx_sluice_zone_ctx_t *zctx, ngx_http_sluice_res_snap_t *snap,
    ngx_str_t *content, ngx_str_t *tmp)
{
    ngx_sluice_res_t  key;

    ngx_http_sluice_rec_key(snap, &key);

    return ngx_sluice_res_write(pool, log, &zctx->data_path, &key, content,
                                tmp);
}


static ngx_int_t
ngx_http_sluice_rec_commit(ngx_pool_t *pool, ngx_log_t *log,
    ngx_sluice_zone_ctx_t *zctx, ngx_http_sluice_res_snap_t *snap,
    ngx_str_t *tmp)
{
    ngx_sluice_res_t  key;

    ngx_http_sluice_rec_key(snap, &key);

    return ngx_sluice_res_commit(pool, log, &zctx->data_path, &key, tmp);
}


static ngx_int_t
ngx_http_sluice_rec_unlink(ngx_pool_t *pool, ngx_log_t *log,
    ngx_sluice_zone_ctx_t *zctx, void *rec)
{
    return ngx_sluice_res_unlink(log, &zctx->data_path, rec);
}


static ngx_int_t
ngx_http_sluice_rec_load_name(ngx_http_sluice_res_build_t *b,
    sluice_json_t *meta, sluice_json_t *doc)
{
    sluice_json_t  *v, *pv;

    v = sluice_json_get(meta, "name");
    pv = sluice_json_get(meta, "parent");

    if (v == NULL || v->type != SLUICE_JSON_STRING
        || pv == NULL || pv->type != SLUICE_JSON_STRING
        || pv->str.len > NGX_SLUICE_RES_NAME_LEN)
    {
        return NGX_DECLINED;
    }

    b->name.data = (u_char *) v->str.data;
    b->name.len = v->str.len;
    b->parent.data = (u_char *) pv->str.data;
    b->parent.len = pv->str.len;

    return NGX_OK;
}


/* a string of meta into a field of at most max characters */

static void
ngx_http_sluice_rec_load_string(sluice_json_t *meta, const char *name,
    u_char *field, size_t max)
{
    sluice_json_t  *v;

    v = sluice_json_get(meta, name);

    if (v && v->type == SLUICE_JSON_STRING && v->str.len <= max) {
        ngx_memcpy(field, v->str.data, v->str.len);
    }
}


static ngx_int_t
ngx_http_sluice_rec_load_meta(ngx_http_sluice_rt_t *rt,
    ngx_http_sluice_res_build_t *b, sluice_json_t *meta)
{
    sluice_json_t  *v;

    v = sluice_json_get(meta, "state");

    if (v && v->type == SLUICE_JSON_NUMBER && v->number >= 0
        && v->number < 8 && rt->states[(ngx_uint_t) v->number])
    {
        b->state = (ngx_uint_t) v->number;
    }

    v = sluice_json_get(meta, "fpts");

    if (v && v->type == SLUICE_JSON_NUMBER && v->number >= 0
        && v->number <= 60)
    {
        b->f.fragments_per_ts = (ngx_uint_t) v->number;
    }

    ngx_http_sluice_rec_load_string(meta, "manifest", b->f.manifest,
                                    NGX_SLUICE_MANIFEST_LEN);
    ngx_http_sluice_rec_load_string(meta, "event", b->f.event,
                                    NGX_SLUICE_NAME_LEN);

    return NGX_OK;
}


ngx_http_sluice_rk_t  ngx_http_sluice_rk_res = {
    .find = ngx_http_sluice_rec_find,
    .next = ngx_http_sluice_rec_next,
    .count = ngx_http_sluice_rec_count,
    .view = ngx_http_sluice_rec_view,
    .fields = ngx_http_sluice_rec_fields,
    .apply = ngx_http_sluice_rec_apply,
    .create = ngx_http_sluice_rec_create,
    .free = ngx_http_sluice_rec_free,
    .op_start = ngx_http_sluice_rec_op_start,
    .op_find = ngx_http_sluice_rec_op_find,
    .file = ngx_http_sluice_rec_file,
    .write = ngx_http_sluice_rec_write,
    .commit = ngx_http_sluice_rec_commit,
    .unlink = ngx_http_sluice_rec_unlink,
    .load_name = ngx_http_sluice_rec_load_name,
    .load_meta = ngx_http_sluice_rec_load_meta,
};
