
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Types shared by the files of the key delivery service
 * (sluice_key_delivery): one request, and each content key it asks for,
 * from its KID to the decision.  What each file exports is declared in
 * its own header:
 *
 *   ngx_http_sluice_keys_module.h    the module, routing, responses
 *   ngx_http_sluice_keys_policy.h    KIDs looked up in the zone, the
 *                                    content key policy's options applied
 *   ngx_http_sluice_keys_clearkey.h  W3C ClearKey licence requests
 */


#ifndef _NGX_HTTP_SLUICE_KEYS_H_INCLUDED_
#define _NGX_HTTP_SLUICE_KEYS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "core/ngx_sluice.h"
#include "core/ngx_sluice_resource.h"
#include "util/sluice_base.h"


/* KIDs of one ClearKey licence request, at most */
#define NGX_HTTP_SLUICE_KEYS_MAX_KIDS  16


/* a content key asked for, and what the service decided */
typedef struct {
    u_char                       kid[NGX_SLUICE_KEY_LEN];

    /* copied out of the zone: the key, its policy name and document */
    ngx_uint_t                   found;
    ngx_uint_t                   inactive;      /* outside the locator's
                                                   startTime..endTime */
    u_char                       value[NGX_SLUICE_KEY_LEN];
    ngx_str_t                    policy;
    ngx_str_t                    json;          /* "": no such policy */

    /*
     * 0: delivered; else the HTTP status, an error code and message, and
     * the reason a metric counts it under (NGX_SLUICE_MX_REFUSED_*)
     */
    ngx_uint_t                   status;
    ngx_uint_t                   reason;
    const char                  *code;
    const char                  *message;
} ngx_http_sluice_key_t;


/* one request to the key service */
typedef struct {
    ngx_http_request_t          *request;
    ngx_sluice_zone_ctx_t       *zctx;

    ngx_str_t                    token;         /* "": none sent */
    time_t                       skew;          /* sluice_key_clock_skew */
    int64_t                      now_ms;        /* at the lookup */

    ngx_uint_t                   nkeys;
    ngx_http_sluice_key_t        keys[NGX_HTTP_SLUICE_KEYS_MAX_KIDS];

    sluice_alloc_t               alloc;         /* r->pool */
} ngx_http_sluice_keys_req_t;


#endif /* _NGX_HTTP_SLUICE_KEYS_H_INCLUDED_ */
