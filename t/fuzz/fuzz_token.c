
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the token checks of the key service
 * (src/util/sluice_token*.c).  The first byte picks what the rest is:
 *
 *   bit 0   an SWT instead of a JWT
 *   bit 1   an Authorization header value (sluice_token_from_header)
 *   bit 2   a token query parameter value (sluice_token_from_query)
 *   bit 3   a JWT payload: signed here with the restriction's key, so
 *           that the claim checks run on whatever it holds
 *   bit 4   a restriction's JSON (sluice_token_policy_restriction), then
 *           a fixed token checked against it
 *
 * Whatever the input, the result is one of the results, a token taken
 * from a header or a query is no longer than its input, and nothing
 * reads or writes out of bounds (ASan, UBSan).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       t/fuzz/fuzz_token.c src/util/sluice_*.c -lcrypto -o fuzz_token
 *   ./fuzz_token t/fuzz/corpus/token
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/sluice_base64.h"
#include "util/sluice_json.h"
#include "util/sluice_token.h"
#include "util/sluice_token_policy.h"
#include "fuzz_pool.h"


#define FUZZ_NOW  1800000000LL


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const uint8_t  fuzz_key[] = "fuzz key";

static const uint8_t  fuzz_kid[16] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
};


static void
fuzz_restriction(sluice_token_restriction_t *r, int swt)
{
    memset(r, 0, sizeof(sluice_token_restriction_t));

    r->type = swt ? SLUICE_TOKEN_SWT : SLUICE_TOKEN_JWT;
    r->issuer.data = (const uint8_t *) "i";
    r->issuer.len = 1;
    r->audience.data = (const uint8_t *) "a";
    r->audience.len = 1;

    r->keys[0].type = SLUICE_TOKEN_KEY_SYMMETRIC;
    r->keys[0].value.data = fuzz_key;
    r->keys[0].value.len = sizeof(fuzz_key) - 1;
    r->nkeys = 1;

    r->claims[0].type.data = (const uint8_t *) SLUICE_TOKEN_KID_CLAIM;
    r->claims[0].type.len = sizeof(SLUICE_TOKEN_KID_CLAIM) - 1;
    r->claims[1].type.data = (const uint8_t *) "c";
    r->claims[1].type.len = 1;
    r->claims[1].value.data = (const uint8_t *) "v";
    r->claims[1].value.len = 1;
    r->claims[1].has_value = 1;
    r->nclaims = 2;
}


static void
fuzz_check(sluice_token_result_t rc)
{
    if ((unsigned) rc > SLUICE_TOKEN_ERROR) {
        abort();
    }
}


/* an HS256 JWT around the payload p[0..len), signed with fuzz_key */
static uint8_t *
fuzz_jwt(sluice_alloc_t *a, const uint8_t *p, size_t len, size_t *n)
{
    uint8_t       *t, mac[EVP_MAX_MD_SIZE];
    size_t         o;
    unsigned int   maclen;

    t = a->alloc(a->ctx, 128 + sluice_base64_encoded_len(len));
    if (t == NULL) {
        abort();
    }

    o = sluice_base64_encode((const uint8_t *) "{\"alg\":\"HS256\"}", 15, t,
                             1);
    t[o++] = '.';
    o += sluice_base64_encode(p, len, t + o, 1);

    maclen = sizeof(mac);
    HMAC(EVP_sha256(), fuzz_key, sizeof(fuzz_key) - 1, t, o, mac, &maclen);

    t[o++] = '.';
    o += sluice_base64_encode(mac, maclen, t + o, 1);

    *n = o;

    return t;
}


static void
fuzz_policy(sluice_alloc_t *a, const uint8_t *data, size_t size)
{
    sluice_json_t               *v;
    sluice_token_restriction_t   r;

    static const char  jwt[] =
        "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJpIiwiYXVkIjoiYSIsImV4cCI6MX0."
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    if (sluice_json_parse(a, data, size, &v, NULL, NULL) != SLUICE_OK
        || sluice_token_policy_restriction(a, v, &r) != SLUICE_OK)
    {
        return;
    }

    if (r.nkeys > SLUICE_TOKEN_MAX_KEYS || r.nclaims > SLUICE_TOKEN_MAX_CLAIMS)
    {
        abort();
    }

    fuzz_check(sluice_token_verify(a, &r, (const uint8_t *) jwt,
                                   sizeof(jwt) - 1, fuzz_kid, FUZZ_NOW,
                                   SLUICE_TOKEN_SKEW));
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                       n;
    uint8_t                      mode, *t;
    fuzz_pool_t                  pool;
    sluice_alloc_t               a;
    sluice_token_restriction_t   r;

    if (size == 0) {
        return 0;
    }

    mode = data[0];
    data++;
    size--;

    pool.blocks = NULL;
    a.alloc = fuzz_alloc;
    a.ctx = &pool;

    if (mode & 0x10) {
        fuzz_policy(&a, data, size);
        fuzz_free(&pool);
        return 0;
    }

    fuzz_restriction(&r, mode & 1);

    t = fuzz_alloc(&pool, size + 1);
    memcpy(t, data, size);
    n = size;

    if (mode & 2) {
        n = sluice_token_from_header(data, size, t);

    } else if (mode & 4) {
        n = sluice_token_from_query(data, size, t);

    } else if (mode & 8) {
        t = fuzz_jwt(&a, data, size, &n);
        r.type = SLUICE_TOKEN_JWT;
    }

    if (n > size && !(mode & 8)) {
        abort();
    }

    fuzz_check(sluice_token_verify(&a, &r, t, n, fuzz_kid, FUZZ_NOW,
                                   SLUICE_TOKEN_SKEW));

    /* no KID asked for */
    fuzz_check(sluice_token_verify(&a, &r, t, n, NULL, FUZZ_NOW, 0));

    fuzz_free(&pool);

    return 0;
}
