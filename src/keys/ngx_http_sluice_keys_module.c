
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * sluice_key_delivery: the key delivery service of content keys, at the
 * paths of AMS key delivery below the location's prefix:
 *
 *   GET  {prefix}/?kid={uuid}       AES-128 key: 16 raw bytes
 *   POST {prefix}/ClearKey/         W3C ClearKey licence (JSON)
 *   POST {prefix}/PlayReady/, {prefix}/Widevine/?kid=,
 *        {prefix}/FairPlay/?kid=    not issued: an error that says so
 *
 * A key is found by KID among the streaming locators' content keys and
 * given when an option of its content key policy allows it: the options
 * with a ClearKey configuration, tried in order, Open or with a token
 * restriction the request's token meets (ngx_http_sluice_keys_policy.c).
 * The token comes in "Authorization: Bearer <token>" (or "Bearer=",
 * URL-encoded or not) or in a "token" query parameter.
 *
 * Every response carries CORS headers (browser players fetch keys from
 * another origin) and "Cache-Control: no-store".  Neither keys nor
 * tokens are logged.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "keys/ngx_http_sluice_keys_module.h"
#include "keys/ngx_http_sluice_keys_clearkey.h"
#include "keys/ngx_http_sluice_keys_policy.h"
#include "core/ngx_sluice_metrics.h"
#include "core/ngx_sluice_zone.h"
#include "util/sluice_json.h"
#include "util/sluice_token.h"
#include "util/sluice_uuid.h"


typedef struct {
    ngx_shm_zone_t              *shm_zone;  /* "sluice_zone", or NULL */
} ngx_http_sluice_keys_main_conf_t;


typedef struct {
    time_t                       skew;
} ngx_http_sluice_keys_loc_conf_t;


/* what a request asks for, by the path below the location's prefix */
typedef enum {
    NGX_HTTP_SLUICE_KEYS_AES = 0,
    NGX_HTTP_SLUICE_KEYS_CLEARKEY,
    NGX_HTTP_SLUICE_KEYS_PLAYREADY,
    NGX_HTTP_SLUICE_KEYS_WIDEVINE,
    NGX_HTTP_SLUICE_KEYS_FAIRPLAY,
    NGX_HTTP_SLUICE_KEYS_NONE
} ngx_http_sluice_keys_kind_e;


typedef struct {
    ngx_str_t                    path;
    const char                  *message;   /* DRM licences: not issued */
} ngx_http_sluice_keys_route_t;


static ngx_int_t ngx_http_sluice_keys_handler(ngx_http_request_t *r);
static ngx_uint_t ngx_http_sluice_keys_route(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_keys_aes(ngx_http_sluice_keys_req_t *kr);
static ngx_int_t ngx_http_sluice_keys_start(ngx_http_request_t *r,
    ngx_http_sluice_keys_req_t **krp);
static void ngx_http_sluice_keys_token(ngx_http_sluice_keys_req_t *kr);
static ngx_int_t ngx_http_sluice_keys_options(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_keys_not_allowed(ngx_http_request_t *r,
    char *allow);
static ngx_int_t ngx_http_sluice_keys_respond(ngx_http_request_t *r,
    ngx_uint_t status, char *type, u_char *body, size_t len);
static ngx_int_t ngx_http_sluice_keys_cors(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_keys_header(ngx_http_request_t *r,
    char *key, char *value, size_t len);
static void *ngx_http_sluice_keys_alloc(void *ctx, size_t size);
static ngx_int_t ngx_http_sluice_keys_init(ngx_conf_t *cf);
static void *ngx_http_sluice_keys_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_sluice_keys_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_sluice_keys_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static char *ngx_http_sluice_key_delivery(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


/* indexed by ngx_http_sluice_keys_kind_e */
static ngx_http_sluice_keys_route_t  ngx_http_sluice_keys_routes[] = {

    { ngx_string(""), NULL },

    { ngx_string("ClearKey"), NULL },

    { ngx_string("PlayReady"),
      "Sluice does not issue PlayReady licences.  Point the streaming "
      "policy's drm.playReady.customLicenseAcquisitionUrlTemplate at a "
      "PlayReady licence service given the locator's keys "
      "(listContentKeys)." },

    { ngx_string("Widevine"),
      "Sluice does not issue Widevine licences.  Point the streaming "
      "policy's drm.widevine.customLicenseAcquisitionUrlTemplate at a "
      "Widevine licence service given the locator's keys "
      "(listContentKeys)." },

    { ngx_string("FairPlay"),
      "Sluice does not issue FairPlay licences (CKC).  Point the streaming "
      "policy's drm.fairPlay.customLicenseAcquisitionUrlTemplate at a "
      "FairPlay key server given the locator's keys (listContentKeys)." },

    { ngx_null_string, NULL }
};


static ngx_command_t  ngx_http_sluice_keys_commands[] = {

    { ngx_string("sluice_key_delivery"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_sluice_key_delivery,
      0,
      0,
      NULL },

    { ngx_string("sluice_key_clock_skew"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sluice_keys_loc_conf_t, skew),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_sluice_keys_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_sluice_keys_init,             /* postconfiguration */

    ngx_http_sluice_keys_create_main_conf, /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_sluice_keys_create_loc_conf,  /* create location configuration */
    ngx_http_sluice_keys_merge_loc_conf    /* merge location configuration */
};


ngx_module_t  ngx_http_sluice_keys_module = {
    NGX_MODULE_V1,
    &ngx_http_sluice_keys_module_ctx,      /* module context */
    ngx_http_sluice_keys_commands,         /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_http_sluice_keys_handler(ngx_http_request_t *r)
{
    ngx_int_t                    rc;
    ngx_uint_t                   kind;
    ngx_http_sluice_keys_req_t  *kr;

    if (r->method == NGX_HTTP_OPTIONS) {
        return ngx_http_sluice_keys_options(r);
    }

    kind = ngx_http_sluice_keys_route(r);

    if (kind == NGX_HTTP_SLUICE_KEYS_CLEARKEY
        && r->method == NGX_HTTP_POST)
    {
        rc = ngx_http_sluice_keys_start(r, &kr);
        if (rc != NGX_OK) {
            return rc;
        }

        ngx_sluice_metrics_zcount(kr->zctx, key_requests,
                                  NGX_SLUICE_MX_KEY_CLEARKEY);

        return ngx_http_sluice_keys_clearkey(kr);
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    switch (kind) {

    case NGX_HTTP_SLUICE_KEYS_NONE:
        return ngx_http_sluice_keys_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Not a key delivery path: {prefix}/?kid=, "
                   "{prefix}/ClearKey/.");

    case NGX_HTTP_SLUICE_KEYS_CLEARKEY:
        return ngx_http_sluice_keys_not_allowed(r, "POST, OPTIONS");

    case NGX_HTTP_SLUICE_KEYS_AES:
        break;

    default:
        return ngx_http_sluice_keys_error(r, NGX_HTTP_NOT_IMPLEMENTED,
                   "LicenseNotSupported",
                   ngx_http_sluice_keys_routes[kind].message);
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_POST))) {
        return ngx_http_sluice_keys_not_allowed(r, "GET, POST, OPTIONS");
    }

    rc = ngx_http_sluice_keys_start(r, &kr);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_sluice_metrics_zcount(kr->zctx, key_requests,
                              NGX_SLUICE_MX_KEY_AES);

    return ngx_http_sluice_keys_aes(kr);
}


/*
 * The path below the prefix of the location, slashes around it
 * dropped: "" (AES-128 keys), "ClearKey", "PlayReady"... in any case
 */

static ngx_uint_t
ngx_http_sluice_keys_route(ngx_http_request_t *r)
{
    u_char                    *p, *last;
    ngx_uint_t                 i;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    p = r->uri.data;
    last = p + r->uri.len;

#if (NGX_PCRE)
    if (clcf->regex == NULL)
#endif
    {
        if (clcf->name.len <= r->uri.len
            && ngx_strncmp(p, clcf->name.data, clcf->name.len) == 0)
        {
            p += clcf->name.len;
        }
    }

    while (p < last && *p == '/') {
        p++;
    }

    while (last > p && last[-1] == '/') {
        last--;
    }

    for (i = 0; ngx_http_sluice_keys_routes[i].path.data; i++) {
        if ((size_t) (last - p) == ngx_http_sluice_keys_routes[i].path.len
            && ngx_strncasecmp(p, ngx_http_sluice_keys_routes[i].path.data,
                               last - p)
               == 0)
        {
            return i;
        }
    }

    return NGX_HTTP_SLUICE_KEYS_NONE;
}


/* GET {prefix}/?kid={uuid} (or KID=): the 16 bytes of the key */

static ngx_int_t
ngx_http_sluice_keys_aes(ngx_http_sluice_keys_req_t *kr)
{
    ngx_str_t               v;
    ngx_http_request_t     *r;
    ngx_http_sluice_key_t  *key;

    r = kr->request;
    key = &kr->keys[0];

    if (ngx_http_arg(r, (u_char *) "kid", 3, &v) != NGX_OK
        || sluice_uuid_parse(v.data, v.len, key->kid) != SLUICE_OK)
    {
        return ngx_http_sluice_keys_error(r, NGX_HTTP_BAD_REQUEST,
                   "InvalidKeyIdentifier",
                   "The kid query parameter must be a key identifier: a "
                   "UUID of 8-4-4-4-12 hex digits.");
    }

    kr->nkeys = 1;

    if (ngx_http_sluice_keys_lookup(kr) != NGX_OK
        || ngx_http_sluice_keys_authorize(kr, key) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (key->status) {
        return ngx_http_sluice_keys_refused(kr);
    }

    return ngx_http_sluice_keys_send(r, "application/octet-stream",
                                     key->value, NGX_SLUICE_KEY_LEN);
}


/* the request's context: its zone, clock skew and token */

static ngx_int_t
ngx_http_sluice_keys_start(ngx_http_request_t *r,
    ngx_http_sluice_keys_req_t **krp)
{
    ngx_http_sluice_keys_req_t        *kr;
    ngx_http_sluice_keys_loc_conf_t   *klcf;
    ngx_http_sluice_keys_main_conf_t  *kmcf;

    kmcf = ngx_http_get_module_main_conf(r, ngx_http_sluice_keys_module);
    klcf = ngx_http_get_module_loc_conf(r, ngx_http_sluice_keys_module);

    if (kmcf->shm_zone == NULL || kmcf->shm_zone->data == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice_key_delivery needs a \"sluice_zone\"");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    kr = ngx_pcalloc(r->pool, sizeof(ngx_http_sluice_keys_req_t));
    if (kr == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    kr->request = r;
    kr->zctx = kmcf->shm_zone->data;
    kr->skew = klcf->skew;
    kr->alloc.alloc = ngx_http_sluice_keys_alloc;
    kr->alloc.ctx = r->pool;

    ngx_http_sluice_keys_token(kr);

    ngx_http_set_ctx(r, kr, ngx_http_sluice_keys_module);

    *krp = kr;

    return NGX_OK;
}


/* Authorization: Bearer <t> (its forms), else ?token=<t>; "" if none */

static void
ngx_http_sluice_keys_token(ngx_http_sluice_keys_req_t *kr)
{
    u_char              *buf;
    ngx_str_t            v;
    ngx_table_elt_t     *h;
    ngx_http_request_t  *r;

    r = kr->request;
    h = r->headers_in.authorization;

    if (h && h->value.len) {
        buf = ngx_pnalloc(r->pool, h->value.len);

        if (buf) {
            kr->token.data = buf;
            kr->token.len = sluice_token_from_header(h->value.data,
                                                     h->value.len, buf);
        }
    }

    if (kr->token.len == 0
        && ngx_http_arg(r, (u_char *) "token", 5, &v) == NGX_OK
        && v.len)
    {
        buf = ngx_pnalloc(r->pool, v.len);

        if (buf) {
            kr->token.data = buf;
            kr->token.len = sluice_token_from_query(v.data, v.len, buf);
        }
    }

    /* the token itself is never logged, a checksum at debug level only */
    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sluice key delivery: token of %uz bytes, crc32 %08xD",
                   kr->token.len,
                   kr->token.len ? ngx_crc32_long(kr->token.data,
                                                  kr->token.len)
                                 : 0);
}


ngx_int_t
ngx_http_sluice_keys_refused(ngx_http_sluice_keys_req_t *kr)
{
    ngx_uint_t              i;
    ngx_http_sluice_key_t  *key;

    key = &kr->keys[0];

    for (i = 0; i < kr->nkeys; i++) {
        if (kr->keys[i].found) {
            key = &kr->keys[i];
            break;
        }
    }

    if (key->reason < NGX_SLUICE_MX_REFUSALS) {
        ngx_sluice_metrics_zcount(kr->zctx, key_refusals, key->reason);
    }

    return ngx_http_sluice_keys_error(kr->request, key->status, key->code,
                                      key->message);
}


/* --- responses ---------------------------------------------------------- */

/* a CORS preflight */

static ngx_int_t
ngx_http_sluice_keys_options(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_sluice_keys_cors(r) != NGX_OK
        || ngx_http_sluice_keys_header(r, "Access-Control-Allow-Methods",
                                       "GET, POST, OPTIONS", 0)
           != NGX_OK
        || ngx_http_sluice_keys_header(r, "Access-Control-Allow-Headers",
                                       "Authorization, Content-Type", 0)
           != NGX_OK
        || ngx_http_sluice_keys_header(r, "Access-Control-Max-Age",
                                       "86400", 0)
           != NGX_OK
        || ngx_http_sluice_keys_header(r, "Allow", "GET, POST, OPTIONS", 0)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_NO_CONTENT;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    return ngx_http_send_header(r);
}


static ngx_int_t
ngx_http_sluice_keys_not_allowed(ngx_http_request_t *r, char *allow)
{
    if (ngx_http_sluice_keys_header(r, "Allow", allow, 0) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_keys_error(r, NGX_HTTP_NOT_ALLOWED,
                                      "MethodNotAllowed",
                                      "The HTTP method is not allowed.");
}


ngx_int_t
ngx_http_sluice_keys_send(ngx_http_request_t *r, char *type, u_char *body,
    size_t len)
{
    return ngx_http_sluice_keys_respond(r, NGX_HTTP_OK, type, body, len);
}


ngx_int_t
ngx_http_sluice_keys_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message)
{
    u_char  *body, *p;
    size_t   len, clen, mlen;

    clen = ngx_strlen(code);
    mlen = ngx_strlen(message);

    len = sizeof("{\"error\":{\"code\":,\"message\":}}") - 1
          + sluice_json_write_string((u_char *) code, clen, NULL)
          + sluice_json_write_string((u_char *) message, mlen, NULL);

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_cpymem(body, "{\"error\":{\"code\":",
                   sizeof("{\"error\":{\"code\":") - 1);
    p += sluice_json_write_string((u_char *) code, clen, p);
    p = ngx_cpymem(p, ",\"message\":", sizeof(",\"message\":") - 1);
    p += sluice_json_write_string((u_char *) message, mlen, p);
    *p++ = '}';
    *p++ = '}';

    return ngx_http_sluice_keys_respond(r, status,
                                        "application/json; charset=utf-8",
                                        body, p - body);
}


static ngx_int_t
ngx_http_sluice_keys_respond(ngx_http_request_t *r, ngx_uint_t status,
    char *type, u_char *body, size_t len)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    if (ngx_http_sluice_keys_cors(r) != NGX_OK
        || ngx_http_sluice_keys_header(r, "Cache-Control", "no-store", 0)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = status;
    r->headers_out.content_type.data = (u_char *) type;
    r->headers_out.content_type.len = ngx_strlen(type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.content_length_n = len;

    if (len == 0 || r->method == NGX_HTTP_HEAD) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = body;
    b->last = body + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * Access-Control-Allow-Origin: the request's Origin (with credentials
 * allowed: dash.js sends licence requests that carry an Authorization
 * header with credentials), else "*"
 */

static ngx_int_t
ngx_http_sluice_keys_cors(ngx_http_request_t *r)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == sizeof("Origin") - 1
            && h[i].value.len
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Origin",
                               sizeof("Origin") - 1)
               == 0)
        {
            if (ngx_http_sluice_keys_header(r, "Vary", "Origin", 0)
                != NGX_OK
                || ngx_http_sluice_keys_header(r,
                                       "Access-Control-Allow-Credentials",
                                       "true", 0)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }

            return ngx_http_sluice_keys_header(r,
                                               "Access-Control-Allow-Origin",
                                               (char *) h[i].value.data,
                                               h[i].value.len);
        }
    }

    return ngx_http_sluice_keys_header(r, "Access-Control-Allow-Origin", "*",
                                       0);
}


/* adds a response header; len 0: value is NUL-terminated */

static ngx_int_t
ngx_http_sluice_keys_header(ngx_http_request_t *r, char *key, char *value,
    size_t len)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) key;
    h->key.len = ngx_strlen(key);
    h->value.data = (u_char *) value;
    h->value.len = len ? len : ngx_strlen(value);

    return NGX_OK;
}


static void *
ngx_http_sluice_keys_alloc(void *ctx, size_t size)
{
    return ngx_palloc(ctx, size);
}


/* --- configuration ------------------------------------------------------ */

static void *
ngx_http_sluice_keys_create_main_conf(ngx_conf_t *cf)
{
    /*
     * set by ngx_pcalloc():
     *
     *     kmcf->shm_zone = NULL;
     */

    return ngx_pcalloc(cf->pool, sizeof(ngx_http_sluice_keys_main_conf_t));
}


/* the zone of this configuration, as the packager finds it */

static ngx_int_t
ngx_http_sluice_keys_init(ngx_conf_t *cf)
{
    ngx_http_sluice_keys_main_conf_t  *kmcf;

    kmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_sluice_keys_module);

    kmcf->shm_zone = ngx_sluice_zone_lookup(cf->cycle);

    return NGX_OK;
}


static void *
ngx_http_sluice_keys_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_sluice_keys_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_sluice_keys_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    conf->skew = NGX_CONF_UNSET;

    return conf;
}


static char *
ngx_http_sluice_keys_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_sluice_keys_loc_conf_t *prev = parent;
    ngx_http_sluice_keys_loc_conf_t *conf = child;

    ngx_conf_merge_sec_value(conf->skew, prev->skew, SLUICE_TOKEN_SKEW);

    return NGX_CONF_OK;
}


static char *
ngx_http_sluice_key_delivery(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        return "is duplicate or conflicts with another content handler";
    }

    clcf->handler = ngx_http_sluice_keys_handler;

    return NGX_CONF_OK;
}
