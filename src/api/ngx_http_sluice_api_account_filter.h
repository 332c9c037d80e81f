
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Account filters, a type of the resource engine
 * (ngx_http_sluice_api_account_filter.c), and the validation of a
 * filter that asset filters share.
 */


#ifndef _NGX_HTTP_SLUICE_API_ACCOUNT_FILTER_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_ACCOUNT_FILTER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_resource.h"


/* per account, and per asset (AMS limits) */
#define NGX_HTTP_SLUICE_MAX_FILTERS      100

/*
 * a filter name: an asset filter's file is {assetId}.{name}.json, its
 * temporary file longer still; both stay under 255 characters
 */
#define NGX_HTTP_SLUICE_FILTER_NAME_LEN  128


extern ngx_http_sluice_rt_t  ngx_http_sluice_rt_account_filter;


/* a filter document (MediaFilterProperties): the build hook */
ngx_int_t ngx_http_sluice_filter_build(ngx_http_sluice_res_build_t *b);


#endif /* _NGX_HTTP_SLUICE_API_ACCOUNT_FILTER_H_INCLUDED_ */
