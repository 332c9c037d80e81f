
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_keys_module.c: the key delivery service
 * (sluice_key_delivery): directives, routing, the AES-128 key route,
 * and the responses the other files of the service send through it.
 */


#ifndef _NGX_HTTP_SLUICE_KEYS_MODULE_H_INCLUDED_
#define _NGX_HTTP_SLUICE_KEYS_MODULE_H_INCLUDED_


#include "keys/ngx_http_sluice_keys.h"


extern ngx_module_t  ngx_http_sluice_keys_module;


/*
 * A 200 response of body[0..len) of that type, with the CORS headers
 * and "Cache-Control: no-store"; returns an nginx rc
 */
ngx_int_t ngx_http_sluice_keys_send(ngx_http_request_t *r, char *type,
    u_char *body, size_t len);

/* an error {"error": {"code": ..., "message": ...}}, same headers */
ngx_int_t ngx_http_sluice_keys_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *code, const char *message);

/*
 * The error when no key of kr is delivered: the refusal of the first
 * key that exists, else of the first key (404)
 */
ngx_int_t ngx_http_sluice_keys_refused(ngx_http_sluice_keys_req_t *kr);


#endif /* _NGX_HTTP_SLUICE_KEYS_MODULE_H_INCLUDED_ */
