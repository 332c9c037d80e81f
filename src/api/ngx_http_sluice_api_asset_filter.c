
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Asset filters (AMS v3 AssetFilters, Metadata 2023-01-01), nested under
 * an asset: assets/{asset}/assetFilters/{name}, PUT (201 create, 200
 * update), PATCH, GET, list, DELETE; 404 when the asset does not exist.
 * The document is an account filter's (ngx_http_sluice_filter_build()).
 * At most NGX_HTTP_SLUICE_MAX_FILTERS per asset (409 QuotaExceeded).
 *
 * The record's parent is the asset's name as it was created, f.id the
 * assetId (its file is {assetId}.{name}.json).  Deleting the asset
 * deletes its filters (ngx_http_sluice_api_asset.c); a file whose asset
 * is gone is skipped at startup.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_account_filter.h"
#include "api/ngx_http_sluice_api_asset.h"
#include "api/ngx_http_sluice_api_asset_filter.h"
#include "api/ngx_http_sluice_api_record.h"


static ngx_uint_t
ngx_http_sluice_asf_count(ngx_sluice_shctx_t *sh, u_char *asset)
{
    ngx_uint_t         n;
    ngx_sluice_res_t  *res;

    n = 0;

    for (res = ngx_sluice_res_next(sh, NGX_SLUICE_RES_ASSET_FILTER, NULL);
         res;
         res = ngx_sluice_res_next(sh, NGX_SLUICE_RES_ASSET_FILTER, res))
    {
        if (ngx_strcasecmp(res->parent, asset) == 0) {
            n++;
        }
    }

    return n;
}


/* the asset exists (its name and assetId into b), and the limit */

static ngx_int_t
ngx_http_sluice_asf_check(ngx_sluice_shctx_t *sh,
    ngx_http_sluice_res_build_t *b, void *old)
{
    u_char            *name;
    size_t             len;
    ngx_sluice_res_t  *asset;

    asset = ngx_sluice_res_find(sh, NGX_SLUICE_RES_ASSET, NULL,
                                b->parent.data, b->parent.len);
    if (asset == NULL) {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_NOT_FOUND, "NotFound",
                                   "Asset '%V' was not found.", &b->parent);
    }

    if (old == NULL
        && ngx_http_sluice_asf_count(sh, asset->name)
           >= NGX_HTTP_SLUICE_MAX_FILTERS)
    {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_CONFLICT,
                                   "QuotaExceeded",
                                   "Asset '%s' already has the maximum "
                                   "number of asset filters (%d).",
                                   asset->name, NGX_HTTP_SLUICE_MAX_FILTERS);
    }

    len = ngx_strlen(asset->name);

    name = ngx_pnalloc(b->pool, len);
    if (name == NULL) {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                   "InternalServerError", "No memory.");
    }

    ngx_memcpy(name, asset->name, len);

    b->parent.data = name;
    b->parent.len = len;

    ngx_memcpy(b->f.id, asset->f.id, sizeof(b->f.id));

    return NGX_OK;
}


ngx_http_sluice_rt_t  ngx_http_sluice_rt_asset_filter = {
    .type = NGX_SLUICE_RES_ASSET_FILTER,
    .collection = "assetFilters",
    .id_segment = "assetFilters",
    .arm_type = "Microsoft.Media/mediaservices/assets/assetFilters",
    .what = "Asset filter",
    .name_max = NGX_HTTP_SLUICE_FILTER_NAME_LEN,
    .flags = NGX_HTTP_SLUICE_RT_PATCH|NGX_HTTP_SLUICE_RT_LOAD_CHECK,
    .kind = &ngx_http_sluice_rk_res,
    .parent = &ngx_http_sluice_rt_asset,
    .build = ngx_http_sluice_filter_build,
    .check = ngx_http_sluice_asf_check,
};
