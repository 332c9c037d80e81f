
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Live events of the REST API (ngx_http_sluice_api_live_event.c).
 */


#ifndef _NGX_HTTP_SLUICE_API_LIVE_EVENT_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_LIVE_EVENT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api.h"


ngx_int_t ngx_http_sluice_live_event_handler(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);

/* makes an event of a stored document (startup); NGX_DECLINED: invalid */
ngx_int_t ngx_http_sluice_live_event_load(ngx_sluice_zone_ctx_t *zctx,
    u_char *data, size_t len, ngx_pool_t *pool, ngx_log_t *log);



#endif /* _NGX_HTTP_SLUICE_API_LIVE_EVENT_H_INCLUDED_ */
