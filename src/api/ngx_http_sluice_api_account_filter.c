
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Account filters (AMS v3 AccountFilters, Metadata 2023-01-01): PUT (201
 * create, 200 update), PATCH, GET, list, DELETE.  The properties are
 * MediaFilterProperties, checked by sluice_filter_parse() (the reason it
 * gives is the 400's message) and stored as given: presentationTimeRange,
 * firstQuality and tracks, their numbers as written (int64 values such
 * as 9223372036854774806 stay exact); other members are dropped.  At most
 * NGX_HTTP_SLUICE_MAX_FILTERS per account (409 QuotaExceeded).
 *
 * The validation is shared with asset filters
 * (ngx_http_sluice_api_asset_filter.c).  The packager finds a filter
 * with ngx_sluice_res_find() and parses its properties itself.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_account_filter.h"
#include "api/ngx_http_sluice_api_record.h"
#include "media/manifest/sluice_filter.h"


ngx_int_t
ngx_http_sluice_filter_build(ngx_http_sluice_res_build_t *b)
{
    ngx_uint_t        i;
    const char       *reason;
    sluice_json_t    *props, *np, *v;
    sluice_filter_t   f;

    static const char  *members[] = {
        "presentationTimeRange", "firstQuality", "tracks"
    };

    props = sluice_json_get(b->in, "properties");

    reason = NULL;

    switch (sluice_filter_parse(b->a, props, &f, &reason)) {

    case SLUICE_OK:
        break;

    case SLUICE_BAD_REQUEST:
        ngx_http_sluice_res_bad(&b->err, "%s",
                                reason ? reason : "The filter is invalid.");

    default:
        return NGX_ERROR;
    }

    b->doc = sluice_json_new(b->a, SLUICE_JSON_OBJECT);
    np = sluice_json_new(b->a, SLUICE_JSON_OBJECT);
    if (b->doc == NULL || np == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        v = sluice_json_get(props, members[i]);

        if (!ngx_http_sluice_absent(v)) {
            ngx_http_sluice_res_put_member(b->a, np, members[i],
                                           sluice_json_copy(b->a, v));
        }
    }

    return ngx_http_sluice_res_set(b->a, b->doc, "properties", np);
}


/* at most NGX_HTTP_SLUICE_MAX_FILTERS account filters */

static ngx_int_t
ngx_http_sluice_acf_check(ngx_sluice_shctx_t *sh,
    ngx_http_sluice_res_build_t *b, void *old)
{
    if (old == NULL
        && ngx_sluice_res_count(sh, NGX_SLUICE_RES_ACCOUNT_FILTER)
           >= NGX_HTTP_SLUICE_MAX_FILTERS)
    {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_CONFLICT,
                                   "QuotaExceeded",
                                   "The account already has the maximum "
                                   "number of account filters (%d).",
                                   NGX_HTTP_SLUICE_MAX_FILTERS);
    }

    return NGX_OK;
}


ngx_http_sluice_rt_t  ngx_http_sluice_rt_account_filter = {
    .type = NGX_SLUICE_RES_ACCOUNT_FILTER,
    .collection = "accountFilters",
    .id_segment = "accountFilters",
    .arm_type = "Microsoft.Media/mediaservices/accountFilters",
    .what = "Account filter",
    .name_max = NGX_HTTP_SLUICE_FILTER_NAME_LEN,
    .flags = NGX_HTTP_SLUICE_RT_PATCH,
    .kind = &ngx_http_sluice_rk_res,
    .build = ngx_http_sluice_filter_build,
    .check = ngx_http_sluice_acf_check,
};
