
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Streaming locators (AMS v3 StreamingLocators, Metadata 2023-01-01):
 * PUT (201; locators are immutable: a second PUT is 409), GET, list,
 * DELETE, listPaths, listContentKeys.
 *
 * assetName and streamingPolicyName must exist; a policy that encrypts
 * is refused until encryption arrives.  streamingLocatorId is the
 * caller's (a UUID, unique) or a new one.  startTime/endTime are kept in
 * f.start_ms/f.end_ms for the packager, which enforces them.  filters are
 * stored.  listPaths gives, per protocol the policy enables,
 * /{streamingLocatorId}/{manifestName}.ism/manifest(format=...) where
 * manifestName is the one of the live output that recorded the asset
 * (none yet: no paths, as AMS answers for an empty asset).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_record.h"
#include "api/ngx_http_sluice_api_streaming_locator.h"
#include "util/sluice_uuid.h"


#define NGX_HTTP_SLUICE_SL_MAX_FILTERS  16


#define ngx_http_sluice_sl_bad(...)                                          \
    ngx_http_sluice_res_bad(&b->err, __VA_ARGS__)


static ngx_int_t
ngx_http_sluice_sl_name(ngx_http_sluice_res_build_t *b, sluice_json_t *props,
    const char *key, u_char *out)
{
    size_t          i;
    u_char          c;
    sluice_json_t  *v;

    v = sluice_json_get(props, key);

    if (v == NULL || v->type != SLUICE_JSON_STRING || v->str.len == 0
        || v->str.len > NGX_SLUICE_RES_NAME_LEN)
    {
        ngx_http_sluice_sl_bad("properties.%s is required and must be a "
                               "resource name.", key);
    }

    for (i = 0; i < v->str.len; i++) {
        c = v->str.data[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
        {
            ngx_http_sluice_sl_bad("properties.%s '%*s' is not a valid "
                                   "name.", key, v->str.len, v->str.data);
        }
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


/* contentKeys (none without encryption) and filters (names) */

static ngx_int_t
ngx_http_sluice_sl_filters(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *np)
{
    sluice_json_t   *v, *arr, *e;
    sluice_alloc_t  *a;

    a = b->a;

    v = sluice_json_get(props, "contentKeys");

    if (!ngx_http_sluice_absent(v)
        && !(v->type == SLUICE_JSON_ARRAY && v->count == 0))
    {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST,
                                   "NotSupported",
                                   "properties.contentKeys: content keys "
                                   "arrive with encryption, not supported "
                                   "yet.");
    }

    if (ngx_http_sluice_res_set(a, np, "contentKeys",
                                sluice_json_new(a, SLUICE_JSON_ARRAY))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

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
            if (e->type != SLUICE_JSON_STRING || e->str.len == 0
                || e->str.len > 260)
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
                                        "defaultContentKeyPolicyName", 260);
    if (rc == NGX_OK) {
        rc = ngx_http_sluice_res_opt_string(b, props, np,
                                            "alternativeMediaId", 1024);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_sl_times(b, props, np);

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_sl_id(b, props, np);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_sl_filters(b, props, np);
    }

    return rc;
}


/* one streamingLocatorId per locator */

static ngx_int_t
ngx_http_sluice_sl_unique(ngx_sluice_shctx_t *sh,
    ngx_http_sluice_res_build_t *b, void *old)
{
    ngx_sluice_res_t  *other;

    other = ngx_sluice_locator_by_id(sh, b->f.id, NGX_SLUICE_ID_LEN);

    if (other && other != old) {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_CONFLICT, "Conflict",
                                   "streamingLocatorId %s is already used by "
                                   "streaming locator '%s'.", b->f.id,
                                   other->name);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_sl_check(ngx_sluice_shctx_t *sh,
    ngx_http_sluice_res_build_t *b, void *old)
{
    ngx_sluice_res_t  *sp;

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

    if (sp->f.encrypted) {
        ngx_http_sluice_res_fail(&b->err, NGX_HTTP_BAD_REQUEST,
                                 "NotSupported",
                                 "Streaming policy '%s' encrypts; "
                                 "encryption is not supported yet: use a "
                                 "noEncryption policy such as "
                                 "Predefined_ClearStreamingOnly.",
                                 b->f.policy);
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* --- actions ------------------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_sl_path_set(ngx_http_request_t *r, sluice_alloc_t *a,
    sluice_json_t *arr, const char *protocol, u_char *id, u_char *manifest,
    const char **formats)
{
    u_char         *p, *s;
    size_t          len;
    sluice_json_t  *e, *paths;

    e = sluice_json_new(a, SLUICE_JSON_OBJECT);
    paths = sluice_json_new(a, SLUICE_JSON_ARRAY);

    if (e == NULL || paths == NULL
        || ngx_http_sluice_res_set(a, e, "streamingProtocol",
                                   sluice_json_new_cstring(a, protocol))
        || ngx_http_sluice_res_set(a, e, "encryptionScheme",
                                   sluice_json_new_cstring(a,
                                                           "NoEncryption")))
    {
        return NGX_ERROR;
    }

    for ( /* void */ ; *formats; formats++) {
        len = sizeof("//.ism/manifest") + NGX_SLUICE_ID_LEN
              + ngx_strlen(manifest) + ngx_strlen(*formats);

        s = ngx_pnalloc(r->pool, len);
        if (s == NULL) {
            return NGX_ERROR;
        }

        p = ngx_sprintf(s, "/%s/%s.ism/manifest%s", id, manifest, *formats);

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
    u_char                  id[NGX_SLUICE_ID_LEN + 1];
    u_char                  manifest[NGX_SLUICE_MANIFEST_LEN + 1];
    ngx_int_t               rc;
    ngx_uint_t              protocols;
    sluice_json_t          *res, *arr;
    sluice_alloc_t         *a;
    ngx_sluice_res_t       *loc, *asset, *sp;
    ngx_sluice_zone_ctx_t  *zctx;

    static const char  *hls[] = { "(format=m3u8-aapl)", "(format=m3u8-cmaf)",
                                  NULL };
    static const char  *dash[] = { "(format=mpd-time-csf)",
                                   "(format=mpd-time-cmaf)", NULL };
    static const char  *smooth[] = { "", NULL };

    zctx = ngx_http_sluice_res_zone(ctx);
    a = &ctx->alloc;
    manifest[0] = '\0';
    protocols = 0;
    rc = NGX_OK;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    loc = ngx_sluice_res_find(zctx->sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                              NULL, ctx->name.data, ctx->name.len);

    if (loc == NULL) {
        rc = NGX_DECLINED;

    } else {
        ngx_memcpy(id, loc->f.id, sizeof(id));

        asset = ngx_sluice_res_find(zctx->sh, NGX_SLUICE_RES_ASSET, NULL,
                                    loc->f.asset, ngx_strlen(loc->f.asset));
        if (asset) {
            ngx_memcpy(manifest, asset->f.manifest, sizeof(manifest));
        }

        sp = ngx_sluice_res_find(zctx->sh, NGX_SLUICE_RES_STREAMING_POLICY,
                                 NULL, loc->f.policy,
                                 ngx_strlen(loc->f.policy));
        if (sp && !sp->f.encrypted) {
            protocols = sp->f.protocols;
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Streaming locator '%V' was not found.", &ctx->name);
    }

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);
    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    if (res == NULL || arr == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (manifest[0]) {
        if (((protocols & NGX_SLUICE_PROTO_HLS)
             && ngx_http_sluice_sl_path_set(r, a, arr, "Hls", id, manifest,
                                            hls) != NGX_OK)
            || ((protocols & NGX_SLUICE_PROTO_DASH)
                && ngx_http_sluice_sl_path_set(r, a, arr, "Dash", id,
                                               manifest, dash) != NGX_OK)
            || ((protocols & NGX_SLUICE_PROTO_SMOOTH)
                && ngx_http_sluice_sl_path_set(r, a, arr, "SmoothStreaming",
                                               id, manifest, smooth)
                   != NGX_OK))
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
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


static ngx_int_t
ngx_http_sluice_sl_action(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_int_t               rc;
    sluice_json_t          *res;
    ngx_sluice_zone_ctx_t  *zctx;

#define ngx_http_sluice_sl_action_is(s)                                      \
    ngx_http_sluice_seg_is(&ctx->action, s)

    if (ngx_http_sluice_sl_action_is("listPaths")) {
        return ngx_http_sluice_sl_paths(r, ctx);
    }

    if (!ngx_http_sluice_sl_action_is("listContentKeys")) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Unknown streaming locator action '%V'.", &ctx->action);
    }

#undef ngx_http_sluice_sl_action_is

    zctx = ngx_http_sluice_res_zone(ctx);

    ngx_shmtx_lock(&zctx->shpool->mutex);

    rc = ngx_sluice_res_find(zctx->sh, NGX_SLUICE_RES_STREAMING_LOCATOR, NULL,
                             ctx->name.data, ctx->name.len)
         ? NGX_OK : NGX_DECLINED;

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Streaming locator '%V' was not found.", &ctx->name);
    }

    /* only clear policies are accepted: no content keys */

    res = sluice_json_new(&ctx->alloc, SLUICE_JSON_OBJECT);
    if (res == NULL
        || ngx_http_sluice_res_set(&ctx->alloc, res, "contentKeys",
                                   sluice_json_new(&ctx->alloc,
                                                   SLUICE_JSON_ARRAY)))
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
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
    .post = ngx_http_sluice_sl_action,
};
