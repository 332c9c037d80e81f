
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_keys_clearkey.c: POST {prefix}/ClearKey/, the W3C EME
 * ClearKey licence request ({"kids": [base64url KIDs], "type": ...}),
 * answered with a JWK set of the keys the request's token gets.
 */


#ifndef _NGX_HTTP_SLUICE_KEYS_CLEARKEY_H_INCLUDED_
#define _NGX_HTTP_SLUICE_KEYS_CLEARKEY_H_INCLUDED_


#include "keys/ngx_http_sluice_keys.h"


/* request bodies larger than this are refused (413) */
#define NGX_HTTP_SLUICE_KEYS_MAX_BODY  4096


/* reads the body, then answers; returns an nginx rc (NGX_DONE) */
ngx_int_t ngx_http_sluice_keys_clearkey(ngx_http_sluice_keys_req_t *kr);


#endif /* _NGX_HTTP_SLUICE_KEYS_CLEARKEY_H_INCLUDED_ */
