
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Who may call the REST API.  A request carries "Authorization: Bearer
 * <credential>": an API key of sluice_api_key (its SHA-256 digest
 * compared with every key's, in constant time), or a JWT checked
 * against the JWKS of sluice_api_jwks, read when the configuration is
 * (a file that does not parse fails nginx -t, start and reload).  The
 * caller then has a role: reader, contributor or owner (ARM's built-in
 * roles; Sluice has no API managing keys, so owner may do what
 * contributor may).  Neither keys nor tokens are ever logged.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_auth.h"
#include "api/ngx_http_sluice_api_resource.h"


#define NGX_HTTP_SLUICE_JWKS_MAX_SIZE  (1024 * 1024)


static ngx_int_t ngx_http_sluice_api_bearer(ngx_str_t *h, ngx_str_t *token);
static ngx_int_t ngx_http_sluice_api_key_find(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_str_t *token);
static ngx_int_t ngx_http_sluice_api_jwt(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_str_t *token);
static ngx_uint_t ngx_http_sluice_api_needs(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);
static ngx_int_t ngx_http_sluice_api_key_name_ok(ngx_str_t *name);
static u_char *ngx_http_sluice_conf_read(ngx_conf_t *cf, ngx_str_t *path,
    size_t *len);


/* the POST actions that only read, and reveal no secret */
static ngx_str_t  ngx_http_sluice_api_read_actions[] = {
    ngx_string("getStatus"),                    /* live events */
    ngx_string("getStreamEvents"),
    ngx_string("getTrackIngestHeartbeats"),
    ngx_string("listPaths"),                    /* streaming locators */
    ngx_string("listStreamingLocators"),        /* assets */
    ngx_null_string
};


/* --- directives --------------------------------------------------------- */

/* sluice_api_key KEY;  sluice_api_key NAME KEY [role=ROLE]; */

char *
ngx_http_sluice_api_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sluice_main_conf_t *smcf = conf;

    int                     role;
    ngx_str_t              *value, *secret, name;
    ngx_uint_t              i, n;
    ngx_http_sluice_key_t  *k, *keys;

    value = cf->args->elts;
    n = cf->args->nelts;

    if (smcf->auth.keys == NULL) {
        smcf->auth.keys = ngx_array_create(cf->pool, 2,
                                           sizeof(ngx_http_sluice_key_t));
        if (smcf->auth.keys == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    role = SLUICE_ROLE_OWNER;

    if (n == 2) {
        /* the unnamed form of old: "key#1", "key#2"... in messages */
        secret = &value[1];

        name.data = ngx_pnalloc(cf->pool, sizeof("key#") + NGX_INT_T_LEN);
        if (name.data == NULL) {
            return NGX_CONF_ERROR;
        }

        name.len = ngx_sprintf(name.data, "key#%ui",
                               smcf->auth.keys->nelts + 1)
                   - name.data;

    } else {
        name = value[1];
        secret = &value[2];

        if (ngx_strncmp(secret->data, "role=", 5) == 0
            || !ngx_http_sluice_api_key_name_ok(&name))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "a named key is \"sluice_api_key NAME KEY "
                               "[role=reader|contributor|owner]\", NAME of "
                               "letters, digits, '-', '_' and '.'");
            return NGX_CONF_ERROR;
        }

        if (n == 4) {
            role = -1;

            if (value[3].len > 5
                && ngx_strncmp(value[3].data, "role=", 5) == 0)
            {
                role = sluice_role_parse(value[3].data + 5, value[3].len - 5);
            }

            if (role <= SLUICE_ROLE_NONE) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid key role \"%V\": "
                                   "role=reader, role=contributor or "
                                   "role=owner", &value[3]);
                return NGX_CONF_ERROR;
            }
        }
    }

    if (secret->len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "the key \"%V\" is empty",
                           &name);
        return NGX_CONF_ERROR;
    }

    k = ngx_array_push(smcf->auth.keys);
    if (k == NULL) {
        return NGX_CONF_ERROR;
    }

    k->name = name;
    k->role = role;

    if (sluice_bearer_digest(secret->data, secret->len, k->digest)
        != SLUICE_OK)
    {
        return NGX_CONF_ERROR;
    }

    keys = smcf->auth.keys->elts;

    for (i = 0; i + 1 < smcf->auth.keys->nelts; i++) {
        if (keys[i].name.len == name.len
            && ngx_strncmp(keys[i].name.data, name.data, name.len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate key name \"%V\"", &name);
            return NGX_CONF_ERROR;
        }

        /* one key, two roles: which? (the key itself is not printed) */
        if (sluice_bearer_digest_eq(keys[i].digest, k->digest)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "the key \"%V\" is the same as the key "
                               "\"%V\"", &name, &keys[i].name);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_sluice_api_key_name_ok(ngx_str_t *name)
{
    u_char      c;
    ngx_uint_t  i;

    if (name->len == 0 || name->len > 64) {
        return 0;
    }

    for (i = 0; i < name->len; i++) {
        c = name->data[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
        {
            return 0;
        }
    }

    return 1;
}


/* sluice_api_jwks FILE: read and checked now, an error fails the start */

char *
ngx_http_sluice_api_jwks(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sluice_main_conf_t *smcf = conf;

    char             err[256];
    u_char          *data;
    size_t           len;
    ngx_str_t       *value, path;
    sluice_alloc_t   a;
    sluice_jwks_t   *jwks;

    if (smcf->auth.jwks) {
        return "is duplicate";
    }

    value = cf->args->elts;
    path = value[1];

    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    data = ngx_http_sluice_conf_read(cf, &path, &len);
    if (data == NULL) {
        return NGX_CONF_ERROR;
    }

    jwks = ngx_pcalloc(cf->pool, sizeof(sluice_jwks_t));
    if (jwks == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_http_sluice_pool_alloc(&a, cf->pool);

    if (sluice_jwks_parse(&a, data, len, jwks, err, sizeof(err))
        != SLUICE_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid JWKS \"%V\": %s", &path, err);
        return NGX_CONF_ERROR;
    }

    if (jwks->nskipped) {
        ngx_conf_log_error(NGX_LOG_NOTICE, cf, 0,
                           "JWKS \"%V\": %uz keys, %uz skipped (not RS256 "
                           "or ES256 signing keys)", &path, jwks->nkeys,
                           jwks->nskipped);
    }

    smcf->auth.jwks = jwks;

    return NGX_CONF_OK;
}


/* a whole file of the configuration into cf->pool; NULL: logged */

static u_char *
ngx_http_sluice_conf_read(ngx_conf_t *cf, ngx_str_t *path, size_t *len)
{
    u_char           *data;
    ssize_t           n;
    ngx_file_t        file;
    ngx_file_info_t   fi;

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = *path;
    file.log = cf->log;

    file.fd = ngx_open_file(path->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", path);
        return NULL;
    }

    data = NULL;

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%V\" failed", path);
        goto done;
    }

    if (ngx_file_size(&fi) > NGX_HTTP_SLUICE_JWKS_MAX_SIZE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" is larger than %d bytes", path,
                           NGX_HTTP_SLUICE_JWKS_MAX_SIZE);
        goto done;
    }

    *len = (size_t) ngx_file_size(&fi);

    data = ngx_pnalloc(cf->pool, *len + 1);
    if (data == NULL) {
        goto done;
    }

    n = ngx_read_file(&file, data, *len, 0);

    if (n != (ssize_t) *len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": a short read", path);
        data = NULL;
    }

done:

    if (ngx_close_file(file.fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%V\" failed", path);
    }

    return data;
}


/* sluice_api_jwt_issuer, sluice_api_jwt_audience: values appended */

char *
ngx_http_sluice_api_jwt_strings(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char  *p = conf;

    ngx_str_t      *value;
    ngx_uint_t      i;
    ngx_array_t   **a;
    sluice_str_t   *s;

    a = (ngx_array_t **) (p + cmd->offset);

    if (*a == NULL) {
        *a = ngx_array_create(cf->pool, 2, sizeof(sluice_str_t));
        if (*a == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        if (value[i].len == 0) {
            return "takes no empty value";
        }

        s = ngx_array_push(*a);
        if (s == NULL) {
            return NGX_CONF_ERROR;
        }

        s->data = value[i].data;
        s->len = value[i].len;
    }

    return NGX_CONF_OK;
}


/* sluice_api_jwt_role VALUE ROLE: a value of the "roles" claim */

char *
ngx_http_sluice_api_jwt_role(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sluice_main_conf_t *smcf = conf;

    int                 role;
    ngx_str_t          *value;
    sluice_role_map_t  *m;

    value = cf->args->elts;

    role = sluice_role_parse(value[2].data, value[2].len);

    if (role <= SLUICE_ROLE_NONE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid role \"%V\": reader, contributor or "
                           "owner", &value[2]);
        return NGX_CONF_ERROR;
    }

    if (smcf->auth.roles == NULL) {
        smcf->auth.roles = ngx_array_create(cf->pool, 3,
                                            sizeof(sluice_role_map_t));
        if (smcf->auth.roles == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    m = ngx_array_push(smcf->auth.roles);
    if (m == NULL) {
        return NGX_CONF_ERROR;
    }

    m->value.data = value[1].data;
    m->value.len = value[1].len;
    m->role = (sluice_role_t) role;

    return NGX_CONF_OK;
}


char *
ngx_http_sluice_api_jwt_default_role(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_sluice_main_conf_t *smcf = conf;

    int         role;
    ngx_str_t  *value;

    if (smcf->auth.default_role != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    role = sluice_role_parse(value[1].data, value[1].len);

    if (role < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid role \"%V\": none, reader, contributor "
                           "or owner", &value[1]);
        return NGX_CONF_ERROR;
    }

    smcf->auth.default_role = role;

    return NGX_CONF_OK;
}


char *
ngx_http_sluice_auth_init(ngx_conf_t *cf, ngx_http_sluice_auth_conf_t *ac)
{
    if (ac->jwks == NULL) {
        if (ac->issuers || ac->audiences || ac->roles
            || ac->default_role != NGX_CONF_UNSET_UINT)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "the sluice_api_jwt_* directives need "
                               "\"sluice_api_jwks\"");
            return NGX_CONF_ERROR;
        }

    } else if (ac->issuers == NULL || ac->audiences == NULL) {
        /* a token of any issuer or any audience would be let in */
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sluice_api_jwks\" needs "
                           "\"sluice_api_jwt_issuer\" and "
                           "\"sluice_api_jwt_audience\"");
        return NGX_CONF_ERROR;
    }

    ngx_conf_init_uint_value(ac->default_role, SLUICE_ROLE_NONE);

    return NGX_CONF_OK;
}


/* --- requests ----------------------------------------------------------- */

ngx_int_t
ngx_http_sluice_api_authenticate(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_int_t                     rc;
    ngx_str_t                     token;
    ngx_http_sluice_auth_conf_t  *ac;

    ac = &ctx->conf->auth;

    if (r->headers_in.authorization == NULL
        || ngx_http_sluice_api_bearer(&r->headers_in.authorization->value,
                                      &token)
           != NGX_OK)
    {
        return ngx_http_sluice_api_error(r, NGX_HTTP_UNAUTHORIZED,
                   "AuthenticationFailed",
                   "Authentication failed. The 'Authorization' header is "
                   "missing or does not carry a bearer key or token.");
    }

    rc = ngx_http_sluice_api_key_find(r, ctx, &token);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    /* a JWT: base64url parts joined by dots */
    if (ac->jwks && ngx_strlchr(token.data, token.data + token.len, '.')) {
        return ngx_http_sluice_api_jwt(r, ctx, &token);
    }

    ctx->invalid_token = 1;

    return ngx_http_sluice_api_error(r, NGX_HTTP_UNAUTHORIZED,
               "AuthenticationFailed",
               "Authentication failed. The 'Authorization' header does not "
               "carry a valid bearer key or token.");
}


/* "Bearer <credential>", the scheme in any case */

static ngx_int_t
ngx_http_sluice_api_bearer(ngx_str_t *h, ngx_str_t *token)
{
    u_char  *p, *last;

    if (h->len < sizeof("Bearer ") - 1
        || ngx_strncasecmp(h->data, (u_char *) "Bearer ",
                           sizeof("Bearer ") - 1) != 0)
    {
        return NGX_DECLINED;
    }

    p = h->data + sizeof("Bearer ") - 1;
    last = h->data + h->len;

    while (p < last && *p == ' ') {
        p++;
    }

    while (last > p && last[-1] == ' ') {
        last--;
    }

    token->data = p;
    token->len = last - p;

    return token->len ? NGX_OK : NGX_DECLINED;
}


/*
 * NGX_OK: token is a key, its name and role in ctx; NGX_DECLINED: it is
 * none.  Every key's digest is compared with the token's, each
 * comparison taking the same time: neither which key matched nor how
 * much of one did shows in the time taken, and the digests hide the
 * keys' lengths.
 */

static ngx_int_t
ngx_http_sluice_api_key_find(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_str_t *token)
{
    u_char                  digest[SLUICE_BEARER_DIGEST_LEN];
    ngx_uint_t              i, match;
    ngx_http_sluice_key_t  *keys;

    if (ctx->conf->auth.keys == NULL) {
        return NGX_DECLINED;
    }

    if (sluice_bearer_digest(token->data, token->len, digest) != SLUICE_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    keys = ctx->conf->auth.keys->elts;
    match = 0;

    for (i = 0; i < ctx->conf->auth.keys->nelts; i++) {
        /* keys have distinct digests: one match at most */
        if (sluice_bearer_digest_eq(keys[i].digest, digest)) {
            match = i + 1;
        }
    }

    if (match == 0) {
        return NGX_DECLINED;
    }

    ctx->principal = keys[match - 1].name;
    ctx->role = keys[match - 1].role;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_api_jwt(ngx_http_request_t *r, ngx_http_sluice_api_ctx_t *ctx,
    ngx_str_t *token)
{
    size_t                        nmap;
    sluice_json_t                *claims, *sub;
    sluice_role_map_t            *map;
    sluice_jwt_result_t           rc;
    sluice_jwt_check_t            check;
    ngx_http_sluice_auth_conf_t  *ac;

    ac = &ctx->conf->auth;

    check.jwks = ac->jwks;
    check.issuers = ac->issuers->elts;
    check.nissuers = ac->issuers->nelts;
    check.audiences = ac->audiences->elts;
    check.naudiences = ac->audiences->nelts;
    check.now = ngx_time();
    check.skew = SLUICE_JWT_SKEW;

    claims = NULL;

    rc = sluice_jwt_verify(&ctx->alloc, &check, token->data, token->len,
                           &claims);

    if (rc == SLUICE_JWT_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice api: a bearer token could not be checked");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc != SLUICE_JWT_OK) {
        ctx->invalid_token = 1;

        return ngx_http_sluice_api_error(r, NGX_HTTP_UNAUTHORIZED,
                                         sluice_jwt_result_code(rc), "%s",
                                         sluice_jwt_result_text(rc));
    }

    map = ac->roles ? ac->roles->elts : NULL;
    nmap = ac->roles ? ac->roles->nelts : 0;

    ctx->role = sluice_bearer_role(claims, map, nmap,
                                   (sluice_role_t) ac->default_role);

    /* Azure AD: the object id of the application's service principal */
    sub = sluice_json_get(claims, "sub");

    if (sub && sub->type == SLUICE_JSON_STRING && sub->str.len) {
        ctx->principal.data = (u_char *) sub->str.data;
        ctx->principal.len = sub->str.len;

    } else {
        ngx_str_set(&ctx->principal, "(token without sub)");
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_api_authorize(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    u_char                action[256], *p, *last;
    ngx_uint_t            need;
    ngx_http_sluice_rt_t  *rt;

    need = ngx_http_sluice_api_needs(r, ctx);

    if (ctx->role >= need) {
        return NGX_OK;
    }

    /* ARM's action names: ".../liveevents/write", ".../start/action" */

    rt = ctx->resource ? ngx_http_sluice_res_type(ctx->resource - 1) : NULL;

    p = action;
    last = action + sizeof(action);

    p = ngx_slprintf(p, last, "%s/",
                     rt ? rt->arm_type : "Microsoft.Media/mediaservices");

    if (ctx->route == NGX_HTTP_SLUICE_R_ACTION) {
        p = ngx_slprintf(p, last, "%V/action", &ctx->action);

    } else if (r->method == NGX_HTTP_DELETE) {
        p = ngx_slprintf(p, last, "delete");

    } else {
        p = ngx_slprintf(p, last, "write");
    }

    return ngx_http_sluice_api_error(r, NGX_HTTP_FORBIDDEN,
               "AuthorizationFailed",
               "The client '%V' with role '%s' does not have authorization "
               "to perform action '%*s' over scope '/subscriptions/%V/"
               "resourceGroups/%V/providers/Microsoft.Media/mediaservices/"
               "%V'.", &ctx->principal,
               sluice_role_name((sluice_role_t) ctx->role),
               (size_t) (p - action), action, &ctx->subscription,
               &ctx->group, &ctx->account);
}


/* the role a routed request needs */

static ngx_uint_t
ngx_http_sluice_api_needs(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_str_t  *a;

    if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
        return SLUICE_ROLE_READER;
    }

    if (r->method == NGX_HTTP_POST
        && ctx->route == NGX_HTTP_SLUICE_R_ACTION)
    {
        for (a = ngx_http_sluice_api_read_actions; a->len; a++) {
            if (ctx->action.len == a->len
                && ngx_strncasecmp(ctx->action.data, a->data, a->len) == 0)
            {
                return SLUICE_ROLE_READER;
            }
        }
    }

    /* owner: no more than contributor, there is no key management API */
    return SLUICE_ROLE_CONTRIBUTOR;
}


void
ngx_http_sluice_api_identity(ngx_http_request_t *r, ngx_str_t *name,
    const char **type)
{
    ngx_uint_t                  i;
    ngx_http_sluice_key_t      *keys;
    ngx_http_sluice_api_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sluice_module);

    ngx_str_set(name, "sluice");
    *type = "Key";

    if (ctx == NULL || ctx->principal.len == 0) {
        return;
    }

    /* a key's principal is its name, the very string */

    if (ctx->conf->auth.keys) {
        keys = ctx->conf->auth.keys->elts;

        for (i = 0; i < ctx->conf->auth.keys->nelts; i++) {
            if (ctx->principal.data != keys[i].name.data) {
                continue;
            }

            /* the unnamed form of old: "key#N" */

            if (ngx_strlchr(keys[i].name.data,
                            keys[i].name.data + keys[i].name.len, '#')
                == NULL)
            {
                *name = keys[i].name;
            }

            return;
        }
    }

    *name = ctx->principal;
    *type = "Application";
}
