
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Asset filters, a type of the resource engine
 * (ngx_http_sluice_api_asset_filter.c).
 */


#ifndef _NGX_HTTP_SLUICE_API_ASSET_FILTER_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_ASSET_FILTER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_resource.h"


extern ngx_http_sluice_rt_t  ngx_http_sluice_rt_asset_filter;


#endif /* _NGX_HTTP_SLUICE_API_ASSET_FILTER_H_INCLUDED_ */
