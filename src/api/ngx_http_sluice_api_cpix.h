
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * CPIX export of a streaming locator's content keys
 * (ngx_http_sluice_api_cpix.c): POST .../streamingLocators/{name}/
 * exportCpix, beyond AMS.
 */


#ifndef _NGX_HTTP_SLUICE_API_CPIX_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_CPIX_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_resource.h"


/*
 * Answers the request with the DASH-IF CPIX 2.3 document of the locator
 * ctx->name (application/xml); the body may give {"keyDeliveryUrl":...}.
 */
ngx_int_t ngx_http_sluice_cpix_export(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);


#endif /* _NGX_HTTP_SLUICE_API_CPIX_H_INCLUDED_ */
