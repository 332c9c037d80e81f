
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <string.h>
#include <strings.h>

#include "util/sluice_base64.h"
#include "util/sluice_token.h"
#include "util/sluice_token_key.h"
#include "util/sluice_uuid.h"


#define SLUICE_SWT_HMAC  "&HMACSHA256="


/* the claims a token type names its standard members */
typedef struct {
    const char                 *issuer;
    const char                 *audience;
    const char                 *expiry;
    const char                 *not_before;     /* NULL: none */
} sluice_token_names_t;


typedef struct {
    const char                 *code;
    const char                 *text;
} sluice_token_reason_t;


static sluice_token_result_t sluice_token_jwt(sluice_alloc_t *a,
    const sluice_token_restriction_t *r, const uint8_t *token, size_t len,
    sluice_json_t **claims);
static sluice_token_result_t sluice_token_swt(sluice_alloc_t *a,
    const sluice_token_restriction_t *r, const uint8_t *token, size_t len,
    sluice_json_t **claims);
static sluice_token_result_t sluice_token_swt_claims(sluice_alloc_t *a,
    const uint8_t *p, const uint8_t *last, sluice_json_t **claims);
static sluice_token_result_t sluice_token_signed(
    const sluice_token_restriction_t *r, sluice_token_alg_t alg,
    const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen);
static sluice_token_result_t sluice_token_check(
    const sluice_token_restriction_t *r, const sluice_json_t *claims,
    const uint8_t kid[16], int64_t now, int64_t skew);
static sluice_token_result_t sluice_token_times(
    const sluice_token_names_t *names, const sluice_json_t *claims,
    int64_t now, int64_t skew);
static sluice_token_result_t sluice_token_required(
    const sluice_token_restriction_t *r, const sluice_json_t *claims,
    const uint8_t kid[16]);
static int sluice_token_number(const sluice_json_t *v, double *n);
static int sluice_token_value_is(const sluice_json_t *v,
    const sluice_str_t *s);
static const sluice_json_t *sluice_token_member(const sluice_json_t *obj,
    const uint8_t *name, size_t len);
static uint8_t *sluice_token_decode(sluice_alloc_t *a, const uint8_t *s,
    size_t len, size_t *n, int url);
static size_t sluice_token_unescape(const uint8_t *s, size_t len,
    uint8_t *out, int form);
static size_t sluice_token_unwrap(uint8_t *t, size_t len);


static const sluice_token_names_t  sluice_token_names[] = {
    { "iss", "aud", "exp", "nbf" },                 /* JWT */
    { "Issuer", "Audience", "ExpiresOn", NULL }     /* SWT */
};


static const sluice_token_reason_t  sluice_token_reasons[] = {
    { "OK", "The token is valid." },
    { "TokenMissing", "A token is required: an Authorization header "
      "\"Bearer <token>\" or a token query parameter." },
    { "TokenMalformed", "The token is not a well-formed token of the "
      "type the content key policy requires." },
    { "TokenAlgorithmNotAllowed", "The token's signature algorithm is not "
      "allowed (HS256 or RS256)." },
    { "TokenSignatureInvalid", "The token's signature does not verify "
      "with any verification key of the content key policy." },
    { "TokenIssuerMismatch", "The token's issuer is not the one the "
      "content key policy requires." },
    { "TokenAudienceMismatch", "The token's audience is not the one the "
      "content key policy requires." },
    { "TokenExpiryMissing", "The token has no expiry time." },
    { "TokenExpired", "The token has expired." },
    { "TokenNotYetValid", "The token is not valid yet." },
    { "TokenClaimMissing", "The token lacks a claim the content key "
      "policy requires." },
    { "TokenClaimMismatch", "A claim of the token does not have the value "
      "the content key policy requires." },
    { "TokenKeyIdentifierMismatch", "The token is for another content "
      "key." },
    { "InternalError", "The token could not be checked." }
};


sluice_token_result_t
sluice_token_verify(sluice_alloc_t *a, const sluice_token_restriction_t *r,
    const uint8_t *token, size_t len, const uint8_t kid[16], int64_t now,
    int64_t skew)
{
    sluice_json_t          *claims;
    sluice_token_result_t   rc;

    if (len == 0) {
        return SLUICE_TOKEN_MISSING;
    }

    if (len > SLUICE_TOKEN_MAX_LEN) {
        return SLUICE_TOKEN_MALFORMED;
    }

    claims = NULL;

    if (r->type == SLUICE_TOKEN_JWT) {
        rc = sluice_token_jwt(a, r, token, len, &claims);

    } else {
        rc = sluice_token_swt(a, r, token, len, &claims);
    }

    if (rc != SLUICE_TOKEN_OK) {
        return rc;
    }

    return sluice_token_check(r, claims, kid, now, skew);
}


const char *
sluice_token_result_code(sluice_token_result_t rc)
{
    if ((size_t) rc >= sizeof(sluice_token_reasons)
                       / sizeof(sluice_token_reasons[0]))
    {
        rc = SLUICE_TOKEN_ERROR;
    }

    return sluice_token_reasons[rc].code;
}


const char *
sluice_token_result_text(sluice_token_result_t rc)
{
    if ((size_t) rc >= sizeof(sluice_token_reasons)
                       / sizeof(sluice_token_reasons[0]))
    {
        rc = SLUICE_TOKEN_ERROR;
    }

    return sluice_token_reasons[rc].text;
}


/* --- JWT ---------------------------------------------------------------- */

/* header.payload.signature: the signature, then the payload's claims */

static sluice_token_result_t
sluice_token_jwt(sluice_alloc_t *a, const sluice_token_restriction_t *r,
    const uint8_t *token, size_t len, sluice_json_t **claims)
{
    size_t                 dot1, dot2, i, n, siglen;
    uint8_t               *payload, *sig;
    sluice_token_alg_t     alg;
    sluice_token_result_t  rc;

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
            return SLUICE_TOKEN_MALFORMED;
        }
    }

    if (dot1 == 0 || dot2 == 0 || dot2 == dot1 + 1 || dot2 == len - 1) {
        return SLUICE_TOKEN_MALFORMED;
    }

    rc = sluice_token_jose_header(a, token, dot1,
                                  (1u << SLUICE_TOKEN_HS256)
                                  | (1u << SLUICE_TOKEN_RS256), &alg, NULL);
    if (rc != SLUICE_TOKEN_OK) {
        return rc;
    }

    payload = sluice_token_decode(a, token + dot1 + 1, dot2 - dot1 - 1, &n,
                                  1);
    sig = sluice_token_decode(a, token + dot2 + 1, len - dot2 - 1, &siglen,
                              1);

    if (payload == NULL || sig == NULL) {
        return SLUICE_TOKEN_MALFORMED;
    }

    if (sluice_json_parse(a, payload, n, claims, NULL, NULL) != SLUICE_OK
        || (*claims)->type != SLUICE_JSON_OBJECT)
    {
        return SLUICE_TOKEN_MALFORMED;
    }

    /* the signature covers the encoded header and payload as sent */
    return sluice_token_signed(r, alg, token, dot2, sig, siglen);
}


sluice_token_result_t
sluice_token_jose_header(sluice_alloc_t *a, const uint8_t *s, size_t len,
    unsigned algs, sluice_token_alg_t *alg, sluice_str_t *kid)
{
    size_t               i, n;
    uint8_t             *header;
    sluice_json_t       *h, *v;

    static const char  *names[] = { "HS256", "RS256", "ES256" };

    header = sluice_token_decode(a, s, len, &n, 1);

    if (header == NULL
        || sluice_json_parse(a, header, n, &h, NULL, NULL) != SLUICE_OK
        || h->type != SLUICE_JSON_OBJECT
        || sluice_json_get(h, "crit") != NULL)
    {
        return SLUICE_TOKEN_MALFORMED;
    }

    if (kid) {
        v = sluice_json_get(h, "kid");
        kid->data = NULL;
        kid->len = 0;

        if (v) {
            if (v->type != SLUICE_JSON_STRING || v->str.len == 0) {
                return SLUICE_TOKEN_MALFORMED;
            }

            *kid = v->str;
        }
    }

    v = sluice_json_get(h, "alg");

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((algs & (1u << i)) && sluice_json_str_eq(v, names[i])) {
            *alg = (sluice_token_alg_t) i;
            return SLUICE_TOKEN_OK;
        }
    }

    /* "none", HS256 where a public key would be its secret, the rest */
    return SLUICE_TOKEN_ALGORITHM;
}


/* --- SWT ---------------------------------------------------------------- */

/*
 * name=value&...&HMACSHA256=<URL-encoded base64>: the HMAC of everything
 * before "&HMACSHA256=", then the pairs as string claims
 */

static sluice_token_result_t
sluice_token_swt(sluice_alloc_t *a, const sluice_token_restriction_t *r,
    const uint8_t *token, size_t len, sluice_json_t **claims)
{
    size_t                 i, n, mlen, siglen;
    uint8_t               *buf, *sig;
    sluice_token_result_t  rc;

    mlen = sizeof(SLUICE_SWT_HMAC) - 1;

    for (i = len - 1; i > 0; i--) {
        if (token[i] == '&' && len - i >= mlen
            && memcmp(token + i, SLUICE_SWT_HMAC, mlen) == 0)
        {
            break;
        }
    }

    if (i == 0 || i + mlen == len) {
        return SLUICE_TOKEN_MALFORMED;
    }

    buf = a->alloc(a->ctx, len - i - mlen);
    if (buf == NULL) {
        return SLUICE_TOKEN_ERROR;
    }

    /* base64 '+' may come unencoded: no form decoding of '+' here */
    n = sluice_token_unescape(token + i + mlen, len - i - mlen, buf, 0);

    sig = sluice_token_decode(a, buf, n, &siglen, 0);
    if (sig == NULL) {
        return SLUICE_TOKEN_MALFORMED;
    }

    rc = sluice_token_swt_claims(a, token, token + i, claims);
    if (rc != SLUICE_TOKEN_OK) {
        return rc;
    }

    return sluice_token_signed(r, SLUICE_TOKEN_HS256, token, i, sig, siglen);
}


/* the pairs of p[0..last) into an object of strings; names unique */

static sluice_token_result_t
sluice_token_swt_claims(sluice_alloc_t *a, const uint8_t *p,
    const uint8_t *last, sluice_json_t **claims)
{
    size_t          nlen, vlen;
    uint8_t        *name, *value;
    const uint8_t  *amp, *eq;
    sluice_json_t  *obj, *v;

    obj = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (obj == NULL) {
        return SLUICE_TOKEN_ERROR;
    }

    while (p < last) {
        amp = memchr(p, '&', last - p);
        amp = amp ? amp : last;

        eq = memchr(p, '=', amp - p);
        if (eq == NULL || eq == p) {
            return SLUICE_TOKEN_MALFORMED;
        }

        name = a->alloc(a->ctx, eq - p + 1);
        value = a->alloc(a->ctx, amp - eq);
        if (name == NULL || value == NULL) {
            return SLUICE_TOKEN_ERROR;
        }

        nlen = sluice_token_unescape(p, eq - p, name, 1);
        vlen = sluice_token_unescape(eq + 1, amp - eq - 1, value, 1);
        name[nlen] = '\0';

        if (memchr(name, '\0', nlen) != NULL
            || sluice_token_member(obj, name, nlen) != NULL)
        {
            return SLUICE_TOKEN_MALFORMED;
        }

        v = sluice_json_new_string(a, value, vlen);
        if (v == NULL
            || sluice_json_set(a, obj, (char *) name, v) != SLUICE_OK)
        {
            return SLUICE_TOKEN_ERROR;
        }

        p = (amp < last) ? amp + 1 : last;
    }

    *claims = obj;

    return SLUICE_TOKEN_OK;
}


/* --- checks ------------------------------------------------------------- */

/* the primary key, then each alternate key */

static sluice_token_result_t
sluice_token_signed(const sluice_token_restriction_t *r,
    sluice_token_alg_t alg, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen)
{
    int     rc;
    size_t  i;

    for (i = 0; i < r->nkeys; i++) {
        rc = sluice_token_key_verify(&r->keys[i], alg, data, len, sig,
                                     siglen);
        if (rc == 1) {
            return SLUICE_TOKEN_OK;
        }

        if (rc < 0) {
            return SLUICE_TOKEN_ERROR;
        }
    }

    return SLUICE_TOKEN_SIGNATURE;
}


static sluice_token_result_t
sluice_token_check(const sluice_token_restriction_t *r,
    const sluice_json_t *claims, const uint8_t kid[16], int64_t now,
    int64_t skew)
{
    const sluice_json_t         *v, *e;
    sluice_token_result_t        rc;
    const sluice_token_names_t  *names;

    names = &sluice_token_names[r->type];

    v = sluice_json_get(claims, names->issuer);

    if (v == NULL || v->type != SLUICE_JSON_STRING
        || !sluice_token_value_is(v, &r->issuer))
    {
        return SLUICE_TOKEN_ISSUER;
    }

    /* a JWT may name several audiences: one of them must be ours */
    v = sluice_json_get(claims, names->audience);

    if (v != NULL && v->type == SLUICE_JSON_ARRAY) {
        for (e = v->child; e; e = e->next) {
            if (e->type == SLUICE_JSON_STRING
                && sluice_token_value_is(e, &r->audience))
            {
                break;
            }
        }

        v = e;
    }

    if (v == NULL || v->type != SLUICE_JSON_STRING
        || !sluice_token_value_is(v, &r->audience))
    {
        return SLUICE_TOKEN_AUDIENCE;
    }

    rc = sluice_token_times(names, claims, now, skew);
    if (rc != SLUICE_TOKEN_OK) {
        return rc;
    }

    return sluice_token_required(r, claims, kid);
}


/* exp (required) and nbf, as NumericDate; SWT ExpiresOn as digits */

static sluice_token_result_t
sluice_token_times(const sluice_token_names_t *names,
    const sluice_json_t *claims, int64_t now, int64_t skew)
{
    double               t;
    const sluice_json_t  *v;

    v = sluice_json_get(claims, names->expiry);
    if (v == NULL) {
        return SLUICE_TOKEN_NO_EXPIRY;
    }

    if (!sluice_token_number(v, &t)) {
        return SLUICE_TOKEN_MALFORMED;
    }

    if ((double) now >= t + (double) skew) {
        return SLUICE_TOKEN_EXPIRED;
    }

    v = names->not_before ? sluice_json_get(claims, names->not_before)
                          : NULL;
    if (v == NULL) {
        return SLUICE_TOKEN_OK;
    }

    if (!sluice_token_number(v, &t)) {
        return SLUICE_TOKEN_MALFORMED;
    }

    if ((double) now + (double) skew < t) {
        return SLUICE_TOKEN_NOT_YET_VALID;
    }

    return SLUICE_TOKEN_OK;
}


/*
 * requiredClaims: present, with the value when one is given; the
 * content key identifier (required or only present) names the KID
 */

static sluice_token_result_t
sluice_token_required(const sluice_token_restriction_t *r,
    const sluice_json_t *claims, const uint8_t kid[16])
{
    size_t                       i, klen;
    uint8_t                      id[16];
    const uint8_t               *s;
    const sluice_json_t         *v;
    const sluice_token_claim_t  *c;

    klen = sizeof(SLUICE_TOKEN_KID_CLAIM) - 1;

    for (i = 0; i < r->nclaims; i++) {
        c = &r->claims[i];
        v = sluice_token_member(claims, c->type.data, c->type.len);

        if (v == NULL) {
            return SLUICE_TOKEN_CLAIM_MISSING;
        }

        if (c->type.len == klen
            && memcmp(c->type.data, SLUICE_TOKEN_KID_CLAIM, klen) == 0)
        {
            continue;
        }

        if (!c->has_value) {
            continue;
        }

        if (v->type == SLUICE_JSON_ARRAY) {
            for (v = v->child; v; v = v->next) {
                if (sluice_token_value_is(v, &c->value)) {
                    break;
                }
            }
        }

        if (v == NULL || !sluice_token_value_is(v, &c->value)) {
            return SLUICE_TOKEN_CLAIM_VALUE;
        }
    }

    v = sluice_json_get(claims, SLUICE_TOKEN_KID_CLAIM);

    if (v == NULL || kid == NULL) {
        return SLUICE_TOKEN_OK;
    }

    if (v->type != SLUICE_JSON_STRING) {
        return SLUICE_TOKEN_KID;
    }

    /* a GUID, any case, perhaps in braces as .NET writes it */
    s = v->str.data;
    klen = v->str.len;

    if (klen == SLUICE_UUID_LEN + 2 && s[0] == '{' && s[klen - 1] == '}') {
        s++;
        klen -= 2;
    }

    if (sluice_uuid_parse(s, klen, id) != SLUICE_OK
        || memcmp(id, kid, 16) != 0)
    {
        return SLUICE_TOKEN_KID;
    }

    return SLUICE_TOKEN_OK;
}


/* a JSON number, or a string of decimal digits (SWT) */

static int
sluice_token_number(const sluice_json_t *v, double *n)
{
    size_t  i;
    double  t;

    if (v->type == SLUICE_JSON_NUMBER) {
        *n = v->number;
        return 1;
    }

    if (v->type != SLUICE_JSON_STRING || v->str.len == 0
        || v->str.len > 15)
    {
        return 0;
    }

    t = 0;

    for (i = 0; i < v->str.len; i++) {
        if (v->str.data[i] < '0' || v->str.data[i] > '9') {
            return 0;
        }

        t = t * 10 + (v->str.data[i] - '0');
    }

    *n = t;

    return 1;
}


/* a string, or a number or boolean as written, equal to s */

static int
sluice_token_value_is(const sluice_json_t *v, const sluice_str_t *s)
{
    const char  *b;

    switch (v->type) {

    case SLUICE_JSON_STRING:
    case SLUICE_JSON_NUMBER:
        return v->str.len == s->len
               && (s->len == 0 || memcmp(v->str.data, s->data, s->len) == 0);

    case SLUICE_JSON_BOOL:
        b = v->boolean ? "true" : "false";
        return strlen(b) == s->len && memcmp(b, s->data, s->len) == 0;

    default:
        return 0;
    }
}


static const sluice_json_t *
sluice_token_member(const sluice_json_t *obj, const uint8_t *name,
    size_t len)
{
    const sluice_json_t  *m;

    for (m = obj->child; m; m = m->next) {
        if (m->key.len == len && memcmp(m->key.data, name, len) == 0) {
            return m;
        }
    }

    return NULL;
}


/* --- encodings ---------------------------------------------------------- */

static uint8_t *
sluice_token_decode(sluice_alloc_t *a, const uint8_t *s, size_t len,
    size_t *n, int url)
{
    uint8_t  *out;

    out = a->alloc(a->ctx, sluice_base64_decoded_len(len) + 1);

    if (out == NULL
        || sluice_base64_decode(s, len, out, n, url) != SLUICE_OK)
    {
        return NULL;
    }

    return out;
}


static int
sluice_token_hex(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}


/* %XX decoded (a bad escape stays as it is); form: '+' is a space */

static size_t
sluice_token_unescape(const uint8_t *s, size_t len, uint8_t *out, int form)
{
    int     hi, lo;
    size_t  i, o;

    o = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len) {
            hi = sluice_token_hex(s[i + 1]);
            lo = sluice_token_hex(s[i + 2]);

            if (hi >= 0 && lo >= 0) {
                out[o++] = (uint8_t) (hi << 4 | lo);
                i += 2;
                continue;
            }
        }

        out[o++] = (form && s[i] == '+') ? ' ' : s[i];
    }

    return o;
}


size_t
sluice_token_from_header(const uint8_t *v, size_t len, uint8_t *out)
{
    size_t  n, i;

    /* "Bearer%20..." and "Bearer%3D...": the value was URL-encoded */
    if (len > 9 && strncasecmp((const char *) v, "Bearer%", 7) == 0) {
        n = sluice_token_unescape(v, len, out, 0);

    } else {
        memcpy(out, v, len);
        n = len;
    }

    if (n < 7 || strncasecmp((const char *) out, "Bearer", 6) != 0
        || (out[6] != ' ' && out[6] != '='))
    {
        return 0;
    }

    for (i = 7; i < n && (out[i] == ' ' || out[i] == '\t'); i++) {
        /* void */
    }

    while (n > i && (out[n - 1] == ' ' || out[n - 1] == '\t')) {
        n--;
    }

    memmove(out, out + i, n - i);

    return sluice_token_unwrap(out, n - i);
}


size_t
sluice_token_from_query(const uint8_t *v, size_t len, uint8_t *out)
{
    return sluice_token_unwrap(out, sluice_token_unescape(v, len, out, 0));
}


/* a token still URL-encoded as a whole is decoded once more, in place */

static size_t
sluice_token_unwrap(uint8_t *t, size_t len)
{
    if (memchr(t, '%', len) == NULL || memchr(t, '&', len) != NULL) {
        return len;
    }

    return sluice_token_unescape(t, len, t, 0);
}
