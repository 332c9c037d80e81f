
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Who may call the REST API (ngx_http_sluice_api_auth.c): the
 * directives of API keys and of JWTs (sluice_api_key, sluice_api_jwks,
 * sluice_api_jwt_*), authentication of a request's bearer credential
 * (401) and authorization of its route by the caller's role (403).
 */


#ifndef _NGX_HTTP_SLUICE_API_AUTH_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_AUTH_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api.h"


/* a sluice_api_key: its name, the digest of the key, its role */
typedef struct {
    ngx_str_t                   name;
    u_char                      digest[SLUICE_BEARER_DIGEST_LEN];
    ngx_uint_t                  role;           /* sluice_role_t */
} ngx_http_sluice_key_t;


char *ngx_http_sluice_api_key(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sluice_api_jwks(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sluice_api_jwt_strings(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sluice_api_jwt_role(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sluice_api_jwt_default_role(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);

/* the directives together (init main conf) */
char *ngx_http_sluice_auth_init(ngx_conf_t *cf,
    ngx_http_sluice_auth_conf_t *ac);

/*
 * The caller of r into ctx->principal and ctx->role: NGX_OK, or a 401
 * sent (the handler's return value).
 */
ngx_int_t ngx_http_sluice_api_authenticate(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);

/* the route allowed to ctx->role: NGX_OK, or a 403 sent (routed first) */
ngx_int_t ngx_http_sluice_api_authorize(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);

/*
 * Who made request r (authenticated), for systemData (createdBy,
 * lastModifiedBy): a named key's name or a token's subject, and its AMS
 * identity type: "Key" for an API key, "Application" for a token (an
 * Azure AD application's service principal); "sluice" for a key
 * without a name.
 */
void ngx_http_sluice_api_identity(ngx_http_request_t *r, ngx_str_t *name,
    const char **type);


#endif /* _NGX_HTTP_SLUICE_API_AUTH_H_INCLUDED_ */
