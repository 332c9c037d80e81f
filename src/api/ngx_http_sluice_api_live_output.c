
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Live outputs (AMS v3 LiveOutputs, Streaming 2022-11-01), long-running
 * operations like live events: PUT (201 + Azure-AsyncOperation
 * .../liveOutputOperations/{id}; an existing output cannot be changed:
 * 409), GET, list, DELETE (202), liveOutputOperations/{id},
 * liveEvents/{e}/liveOutputs/{o}/operationLocations/{id}.
 *
 * Rules: the live event and the asset exist; archiveWindowLength PT1M to
 * PT25H; rewindWindowLength at least PT1M and at most the archive window
 * (absent: the archive window bounds the live manifests); manifestName
 * made of the asset name when absent; at most 3 outputs per event (1 for
 * PassthroughBasic); an asset is recorded once, ever: its record keeps
 * the manifestName and the event of its output (f.manifest, f.event),
 * also after the output is gone, and a second output with it is refused.
 * Deleting an output stops recording and keeps the asset.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_live_event.h"
#include "api/ngx_http_sluice_api_live_output.h"
#include "api/ngx_http_sluice_api_record.h"
#include "util/sluice_iso8601.h"


#define NGX_HTTP_SLUICE_LO_MIN_MS     (60 * 1000)
#define NGX_HTTP_SLUICE_LO_MAX_MS     (25 * 3600 * 1000)
#define NGX_HTTP_SLUICE_LO_MAX_FPTS   60


/* Creating, then Running once sluice_transition_time has passed */

static ngx_http_sluice_action_t  ngx_http_sluice_lo_create = {
    ngx_null_string, NGX_SLUICE_OP_CREATE, { 0, 0 },
    NGX_SLUICE_LO_CREATING, NGX_SLUICE_LO_RUNNING, 0, 0
};


#define ngx_http_sluice_lo_bad(...)                                          \
    ngx_http_sluice_res_bad(&b->err, __VA_ARGS__)


static ngx_int_t
ngx_http_sluice_lo_duration(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *np, const char *key,
    ngx_msec_t *ms)
{
    uint64_t        v;
    sluice_json_t  *d;

    d = sluice_json_get(props, key);

    if (ngx_http_sluice_absent(d)) {
        return NGX_DECLINED;
    }

    if (d->type != SLUICE_JSON_STRING
        || sluice_iso8601_duration_parse(d->str.data, d->str.len, &v)
           != SLUICE_OK)
    {
        ngx_http_sluice_lo_bad("properties.%s must be an ISO 8601 duration "
                               "like PT1H30M.", key);
    }

    if (v < NGX_HTTP_SLUICE_LO_MIN_MS || v > NGX_HTTP_SLUICE_LO_MAX_MS) {
        ngx_http_sluice_lo_bad("properties.%s must be from PT1M to PT25H.",
                               key);
    }

    *ms = (ngx_msec_t) v;

    return ngx_http_sluice_res_set(b->a, np, key, sluice_json_copy(b->a, d));
}


/* archiveWindowLength (required) and rewindWindowLength (at most it) */

static ngx_int_t
ngx_http_sluice_lo_windows(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *np)
{
    ngx_int_t        rc;
    sluice_alloc_t  *a;

    a = b->a;

    rc = ngx_http_sluice_lo_duration(b, props, np, "archiveWindowLength",
                                     &b->f.archive_ms);
    if (rc == NGX_DECLINED && b->err.status == 0) {
        ngx_http_sluice_lo_bad("properties.archiveWindowLength is required "
                               "(PT1M to PT25H).");
    }

    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_lo_duration(b, props, np, "rewindWindowLength",
                                     &b->f.rewind_ms);

    if (rc == NGX_DECLINED && b->err.status == 0) {
        b->f.rewind_ms = b->f.archive_ms;

        if (ngx_http_sluice_res_set(a, np, "rewindWindowLength",
                                    sluice_json_new(a, SLUICE_JSON_NULL))
            != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else if (rc != NGX_OK) {
        return rc;

    } else if (b->f.rewind_ms > b->f.archive_ms) {
        ngx_http_sluice_lo_bad("properties.rewindWindowLength must not be "
                               "longer than archiveWindowLength.");
    }

    return NGX_OK;
}


/* manifestName: given, or made of the asset name */

static ngx_int_t
ngx_http_sluice_lo_manifest(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *np)
{
    u_char          c;
    size_t          i, n;
    sluice_json_t  *v;

    v = sluice_json_get(props, "manifestName");

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_STRING || v->str.len == 0
            || v->str.len > NGX_SLUICE_MANIFEST_LEN)
        {
            ngx_http_sluice_lo_bad("properties.manifestName must be 1 to %d "
                                   "characters.", NGX_SLUICE_MANIFEST_LEN);
        }

        for (i = 0; i < v->str.len; i++) {
            c = v->str.data[i];

            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                  || (c >= '0' && c <= '9') || c == '-' || c == '_'
                  || (c == '.' && i != 0)))
            {
                ngx_http_sluice_lo_bad("properties.manifestName may only "
                                       "hold letters, digits, '-', '_' and "
                                       "'.'.");
            }
        }

        ngx_memcpy(b->f.manifest, v->str.data, v->str.len);

    } else {
        /* from the asset name: the characters a URL path keeps as they are */

        n = 0;

        for (i = 0; b->f.asset[i] && n < NGX_SLUICE_MANIFEST_LEN; i++) {
            c = b->f.asset[i];

            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9') || c == '-' || c == '_'
                || (c == '.' && n != 0))
            {
                b->f.manifest[n++] = c;
            }
        }

        if (n == 0) {
            ngx_memcpy(b->f.manifest, "manifest", sizeof("manifest"));
        }
    }

    return ngx_http_sluice_res_set(b->a, np, "manifestName",
                                   sluice_json_new_cstring(b->a,
                                                  (char *) b->f.manifest));
}


/* hls.fragmentsPerTsSegment and outputSnapTime */

static ngx_int_t
ngx_http_sluice_lo_hls(ngx_http_sluice_res_build_t *b, sluice_json_t *props,
    sluice_json_t *np)
{
    sluice_json_t   *v, *h, *nh;
    sluice_alloc_t  *a;

    a = b->a;

    h = sluice_json_get(props, "hls");
    b->f.fragments_per_ts = 1;

    if (!ngx_http_sluice_absent(h)) {
        v = sluice_json_get(h, "fragmentsPerTsSegment");

        if (h->type != SLUICE_JSON_OBJECT
            || (!ngx_http_sluice_absent(v)
                && (v->type != SLUICE_JSON_NUMBER || v->number < 1
                    || v->number > NGX_HTTP_SLUICE_LO_MAX_FPTS
                    || v->number != (double) (int64_t) v->number)))
        {
            ngx_http_sluice_lo_bad("properties.hls.fragmentsPerTsSegment must "
                                   "be an integer from 1 to %d.",
                                   NGX_HTTP_SLUICE_LO_MAX_FPTS);
        }

        if (!ngx_http_sluice_absent(v)) {
            b->f.fragments_per_ts = (ngx_uint_t) v->number;
        }
    }

    nh = sluice_json_new(a, SLUICE_JSON_OBJECT);

    if (nh == NULL
        || ngx_http_sluice_res_set(a, nh, "fragmentsPerTsSegment",
                                   sluice_json_new_int(a,
                                                 b->f.fragments_per_ts))
        || ngx_http_sluice_res_set(a, np, "hls", nh))
    {
        return NGX_ERROR;
    }

    v = sluice_json_get(props, "outputSnapTime");

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_NUMBER || v->number < 0
            || v->number > 9007199254740992.0
            || v->number != (double) (int64_t) v->number)
        {
            ngx_http_sluice_lo_bad("properties.outputSnapTime must be a "
                                   "non-negative integer.");
        }

        b->f.snap_time = (int64_t) v->number;
    }

    return ngx_http_sluice_res_set(a, np, "outputSnapTime",
                                   sluice_json_new_int(a, b->f.snap_time));
}


static ngx_int_t
ngx_http_sluice_lo_build(ngx_http_sluice_res_build_t *b)
{
    ngx_int_t        rc;
    ngx_str_t        name;
    sluice_json_t   *props, *oldp, *np, *v;
    sluice_alloc_t  *a;

    a = b->a;

    rc = ngx_http_sluice_res_build_start(b, &props, &oldp, &np);
    if (rc != NGX_OK) {
        return rc;
    }

    v = sluice_json_get(props, "assetName");

    ngx_str_null(&name);

    if (v != NULL && v->type == SLUICE_JSON_STRING) {
        name.data = (u_char *) v->str.data;
        name.len = v->str.len;
    }

    if (v == NULL || v->type != SLUICE_JSON_STRING
        || !ngx_http_sluice_res_name_valid(&name, NGX_SLUICE_RES_NAME_LEN, 0))
    {
        ngx_http_sluice_lo_bad("properties.assetName is required: the name "
                               "of an asset.");
    }

    ngx_memcpy(b->f.asset, v->str.data, v->str.len);

    if (ngx_http_sluice_res_set(a, np, "assetName", sluice_json_copy(a, v))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    rc = ngx_http_sluice_lo_windows(b, props, np);

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_lo_manifest(b, props, np);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_lo_hls(b, props, np);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    b->state = NGX_SLUICE_LO_CREATING;

    return ngx_http_sluice_res_build_end(b, oldp, np);
}


static ngx_int_t
ngx_http_sluice_lo_check(ngx_sluice_shctx_t *sh,
    ngx_http_sluice_res_build_t *b, void *old)
{
    u_char               event[NGX_SLUICE_NAME_LEN + 1];
    ngx_uint_t           max;
    ngx_sluice_res_t    *asset, *other;
    ngx_sluice_event_t  *ev;

    if (b->parent.len > NGX_SLUICE_NAME_LEN) {
        return NGX_ERROR;
    }

    ngx_memcpy(event, b->parent.data, b->parent.len);
    event[b->parent.len] = '\0';

    ev = ngx_sluice_event_by_name(sh, event, b->parent.len);
    if (ev == NULL) {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_NOT_FOUND, "NotFound",
                                   "Live event '%s' was not found.", event);
    }

    if (ev->state == NGX_SLUICE_DELETING || ev->state == NGX_SLUICE_STOPPING)
    {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_CONFLICT,
                                   "InvalidResourceState",
                                   "Live event '%s' is being stopped or "
                                   "deleted.", event);
    }

    max = (ev->encoding == NGX_SLUICE_ENC_PASSTHROUGH_BASIC)
          ? 1 : NGX_SLUICE_MAX_OUTPUTS;

    if (ngx_sluice_live_outputs_count(sh, ev->name) >= max) {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST,
                                   "BadRequest",
                                   "Live event '%s' already has %ui live "
                                   "output%s, the most its encoding allows.",
                                   event, max, max == 1 ? "" : "s");
    }

    asset = ngx_sluice_res_find(sh, NGX_SLUICE_RES_ASSET, NULL, b->f.asset,
                                ngx_strlen(b->f.asset));
    if (asset == NULL) {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST,
                                   "BadRequest",
                                   "Asset '%s' was not found: create it before "
                                   "the live output.", b->f.asset);
    }

    other = ngx_sluice_live_output_by_asset(sh, b->f.asset,
                                            ngx_strlen(b->f.asset));

    if (other || asset->f.manifest[0]) {
        ngx_http_sluice_res_fail(&b->err, NGX_HTTP_BAD_REQUEST,
                                 "BadRequest",
                                 "Asset '%s' %s; an asset records one live "
                                 "output only: create a new asset.",
                                 b->f.asset,
                                 other ? "is being recorded by another live "
                                         "output"
                                       : "already holds a recording");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static void
ngx_http_sluice_lo_created(ngx_sluice_shctx_t *sh, void *rec)
{
    ngx_sluice_res_t  *asset, *res;

    res = rec;

    asset = ngx_sluice_res_find(sh, NGX_SLUICE_RES_ASSET, NULL, res->f.asset,
                                ngx_strlen(res->f.asset));
    if (asset == NULL) {
        return;
    }

    ngx_memcpy(asset->f.manifest, res->f.manifest, sizeof(res->f.manifest));
    ngx_cpystrn(asset->f.event, res->parent, sizeof(asset->f.event));
    asset->f.fragments_per_ts = res->f.fragments_per_ts;
    asset->version++;
}


static ngx_int_t
ngx_http_sluice_lo_render(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_snap_t *snap,
    sluice_json_t *res, sluice_json_t *props)
{
    const char      *prov;
    sluice_alloc_t  *a;

    a = &ctx->alloc;

    prov = ngx_http_sluice_res_provisioning(snap->pending, snap->op_kind,
                                            snap->state
                                            == NGX_SLUICE_LO_DELETING);

    if (ngx_http_sluice_res_set(a, props, "resourceState",
                                sluice_json_new_cstring(a,
                                    ngx_http_sluice_rt_live_output
                                    .states[snap->state & 7]
                                    ? ngx_http_sluice_rt_live_output
                                      .states[snap->state & 7]
                                    : "Unknown"))
        || ngx_http_sluice_res_set(a, props, "provisioningState",
                                   sluice_json_new_cstring(a, prov)))
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* created: the asset, which now remembers the output that records it */

static void
ngx_http_sluice_lo_done(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_snap_t *snap,
    ngx_uint_t kind)
{
    if (kind == NGX_SLUICE_OP_CREATE) {
        /* no memory: logged; the asset's file is older, as at a crash */
        (void) ngx_http_sluice_res_store_name(r,
                                              ngx_http_sluice_res_zone(ctx),
                                              NGX_SLUICE_RES_ASSET, NULL,
                                              snap->f.asset);
    }
}


ngx_http_sluice_rt_t  ngx_http_sluice_rt_live_output = {
    .type = NGX_SLUICE_RES_LIVE_OUTPUT,
    .collection = "liveOutputs",
    .id_segment = "liveoutputs",
    .arm_type = "Microsoft.Media/mediaservices/liveevents/liveoutputs",
    .what = "Live output",
    .op_collection = "liveOutputOperations",
    .states = { "Creating", "Running", "Deleting" },
    .name_max = NGX_SLUICE_RES_NAME_LEN,
    .flags = NGX_HTTP_SLUICE_RT_LRO|NGX_HTTP_SLUICE_RT_IMMUTABLE
             |NGX_HTTP_SLUICE_RT_LIVE_NAME,
    .kind = &ngx_http_sluice_rk_res,
    .parent = &ngx_http_sluice_rt_live_event,
    .create = &ngx_http_sluice_lo_create,
    .delete_state = NGX_SLUICE_LO_DELETING,
    .build = ngx_http_sluice_lo_build,
    .check = ngx_http_sluice_lo_check,
    .created = ngx_http_sluice_lo_created,
    .done = ngx_http_sluice_lo_done,
    .render = ngx_http_sluice_lo_render,
};
