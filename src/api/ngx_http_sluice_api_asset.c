
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Assets (AMS v3 Assets, Metadata 2023-01-01): PUT, PATCH, GET, list,
 * DELETE, listStreamingLocators; listContainerSas and getEncryptionKey
 * answer 400 NotSupported (there is no storage account to sign for).
 *
 * assetId is a new UUID, container "asset-{assetId}" unless given; the
 * media of an asset lives in {data}/assets/{assetId}/ and is removed with
 * it (renamed away at once, emptied by a timer: ngx_sluice_resource.c).
 * Deleting an asset deletes its streaming locators and asset filters, as
 * AMS does; it is refused while a live output records into it.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_asset.h"
#include "api/ngx_http_sluice_api_record.h"
#include "api/ngx_http_sluice_api_streaming_locator.h"
#include "util/sluice_uuid.h"


static ngx_int_t
ngx_http_sluice_asset_build(ngx_http_sluice_res_build_t *b)
{
    u_char          *p;
    ngx_int_t        rc;
    ngx_uint_t       i;
    sluice_json_t   *props, *oldp, *np, *v;
    sluice_alloc_t  *a;

    static const char  *strings[] = {
        "alternateId", "description", "storageAccountName", "encryptionScope"
    };

    a = b->a;
    props = sluice_json_get(b->in, "properties");

    if (!ngx_http_sluice_absent(props) && props->type != SLUICE_JSON_OBJECT)
    {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST, "BadRequest",
                                   "properties must be an object.");
    }

    oldp = sluice_json_get(b->old, "properties");

    b->doc = sluice_json_new(a, SLUICE_JSON_OBJECT);
    np = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (b->doc == NULL || np == NULL) {
        return NGX_ERROR;
    }

    /* assetId: kept; a caller's value is read-only and ignored */

    v = sluice_json_get(oldp, "assetId");

    if (v && v->type == SLUICE_JSON_STRING
        && sluice_uuid_valid(v->str.data, v->str.len))
    {
        ngx_memcpy(b->f.id, v->str.data, NGX_SLUICE_ID_LEN);

    } else if (b->load) {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST, "BadRequest",
                                   "the stored assetId is invalid");

    } else {
        ngx_http_sluice_new_uuid(b->f.id);
    }

    b->f.id[NGX_SLUICE_ID_LEN] = '\0';

    if (ngx_http_sluice_res_set(a, np, "assetId",
                                sluice_json_new_cstring(a, (char *) b->f.id))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    rc = ngx_http_sluice_res_times(b, oldp, np, !b->load);
    if (rc != NGX_OK) {
        return rc;
    }

    for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        rc = ngx_http_sluice_res_opt_string(b, props, np, strings[i], 4096);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    v = sluice_json_get(props, "container");

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_STRING || v->str.len < 3
            || v->str.len > 63)
        {
            ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST,
                                       "BadRequest",
                                       "properties.container must be a "
                                       "container name of 3 to 63 "
                                       "characters.");
        }

        for (i = 0; i < v->str.len; i++) {
            if (!((v->str.data[i] >= 'a' && v->str.data[i] <= 'z')
                  || (v->str.data[i] >= '0' && v->str.data[i] <= '9')
                  || v->str.data[i] == '-'))
            {
                ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST,
                                           "BadRequest",
                                           "properties.container may only "
                                           "hold lowercase letters, digits "
                                           "and hyphens.");
            }
        }

        v = sluice_json_copy(a, v);

    } else {
        p = ngx_pnalloc(b->pool, sizeof("asset-") + NGX_SLUICE_ID_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_sprintf(p, "asset-%s%Z", b->f.id);
        v = sluice_json_new_cstring(a, (char *) p);
    }

    if (ngx_http_sluice_res_set(a, np, "container", v) != NGX_OK
        || ngx_http_sluice_res_set(a, np, "storageEncryptionFormat",
                                   sluice_json_new_cstring(a, "None"))
        || ngx_http_sluice_res_set(a, b->doc, "properties", np))
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_asset_deletable(ngx_sluice_shctx_t *sh, void *rec,
    ngx_http_sluice_res_err_t *err)
{
    ngx_sluice_res_t  *lo, *res;

    res = rec;

    lo = ngx_sluice_live_output_by_asset(sh, res->name,
                                         ngx_strlen(res->name));
    if (lo == NULL) {
        return NGX_OK;
    }

    ngx_http_sluice_res_fail(err, NGX_HTTP_CONFLICT, "Conflict",
                             "Asset '%s' is being recorded by live output "
                             "'%s' of live event '%s': delete the live output "
                             "first.", res->name, lo->name, lo->parent);

    return NGX_DECLINED;
}


/* its streaming locators and asset filters go with it */

static void
ngx_http_sluice_asset_deleting(ngx_sluice_shctx_t *sh, void *rec,
    ngx_log_t *log)
{
    size_t                  len;
    ngx_sluice_res_t       *loc, *next, *res;
    ngx_sluice_res_root_t  *root;

    res = rec;

    root = ngx_sluice_res_root(sh);
    len = ngx_strlen(res->name);

    for (loc = ngx_sluice_res_next(sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                                   NULL);
         loc;
         loc = next)
    {
        next = ngx_sluice_res_next(sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                                   loc);

        if (ngx_strncasecmp(loc->f.asset, res->name, len) == 0
            && loc->f.asset[len] == '\0')
        {
            (void) ngx_sluice_res_unlink(log, &root->data_path, loc);
            ngx_sluice_res_free(sh, loc);
        }
    }

    ngx_sluice_res_remove_children(sh, NGX_SLUICE_RES_ASSET_FILTER,
                                   res->name, log);
}


/* deleted: its media go */

static void
ngx_http_sluice_asset_done(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_snap_t *snap,
    ngx_uint_t kind)
{
    ngx_sluice_zone_ctx_t  *zctx;

    if (kind != NGX_SLUICE_OP_DELETE) {
        return;
    }

    zctx = ngx_http_sluice_res_zone(ctx);

    ngx_sluice_asset_remove_media(&zctx->data_path, snap->f.id,
                                  r->connection->log);
}


static ngx_int_t
ngx_http_sluice_asset_locators(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    size_t                       len;
    ngx_int_t                    rc;
    ngx_uint_t                   i, n, total;
    sluice_json_t               *res, *arr, *item, *props, *v, *doc;
    sluice_alloc_t              *a;
    ngx_sluice_res_t            *rec;
    ngx_sluice_zone_ctx_t       *zctx;
    ngx_http_sluice_res_snap_t  *snaps;

    static const char  *keys[] = {
        "assetName", "created", "startTime", "endTime", "streamingLocatorId",
        "streamingPolicyName", "defaultContentKeyPolicyName"
    };

    zctx = ngx_http_sluice_res_zone(ctx);
    a = &ctx->alloc;
    rc = NGX_OK;
    n = 0;
    len = ctx->name.len;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    if (ngx_sluice_res_find(zctx->sh, NGX_SLUICE_RES_ASSET, NULL,
                            ctx->name.data, len)
        == NULL)
    {
        rc = NGX_DECLINED;
    }

    total = ngx_sluice_res_count(zctx->sh, NGX_SLUICE_RES_STREAMING_LOCATOR);

    snaps = ngx_palloc(r->pool,
                       (total + 1) * sizeof(ngx_http_sluice_res_snap_t));
    if (snaps == NULL) {
        rc = NGX_ERROR;
    }

    for (rec = ngx_sluice_res_next(zctx->sh,
                                   NGX_SLUICE_RES_STREAMING_LOCATOR, NULL);
         rc == NGX_OK && rec && n < total;
         rec = ngx_sluice_res_next(zctx->sh,
                                   NGX_SLUICE_RES_STREAMING_LOCATOR, rec))
    {
        if (ngx_strncasecmp(rec->f.asset, ctx->name.data, len) == 0
            && rec->f.asset[len] == '\0')
        {
            rc = ngx_http_sluice_res_snap(r->pool,
                                 &ngx_http_sluice_rt_streaming_locator,
                                 rec, &snaps[n++]);
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Asset '%V' was not found.", &ctx->name);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);
    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    if (res == NULL || arr == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < n; i++) {
        doc = ngx_http_sluice_res_doc(a, &snaps[i]);
        props = sluice_json_get(doc, "properties");
        item = sluice_json_new(a, SLUICE_JSON_OBJECT);

        if (props == NULL || item == NULL
            || ngx_http_sluice_res_set(a, item, "name",
                                       sluice_json_new_cstring(a,
                                                (char *) snaps[i].name)))
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        for (rc = 0; rc < (ngx_int_t) (sizeof(keys) / sizeof(keys[0]));
             rc++)
        {
            v = sluice_json_get(props, keys[rc]);

            if (v && ngx_http_sluice_res_set(a, item, keys[rc],
                                             sluice_json_copy(a, v))
                     != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
        }

        sluice_json_append(arr, item);
    }

    if (ngx_http_sluice_res_set(a, res, "streamingLocators", arr) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


static ngx_int_t
ngx_http_sluice_asset_action(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_int_t               rc;
    ngx_sluice_zone_ctx_t  *zctx;

#define ngx_http_sluice_asset_action_is(s)                                   \
    ngx_http_sluice_seg_is(&ctx->action, s)

    if (ngx_http_sluice_asset_action_is("listStreamingLocators")) {
        return ngx_http_sluice_asset_locators(r, ctx);
    }

    if (!ngx_http_sluice_asset_action_is("listContainerSas")
        && !ngx_http_sluice_asset_action_is("getEncryptionKey"))
    {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Unknown asset action '%V'.", &ctx->action);
    }

#undef ngx_http_sluice_asset_action_is

    zctx = ngx_http_sluice_res_zone(ctx);

    ngx_shmtx_lock(&zctx->shpool->mutex);

    rc = ngx_sluice_res_find(zctx->sh, NGX_SLUICE_RES_ASSET, NULL,
                             ctx->name.data, ctx->name.len)
         ? NGX_OK : NGX_DECLINED;

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Asset '%V' was not found.", &ctx->name);
    }

    return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST, "NotSupported",
               "%V is not supported: Sluice keeps asset media in its own "
               "storage ({data}/assets/{assetId}/), not in a storage "
               "account container, and stores no client-side encryption "
               "key.", &ctx->action);
}


ngx_http_sluice_rt_t  ngx_http_sluice_rt_asset = {
    .type = NGX_SLUICE_RES_ASSET,
    .collection = "assets",
    .id_segment = "assets",
    .arm_type = "Microsoft.Media/mediaservices/assets",
    .what = "Asset",
    .name_max = NGX_SLUICE_RES_NAME_LEN,
    .flags = NGX_HTTP_SLUICE_RT_PATCH,
    .kind = &ngx_http_sluice_rk_res,
    .build = ngx_http_sluice_asset_build,
    .deletable = ngx_http_sluice_asset_deletable,
    .deleting = ngx_http_sluice_asset_deleting,
    .done = ngx_http_sluice_asset_done,
    .post = ngx_http_sluice_asset_action,
};
