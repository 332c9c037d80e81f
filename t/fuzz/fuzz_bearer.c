
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the REST API's bearer credentials
 * (src/util/sluice_bearer.c).  The first byte picks what the rest is:
 *
 *   bit 0   a JWKS (sluice_jwks_parse)
 *   bit 1   a JWT payload: signed here ES256 with the set's key, so that
 *           the claim checks and the role mapping run on whatever it
 *           holds
 *   else    a token checked against a set of one P-256 key
 *
 * Whatever the input, the result is one of the results, a JWKS parsed
 * holds between 1 and SLUICE_JWKS_MAX_KEYS keys and a sentence when
 * refused, and nothing reads or writes out of bounds (ASan, UBSan).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       t/fuzz/fuzz_bearer.c src/util/sluice_*.c -lcrypto -o fuzz_bearer
 *   ./fuzz_bearer t/fuzz/corpus/bearer
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "util/sluice_base64.h"
#include "util/sluice_bearer.h"
#include "util/sluice_json.h"
#include "fuzz_pool.h"


#define FUZZ_NOW  1800000000LL


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static EVP_PKEY       *fuzz_pkey;
static uint8_t         fuzz_point[65];
static sluice_jwk_t    fuzz_jwk;
static sluice_jwks_t   fuzz_jwks;

static const sluice_str_t  fuzz_iss = sluice_string("i");
static const sluice_str_t  fuzz_aud = sluice_string("a");


static void
fuzz_init(void)
{
    size_t  n;

    fuzz_pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

    if (fuzz_pkey == NULL
        || EVP_PKEY_get_octet_string_param(fuzz_pkey,
                                           OSSL_PKEY_PARAM_PUB_KEY,
                                           fuzz_point, sizeof(fuzz_point),
                                           &n) != 1
        || n != sizeof(fuzz_point))
    {
        abort();
    }

    fuzz_jwk.kid.data = (const uint8_t *) "k";
    fuzz_jwk.kid.len = 1;
    fuzz_jwk.alg = SLUICE_TOKEN_ES256;
    fuzz_jwk.key.type = SLUICE_TOKEN_KEY_EC;
    fuzz_jwk.key.value.data = fuzz_point;
    fuzz_jwk.key.value.len = sizeof(fuzz_point);

    fuzz_jwks.keys = &fuzz_jwk;
    fuzz_jwks.nkeys = 1;
}


/* an ES256 JWT of kid "k" around the payload p[0..len) */
static uint8_t *
fuzz_jwt(sluice_alloc_t *a, const uint8_t *p, size_t len, size_t *n)
{
    size_t          o, siglen;
    uint8_t        *t, sig[128], rs[64];
    ECDSA_SIG      *es;
    EVP_MD_CTX     *md;
    const BIGNUM   *r, *s;
    const uint8_t  *der;

    static const char  header[] = "{\"alg\":\"ES256\",\"kid\":\"k\"}";

    t = a->alloc(a->ctx, 256 + sluice_base64_encoded_len(len));
    if (t == NULL) {
        abort();
    }

    o = sluice_base64_encode((const uint8_t *) header, sizeof(header) - 1,
                             t, 1);
    t[o++] = '.';
    o += sluice_base64_encode(p, len, t + o, 1);

    md = EVP_MD_CTX_new();
    siglen = sizeof(sig);

    if (md == NULL
        || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, fuzz_pkey) != 1
        || EVP_DigestSign(md, sig, &siglen, t, o) != 1)
    {
        abort();
    }

    EVP_MD_CTX_free(md);

    der = sig;
    es = d2i_ECDSA_SIG(NULL, &der, (long) siglen);
    if (es == NULL) {
        abort();
    }

    ECDSA_SIG_get0(es, &r, &s);
    BN_bn2binpad(r, rs, 32);
    BN_bn2binpad(s, rs + 32, 32);
    ECDSA_SIG_free(es);

    t[o++] = '.';
    o += sluice_base64_encode(rs, sizeof(rs), t + o, 1);

    *n = o;

    return t;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                  err[128];
    size_t                n;
    uint8_t               mode, *t;
    fuzz_pool_t           pool;
    sluice_json_t        *claims;
    sluice_jwks_t         set;
    sluice_alloc_t        a;
    sluice_role_t         role;
    sluice_status_t       rc;
    sluice_jwt_result_t   jrc;
    sluice_jwt_check_t    c;

    if (fuzz_pkey == NULL) {
        fuzz_init();
    }

    if (size == 0) {
        return 0;
    }

    mode = data[0];
    data++;
    size--;

    pool.blocks = NULL;
    a.alloc = fuzz_alloc;
    a.ctx = &pool;

    if (mode & 1) {
        err[0] = '\0';
        rc = sluice_jwks_parse(&a, data, size, &set, err, sizeof(err));

        if ((rc == SLUICE_OK
             && (set.nkeys == 0 || set.nkeys > SLUICE_JWKS_MAX_KEYS))
            || (rc != SLUICE_OK && err[0] == '\0'))
        {
            abort();
        }

        fuzz_free(&pool);
        return 0;
    }

    c.jwks = &fuzz_jwks;
    c.issuers = &fuzz_iss;
    c.nissuers = 1;
    c.audiences = &fuzz_aud;
    c.naudiences = 1;
    c.now = FUZZ_NOW;
    c.skew = SLUICE_JWT_SKEW;

    if (mode & 2) {
        t = fuzz_jwt(&a, data, size, &n);

    } else {
        t = (uint8_t *) data;
        n = size;
    }

    claims = NULL;
    jrc = sluice_jwt_verify(&a, &c, t, n, &claims);

    if ((unsigned) jrc > SLUICE_JWT_ERROR
        || (!(mode & 2) && jrc == SLUICE_JWT_OK))
    {
        /* an unsigned input verifying would be a forgery */
        abort();
    }

    if (jrc == SLUICE_JWT_OK) {
        role = sluice_bearer_role(claims, NULL, 0, SLUICE_ROLE_NONE);

        if ((unsigned) role > SLUICE_ROLE_OWNER) {
            abort();
        }
    }

    fuzz_free(&pool);

    return 0;
}
