
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Content key policies, a type of the resource engine
 * (ngx_http_sluice_api_content_key_policy.c).
 */


#ifndef _NGX_HTTP_SLUICE_API_CONTENT_KEY_POLICY_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_CONTENT_KEY_POLICY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_resource.h"


extern ngx_http_sluice_rt_t  ngx_http_sluice_rt_content_key_policy;


#endif /* _NGX_HTTP_SLUICE_API_CONTENT_KEY_POLICY_H_INCLUDED_ */
