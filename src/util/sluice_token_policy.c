
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <string.h>
#include <strings.h>

#include "util/sluice_base64.h"
#include "util/sluice_token_policy.h"


#define SLUICE_TOKEN_POLICY_TYPE  "#Microsoft.Media.ContentKeyPolicy"


static sluice_status_t sluice_token_policy_key(sluice_alloc_t *a,
    const sluice_json_t *k, sluice_token_restriction_t *r);
static sluice_status_t sluice_token_policy_claims(const sluice_json_t *v,
    sluice_token_restriction_t *r);
static sluice_status_t sluice_token_policy_bytes(sluice_alloc_t *a,
    const sluice_json_t *v, sluice_str_t *out);
static int sluice_token_policy_string(const sluice_json_t *v,
    sluice_str_t *out);


int
sluice_token_policy_is(const sluice_json_t *obj, const char *type)
{
    size_t               n, tlen;
    const sluice_json_t  *t;

    if (obj == NULL || obj->type != SLUICE_JSON_OBJECT) {
        return 0;
    }

    t = sluice_json_get(obj, "@odata.type");
    n = sizeof(SLUICE_TOKEN_POLICY_TYPE) - 1;
    tlen = strlen(type);

    return t != NULL && t->type == SLUICE_JSON_STRING
           && t->str.len == n + tlen
           && strncasecmp((const char *) t->str.data,
                          SLUICE_TOKEN_POLICY_TYPE, n) == 0
           && strncasecmp((const char *) t->str.data + n, type, tlen) == 0;
}


sluice_status_t
sluice_token_policy_restriction(sluice_alloc_t *a,
    const sluice_json_t *restriction, sluice_token_restriction_t *r)
{
    sluice_status_t      rc;
    const sluice_json_t  *v, *k;

    memset(r, 0, sizeof(sluice_token_restriction_t));

    if (!sluice_token_policy_is(restriction, "TokenRestriction")) {
        return SLUICE_BAD_DATA;
    }

    v = sluice_json_get(restriction, "restrictionTokenType");

    if (sluice_json_str_eq(v, "Jwt")) {
        r->type = SLUICE_TOKEN_JWT;

    } else if (sluice_json_str_eq(v, "Swt")) {
        r->type = SLUICE_TOKEN_SWT;

    } else {
        return SLUICE_BAD_DATA;
    }

    if (!sluice_token_policy_string(sluice_json_get(restriction, "issuer"),
                                    &r->issuer)
        || !sluice_token_policy_string(sluice_json_get(restriction,
                                                       "audience"),
                                       &r->audience))
    {
        return SLUICE_BAD_DATA;
    }

    rc = sluice_token_policy_key(a, sluice_json_get(restriction,
                                                    "primaryVerificationKey"),
                                 r);
    if (rc != SLUICE_OK) {
        return rc;
    }

    v = sluice_json_get(restriction, "alternateVerificationKeys");

    for (k = (v && v->type == SLUICE_JSON_ARRAY) ? v->child : NULL;
         k && r->nkeys < SLUICE_TOKEN_MAX_KEYS;
         k = k->next)
    {
        rc = sluice_token_policy_key(a, k, r);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    return sluice_token_policy_claims(sluice_json_get(restriction,
                                                      "requiredClaims"),
                                      r);
}


/* one verification key appended to r->keys; unknown types skipped */

static sluice_status_t
sluice_token_policy_key(sluice_alloc_t *a, const sluice_json_t *k,
    sluice_token_restriction_t *r)
{
    sluice_status_t      rc;
    sluice_token_key_t  *key;

    key = &r->keys[r->nkeys];

    if (sluice_token_policy_is(k, "SymmetricTokenKey")) {
        key->type = SLUICE_TOKEN_KEY_SYMMETRIC;
        rc = sluice_token_policy_bytes(a, sluice_json_get(k, "keyValue"),
                                       &key->value);

    } else if (sluice_token_policy_is(k, "RsaTokenKey")) {
        key->type = SLUICE_TOKEN_KEY_RSA;
        rc = sluice_token_policy_bytes(a, sluice_json_get(k, "modulus"),
                                       &key->value);
        if (rc == SLUICE_OK) {
            rc = sluice_token_policy_bytes(a, sluice_json_get(k, "exponent"),
                                           &key->exponent);
        }

    } else if (sluice_token_policy_is(k, "X509CertificateTokenKey")) {
        key->type = SLUICE_TOKEN_KEY_X509;
        rc = sluice_token_policy_bytes(a, sluice_json_get(k, "rawBody"),
                                       &key->value);

    } else {
        return SLUICE_OK;
    }

    if (rc == SLUICE_OK) {
        r->nkeys++;
    }

    return rc;
}


static sluice_status_t
sluice_token_policy_claims(const sluice_json_t *v,
    sluice_token_restriction_t *r)
{
    const sluice_json_t    *c, *t;
    sluice_token_claim_t  *claim;

    if (v == NULL || v->type == SLUICE_JSON_NULL) {
        return SLUICE_OK;
    }

    if (v->type != SLUICE_JSON_ARRAY
        || v->count > SLUICE_TOKEN_MAX_CLAIMS)
    {
        return SLUICE_BAD_DATA;
    }

    for (c = v->child; c; c = c->next) {
        claim = &r->claims[r->nclaims];

        if (!sluice_token_policy_string(sluice_json_get(c, "claimType"),
                                        &claim->type)
            || claim->type.len == 0)
        {
            return SLUICE_BAD_DATA;
        }

        t = sluice_json_get(c, "claimValue");
        claim->has_value = sluice_token_policy_string(t, &claim->value);

        if (!claim->has_value && t != NULL && t->type != SLUICE_JSON_NULL) {
            return SLUICE_BAD_DATA;
        }

        r->nclaims++;
    }

    return SLUICE_OK;
}


/* a base64 string member, decoded */

static sluice_status_t
sluice_token_policy_bytes(sluice_alloc_t *a, const sluice_json_t *v,
    sluice_str_t *out)
{
    size_t    n;
    uint8_t  *p;

    if (v == NULL || v->type != SLUICE_JSON_STRING || v->str.len == 0) {
        return SLUICE_BAD_DATA;
    }

    p = a->alloc(a->ctx, sluice_base64_decoded_len(v->str.len));
    if (p == NULL) {
        return SLUICE_NO_MEMORY;
    }

    if (sluice_base64_decode(v->str.data, v->str.len, p, &n, 0)
        != SLUICE_OK)
    {
        return SLUICE_BAD_DATA;
    }

    out->data = p;
    out->len = n;

    return SLUICE_OK;
}


static int
sluice_token_policy_string(const sluice_json_t *v, sluice_str_t *out)
{
    if (v == NULL || v->type != SLUICE_JSON_STRING) {
        return 0;
    }

    *out = v->str;

    return 1;
}
