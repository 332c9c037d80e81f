
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The REST API's request path (ngx_http_sluice_api.c): routing of the
 * ARM paths, authentication, request bodies, errors and responses.
 */


#ifndef _NGX_HTTP_SLUICE_API_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_module.h"
#include "core/ngx_sluice_store.h"
#include "core/ngx_sluice_zone.h"
#include "util/sluice_json.h"


typedef enum {
    NGX_HTTP_SLUICE_R_LIST = 0,     /* .../liveEvents */
    NGX_HTTP_SLUICE_R_EVENT,        /* .../liveEvents/{name} */
    NGX_HTTP_SLUICE_R_ACTION,       /* .../liveEvents/{name}/{action} */
    NGX_HTTP_SLUICE_R_OPLOC,        /* .../{name}/operationLocations/{id} */
    NGX_HTTP_SLUICE_R_ASYNCOP       /* .../liveEventOperations/{id} */
} ngx_http_sluice_route_e;


typedef struct {
    ngx_uint_t                  route;          /* ngx_http_sluice_route_e */
    ngx_str_t                   subscription;
    ngx_str_t                   group;
    ngx_str_t                   account;
    ngx_str_t                   name;
    ngx_str_t                   action;
    ngx_str_t                   op;
    ngx_str_t                   api_version;

    /* 0: live events; else ngx_sluice_res_type_e + 1 (resource.c) */
    ngx_uint_t                  resource;
    ngx_str_t                   parent;         /* live event of outputs */

    /* "{scheme}://{host}/subscriptions/.../mediaservices/{account}" */
    ngx_str_t                   base;

    /* who called: a key's name or a JWT's subject, and its role */
    ngx_str_t                   principal;
    ngx_uint_t                  role;           /* sluice_role_t */
    unsigned                    invalid_token:1; /* 401 error= */

    sluice_alloc_t              alloc;          /* from r->pool */
    sluice_json_t              *body;           /* parsed, or NULL */
    ngx_http_sluice_main_conf_t *conf;

    /* changes being stored before the answer (api_store.c), or NULL */
    void                       *store;

    off_t                       body_len;       /* read so far */
} ngx_http_sluice_api_ctx_t;


ngx_int_t ngx_http_sluice_api_handler(ngx_http_request_t *r);

/* the request body filter that bounds API bodies (postconfiguration) */
ngx_int_t ngx_http_sluice_api_init_body_filter(ngx_conf_t *cf);

/* sends {"error":{"code","message"}} with status; returns for the handler */
ngx_int_t ngx_http_sluice_api_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *code, const char *fmt, ...);

/* sends body (NULL: no body) with status */
ngx_int_t ngx_http_sluice_api_send(ngx_http_request_t *r, ngx_uint_t status,
    sluice_json_t *body);

ngx_int_t ngx_http_sluice_api_add_header(ngx_http_request_t *r,
    const char *key, ngx_str_t *value);

#define ngx_http_sluice_seg_is(s, lit)                                       \
    ((s)->len == sizeof(lit) - 1                                             \
     && ngx_strncasecmp((s)->data, (u_char *) lit, sizeof(lit) - 1) == 0)

#define NGX_HTTP_SLUICE_ROUTE_ACTION  0x01
#define NGX_HTTP_SLUICE_ROUTE_OPLOC   0x02

/*
 * The route of the n segments after a collection: its list, {name},
 * {name}/{action} and {name}/operationLocations/{id} as flags allow.
 * NGX_OK, or NGX_DECLINED (no route).
 */
ngx_int_t ngx_http_sluice_api_route_item(ngx_http_sluice_api_ctx_t *ctx,
    ngx_str_t *seg, ngx_uint_t n, ngx_uint_t flags);

/* fills buf with n random bytes */
void ngx_http_sluice_random(u_char *buf, size_t n);

/* a sluice_alloc_t allocating from pool */
void ngx_http_sluice_pool_alloc(sluice_alloc_t *a, ngx_pool_t *pool);



#endif /* _NGX_HTTP_SLUICE_API_H_INCLUDED_ */
