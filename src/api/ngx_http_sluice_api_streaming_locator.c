
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Streaming locators (AMS v3 StreamingLocators, Metadata 2023-01-01):
 * PUT (201; locators are immutable: a second PUT is 409), GET, list,
 * DELETE, listPaths, listContentKeys, and Sluice's exportCpix.
 *
 * assetName and streamingPolicyName must exist.  streamingLocatorId is
 * the caller's (a UUID, unique) or a new one.  startTime/endTime are
 * kept in f.start_ms/f.end_ms for the packager, which enforces them.
 * filters must name asset filters of the asset or account filters that
 * exist (400 otherwise), and are stored.  The policy's protocols per
 * scheme and clear FourCCs are copied into f at creation (policies
 * cannot change, nor be deleted while a locator uses them), its content
 * keys are made or taken from contentKeys
 * (ngx_http_sluice_api_content_keys.c) into f.keys and the stored
 * document; each key needs a content key policy that exists.
 * listPaths gives, per protocol and scheme the policy enables,
 * /{streamingLocatorId}/{manifestName}.ism/manifest(format=...,
 * encryption=...) where manifestName is the one of the live output that
 * recorded the asset (none yet: no paths, as AMS answers for an empty
 * asset).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_content_keys.h"
#include "api/ngx_http_sluice_api_cpix.h"
#include "api/ngx_http_sluice_api_record.h"
#include "api/ngx_http_sluice_api_streaming_locator.h"
#include "util/sluice_uuid.h"


#define NGX_HTTP_SLUICE_SL_MAX_FILTERS  16


/* what a validation saw of the streaming policy (b->data) */
typedef struct {
    ngx_uint_t                  found;
    uint64_t                    serial;
} ngx_http_sluice_sl_policy_t;


#define ngx_http_sluice_sl_bad(...)                                          \
    ngx_http_sluice_res_bad(&b->err, __VA_ARGS__)


static ngx_int_t
ngx_http_sluice_sl_name(ngx_http_sluice_res_build_t *b, sluice_json_t *props,
    const char *key, u_char *out)
{
    ngx_str_t       name;
    sluice_json_t  *v;

    v = sluice_json_get(props, key);

    if (v == NULL || v->type != SLUICE_JSON_STRING) {
        ngx_http_sluice_sl_bad("properties.%s is required and must be a "
                               "resource name.", key);
    }

    name.data = (u_char *) v->str.data;
    name.len = v->str.len;

    if (!ngx_http_sluice_res_name_valid(&name, NGX_SLUICE_RES_NAME_LEN, 0)) {
        ngx_http_sluice_sl_bad("properties.%s '%V' is not a valid name.",
                               key, &name);
    }

    ngx_memcpy(out, v->str.data, v->str.len);
    out[v->str.len] = '\0';

    return ngx_http_sluice_res_set(b->a, sluice_json_get(b->doc,
                                                         "properties"),
                                   key, sluice_json_copy(b->a, v));
}


static ngx_int_t
ngx_http_sluice_sl_time(ngx_http_sluice_res_build_t *b, sluice_json_t *props,
    sluice_json_t *np, const char *key, int64_t *ms)
{
    sluice_json_t  *v;

    v = sluice_json_get(props, key);

    if (ngx_http_sluice_absent(v)) {
        return NGX_DONE;
    }

    if (v->type != SLUICE_JSON_STRING
        || ngx_http_sluice_parse_time((u_char *) v->str.data, v->str.len, ms)
           != NGX_OK)
    {
        ngx_http_sluice_sl_bad("properties.%s must be an ISO 8601 date-time "
                               "like 2026-01-01T00:00:00Z.", key);
    }

    if (sluice_json_str_eq(v, "9999-12-31T23:59:59.9999999Z")) {
        v = sluice_json_copy(b->a, v);

    } else {
        v = ngx_http_sluice_time_json(b->a, *ms);
    }

    if (ngx_http_sluice_res_set(b->a, np, key, v) != NGX_OK) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* startTime and endTime (absent: open ends), the one before the other */

static ngx_int_t
ngx_http_sluice_sl_times(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *np)
{
    ngx_int_t        rc;
    sluice_alloc_t  *a;

    a = b->a;

    b->f.start_ms = 0;
    b->f.end_ms = INT64_MAX;

    rc = ngx_http_sluice_sl_time(b, props, np, "startTime", &b->f.start_ms);
    if (rc != NGX_OK && rc != NGX_DONE) {
        return rc;
    }

    rc = ngx_http_sluice_sl_time(b, props, np, "endTime", &b->f.end_ms);

    if (rc == NGX_DONE) {
        if (ngx_http_sluice_res_set(a, np, "endTime",
                         sluice_json_new_cstring(a,
                                           "9999-12-31T23:59:59.9999999Z"))
            != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else if (rc != NGX_OK) {
        return rc;
    }

    if (b->f.end_ms <= b->f.start_ms) {
        ngx_http_sluice_sl_bad("properties.endTime must be after "
                               "properties.startTime.");
    }

    return NGX_OK;
}


/* streamingLocatorId: given (a UUID, lowercased) or new */

static ngx_int_t
ngx_http_sluice_sl_id(ngx_http_sluice_res_build_t *b, sluice_json_t *props,
    sluice_json_t *np)
{
    sluice_json_t  *v;

    v = sluice_json_get(props, "streamingLocatorId");

    if (ngx_http_sluice_absent(v)) {
        ngx_http_sluice_new_uuid(b->f.id);

    } else if (v->type != SLUICE_JSON_STRING
               || !sluice_uuid_valid(v->str.data, v->str.len))
    {
        ngx_http_sluice_sl_bad("properties.streamingLocatorId must be a "
                               "UUID.");

    } else {
        ngx_strlow(b->f.id, (u_char *) v->str.data, NGX_SLUICE_ID_LEN);
        b->f.id[NGX_SLUICE_ID_LEN] = '\0';
    }

    return ngx_http_sluice_res_set(b->a, np, "streamingLocatorId",
                                   sluice_json_new_cstring(b->a,
                                                       (char *) b->f.id));
}


/* filters (names) */

static ngx_int_t
ngx_http_sluice_sl_filters(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *np)
{
    ngx_str_t        name;
    sluice_json_t   *v, *arr, *e;
    sluice_alloc_t  *a;

    a = b->a;

    v = sluice_json_get(props, "filters");

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_ARRAY
            || v->count > NGX_HTTP_SLUICE_SL_MAX_FILTERS)
        {
            ngx_http_sluice_sl_bad("properties.filters must be an array of "
                                   "at most %d filter names.",
                                   NGX_HTTP_SLUICE_SL_MAX_FILTERS);
        }

        arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
        if (arr == NULL) {
            return NGX_ERROR;
        }

        for (e = v->child; e; e = e->next) {
            name.data = (u_char *) e->str.data;
            name.len = e->str.len;

            if (e->type != SLUICE_JSON_STRING
                || !ngx_http_sluice_res_name_valid(&name, 260, 0))
            {
                ngx_http_sluice_sl_bad("properties.filters entries must be "
                                       "filter names.");
            }

            sluice_json_append(arr, sluice_json_copy(a, e));
        }

        if (ngx_http_sluice_res_set(a, np, "filters", arr) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * The streaming policy, copied out under the mutex: its fixed fields
 * into b->f, the keys its document asks for into plan.  NGX_DONE: no
 * such policy (check() refuses it).
 */

static ngx_int_t
ngx_http_sluice_sl_policy(ngx_http_sluice_res_build_t *b,
    ngx_http_sluice_ck_plan_t *plan)
{
    u_char                       *json;
    size_t                        len;
    sluice_json_t                *doc;
    ngx_sluice_res_t             *sp;
    ngx_sluice_zone_ctx_t        *zctx;
    ngx_http_sluice_sl_policy_t  *d;

    ngx_memzero(plan, sizeof(ngx_http_sluice_ck_plan_t));

    d = ngx_pcalloc(b->pool, sizeof(ngx_http_sluice_sl_policy_t));
    if (d == NULL) {
        return NGX_ERROR;
    }

    b->data = d;
    zctx = b->zctx;
    json = NULL;
    len = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    sp = ngx_sluice_res_find(zctx->sh, NGX_SLUICE_RES_STREAMING_POLICY, NULL,
                             b->f.policy, ngx_strlen(b->f.policy));
    if (sp) {
        d->found = 1;
        d->serial = sp->serial;
        b->f.protocols = sp->f.protocols;
        b->f.encrypted = sp->f.encrypted;
        ngx_memcpy(b->f.enc_protocols, sp->f.enc_protocols,
                   sizeof(b->f.enc_protocols));
        ngx_memcpy(b->f.clear, sp->f.clear, sizeof(b->f.clear));

        len = sp->json_len;
        json = ngx_pnalloc(b->pool, len);

        if (json) {
            ngx_memcpy(json, sp->json, len);
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (!d->found) {
        if (b->load) {
            ngx_http_sluice_sl_bad("Streaming policy '%s' was not found.",
                                   b->f.policy);
        }

        return NGX_DONE;
    }

    if (json == NULL
        || sluice_json_parse(b->a, json, len, &doc, NULL, NULL) != SLUICE_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_sluice_ck_plan(b, sluice_json_get(doc, "properties"),
                                   plan);
}


/* the policy's protocols and the content keys, given or new */

static ngx_int_t
ngx_http_sluice_sl_keys(ngx_http_sluice_res_build_t *b, sluice_json_t *props,
    sluice_json_t *np)
{
    ngx_int_t                  rc;
    ngx_http_sluice_ck_plan_t  plan;

    rc = ngx_http_sluice_sl_policy(b, &plan);

    if (rc == NGX_DONE) {
        return ngx_http_sluice_res_set(b->a, np, "contentKeys",
                                       sluice_json_new(b->a,
                                                       SLUICE_JSON_ARRAY));
    }

    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_sluice_ck_locator(b, props, np, &plan);
}


static ngx_int_t
ngx_http_sluice_sl_build(ngx_http_sluice_res_build_t *b)
{
    ngx_int_t        rc;
    sluice_json_t   *props, *np, *oldp;
    sluice_alloc_t  *a;

    a = b->a;

    rc = ngx_http_sluice_res_build_props(b, &props, &oldp, &np);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_sluice_res_set(a, b->doc, "properties", np) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = ngx_http_sluice_sl_name(b, props, "assetName", b->f.asset);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_sluice_res_created(b, oldp, np) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = ngx_http_sluice_sl_name(b, props, "streamingPolicyName",
                                 b->f.policy);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_res_opt_string(b, props, np,
                                        "defaultContentKeyPolicyName",
                                        NGX_SLUICE_RES_NAME_LEN);
    if (rc == NGX_OK) {
        rc = ngx_http_sluice_res_opt_string(b, props, np,
                                            "alternativeMediaId", 1024);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_sl_times(b, props, np);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_sl_id(b, props, np);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_sl_keys(b, props, np);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_sl_filters(b, props, np);
    }

    return rc;
}


/* one streamingLocatorId per locator; a KID names one key value */

static ngx_int_t
ngx_http_sluice_sl_unique(ngx_sluice_shctx_t *sh,
    ngx_http_sluice_res_build_t *b, void *old)
{
    ngx_uint_t         i;
    ngx_sluice_key_t  *key;
    ngx_sluice_res_t  *other;

    other = ngx_sluice_locator_by_id(sh, b->f.id, NGX_SLUICE_ID_LEN);

    if (other && other != old) {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_CONFLICT, "Conflict",
                                   "streamingLocatorId %s is already used by "
                                   "streaming locator '%s'.", b->f.id,
                                   other->name);
    }

    for (i = 0; i < b->f.nkeys; i++) {
        other = ngx_sluice_locator_by_kid(sh, b->f.keys[i].kid, &key);

        if (other && other != old
            && ngx_memcmp(key->value, b->f.keys[i].value, NGX_SLUICE_KEY_LEN)
               != 0)
        {
            ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_CONFLICT,
                                       "Conflict",
                                       "A content key id of the locator is "
                                       "used with another value by "
                                       "streaming locator '%s'.",
                                       other->name);
        }
    }

    return NGX_OK;
}


/* each of filters is an asset filter of the asset or an account filter */

static ngx_int_t
ngx_http_sluice_sl_filters_exist(ngx_sluice_shctx_t *sh,
    ngx_http_sluice_res_build_t *b)
{
    u_char         *name;
    size_t          len;
    sluice_json_t  *v;

    v = sluice_json_get(sluice_json_get(b->doc, "properties"), "filters");

    for (v = v ? v->child : NULL; v; v = v->next) {
        name = (u_char *) v->str.data;
        len = v->str.len;

        if (ngx_sluice_res_find(sh, NGX_SLUICE_RES_ASSET_FILTER, b->f.asset,
                                name, len)
            == NULL
            && ngx_sluice_res_find(sh, NGX_SLUICE_RES_ACCOUNT_FILTER, NULL,
                                   name, len)
               == NULL)
        {
            ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST,
                                       "BadRequest",
                                       "Filter '%*s' was not found: "
                                       "properties.filters must name asset "
                                       "filters of asset '%s' or account "
                                       "filters.", len, name, b->f.asset);
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_sl_check(ngx_sluice_shctx_t *sh,
    ngx_http_sluice_res_build_t *b, void *old)
{
    ngx_uint_t                    i;
    ngx_sluice_res_t             *sp;
    ngx_http_sluice_sl_policy_t  *d;

    if (ngx_sluice_res_find(sh, NGX_SLUICE_RES_ASSET, NULL, b->f.asset,
                            ngx_strlen(b->f.asset))
        == NULL)
    {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_NOT_FOUND, "NotFound",
                                   "Asset '%s' was not found.", b->f.asset);
    }

    sp = ngx_sluice_res_find(sh, NGX_SLUICE_RES_STREAMING_POLICY, NULL,
                             b->f.policy, ngx_strlen(b->f.policy));

    if (sp == NULL) {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_NOT_FOUND, "NotFound",
                                   "Streaming policy '%s' was not found.",
                                   b->f.policy);
    }

    d = b->data;

    if (d == NULL || !d->found || d->serial != sp->serial) {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_CONFLICT, "Conflict",
                                   "Streaming policy '%s' was replaced "
                                   "meanwhile; try again.", b->f.policy);
    }

    for (i = 0; i < b->f.nkeys; i++) {
        if (ngx_sluice_res_find(sh, NGX_SLUICE_RES_CONTENT_KEY_POLICY, NULL,
                                b->f.keys[i].policy,
                                ngx_strlen(b->f.keys[i].policy))
            == NULL)
        {
            ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST,
                                       "BadRequest",
                                       "Content key policy '%s' was not "
                                       "found.", b->f.keys[i].policy);
        }
    }

    return ngx_http_sluice_sl_filters_exist(sh, b);
}


/* a GET or a list: the keys without their values */

static ngx_int_t
ngx_http_sluice_sl_render(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_snap_t *snap,
    sluice_json_t *res, sluice_json_t *props)
{
    return ngx_http_sluice_ck_render(&ctx->alloc, props);
}


/* --- actions ------------------------------------------------------------- */

/* the locator named in the request, copied out; NGX_DECLINED: none */

static ngx_int_t
ngx_http_sluice_sl_snap(ngx_http_request_t *r, ngx_http_sluice_api_ctx_t *ctx,
    ngx_http_sluice_res_snap_t *snap, u_char *manifest)
{
    ngx_int_t               rc;
    ngx_sluice_res_t       *loc, *asset;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = ngx_http_sluice_res_zone(ctx);
    manifest[0] = '\0';

    ngx_shmtx_lock(&zctx->shpool->mutex);

    loc = ngx_sluice_res_find(zctx->sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                              NULL, ctx->name.data, ctx->name.len);

    if (loc == NULL) {
        rc = NGX_DECLINED;

    } else {
        rc = ngx_http_sluice_res_snap(r->pool,
                                      &ngx_http_sluice_rt_streaming_locator,
                                      loc, snap);

        asset = ngx_sluice_res_find(zctx->sh, NGX_SLUICE_RES_ASSET, NULL,
                                    loc->f.asset, ngx_strlen(loc->f.asset));
        if (asset) {
            ngx_memcpy(manifest, asset->f.manifest,
                       NGX_SLUICE_MANIFEST_LEN + 1);
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    return rc;
}


/* the manifest tails of listPaths, per scheme and protocol */

static const char  *ngx_http_sluice_sl_tails[NGX_SLUICE_SCHEME_N][3][3] = {

    /* Hls, Dash, SmoothStreaming */

    { { "(format=m3u8-aapl)", "(format=m3u8-cmaf)", NULL },
      { "(format=mpd-time-csf)", "(format=mpd-time-cmaf)", NULL },
      { "", NULL, NULL } },

    { { "(format=m3u8-aapl,encryption=cbc)",
        "(format=m3u8-cmaf,encryption=cbc)", NULL },
      { "(format=mpd-time-csf,encryption=cbc)",
        "(format=mpd-time-cmaf,encryption=cbc)", NULL },
      { "(encryption=cbc)", NULL, NULL } },

    { { "(format=m3u8-cmaf,encryption=cenc)", NULL, NULL },
      { "(format=mpd-time-csf,encryption=cenc)",
        "(format=mpd-time-cmaf,encryption=cenc)", NULL },
      { "(encryption=cenc)", NULL, NULL } },

    { { "(format=m3u8-aapl,encryption=cbcs-aapl)",
        "(format=m3u8-cmaf,encryption=cbcs-aapl)", NULL },
      { "(format=mpd-time-csf,encryption=cbcs)",
        "(format=mpd-time-cmaf,encryption=cbcs)", NULL },
      { NULL, NULL, NULL } }
};


static ngx_int_t
ngx_http_sluice_sl_path_set(ngx_http_request_t *r, sluice_alloc_t *a,
    sluice_json_t *arr, ngx_uint_t scheme, ngx_uint_t protocol, u_char *id,
    u_char *manifest)
{
    u_char         *p, *s;
    size_t          len;
    ngx_uint_t      i;
    const char     *tail;
    sluice_json_t  *e, *paths;

    static const char  *names[] = { "Hls", "Dash", "SmoothStreaming" };

    e = sluice_json_new(a, SLUICE_JSON_OBJECT);
    paths = sluice_json_new(a, SLUICE_JSON_ARRAY);

    if (e == NULL || paths == NULL
        || ngx_http_sluice_res_set(a, e, "streamingProtocol",
                                   sluice_json_new_cstring(a,
                                                           names[protocol]))
        || ngx_http_sluice_res_set(a, e, "encryptionScheme",
                                   sluice_json_new_cstring(a,
                                             ngx_http_sluice_ck_type[scheme])))
    {
        return NGX_ERROR;
    }

    for (i = 0; i < 3; i++) {
        tail = ngx_http_sluice_sl_tails[scheme][protocol][i];

        if (tail == NULL) {
            break;
        }

        len = sizeof("//.ism/manifest") + NGX_SLUICE_ID_LEN
              + ngx_strlen(manifest) + ngx_strlen(tail);

        s = ngx_pnalloc(r->pool, len);
        if (s == NULL) {
            return NGX_ERROR;
        }

        p = ngx_sprintf(s, "/%s/%s.ism/manifest%s", id, manifest, tail);

        sluice_json_append(paths, sluice_json_new_string(a, s, p - s));
    }

    if (ngx_http_sluice_res_set(a, e, "paths", paths) != NGX_OK) {
        return NGX_ERROR;
    }

    sluice_json_append(arr, e);

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_sl_paths(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    u_char                      manifest[NGX_SLUICE_MANIFEST_LEN + 1];
    ngx_int_t                   rc;
    ngx_uint_t                  scheme, i;
    sluice_json_t              *res, *arr;
    sluice_alloc_t             *a;
    ngx_http_sluice_res_snap_t  snap;

    /* NGX_SLUICE_PROTO_* of Hls, Dash, SmoothStreaming */
    static const ngx_uint_t  protocols[] = { NGX_SLUICE_PROTO_HLS,
                                             NGX_SLUICE_PROTO_DASH,
                                             NGX_SLUICE_PROTO_SMOOTH };

    a = &ctx->alloc;

    rc = ngx_http_sluice_sl_snap(r, ctx, &snap, manifest);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Streaming locator '%V' was not found.", &ctx->name);
    }

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);
    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    if (rc != NGX_OK || res == NULL || arr == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (scheme = 0; manifest[0] && scheme < NGX_SLUICE_SCHEME_N; scheme++) {
        for (i = 0; i < 3; i++) {
            if ((snap.f.enc_protocols[scheme] & protocols[i])
                && ngx_http_sluice_sl_tails[scheme][i][0]
                && ngx_http_sluice_sl_path_set(r, a, arr, scheme, i,
                                               snap.f.id, manifest)
                   != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
        }
    }

    /* recordings are not files to download: downloadPaths stays empty */

    if (ngx_http_sluice_res_set(a, res, "streamingPaths", arr) != NGX_OK
        || ngx_http_sluice_res_set(a, res, "downloadPaths",
                                   sluice_json_new(a, SLUICE_JSON_ARRAY)))
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


/* listContentKeys: the keys as stored, values included */

static ngx_int_t
ngx_http_sluice_sl_keys_list(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    u_char                       manifest[NGX_SLUICE_MANIFEST_LEN + 1];
    ngx_int_t                    rc;
    sluice_json_t               *res, *keys;
    sluice_alloc_t              *a;
    ngx_http_sluice_res_snap_t   snap;

    a = &ctx->alloc;

    rc = ngx_http_sluice_sl_snap(r, ctx, &snap, manifest);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Streaming locator '%V' was not found.", &ctx->name);
    }

    keys = (rc == NGX_OK)
           ? sluice_json_get(sluice_json_get(ngx_http_sluice_res_doc(a, &snap),
                                             "properties"),
                             "contentKeys")
           : NULL;

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);

    if (res == NULL
        || ngx_http_sluice_res_set(a, res, "contentKeys",
                                   keys ? sluice_json_copy(a, keys)
                                        : sluice_json_new(a,
                                                          SLUICE_JSON_ARRAY)))
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


static ngx_int_t
ngx_http_sluice_sl_action(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
#define ngx_http_sluice_sl_action_is(s)                                      \
    ngx_http_sluice_seg_is(&ctx->action, s)

    if (ngx_http_sluice_sl_action_is("listPaths")) {
        return ngx_http_sluice_sl_paths(r, ctx);
    }

    if (ngx_http_sluice_sl_action_is("listContentKeys")) {
        return ngx_http_sluice_sl_keys_list(r, ctx);
    }

    if (ngx_http_sluice_sl_action_is("exportCpix")) {
        return ngx_http_sluice_cpix_export(r, ctx);
    }

#undef ngx_http_sluice_sl_action_is

    return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
               "Unknown streaming locator action '%V'.", &ctx->action);
}


ngx_http_sluice_rt_t  ngx_http_sluice_rt_streaming_locator = {
    .type = NGX_SLUICE_RES_STREAMING_LOCATOR,
    .collection = "streamingLocators",
    .id_segment = "streamingLocators",
    .arm_type = "Microsoft.Media/mediaservices/streamingLocators",
    .what = "Streaming locator",
    .name_max = NGX_SLUICE_RES_NAME_LEN,
    .flags = NGX_HTTP_SLUICE_RT_IMMUTABLE,
    .kind = &ngx_http_sluice_rk_res,
    .build = ngx_http_sluice_sl_build,
    .unique = ngx_http_sluice_sl_unique,
    .check = ngx_http_sluice_sl_check,
    .render = ngx_http_sluice_sl_render,
    .post = ngx_http_sluice_sl_action,
};
