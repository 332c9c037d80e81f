
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <limits.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "util/sluice_token_key.h"


#define SLUICE_TOKEN_HMAC_LEN  32
#define SLUICE_TOKEN_P256_LEN  32     /* bytes of a coordinate, of r, of s */


static int sluice_token_key_hmac(const sluice_token_key_t *key,
    const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen);
static int sluice_token_key_rsa(const sluice_token_key_t *key,
    const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen);
static EVP_PKEY *sluice_token_key_from_params(const sluice_token_key_t *key);
static EVP_PKEY *sluice_token_key_from_x509(const sluice_token_key_t *key);
static int sluice_token_key_ec(const sluice_token_key_t *key,
    const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen);
static EVP_PKEY *sluice_token_key_from_point(const sluice_token_key_t *key);


int
sluice_token_key_verify(const sluice_token_key_t *key,
    sluice_token_alg_t alg, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen)
{
    int  rc;

    switch (alg) {

    case SLUICE_TOKEN_HS256:
        if (key->type != SLUICE_TOKEN_KEY_SYMMETRIC) {
            return 0;
        }

        rc = sluice_token_key_hmac(key, data, len, sig, siglen);
        break;

    case SLUICE_TOKEN_RS256:
        if (key->type != SLUICE_TOKEN_KEY_RSA
            && key->type != SLUICE_TOKEN_KEY_X509)
        {
            return 0;
        }

        rc = sluice_token_key_rsa(key, data, len, sig, siglen);
        break;

    case SLUICE_TOKEN_ES256:
        if (key->type != SLUICE_TOKEN_KEY_EC) {
            return 0;
        }

        rc = sluice_token_key_ec(key, data, len, sig, siglen);
        break;

    default:
        return 0;
    }

    ERR_clear_error();

    return rc;
}


int
sluice_token_key_usable(const sluice_token_key_t *key,
    sluice_token_alg_t alg)
{
    int        rc;
    EVP_PKEY  *pkey;

    pkey = NULL;

    if (alg == SLUICE_TOKEN_RS256 && key->type == SLUICE_TOKEN_KEY_RSA) {
        pkey = sluice_token_key_from_params(key);

    } else if (alg == SLUICE_TOKEN_RS256
               && key->type == SLUICE_TOKEN_KEY_X509)
    {
        pkey = sluice_token_key_from_x509(key);

    } else if (alg == SLUICE_TOKEN_ES256 && key->type == SLUICE_TOKEN_KEY_EC)
    {
        pkey = sluice_token_key_from_point(key);
    }

    rc = 0;

    if (pkey != NULL) {
        rc = (alg == SLUICE_TOKEN_ES256)
             || (EVP_PKEY_is_a(pkey, "RSA")
                 && EVP_PKEY_get_bits(pkey) >= SLUICE_TOKEN_RSA_MIN_BITS);

        EVP_PKEY_free(pkey);
    }

    ERR_clear_error();

    return rc;
}


static int
sluice_token_key_hmac(const sluice_token_key_t *key, const uint8_t *data,
    size_t len, const uint8_t *sig, size_t siglen)
{
    uint8_t       mac[EVP_MAX_MD_SIZE];
    unsigned int  n;

    if (key->value.len == 0 || key->value.len > INT_MAX
        || siglen != SLUICE_TOKEN_HMAC_LEN)
    {
        return 0;
    }

    n = sizeof(mac);

    if (HMAC(EVP_sha256(), key->value.data, (int) key->value.len, data, len,
             mac, &n)
        == NULL || n != SLUICE_TOKEN_HMAC_LEN)
    {
        return -1;
    }

    return CRYPTO_memcmp(mac, sig, SLUICE_TOKEN_HMAC_LEN) == 0;
}


static int
sluice_token_key_rsa(const sluice_token_key_t *key, const uint8_t *data,
    size_t len, const uint8_t *sig, size_t siglen)
{
    int          rc;
    EVP_PKEY    *pkey;
    EVP_MD_CTX  *md;

    if (key->type == SLUICE_TOKEN_KEY_RSA) {
        pkey = sluice_token_key_from_params(key);

    } else {
        pkey = sluice_token_key_from_x509(key);
    }

    if (pkey == NULL) {
        return 0;
    }

    rc = 0;

    if (!EVP_PKEY_is_a(pkey, "RSA")
        || EVP_PKEY_get_bits(pkey) < SLUICE_TOKEN_RSA_MIN_BITS)
    {
        goto done;
    }

    md = EVP_MD_CTX_new();
    if (md == NULL) {
        rc = -1;
        goto done;
    }

    if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1
        && EVP_DigestVerify(md, sig, siglen, data, len) == 1)
    {
        rc = 1;
    }

    EVP_MD_CTX_free(md);

done:

    EVP_PKEY_free(pkey);

    return rc;
}


/* an RSA public key of a modulus and an exponent; NULL: not one */

static EVP_PKEY *
sluice_token_key_from_params(const sluice_token_key_t *key)
{
    BIGNUM          *n, *e;
    EVP_PKEY        *pkey;
    OSSL_PARAM      *params;
    EVP_PKEY_CTX    *ctx;
    OSSL_PARAM_BLD  *bld;

    if (key->value.len == 0 || key->value.len > INT_MAX
        || key->exponent.len == 0 || key->exponent.len > INT_MAX)
    {
        return NULL;
    }

    pkey = NULL;
    params = NULL;
    ctx = NULL;

    n = BN_bin2bn(key->value.data, (int) key->value.len, NULL);
    e = BN_bin2bn(key->exponent.data, (int) key->exponent.len, NULL);
    bld = OSSL_PARAM_BLD_new();

    if (n == NULL || e == NULL || bld == NULL
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n)
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
    {
        goto done;
    }

    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);

    if (params == NULL || ctx == NULL
        || EVP_PKEY_fromdata_init(ctx) != 1
        || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
    {
        pkey = NULL;
    }

done:

    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(e);
    BN_free(n);

    return pkey;
}


/* the public key of a DER certificate (the whole value); NULL: none */

static EVP_PKEY *
sluice_token_key_from_x509(const sluice_token_key_t *key)
{
    X509           *x;
    EVP_PKEY       *pkey;
    const uint8_t  *p;

    if (key->value.len == 0 || key->value.len > LONG_MAX) {
        return NULL;
    }

    p = key->value.data;

    x = d2i_X509(NULL, &p, (long) key->value.len);
    if (x == NULL) {
        return NULL;
    }

    pkey = NULL;

    if (p == key->value.data + key->value.len) {
        pkey = X509_get_pubkey(x);
    }

    X509_free(x);

    return pkey;
}


/*
 * ES256: the JWS signature is r || s (RFC 7518 §3.4), OpenSSL verifies
 * the DER ECDSA-Sig-Value of the two
 */

static int
sluice_token_key_ec(const sluice_token_key_t *key, const uint8_t *data,
    size_t len, const uint8_t *sig, size_t siglen)
{
    int           rc, n;
    BIGNUM       *br, *bs;
    uint8_t      *der;
    EVP_PKEY     *pkey;
    ECDSA_SIG    *es;
    EVP_MD_CTX   *md;

    if (siglen != 2 * SLUICE_TOKEN_P256_LEN) {
        return 0;
    }

    pkey = sluice_token_key_from_point(key);
    if (pkey == NULL) {
        return 0;
    }

    rc = -1;
    der = NULL;
    md = NULL;

    es = ECDSA_SIG_new();
    br = BN_bin2bn(sig, SLUICE_TOKEN_P256_LEN, NULL);
    bs = BN_bin2bn(sig + SLUICE_TOKEN_P256_LEN, SLUICE_TOKEN_P256_LEN, NULL);

    if (es == NULL || br == NULL || bs == NULL
        || ECDSA_SIG_set0(es, br, bs) != 1)
    {
        BN_free(br);
        BN_free(bs);
        goto done;
    }

    /* es owns br and bs now */

    n = i2d_ECDSA_SIG(es, &der);
    md = EVP_MD_CTX_new();

    if (n <= 0 || md == NULL) {
        goto done;
    }

    rc = 0;

    if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1
        && EVP_DigestVerify(md, der, n, data, len) == 1)
    {
        rc = 1;
    }

done:

    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
    EVP_PKEY_free(pkey);

    return rc;
}


/* a P-256 public key of its uncompressed point; NULL: not one */

static EVP_PKEY *
sluice_token_key_from_point(const sluice_token_key_t *key)
{
    EVP_PKEY        *pkey;
    OSSL_PARAM      *params;
    EVP_PKEY_CTX    *ctx;
    OSSL_PARAM_BLD  *bld;

    if (key->value.len != 1 + 2 * SLUICE_TOKEN_P256_LEN
        || key->value.data[0] != 0x04)
    {
        return NULL;
    }

    pkey = NULL;
    params = NULL;
    ctx = NULL;

    bld = OSSL_PARAM_BLD_new();

    if (bld == NULL
        || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                            "prime256v1", 0)
        || !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                             key->value.data,
                                             key->value.len))
    {
        goto done;
    }

    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);

    /* the point is decoded, and so checked to be on the curve, here */
    if (params == NULL || ctx == NULL
        || EVP_PKEY_fromdata_init(ctx) != 1
        || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
    {
        pkey = NULL;
    }

done:

    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);

    return pkey;
}
