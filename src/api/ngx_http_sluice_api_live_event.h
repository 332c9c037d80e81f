
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Live events, a type of the resource engine
 * (ngx_http_sluice_api_live_event.c).
 */


#ifndef _NGX_HTTP_SLUICE_API_LIVE_EVENT_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_LIVE_EVENT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api.h"
#include "api/ngx_http_sluice_api_resource.h"


extern ngx_http_sluice_rt_t  ngx_http_sluice_rt_live_event;


/*
 * POST liveEvents/{name}/getStatus, getStreamEvents,
 * getTrackIngestHeartbeats (ngx_http_sluice_api_live_event_status.c)
 */
ngx_int_t ngx_http_sluice_le_status(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);
ngx_int_t ngx_http_sluice_le_stream_events(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);
ngx_int_t ngx_http_sluice_le_heartbeats(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);


#endif /* _NGX_HTTP_SLUICE_API_LIVE_EVENT_H_INCLUDED_ */
