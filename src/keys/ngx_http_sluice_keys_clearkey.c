
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * W3C EME ClearKey licences (Encrypted Media Extensions, 9.1.3 and
 * 9.1.4):
 *
 *   {"kids": ["ABEiM0RVZneImaq7zN3u_w"], "type": "temporary"}
 *   -> {"keys": [{"kty": "oct", "kid": "ABEiM0RVZneImaq7zN3u_w",
 *                 "k": "AAECAwQFBgcICQoLDA0ODw"}], "type": "temporary"}
 *
 * Each KID is decided on its own (its locator, its content key policy);
 * the answer holds the keys the request gets, and is an error only when
 * it gets none.  Unknown KIDs are left out.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "keys/ngx_http_sluice_keys_clearkey.h"
#include "keys/ngx_http_sluice_keys_module.h"
#include "keys/ngx_http_sluice_keys_policy.h"
#include "util/sluice_base64.h"
#include "util/sluice_json.h"


#define NGX_HTTP_SLUICE_JWK  "{\"kty\":\"oct\",\"kid\":\"\",\"k\":\"\"}"

/* base64url of 16 bytes, no padding */
#define NGX_HTTP_SLUICE_KEY64_LEN  22


static void ngx_http_sluice_keys_clearkey_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_keys_clearkey_answer(
    ngx_http_sluice_keys_req_t *kr);
static ngx_int_t ngx_http_sluice_keys_clearkey_read(
    ngx_http_sluice_keys_req_t *kr, sluice_json_t **req);
static ngx_int_t ngx_http_sluice_keys_clearkey_kids(
    ngx_http_sluice_keys_req_t *kr, sluice_json_t *req, ngx_str_t *type);
static ngx_int_t ngx_http_sluice_keys_clearkey_add(
    ngx_http_sluice_keys_req_t *kr, sluice_json_t *kid);
static ngx_int_t ngx_http_sluice_keys_clearkey_send(
    ngx_http_sluice_keys_req_t *kr, ngx_str_t *type);
static ngx_int_t ngx_http_sluice_keys_clearkey_bad(ngx_http_request_t *r,
    const char *message);


ngx_int_t
ngx_http_sluice_keys_clearkey(ngx_http_sluice_keys_req_t *kr)
{
    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = kr->request;

    if (r->headers_in.content_length_n > NGX_HTTP_SLUICE_KEYS_MAX_BODY) {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_sluice_keys_error(r,
                   NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "RequestEntityTooLarge",
                   "A ClearKey licence request is at most 4096 bytes.");
    }

    rc = ngx_http_read_client_request_body(r,
                                           ngx_http_sluice_keys_clearkey_body);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_http_sluice_keys_clearkey_body(ngx_http_request_t *r)
{
    ngx_http_sluice_keys_req_t  *kr;

    kr = ngx_http_get_module_ctx(r, ngx_http_sluice_keys_module);

    ngx_http_finalize_request(r, ngx_http_sluice_keys_clearkey_answer(kr));
}


static ngx_int_t
ngx_http_sluice_keys_clearkey_answer(ngx_http_sluice_keys_req_t *kr)
{
    ngx_int_t       rc;
    ngx_str_t       type;
    ngx_uint_t      i, given;
    sluice_json_t  *req;

    req = NULL;
    ngx_str_null(&type);

    /* these two send an error themselves when they fail */

    rc = ngx_http_sluice_keys_clearkey_read(kr, &req);

    if (rc == NGX_OK && !kr->request->header_sent) {
        rc = ngx_http_sluice_keys_clearkey_kids(kr, req, &type);
    }

    if (rc != NGX_OK || kr->request->header_sent) {
        return rc;
    }

    if (ngx_http_sluice_keys_lookup(kr) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    given = 0;

    for (i = 0; i < kr->nkeys; i++) {
        if (ngx_http_sluice_keys_authorize(kr, &kr->keys[i]) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (kr->keys[i].status == 0) {
            given++;
        }
    }

    if (given == 0) {
        return ngx_http_sluice_keys_refused(kr);
    }

    return ngx_http_sluice_keys_clearkey_send(kr, &type);
}


/* the body (in memory, at most NGX_HTTP_SLUICE_KEYS_MAX_BODY) as JSON */

static ngx_int_t
ngx_http_sluice_keys_clearkey_read(ngx_http_sluice_keys_req_t *kr,
    sluice_json_t **req)
{
    u_char              *data, *p;
    off_t                len;
    ngx_chain_t         *cl;
    ngx_http_request_t  *r;

    r = kr->request;
    len = 0;

    for (cl = r->request_body ? r->request_body->bufs : NULL;
         cl;
         cl = cl->next)
    {
        if (cl->buf->in_file) {
            len = NGX_HTTP_SLUICE_KEYS_MAX_BODY + 1;
            break;
        }

        len += cl->buf->last - cl->buf->pos;
    }

    if (len > NGX_HTTP_SLUICE_KEYS_MAX_BODY) {
        return ngx_http_sluice_keys_error(r,
                   NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "RequestEntityTooLarge",
                   "A ClearKey licence request is at most 4096 bytes.");
    }

    data = ngx_pnalloc(r->pool, (size_t) len + 1);
    if (data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = data;

    for (cl = r->request_body ? r->request_body->bufs : NULL;
         cl;
         cl = cl->next)
    {
        p = ngx_cpymem(p, cl->buf->pos, cl->buf->last - cl->buf->pos);
    }

    if (sluice_json_parse(&kr->alloc, data, p - data, req, NULL, NULL)
        != SLUICE_OK
        || (*req)->type != SLUICE_JSON_OBJECT)
    {
        return ngx_http_sluice_keys_clearkey_bad(r,
                   "The body must be a ClearKey licence request: "
                   "{\"kids\": [base64url KIDs], \"type\": \"temporary\"}.");
    }

    return NGX_OK;
}


/* "kids": 1 to 16 KIDs (duplicates once); "type" kept for the answer */

static ngx_int_t
ngx_http_sluice_keys_clearkey_kids(ngx_http_sluice_keys_req_t *kr,
    sluice_json_t *req, ngx_str_t *type)
{
    sluice_json_t  *v, *kid;

    v = sluice_json_get(req, "type");

    if (v == NULL) {
        ngx_str_set(type, "temporary");

    } else if (sluice_json_str_eq(v, "temporary")
               || sluice_json_str_eq(v, "persistent-license"))
    {
        type->data = (u_char *) v->str.data;
        type->len = v->str.len;

    } else {
        return ngx_http_sluice_keys_clearkey_bad(kr->request,
                   "The type must be \"temporary\" or "
                   "\"persistent-license\".");
    }

    v = sluice_json_get(req, "kids");

    if (v == NULL || v->type != SLUICE_JSON_ARRAY || v->count == 0
        || v->count > NGX_HTTP_SLUICE_KEYS_MAX_KIDS)
    {
        return ngx_http_sluice_keys_clearkey_bad(kr->request,
                   "kids must be an array of 1 to 16 key identifiers.");
    }

    for (kid = v->child; kid; kid = kid->next) {
        if (ngx_http_sluice_keys_clearkey_add(kr, kid) != NGX_OK) {
            return ngx_http_sluice_keys_clearkey_bad(kr->request,
                       "Each of kids must be the base64url encoding of a "
                       "16-byte key identifier.");
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_keys_clearkey_add(ngx_http_sluice_keys_req_t *kr,
    sluice_json_t *kid)
{
    size_t                  n;
    u_char                  buf[32];
    ngx_uint_t              i;
    ngx_http_sluice_key_t  *key;

    if (kid->type != SLUICE_JSON_STRING || kid->str.len < 22
        || kid->str.len > 24
        || sluice_base64_decode(kid->str.data, kid->str.len, buf, &n, 1)
           != SLUICE_OK
        || n != NGX_SLUICE_KEY_LEN)
    {
        return NGX_DECLINED;
    }

    for (i = 0; i < kr->nkeys; i++) {
        if (ngx_memcmp(kr->keys[i].kid, buf, NGX_SLUICE_KEY_LEN) == 0) {
            return NGX_OK;
        }
    }

    key = &kr->keys[kr->nkeys++];
    ngx_memcpy(key->kid, buf, NGX_SLUICE_KEY_LEN);

    return NGX_OK;
}


/* the JWK set of the keys given, in the order asked */

static ngx_int_t
ngx_http_sluice_keys_clearkey_send(ngx_http_sluice_keys_req_t *kr,
    ngx_str_t *type)
{
    u_char                 *body, *p;
    size_t                  len;
    ngx_uint_t              i, n;
    ngx_http_sluice_key_t  *key;

    len = sizeof("{\"keys\":[],\"type\":}") - 1
          + sluice_json_write_string(type->data, type->len, NULL)
          + kr->nkeys * (sizeof(NGX_HTTP_SLUICE_JWK)
                         + 2 * NGX_HTTP_SLUICE_KEY64_LEN);

    body = ngx_pnalloc(kr->request->pool, len);
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_cpymem(body, "{\"keys\":[", sizeof("{\"keys\":[") - 1);
    n = 0;

    for (i = 0; i < kr->nkeys; i++) {
        key = &kr->keys[i];

        if (key->status) {
            continue;
        }

        if (n++) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, "{\"kty\":\"oct\",\"kid\":\"",
                       sizeof("{\"kty\":\"oct\",\"kid\":\"") - 1);
        p += sluice_base64_encode(key->kid, NGX_SLUICE_KEY_LEN, p, 1);
        p = ngx_cpymem(p, "\",\"k\":\"", sizeof("\",\"k\":\"") - 1);
        p += sluice_base64_encode(key->value, NGX_SLUICE_KEY_LEN, p, 1);
        *p++ = '"';
        *p++ = '}';
    }

    p = ngx_cpymem(p, "],\"type\":", sizeof("],\"type\":") - 1);
    p += sluice_json_write_string(type->data, type->len, p);
    *p++ = '}';

    return ngx_http_sluice_keys_send(kr->request, "application/json",
                                     body, p - body);
}


static ngx_int_t
ngx_http_sluice_keys_clearkey_bad(ngx_http_request_t *r,
    const char *message)
{
    return ngx_http_sluice_keys_error(r, NGX_HTTP_BAD_REQUEST,
                                      "InvalidLicenseRequest", message);
}
