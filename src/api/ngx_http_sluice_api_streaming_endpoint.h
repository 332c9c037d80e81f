
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Streaming endpoints, a type of the resource engine
 * (ngx_http_sluice_api_streaming_endpoint.c).
 */


#ifndef _NGX_HTTP_SLUICE_API_STREAMING_ENDPOINT_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_STREAMING_ENDPOINT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_resource.h"


extern ngx_http_sluice_rt_t  ngx_http_sluice_rt_streaming_endpoint;

/* first start: the "default" streaming endpoint, saved */
ngx_int_t ngx_http_sluice_se_create_default(ngx_sluice_zone_ctx_t *zctx,
    ngx_pool_t *pool, ngx_log_t *log);


#endif /* _NGX_HTTP_SLUICE_API_STREAMING_ENDPOINT_H_INCLUDED_ */
