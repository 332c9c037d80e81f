
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_module: main configuration (zone, data path, REST API
 * settings) and the interfaces between its files:
 *
 *   ngx_http_sluice_module.c          directives, data directories
 *   ngx_sluice_zone.c                 zone init, lookups, operations,
 *                                     dirty-flag repair
 *   ngx_sluice_store.c                crash-safe files of API resources
 *   ngx_http_sluice_api.c             routing, errors, bodies
 *   ngx_http_sluice_api_auth.c        API keys, JWTs, roles
 *   ngx_http_sluice_api_live_event.c  live events
 */


#ifndef _NGX_HTTP_SLUICE_MODULE_H_INCLUDED_
#define _NGX_HTTP_SLUICE_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "core/ngx_sluice.h"
#include "core/ngx_sluice_ladder.h"
#include "util/sluice_bearer.h"
#include "util/sluice_json.h"


#define NGX_HTTP_SLUICE_MAX_BODY      65536
#define NGX_HTTP_SLUICE_PAGE_SIZE     10


/* who may call the REST API (ngx_http_sluice_api_auth.c) */
typedef struct {
    ngx_array_t                *keys;           /* of ngx_http_sluice_key_t */
    sluice_jwks_t              *jwks;           /* sluice_api_jwks */
    ngx_array_t                *issuers;        /* of sluice_str_t */
    ngx_array_t                *audiences;      /* of sluice_str_t */
    ngx_array_t                *roles;          /* of sluice_role_map_t */
    ngx_uint_t                  default_role;   /* sluice_role_t */
} ngx_http_sluice_auth_conf_t;


typedef struct {
    ngx_shm_zone_t             *shm_zone;
    ngx_str_t                   data_path;      /* absolute */
    ngx_str_t                   account;
    ngx_http_sluice_auth_conf_t auth;
    ngx_array_t                *ingest_urls;    /* of ngx_str_t */
    ngx_str_t                   preview_url;
    ngx_uint_t                  max_events;
    ngx_msec_t                  transition_time;
    ngx_flag_t                  splice_conditioning;
    ngx_msec_t                  part_ms;        /* sluice_part_duration */
    ngx_msec_t                  heartbeat_ms;   /* sluice_heartbeat_... */
    ngx_flag_t                  telemetry;      /* sluice_telemetry */
    ngx_sluice_transcode_conf_t transcode;      /* live encoding */
} ngx_http_sluice_main_conf_t;


extern ngx_module_t  ngx_http_sluice_module;



#endif /* _NGX_HTTP_SLUICE_MODULE_H_INCLUDED_ */
