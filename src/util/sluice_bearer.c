
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "util/sluice_base64.h"
#include "util/sluice_bearer.h"


#define SLUICE_JWK_P256_LEN  32


typedef struct {
    const char                 *code;
    const char                 *text;
} sluice_jwt_reason_t;


static sluice_status_t sluice_jwk_parse(sluice_alloc_t *a,
    const sluice_json_t *k, sluice_jwk_t *jwk, int *skip, const char **why);
static sluice_status_t sluice_jwk_rsa(sluice_alloc_t *a,
    const sluice_json_t *k, sluice_jwk_t *jwk, const char **why);
static sluice_status_t sluice_jwk_ec(sluice_alloc_t *a,
    const sluice_json_t *k, sluice_jwk_t *jwk, const char **why);
static uint8_t *sluice_jwk_member(sluice_alloc_t *a, const sluice_json_t *k,
    const char *name, size_t *n);
static sluice_jwt_result_t sluice_jwt_header(sluice_alloc_t *a,
    const uint8_t *s, size_t len, sluice_token_alg_t *alg, sluice_str_t *kid);
static sluice_jwt_result_t sluice_jwt_signed(const sluice_jwks_t *jwks,
    sluice_token_alg_t alg, const sluice_str_t *kid, const uint8_t *data,
    size_t len, const uint8_t *sig, size_t siglen);
static sluice_jwt_result_t sluice_jwt_claims(const sluice_jwt_check_t *c,
    const sluice_json_t *claims);
static int sluice_jwt_one_of(const sluice_json_t *v, const sluice_str_t *s,
    size_t n);
static uint8_t *sluice_jwt_decode(sluice_alloc_t *a, const uint8_t *s,
    size_t len, size_t *n);
static sluice_role_t sluice_bearer_role_of(const sluice_json_t *v,
    const sluice_role_map_t *map, size_t n);
static int sluice_bearer_str_eq(const sluice_str_t *a,
    const sluice_str_t *b);


static const sluice_jwt_reason_t  sluice_jwt_reasons[] = {
    { "OK", "The token is valid." },
    { "InvalidAuthenticationToken", "The access token is not a "
      "well-formed JWT." },
    { "InvalidAuthenticationToken", "The access token's signature "
      "algorithm is not allowed (RS256 or ES256)." },
    { "InvalidAuthenticationToken", "The access token's signing key "
      "(kid) is not one of the configured keys." },
    { "InvalidAuthenticationToken", "The access token's signature is "
      "invalid." },
    { "InvalidAuthenticationTokenTenant", "The access token is from an "
      "issuer that is not trusted." },
    { "InvalidAuthenticationTokenAudience", "The access token has an "
      "invalid audience." },
    { "InvalidAuthenticationToken", "The access token has no expiry "
      "time." },
    { "ExpiredAuthenticationToken", "The access token has expired. "
      "Get a new one and try again." },
    { "InvalidAuthenticationToken", "The access token is not valid "
      "yet." },
    { "InternalError", "The access token could not be checked." }
};


static const char  *sluice_role_names[] = {
    "none", "reader", "contributor", "owner"
};


/* --- JWKS --------------------------------------------------------------- */

sluice_status_t
sluice_jwks_parse(sluice_alloc_t *a, const uint8_t *data, size_t len,
    sluice_jwks_t *jwks, char *err, size_t errlen)
{
    int              skip;
    size_t           i, j, offset;
    const char      *why;
    sluice_jwk_t    *jwk;
    sluice_json_t   *root, *keys, *k;
    sluice_status_t  rc;

    memset(jwks, 0, sizeof(sluice_jwks_t));

    why = NULL;
    offset = 0;

    rc = sluice_json_parse(a, data, len, &root, &why, &offset);
    if (rc == SLUICE_NO_MEMORY) {
        snprintf(err, errlen, "out of memory");
        return SLUICE_NO_MEMORY;
    }

    if (rc != SLUICE_OK) {
        snprintf(err, errlen, "not JSON: %s at byte %zu",
                 why ? why : "invalid", offset);
        return SLUICE_BAD_DATA;
    }

    keys = sluice_json_get(root, "keys");

    if (keys == NULL || keys->type != SLUICE_JSON_ARRAY) {
        snprintf(err, errlen, "not a JWKS: no \"keys\" array");
        return SLUICE_BAD_DATA;
    }

    if (keys->count > SLUICE_JWKS_MAX_KEYS) {
        snprintf(err, errlen, "more than %d keys", SLUICE_JWKS_MAX_KEYS);
        return SLUICE_BAD_DATA;
    }

    jwks->keys = a->alloc(a->ctx, (keys->count + 1) * sizeof(sluice_jwk_t));
    if (jwks->keys == NULL) {
        snprintf(err, errlen, "out of memory");
        return SLUICE_NO_MEMORY;
    }

    for (k = keys->child, i = 0; k; k = k->next, i++) {
        jwk = &jwks->keys[jwks->nkeys];
        memset(jwk, 0, sizeof(sluice_jwk_t));

        skip = 0;
        why = NULL;

        rc = sluice_jwk_parse(a, k, jwk, &skip, &why);

        if (rc != SLUICE_OK) {
            snprintf(err, errlen, "key %zu: %s", i, why ? why : "invalid");
            return rc;
        }

        if (skip) {
            jwks->nskipped++;
            continue;
        }

        for (j = 0; jwk->kid.len && j < jwks->nkeys; j++) {
            if (sluice_bearer_str_eq(&jwks->keys[j].kid, &jwk->kid)) {
                snprintf(err, errlen, "key %zu: a duplicate \"kid\"", i);
                return SLUICE_BAD_DATA;
            }
        }

        jwks->nkeys++;
    }

    if (jwks->nkeys == 0) {
        snprintf(err, errlen, "no RS256 or ES256 signing key");
        return SLUICE_BAD_DATA;
    }

    return SLUICE_OK;
}


/* one key: kept (*skip 0), skipped, or an error and *why */

static sluice_status_t
sluice_jwk_parse(sluice_alloc_t *a, const sluice_json_t *k,
    sluice_jwk_t *jwk, int *skip, const char **why)
{
    sluice_json_t  *kty, *use, *alg, *kid;

    if (k->type != SLUICE_JSON_OBJECT) {
        *why = "not an object";
        return SLUICE_BAD_DATA;
    }

    kty = sluice_json_get(k, "kty");
    use = sluice_json_get(k, "use");
    alg = sluice_json_get(k, "alg");
    kid = sluice_json_get(k, "kid");

    if (kty == NULL || kty->type != SLUICE_JSON_STRING) {
        *why = "no \"kty\" string";
        return SLUICE_BAD_DATA;
    }

    if ((use && use->type != SLUICE_JSON_STRING)
        || (alg && alg->type != SLUICE_JSON_STRING)
        || (kid && kid->type != SLUICE_JSON_STRING))
    {
        *why = "\"use\", \"alg\" and \"kid\" must be strings";
        return SLUICE_BAD_DATA;
    }

    if (kid) {
        jwk->kid = kid->str;
    }

    if (use && !sluice_json_str_eq(use, "sig")) {
        *skip = 1;
        return SLUICE_OK;
    }

    if (sluice_json_str_eq(kty, "RSA")
        && (alg == NULL || sluice_json_str_eq(alg, "RS256")))
    {
        return sluice_jwk_rsa(a, k, jwk, why);
    }

    if (sluice_json_str_eq(kty, "EC")
        && sluice_json_str_eq(sluice_json_get(k, "crv"), "P-256")
        && (alg == NULL || sluice_json_str_eq(alg, "ES256")))
    {
        return sluice_jwk_ec(a, k, jwk, why);
    }

    /* "oct", "OKP", P-384, RS512...: not for us */
    *skip = 1;

    return SLUICE_OK;
}


static sluice_status_t
sluice_jwk_rsa(sluice_alloc_t *a, const sluice_json_t *k, sluice_jwk_t *jwk,
    const char **why)
{
    int       rc;
    size_t    nlen, elen;
    uint8_t  *n, *e;

    n = sluice_jwk_member(a, k, "n", &nlen);
    e = sluice_jwk_member(a, k, "e", &elen);

    if (n == NULL || e == NULL || nlen == 0 || elen == 0) {
        *why = "an RSA key needs \"n\" and \"e\" in base64url";
        return SLUICE_BAD_DATA;
    }

    jwk->alg = SLUICE_TOKEN_RS256;
    jwk->key.type = SLUICE_TOKEN_KEY_RSA;
    jwk->key.value.data = n;
    jwk->key.value.len = nlen;
    jwk->key.exponent.data = e;
    jwk->key.exponent.len = elen;

    rc = sluice_token_key_usable(&jwk->key, jwk->alg);

    if (rc < 0) {
        *why = "out of memory";
        return SLUICE_NO_MEMORY;
    }

    if (rc == 0) {
        *why = "an RSA key of fewer than 2048 bits, or not an RSA key";
        return SLUICE_BAD_DATA;
    }

    return SLUICE_OK;
}


static sluice_status_t
sluice_jwk_ec(sluice_alloc_t *a, const sluice_json_t *k, sluice_jwk_t *jwk,
    const char **why)
{
    int       rc;
    size_t    xlen, ylen;
    uint8_t  *x, *y, *point;

    x = sluice_jwk_member(a, k, "x", &xlen);
    y = sluice_jwk_member(a, k, "y", &ylen);

    if (x == NULL || y == NULL || xlen != SLUICE_JWK_P256_LEN
        || ylen != SLUICE_JWK_P256_LEN)
    {
        *why = "a P-256 key needs \"x\" and \"y\" of 32 bytes in base64url";
        return SLUICE_BAD_DATA;
    }

    point = a->alloc(a->ctx, 1 + 2 * SLUICE_JWK_P256_LEN);
    if (point == NULL) {
        *why = "out of memory";
        return SLUICE_NO_MEMORY;
    }

    point[0] = 0x04;
    memcpy(point + 1, x, SLUICE_JWK_P256_LEN);
    memcpy(point + 1 + SLUICE_JWK_P256_LEN, y, SLUICE_JWK_P256_LEN);

    jwk->alg = SLUICE_TOKEN_ES256;
    jwk->key.type = SLUICE_TOKEN_KEY_EC;
    jwk->key.value.data = point;
    jwk->key.value.len = 1 + 2 * SLUICE_JWK_P256_LEN;

    rc = sluice_token_key_usable(&jwk->key, jwk->alg);

    if (rc < 0) {
        *why = "out of memory";
        return SLUICE_NO_MEMORY;
    }

    if (rc == 0) {
        *why = "\"x\" and \"y\" are not a point of the P-256 curve";
        return SLUICE_BAD_DATA;
    }

    return SLUICE_OK;
}


/* a base64url string member decoded; NULL: absent or not base64url */

static uint8_t *
sluice_jwk_member(sluice_alloc_t *a, const sluice_json_t *k,
    const char *name, size_t *n)
{
    sluice_json_t  *v;

    v = sluice_json_get(k, name);

    if (v == NULL || v->type != SLUICE_JSON_STRING) {
        return NULL;
    }

    return sluice_jwt_decode(a, v->str.data, v->str.len, n);
}


/* --- JWT ---------------------------------------------------------------- */

sluice_jwt_result_t
sluice_jwt_verify(sluice_alloc_t *a, const sluice_jwt_check_t *c,
    const uint8_t *token, size_t len, sluice_json_t **claims)
{
    size_t               dot1, dot2, i, n, siglen;
    uint8_t             *payload, *sig;
    sluice_str_t         kid;
    sluice_token_alg_t   alg;
    sluice_jwt_result_t  rc;

    if (len == 0 || len > SLUICE_JWT_MAX_LEN) {
        return SLUICE_JWT_MALFORMED;
    }

    dot1 = 0;
    dot2 = 0;

    for (i = 0; i < len; i++) {
        if (token[i] != '.') {
            continue;
        }

        if (dot1 == 0) {
            dot1 = i;

        } else if (dot2 == 0) {
            dot2 = i;

        } else {
            return SLUICE_JWT_MALFORMED;    /* a JWE has five parts */
        }
    }

    if (dot1 == 0 || dot2 == 0 || dot2 == dot1 + 1 || dot2 == len - 1) {
        return SLUICE_JWT_MALFORMED;
    }

    rc = sluice_jwt_header(a, token, dot1, &alg, &kid);
    if (rc != SLUICE_JWT_OK) {
        return rc;
    }

    payload = sluice_jwt_decode(a, token + dot1 + 1, dot2 - dot1 - 1, &n);
    sig = sluice_jwt_decode(a, token + dot2 + 1, len - dot2 - 1, &siglen);

    if (payload == NULL || sig == NULL) {
        return SLUICE_JWT_MALFORMED;
    }

    if (sluice_json_parse(a, payload, n, claims, NULL, NULL) != SLUICE_OK
        || (*claims)->type != SLUICE_JSON_OBJECT)
    {
        return SLUICE_JWT_MALFORMED;
    }

    /* the signature covers the encoded header and payload as sent */
    rc = sluice_jwt_signed(c->jwks, alg, &kid, token, dot2, sig, siglen);
    if (rc != SLUICE_JWT_OK) {
        return rc;
    }

    return sluice_jwt_claims(c, *claims);
}


/* the JOSE header: "alg" RS256 or ES256, "kid" if any, no "crit" */

static sluice_jwt_result_t
sluice_jwt_header(sluice_alloc_t *a, const uint8_t *s, size_t len,
    sluice_token_alg_t *alg, sluice_str_t *kid)
{
    switch (sluice_token_jose_header(a, s, len,
                                     (1u << SLUICE_TOKEN_RS256)
                                     | (1u << SLUICE_TOKEN_ES256),
                                     alg, kid))
    {
    case SLUICE_TOKEN_OK:
        return SLUICE_JWT_OK;

    case SLUICE_TOKEN_ALGORITHM:
        return SLUICE_JWT_ALGORITHM;

    default:
        return SLUICE_JWT_MALFORMED;
    }
}


/* the key of the kid (and of the alg), or with no kid each of the alg */

static sluice_jwt_result_t
sluice_jwt_signed(const sluice_jwks_t *jwks, sluice_token_alg_t alg,
    const sluice_str_t *kid, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen)
{
    int                  rc;
    size_t               i;
    sluice_jwk_t        *k;
    sluice_jwt_result_t  none;

    none = SLUICE_JWT_KEY_UNKNOWN;

    for (i = 0; i < jwks->nkeys; i++) {
        k = &jwks->keys[i];

        if (k->alg != alg
            || (kid->len && !sluice_bearer_str_eq(&k->kid, kid)))
        {
            continue;
        }

        rc = sluice_token_key_verify(&k->key, alg, data, len, sig, siglen);

        if (rc == 1) {
            return SLUICE_JWT_OK;
        }

        if (rc < 0) {
            return SLUICE_JWT_ERROR;
        }

        none = SLUICE_JWT_SIGNATURE;
    }

    return none;
}


static sluice_jwt_result_t
sluice_jwt_claims(const sluice_jwt_check_t *c, const sluice_json_t *claims)
{
    sluice_json_t  *v;

    if (!sluice_jwt_one_of(sluice_json_get(claims, "iss"), c->issuers,
                           c->nissuers))
    {
        return SLUICE_JWT_ISSUER;
    }

    v = sluice_json_get(claims, "aud");

    if (v && v->type == SLUICE_JSON_ARRAY) {
        for (v = v->child; v; v = v->next) {
            if (sluice_jwt_one_of(v, c->audiences, c->naudiences)) {
                break;
            }
        }
    }

    if (!sluice_jwt_one_of(v, c->audiences, c->naudiences)) {
        return SLUICE_JWT_AUDIENCE;
    }

    v = sluice_json_get(claims, "exp");

    if (v == NULL || v->type != SLUICE_JSON_NUMBER) {
        return SLUICE_JWT_NO_EXPIRY;
    }

    /* valid up to exp, excluded (RFC 7519 §4.1.4) */
    if ((double) c->now >= v->number + (double) c->skew) {
        return SLUICE_JWT_EXPIRED;
    }

    v = sluice_json_get(claims, "nbf");

    if (v && v->type != SLUICE_JSON_NUMBER) {
        return SLUICE_JWT_MALFORMED;
    }

    if (v && (double) (c->now + c->skew) < v->number) {
        return SLUICE_JWT_NOT_YET_VALID;
    }

    return SLUICE_JWT_OK;
}


/* v is a string equal to one of s[0..n) */

static int
sluice_jwt_one_of(const sluice_json_t *v, const sluice_str_t *s, size_t n)
{
    size_t  i;

    if (v == NULL || v->type != SLUICE_JSON_STRING) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (sluice_bearer_str_eq(&v->str, &s[i])) {
            return 1;
        }
    }

    return 0;
}


const char *
sluice_jwt_result_code(sluice_jwt_result_t rc)
{
    if ((size_t) rc >= sizeof(sluice_jwt_reasons)
                       / sizeof(sluice_jwt_reasons[0]))
    {
        rc = SLUICE_JWT_ERROR;
    }

    return sluice_jwt_reasons[rc].code;
}


const char *
sluice_jwt_result_text(sluice_jwt_result_t rc)
{
    if ((size_t) rc >= sizeof(sluice_jwt_reasons)
                       / sizeof(sluice_jwt_reasons[0]))
    {
        rc = SLUICE_JWT_ERROR;
    }

    return sluice_jwt_reasons[rc].text;
}


/* --- roles -------------------------------------------------------------- */

sluice_role_t
sluice_bearer_role(const sluice_json_t *claims, const sluice_role_map_t *map,
    size_t n, sluice_role_t dflt)
{
    sluice_role_t   role, r;
    sluice_json_t  *roles, *v;

    roles = sluice_json_get(claims, "roles");
    role = SLUICE_ROLE_NONE;

    if (roles && roles->type == SLUICE_JSON_ARRAY) {
        for (v = roles->child; v; v = v->next) {
            r = sluice_bearer_role_of(v, map, n);
            role = (r > role) ? r : role;
        }

    } else if (roles) {
        role = sluice_bearer_role_of(roles, map, n);
    }

    return (role == SLUICE_ROLE_NONE) ? dflt : role;
}


/* the highest role one value maps to */

static sluice_role_t
sluice_bearer_role_of(const sluice_json_t *v, const sluice_role_map_t *map,
    size_t n)
{
    int            r;
    size_t         i;
    sluice_role_t  role;

    if (v->type != SLUICE_JSON_STRING) {
        return SLUICE_ROLE_NONE;
    }

    if (n == 0) {
        r = sluice_role_parse(v->str.data, v->str.len);
        return (r > 0) ? (sluice_role_t) r : SLUICE_ROLE_NONE;
    }

    role = SLUICE_ROLE_NONE;

    for (i = 0; i < n; i++) {
        if (sluice_bearer_str_eq(&v->str, &map[i].value)
            && map[i].role > role)
        {
            role = map[i].role;
        }
    }

    return role;
}


int
sluice_role_parse(const uint8_t *s, size_t len)
{
    size_t  i;

    for (i = 0; i < sizeof(sluice_role_names) / sizeof(char *); i++) {
        if (len == strlen(sluice_role_names[i])
            && strncasecmp((const char *) s, sluice_role_names[i], len) == 0)
        {
            return (int) i;
        }
    }

    return -1;
}


const char *
sluice_role_name(sluice_role_t role)
{
    if ((size_t) role >= sizeof(sluice_role_names) / sizeof(char *)) {
        return "none";
    }

    return sluice_role_names[role];
}


/* --- API keys ----------------------------------------------------------- */

sluice_status_t
sluice_bearer_digest(const uint8_t *s, size_t len,
    uint8_t out[SLUICE_BEARER_DIGEST_LEN])
{
    unsigned int  n;

    n = SLUICE_BEARER_DIGEST_LEN;

    if (EVP_Digest(s, len, out, &n, EVP_sha256(), NULL) != 1
        || n != SLUICE_BEARER_DIGEST_LEN)
    {
        return SLUICE_ERROR;
    }

    return SLUICE_OK;
}


int
sluice_bearer_digest_eq(const uint8_t *a, const uint8_t *b)
{
    return CRYPTO_memcmp(a, b, SLUICE_BEARER_DIGEST_LEN) == 0;
}


/* --- helpers ------------------------------------------------------------ */

static uint8_t *
sluice_jwt_decode(sluice_alloc_t *a, const uint8_t *s, size_t len,
    size_t *n)
{
    uint8_t  *out;

    out = a->alloc(a->ctx, sluice_base64_decoded_len(len) + 1);

    if (out == NULL
        || sluice_base64_decode(s, len, out, n, 1) != SLUICE_OK)
    {
        return NULL;
    }

    return out;
}


static int
sluice_bearer_str_eq(const sluice_str_t *a, const sluice_str_t *b)
{
    return a->len == b->len
           && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}
