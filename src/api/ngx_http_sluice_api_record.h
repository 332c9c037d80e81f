
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The generic record kind of the resource engine: records kept as
 * ngx_sluice_res_t in the zone and as {data}/api/{collection}/ files
 * (ngx_http_sluice_api_record.c).
 */


#ifndef _NGX_HTTP_SLUICE_API_RECORD_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_RECORD_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_resource.h"


extern ngx_http_sluice_rk_t  ngx_http_sluice_rk_res;


#endif /* _NGX_HTTP_SLUICE_API_RECORD_H_INCLUDED_ */
