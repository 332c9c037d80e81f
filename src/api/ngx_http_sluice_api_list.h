
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * GET of a collection: $filter, $orderby, $top, $skiptoken and
 * @odata.nextLink (ngx_http_sluice_api_list.c).
 */


#ifndef _NGX_HTTP_SLUICE_API_LIST_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_LIST_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_resource.h"


ngx_int_t ngx_http_sluice_res_list(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt);


#endif /* _NGX_HTTP_SLUICE_API_LIST_H_INCLUDED_ */
