
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the token restrictions of content key policies
 * (src/util/sluice_token*.c) and of src/util/sluice_base64.c: tokens are
 * made here, JWTs signed HS256 with known keys and RS256 with RSA keys
 * generated through OpenSSL (given to the restriction as modulus and
 * exponent, or as a self-signed DER certificate), SWTs signed
 * HMACSHA256; each accepted, then each refusal in turn.  Also the
 * restriction read from an AMS policy's JSON, and the token forms of
 * an Authorization header and of a token query parameter.
 */


#include <stdlib.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>

#include "util/sluice_base64.h"
#include "util/sluice_json.h"
#include "util/sluice_token.h"
#include "util/sluice_token_policy.h"
#include "util/sluice_uuid.h"
#include "sluice_test.h"


#define NOW     1800000000LL
#define KID     "00112233-4455-6677-8899-aabbccddeeff"
#define KIDC    SLUICE_TOKEN_KID_CLAIM


typedef struct {
    void                       *blocks;
} pool_t;


static pool_t           pool;
static sluice_alloc_t   alloc;

static const uint8_t  kid[16] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
};

static const uint8_t  key1[] = "a symmetric key of 32 bytes.....";
static const uint8_t  key2[] = "another symmetric key";

static EVP_PKEY  *rsa1;        /* 2048 bits */
static EVP_PKEY  *rsa2;        /* 2048 bits, another */
static EVP_PKEY  *rsa_small;   /* 1024 bits */


static void *
pool_alloc(void *ctx, size_t size)
{
    void   **m;
    pool_t  *p;

    p = ctx;
    m = malloc(sizeof(void *) + size);
    if (m == NULL) {
        return NULL;
    }

    m[0] = p->blocks;
    p->blocks = m;

    return m + 1;
}


static void
pool_free(void)
{
    void  *b, *next;

    for (b = pool.blocks; b; b = next) {
        next = *(void **) b;
        free(b);
    }

    pool.blocks = NULL;
}


/* --- making tokens ------------------------------------------------------ */

/* base64url of s[0..len) appended to out (NUL-terminated) */
static void
b64url_cat(char *out, const uint8_t *s, size_t len)
{
    size_t  n;

    n = strlen(out);
    n += sluice_base64_encode(s, len, (uint8_t *) out + n, 1);
    out[n] = '\0';
}


/* header.payload, then the signature by HMAC-SHA256 or RSA */
static char *
jwt(const char *header, const char *payload, const uint8_t *key,
    size_t keylen, EVP_PKEY *pkey)
{
    char          *t;
    size_t         siglen;
    uint8_t        sig[512];
    unsigned int   n;
    EVP_MD_CTX    *md;

    t = pool_alloc(&pool, 4096);
    t[0] = '\0';

    b64url_cat(t, (const uint8_t *) header, strlen(header));
    strcat(t, ".");
    b64url_cat(t, (const uint8_t *) payload, strlen(payload));

    if (pkey == NULL) {
        n = sizeof(sig);
        HMAC(EVP_sha256(), key, (int) keylen, (uint8_t *) t, strlen(t), sig,
             &n);
        siglen = n;

    } else {
        md = EVP_MD_CTX_new();
        siglen = sizeof(sig);
        EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey);
        EVP_DigestSign(md, sig, &siglen, (uint8_t *) t, strlen(t));
        EVP_MD_CTX_free(md);
    }

    strcat(t, ".");
    b64url_cat(t, sig, siglen);

    return t;
}


static char *
hs256(const char *payload)
{
    return jwt("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, key1,
               sizeof(key1) - 1, NULL);
}


static char *
rs256(const char *payload, EVP_PKEY *pkey)
{
    return jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload, NULL, 0, pkey);
}


/* claims + "&HMACSHA256=" + URL-encoded base64 of their HMAC */
static char *
swt(const char *claims, const uint8_t *key, size_t keylen)
{
    char          *t, *p;
    size_t         i, n;
    uint8_t        sig[64], b64[128];
    unsigned int   len;

    len = sizeof(sig);
    HMAC(EVP_sha256(), key, (int) keylen, (const uint8_t *) claims,
         strlen(claims), sig, &len);
    n = sluice_base64_encode(sig, len, b64, 0);

    t = pool_alloc(&pool, 4096);
    p = t + sprintf(t, "%s&HMACSHA256=", claims);

    for (i = 0; i < n; i++) {
        if (b64[i] == '+' || b64[i] == '/' || b64[i] == '=') {
            p += sprintf(p, "%%%02X", b64[i]);

        } else {
            *p++ = (char) b64[i];
        }
    }

    *p = '\0';

    return t;
}


/* a JWT payload with iss, aud, exp = NOW + exp, then extra members */
static char *
claims(const char *iss, const char *aud, long exp, const char *extra)
{
    char  *p;

    p = pool_alloc(&pool, 2048);
    sprintf(p, "{\"iss\":\"%s\",\"aud\":%s,\"exp\":%lld%s%s}", iss, aud,
            NOW + exp, extra[0] ? "," : "", extra);

    return p;
}


/* --- restrictions ------------------------------------------------------- */

static void
restriction(sluice_token_restriction_t *r, sluice_token_type_t type)
{
    memset(r, 0, sizeof(sluice_token_restriction_t));
    r->type = type;
    r->issuer.data = (const uint8_t *) "https://issuer.example";
    r->issuer.len = strlen((const char *) r->issuer.data);
    r->audience.data = (const uint8_t *) "urn:sluice";
    r->audience.len = strlen((const char *) r->audience.data);
}


static void
add_symmetric(sluice_token_restriction_t *r, const uint8_t *key, size_t len)
{
    r->keys[r->nkeys].type = SLUICE_TOKEN_KEY_SYMMETRIC;
    r->keys[r->nkeys].value.data = key;
    r->keys[r->nkeys].value.len = len;
    r->nkeys++;
}


static void
add_rsa(sluice_token_restriction_t *r, EVP_PKEY *pkey)
{
    BIGNUM   *n, *e;
    uint8_t  *nb, *eb;

    n = NULL;
    e = NULL;
    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e);

    nb = pool_alloc(&pool, BN_num_bytes(n));
    eb = pool_alloc(&pool, BN_num_bytes(e));

    r->keys[r->nkeys].type = SLUICE_TOKEN_KEY_RSA;
    r->keys[r->nkeys].value.data = nb;
    r->keys[r->nkeys].value.len = BN_bn2bin(n, nb);
    r->keys[r->nkeys].exponent.data = eb;
    r->keys[r->nkeys].exponent.len = BN_bn2bin(e, eb);
    r->nkeys++;

    BN_free(n);
    BN_free(e);
}


/* a self-signed certificate of pkey, DER */
static sluice_str_t
cert(EVP_PKEY *pkey)
{
    int            len;
    X509          *x;
    uint8_t       *der, *p;
    X509_NAME     *name;
    sluice_str_t   s;

    x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, pkey);
    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const uint8_t *) "sluice test", -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_sign(x, pkey, EVP_sha256());

    len = i2d_X509(x, NULL);
    der = pool_alloc(&pool, len);
    p = der;
    i2d_X509(x, &p);
    X509_free(x);

    s.data = der;
    s.len = (size_t) len;

    return s;
}


static void
add_x509(sluice_token_restriction_t *r, EVP_PKEY *pkey)
{
    r->keys[r->nkeys].type = SLUICE_TOKEN_KEY_X509;
    r->keys[r->nkeys].value = cert(pkey);
    r->nkeys++;
}


static void
add_claim(sluice_token_restriction_t *r, const char *type, const char *value)
{
    sluice_token_claim_t  *c;

    c = &r->claims[r->nclaims++];
    c->type.data = (const uint8_t *) type;
    c->type.len = strlen(type);
    c->has_value = value != NULL;

    if (value) {
        c->value.data = (const uint8_t *) value;
        c->value.len = strlen(value);
    }
}


static sluice_token_result_t
verify(const sluice_token_restriction_t *r, const char *token)
{
    return sluice_token_verify(&alloc, r, (const uint8_t *) token,
                               strlen(token), kid, NOW, SLUICE_TOKEN_SKEW);
}


#define ISS  "\"https://issuer.example\""
#define AUD  "\"urn:sluice\""


/* --- base64, UUIDs ------------------------------------------------------ */

static int
decodes(const char *s, int url, const char *want)
{
    size_t   n;
    uint8_t  out[64];

    if (sluice_base64_decode((const uint8_t *) s, strlen(s), out, &n, url)
        != SLUICE_OK)
    {
        return want == NULL;
    }

    return want != NULL && n == strlen(want) && memcmp(out, want, n) == 0;
}


static int
encodes(const char *s, int url, const char *want)
{
    size_t   n;
    uint8_t  out[64];

    n = sluice_base64_encode((const uint8_t *) s, strlen(s), out, url);

    return n == strlen(want) && memcmp(out, want, n) == 0;
}


static void
test_base64(void)
{
    size_t   n;
    uint8_t  out[32], key[16];

    /* RFC 4648 §10 */
    SL_CHECK(encodes("", 0, ""));
    SL_CHECK(encodes("f", 0, "Zg=="));
    SL_CHECK(encodes("fo", 0, "Zm8="));
    SL_CHECK(encodes("foo", 0, "Zm9v"));
    SL_CHECK(encodes("foob", 0, "Zm9vYg=="));
    SL_CHECK(encodes("fooba", 0, "Zm9vYmE="));
    SL_CHECK(encodes("foobar", 0, "Zm9vYmFy"));
    SL_CHECK(encodes("fooba", 1, "Zm9vYmE"));
    SL_CHECK(encodes("\xfb\xff", 0, "+/8="));
    SL_CHECK(encodes("\xfb\xff", 1, "-_8"));

    SL_CHECK(decodes("", 0, ""));
    SL_CHECK(decodes("Zg==", 0, "f"));
    SL_CHECK(decodes("Zg", 0, "f"));
    SL_CHECK(decodes("Zm8=", 0, "fo"));
    SL_CHECK(decodes("Zm9vYmFy", 0, "foobar"));
    SL_CHECK(decodes("Zm9vYmE", 1, "fooba"));
    SL_CHECK(decodes("+/8=", 0, "\xfb\xff"));
    SL_CHECK(decodes("-_8", 1, "\xfb\xff"));

    /* refused: the other alphabet, bad length or padding, other bytes */
    SL_CHECK(decodes("-_8", 0, NULL));
    SL_CHECK(decodes("+/8", 1, NULL));
    SL_CHECK(decodes("Z", 0, NULL));
    SL_CHECK(decodes("Zm9vY", 0, NULL));
    SL_CHECK(decodes("Zg=", 0, NULL));
    SL_CHECK(decodes("Zg===", 0, NULL));
    SL_CHECK(decodes("Z===", 0, NULL));
    SL_CHECK(decodes("Zm=v", 0, NULL));
    SL_CHECK(decodes("Zm9v\n", 0, NULL));
    SL_CHECK(decodes("Zm 9v", 0, NULL));

    /* content-protection.md §12: the ClearKey kid and k */
    SL_CHECK_OK(sluice_base64_decode((const uint8_t *)
                                     "ABEiM0RVZneImaq7zN3u_w", 22, out, &n,
                                     1));
    SL_CHECK_UEQ(n, (size_t) 16);
    SL_CHECK_MEM_EQ(out, kid, 16);

    for (n = 0; n < 16; n++) {
        key[n] = (uint8_t) n;
    }

    n = sluice_base64_encode(key, 16, out, 1);
    SL_CHECK_UEQ(n, (size_t) 22);
    SL_CHECK_MEM_EQ(out, "AAECAwQFBgcICQoLDA0ODw", 22);

    n = sluice_base64_encode(key, 16, out, 0);
    SL_CHECK_MEM_EQ(out, "AAECAwQFBgcICQoLDA0ODw==", 24);
}


static void
test_uuid_parse(void)
{
    uint8_t  id[16];

    SL_CHECK_OK(sluice_uuid_parse((const uint8_t *) KID, 36, id));
    SL_CHECK_MEM_EQ(id, kid, 16);

    memset(id, 0, 16);
    SL_CHECK_OK(sluice_uuid_parse((const uint8_t *)
                                  "00112233-4455-6677-8899-AABBCCDDEEFF", 36,
                                  id));
    SL_CHECK_MEM_EQ(id, kid, 16);

    SL_CHECK_EQ(sluice_uuid_parse((const uint8_t *)
                                  "00112233445566778899aabbccddeeff", 32, id),
                SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_uuid_parse((const uint8_t *)
                                  "0011223-44455-6677-8899-aabbccddeeff", 36,
                                  id),
                SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_uuid_parse((const uint8_t *)
                                  "00112233-4455-6677-8899-aabbccddeefg", 36,
                                  id),
                SLUICE_BAD_DATA);
}


/* --- JWT HS256 ---------------------------------------------------------- */

static void
test_jwt_hs256(void)
{
    char                        *t, *p;
    sluice_token_restriction_t   r;

    restriction(&r, SLUICE_TOKEN_JWT);
    add_symmetric(&r, key1, sizeof(key1) - 1);

    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD,
                                        3600, ""))),
                SLUICE_TOKEN_OK);

    /* an audience among several */
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example",
                                        "[\"other\",\"urn:sluice\"]", 3600,
                                        ""))),
                SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example",
                                        "[\"other\",\"urn:sluice2\"]", 3600,
                                        ""))),
                SLUICE_TOKEN_AUDIENCE);

    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example/", AUD,
                                        3600, ""))),
                SLUICE_TOKEN_ISSUER);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://ISSUER.example", AUD,
                                        3600, ""))),
                SLUICE_TOKEN_ISSUER);
    SL_CHECK_EQ(verify(&r, hs256("{\"aud\":\"urn:sluice\",\"exp\":"
                                 "1800003600}")),
                SLUICE_TOKEN_ISSUER);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example",
                                        "\"urn:other\"", 3600, ""))),
                SLUICE_TOKEN_AUDIENCE);
    SL_CHECK_EQ(verify(&r, hs256("{\"iss\":\"https://issuer.example\","
                                 "\"exp\":1800003600}")),
                SLUICE_TOKEN_AUDIENCE);

    /* times: exp required; both with the skew */
    SL_CHECK_EQ(verify(&r, hs256("{\"iss\":\"https://issuer.example\","
                                 "\"aud\":\"urn:sluice\"}")),
                SLUICE_TOKEN_NO_EXPIRY);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD,
                                        -301, ""))),
                SLUICE_TOKEN_EXPIRED);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD,
                                        -300, ""))),
                SLUICE_TOKEN_EXPIRED);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD,
                                        -299, ""))),
                SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD,
                                        3600, "\"nbf\":1800000301"))),
                SLUICE_TOKEN_NOT_YET_VALID);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD,
                                        3600, "\"nbf\":1800000300"))),
                SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD,
                                        3600, "\"nbf\":\"soon\""))),
                SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, hs256("{\"iss\":\"https://issuer.example\","
                                 "\"aud\":\"urn:sluice\",\"exp\":\"x\"}")),
                SLUICE_TOKEN_MALFORMED);

    /* with no skew */
    t = hs256(claims("https://issuer.example", AUD, -1, ""));
    SL_CHECK_EQ(sluice_token_verify(&alloc, &r, (uint8_t *) t, strlen(t),
                                    kid, NOW, 0),
                SLUICE_TOKEN_EXPIRED);
    t = hs256(claims("https://issuer.example", AUD, 1, ""));
    SL_CHECK_EQ(sluice_token_verify(&alloc, &r, (uint8_t *) t, strlen(t),
                                    kid, NOW, 0),
                SLUICE_TOKEN_OK);

    /* signatures: another key, a changed payload, a changed signature */
    p = claims("https://issuer.example", AUD, 3600, "");
    SL_CHECK_EQ(verify(&r, jwt("{\"alg\":\"HS256\"}", p, key2,
                               sizeof(key2) - 1, NULL)),
                SLUICE_TOKEN_SIGNATURE);

    t = hs256(p);
    t[strchr(t, '.') - t + 3] ^= 1;
    SL_CHECK(verify(&r, t) == SLUICE_TOKEN_SIGNATURE
             || verify(&r, t) == SLUICE_TOKEN_MALFORMED);

    t = hs256(p);
    t[strlen(t) - 2] = (t[strlen(t) - 2] == 'A') ? 'B' : 'A';
    SL_CHECK_EQ(verify(&r, t), SLUICE_TOKEN_SIGNATURE);

    t = hs256(p);
    t[strrchr(t, '.') - t + 1] = '\0';
    SL_CHECK_EQ(verify(&r, t), SLUICE_TOKEN_MALFORMED);

    /* the alternate key verifies what the primary does not */
    add_symmetric(&r, key2, sizeof(key2) - 1);
    SL_CHECK_EQ(verify(&r, jwt("{\"alg\":\"HS256\"}", p, key2,
                               sizeof(key2) - 1, NULL)),
                SLUICE_TOKEN_OK);

    /* an RS256 token against symmetric keys only */
    SL_CHECK_EQ(verify(&r, rs256(p, rsa1)), SLUICE_TOKEN_SIGNATURE);
}


static void
test_jwt_refused(void)
{
    char                        *p, *t, big[SLUICE_TOKEN_MAX_LEN + 64];
    sluice_token_restriction_t   r;

    restriction(&r, SLUICE_TOKEN_JWT);
    add_symmetric(&r, key1, sizeof(key1) - 1);

    p = claims("https://issuer.example", AUD, 3600, "");

    SL_CHECK_EQ(verify(&r, ""), SLUICE_TOKEN_MISSING);

    /* algorithms: none (unsigned), others, none at all */
    t = pool_alloc(&pool, 2048);
    t[0] = '\0';
    b64url_cat(t, (const uint8_t *) "{\"alg\":\"none\"}", 14);
    strcat(t, ".");
    b64url_cat(t, (const uint8_t *) p, strlen(p));
    strcat(t, ".");
    SL_CHECK_EQ(verify(&r, t), SLUICE_TOKEN_MALFORMED);
    strcat(t, "AAAA");
    SL_CHECK_EQ(verify(&r, t), SLUICE_TOKEN_ALGORITHM);

    SL_CHECK_EQ(verify(&r, jwt("{\"alg\":\"none\"}", p, key1,
                               sizeof(key1) - 1, NULL)),
                SLUICE_TOKEN_ALGORITHM);
    SL_CHECK_EQ(verify(&r, jwt("{\"alg\":\"HS512\"}", p, key1,
                               sizeof(key1) - 1, NULL)),
                SLUICE_TOKEN_ALGORITHM);
    SL_CHECK_EQ(verify(&r, jwt("{\"alg\":\"hs256\"}", p, key1,
                               sizeof(key1) - 1, NULL)),
                SLUICE_TOKEN_ALGORITHM);
    SL_CHECK_EQ(verify(&r, jwt("{\"typ\":\"JWT\"}", p, key1,
                               sizeof(key1) - 1, NULL)),
                SLUICE_TOKEN_ALGORITHM);
    SL_CHECK_EQ(verify(&r, jwt("{\"alg\":\"HS256\",\"crit\":[\"x\"]}", p,
                               key1, sizeof(key1) - 1, NULL)),
                SLUICE_TOKEN_MALFORMED);

    /* shapes */
    SL_CHECK_EQ(verify(&r, "abc"), SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, "a.b"), SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, "a.b.c.d"), SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, ".."), SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, "e30.e30.!!"), SLUICE_TOKEN_ALGORITHM);
    SL_CHECK_EQ(verify(&r, "eyJhbGciOiJIUzI1NiJ9.e30.!!"),
                SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, "eyJhbGciOiJIUzI1NiJ9.!!.AAAA"),
                SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, jwt("[\"HS256\"]", p, key1, sizeof(key1) - 1,
                               NULL)),
                SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, jwt("{\"alg\":\"HS256\"", p, key1,
                               sizeof(key1) - 1, NULL)),
                SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, hs256("[1,2]")), SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, hs256("{\"iss\":1,\"iss\":2}")),
                SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, hs256("not json")), SLUICE_TOKEN_MALFORMED);

    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[100] = '.';
    big[200] = '.';
    SL_CHECK_EQ(verify(&r, big), SLUICE_TOKEN_MALFORMED);

    /* no verification key of the right kind */
    restriction(&r, SLUICE_TOKEN_JWT);
    add_rsa(&r, rsa1);
    SL_CHECK_EQ(verify(&r, hs256(p)), SLUICE_TOKEN_SIGNATURE);

    restriction(&r, SLUICE_TOKEN_JWT);
    SL_CHECK_EQ(verify(&r, hs256(p)), SLUICE_TOKEN_SIGNATURE);
}


static void
test_jwt_claims(void)
{
    sluice_token_restriction_t  r;

    restriction(&r, SLUICE_TOKEN_JWT);
    add_symmetric(&r, key1, sizeof(key1) - 1);
    add_claim(&r, "DRM", "ClearKey");
    add_claim(&r, "sub", NULL);

    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"DRM\":\"ClearKey\","
                                        "\"sub\":\"u\""))),
                SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"DRM\":\"ClearKey\","
                                        "\"sub\":null"))),
                SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"DRM\":[\"Widevine\",\"ClearKey\"],"
                                        "\"sub\":1"))),
                SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"DRM\":\"ClearKey\""))),
                SLUICE_TOKEN_CLAIM_MISSING);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"sub\":\"u\""))),
                SLUICE_TOKEN_CLAIM_MISSING);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"DRM\":\"clearkey\","
                                        "\"sub\":\"u\""))),
                SLUICE_TOKEN_CLAIM_VALUE);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"DRM\":[\"Widevine\"],"
                                        "\"sub\":\"u\""))),
                SLUICE_TOKEN_CLAIM_VALUE);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"DRM\":{\"a\":\"ClearKey\"},"
                                        "\"sub\":\"u\""))),
                SLUICE_TOKEN_CLAIM_VALUE);

    /* numbers and booleans compare as written */
    restriction(&r, SLUICE_TOKEN_JWT);
    add_symmetric(&r, key1, sizeof(key1) - 1);
    add_claim(&r, "level", "3");
    add_claim(&r, "ok", "true");
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"level\":3,\"ok\":true"))),
                SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"level\":3.0,\"ok\":true"))),
                SLUICE_TOKEN_CLAIM_VALUE);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"level\":\"3\",\"ok\":false"))),
                SLUICE_TOKEN_CLAIM_VALUE);
}


static void
test_jwt_kid(void)
{
    sluice_token_restriction_t  r;

    restriction(&r, SLUICE_TOKEN_JWT);
    add_symmetric(&r, key1, sizeof(key1) - 1);
    add_claim(&r, KIDC, NULL);

    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"" KIDC "\":\"" KID "\""))),
                SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"" KIDC "\":"
                                        "\"00112233-4455-6677-8899-"
                                        "AABBCCDDEEFF\""))),
                SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"" KIDC "\":\"{" KID "}\""))),
                SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        ""))),
                SLUICE_TOKEN_CLAIM_MISSING);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"" KIDC "\":"
                                        "\"00112233-4455-6677-8899-"
                                        "aabbccddeef0\""))),
                SLUICE_TOKEN_KID);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"" KIDC "\":\"not a guid\""))),
                SLUICE_TOKEN_KID);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"" KIDC "\":7"))),
                SLUICE_TOKEN_KID);

    /* not required, but carried: it must still name the KID */
    restriction(&r, SLUICE_TOKEN_JWT);
    add_symmetric(&r, key1, sizeof(key1) - 1);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"" KIDC "\":"
                                        "\"00112233-4455-6677-8899-"
                                        "aabbccddeef0\""))),
                SLUICE_TOKEN_KID);
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        "\"" KIDC "\":\"" KID "\""))),
                SLUICE_TOKEN_OK);
}


/* --- JWT RS256 ---------------------------------------------------------- */

static void
test_jwt_rs256(void)
{
    char                        *p, *t;
    sluice_token_restriction_t   r;

    p = claims("https://issuer.example", AUD, 3600, "");

    restriction(&r, SLUICE_TOKEN_JWT);
    add_rsa(&r, rsa1);
    SL_CHECK_EQ(verify(&r, rs256(p, rsa1)), SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, rs256(p, rsa2)), SLUICE_TOKEN_SIGNATURE);

    t = rs256(p, rsa1);
    t[strlen(t) - 3] = (t[strlen(t) - 3] == 'A') ? 'B' : 'A';
    SL_CHECK_EQ(verify(&r, t), SLUICE_TOKEN_SIGNATURE);

    /* an HS256 token whose "key" is the public modulus: not accepted */
    SL_CHECK_EQ(verify(&r, jwt("{\"alg\":\"HS256\"}", p,
                               r.keys[0].value.data, r.keys[0].value.len,
                               NULL)),
                SLUICE_TOKEN_SIGNATURE);

    /* a certificate */
    restriction(&r, SLUICE_TOKEN_JWT);
    add_x509(&r, rsa2);
    SL_CHECK_EQ(verify(&r, rs256(p, rsa2)), SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, rs256(p, rsa1)), SLUICE_TOKEN_SIGNATURE);

    /* the primary (RSA) does not verify, the alternate (X509) does */
    restriction(&r, SLUICE_TOKEN_JWT);
    add_rsa(&r, rsa1);
    add_symmetric(&r, key1, sizeof(key1) - 1);
    add_x509(&r, rsa2);
    SL_CHECK_EQ(verify(&r, rs256(p, rsa2)), SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, hs256(p)), SLUICE_TOKEN_OK);

    /* RSA below 2048 bits, a certificate that does not parse */
    restriction(&r, SLUICE_TOKEN_JWT);
    add_rsa(&r, rsa_small);
    add_x509(&r, rsa_small);
    SL_CHECK_EQ(verify(&r, rs256(p, rsa_small)), SLUICE_TOKEN_SIGNATURE);

    restriction(&r, SLUICE_TOKEN_JWT);
    add_x509(&r, rsa1);
    r.keys[0].value.len--;
    SL_CHECK_EQ(verify(&r, rs256(p, rsa1)), SLUICE_TOKEN_SIGNATURE);

    restriction(&r, SLUICE_TOKEN_JWT);
    add_rsa(&r, rsa1);
    r.keys[0].exponent.len = 0;
    SL_CHECK_EQ(verify(&r, rs256(p, rsa1)), SLUICE_TOKEN_SIGNATURE);

    /* the claims are checked as for HS256 */
    restriction(&r, SLUICE_TOKEN_JWT);
    add_rsa(&r, rsa1);
    SL_CHECK_EQ(verify(&r, rs256(claims("https://issuer.example", AUD, -400,
                                        ""), rsa1)),
                SLUICE_TOKEN_EXPIRED);
}


/* --- SWT ---------------------------------------------------------------- */

#define SWT_CLAIMS(exp)                                                      \
    "urn%3amicrosoft%3aazure%3amediaservices%3acontentkeyidentifier="        \
    KID "&Audience=urn%3asluice&ExpiresOn=" exp                              \
    "&Issuer=https%3a%2f%2fissuer.example"


static void
test_swt(void)
{
    char                        *t;
    sluice_token_restriction_t   r;

    restriction(&r, SLUICE_TOKEN_SWT);
    add_symmetric(&r, key1, sizeof(key1) - 1);
    add_claim(&r, KIDC, NULL);

    SL_CHECK_EQ(verify(&r, swt(SWT_CLAIMS("1800003600"), key1,
                               sizeof(key1) - 1)),
                SLUICE_TOKEN_OK);
    SL_CHECK_EQ(verify(&r, swt(SWT_CLAIMS("1800003600"), key2,
                               sizeof(key2) - 1)),
                SLUICE_TOKEN_SIGNATURE);
    SL_CHECK_EQ(verify(&r, swt(SWT_CLAIMS("1799999000"), key1,
                               sizeof(key1) - 1)),
                SLUICE_TOKEN_EXPIRED);
    SL_CHECK_EQ(verify(&r, swt(SWT_CLAIMS("soon"), key1, sizeof(key1) - 1)),
                SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, swt("Audience=urn%3asluice&Issuer=https%3a%2f%2f"
                               "issuer.example", key1, sizeof(key1) - 1)),
                SLUICE_TOKEN_NO_EXPIRY);
    SL_CHECK_EQ(verify(&r, swt("Audience=urn%3asluice&ExpiresOn=1800003600"
                               "&Issuer=https%3a%2f%2fother", key1,
                               sizeof(key1) - 1)),
                SLUICE_TOKEN_ISSUER);
    SL_CHECK_EQ(verify(&r, swt("Audience=urn%3aother&ExpiresOn=1800003600"
                               "&Issuer=https%3a%2f%2fissuer.example", key1,
                               sizeof(key1) - 1)),
                SLUICE_TOKEN_AUDIENCE);
    SL_CHECK_EQ(verify(&r, swt("Audience=urn%3asluice&ExpiresOn=1800003600"
                               "&Issuer=https%3a%2f%2fissuer.example", key1,
                               sizeof(key1) - 1)),
                SLUICE_TOKEN_CLAIM_MISSING);
    SL_CHECK_EQ(verify(&r, swt("urn%3amicrosoft%3aazure%3amediaservices%3a"
                               "contentkeyidentifier=00112233-4455-6677-8899-"
                               "aabbccddeef0&Audience=urn%3asluice&ExpiresOn="
                               "1800003600&Issuer=https%3a%2f%2f"
                               "issuer.example", key1, sizeof(key1) - 1)),
                SLUICE_TOKEN_KID);

    /* changed after signing */
    t = swt(SWT_CLAIMS("1800003600"), key1, sizeof(key1) - 1);
    t[strstr(t, "ExpiresOn=") - t + 11] = '9';
    SL_CHECK_EQ(verify(&r, t), SLUICE_TOKEN_SIGNATURE);

    /* shapes: no HMAC, an empty HMAC, a pair without '=', twice a name */
    SL_CHECK_EQ(verify(&r, SWT_CLAIMS("1800003600")), SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, SWT_CLAIMS("1800003600") "&HMACSHA256="),
                SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, "&HMACSHA256=AAAA"), SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, SWT_CLAIMS("1800003600") "&HMACSHA256=!!"),
                SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, swt("Audience&" SWT_CLAIMS("1800003600"), key1,
                               sizeof(key1) - 1)),
                SLUICE_TOKEN_MALFORMED);
    SL_CHECK_EQ(verify(&r, swt("Issuer=x&" SWT_CLAIMS("1800003600"), key1,
                               sizeof(key1) - 1)),
                SLUICE_TOKEN_MALFORMED);

    /* a JWT where an SWT is expected */
    SL_CHECK_EQ(verify(&r, hs256(claims("https://issuer.example", AUD, 3600,
                                        ""))),
                SLUICE_TOKEN_MALFORMED);

    /* RSA keys do not sign SWTs */
    restriction(&r, SLUICE_TOKEN_SWT);
    add_rsa(&r, rsa1);
    SL_CHECK_EQ(verify(&r, swt(SWT_CLAIMS("1800003600"), key1,
                               sizeof(key1) - 1)),
                SLUICE_TOKEN_SIGNATURE);
}


/* the HMAC's base64 as it is, not URL-encoded ('+', '/', '=') */
static void
test_swt_raw_signature(void)
{
    char                        *t, *p, *q;
    size_t                       i;
    sluice_token_restriction_t   r;

    restriction(&r, SLUICE_TOKEN_SWT);
    add_symmetric(&r, key1, sizeof(key1) - 1);

    for (i = 0; i < 64; i++) {
        p = pool_alloc(&pool, 512);
        sprintf(p, "Audience=urn%%3asluice&ExpiresOn=1800003600&n=%zu"
                "&Issuer=https%%3a%%2f%%2fissuer.example", i);

        t = swt(p, key1, sizeof(key1) - 1);

        if (strstr(t, "%2B") == NULL && strstr(t, "%2F") == NULL) {
            continue;
        }

        /* decode the signature's escapes in place */
        p = strstr(t, "&HMACSHA256=") + 12;

        for (q = p; *p; p++, q++) {
            if (p[0] == '%') {
                *q = (char) strtol((char []) { p[1], p[2], 0 }, NULL, 16);
                p += 2;

            } else {
                *q = *p;
            }
        }

        *q = '\0';

        SL_CHECK_EQ(verify(&r, t), SLUICE_TOKEN_OK);
        return;
    }

    SL_CHECK(0);
}


/* --- token forms -------------------------------------------------------- */

static int
from_header(const char *v, const char *want)
{
    size_t   n;
    uint8_t  out[256];

    n = sluice_token_from_header((const uint8_t *) v, strlen(v), out);

    return n == strlen(want) && memcmp(out, want, n) == 0;
}


static int
from_query(const char *v, const char *want)
{
    size_t   n;
    uint8_t  out[256];

    n = sluice_token_from_query((const uint8_t *) v, strlen(v), out);

    return n == strlen(want) && memcmp(out, want, n) == 0;
}


static void
test_forms(void)
{
    SL_CHECK(from_header("Bearer a.b.c", "a.b.c"));
    SL_CHECK(from_header("bearer a.b.c ", "a.b.c"));
    SL_CHECK(from_header("BEARER   a.b.c", "a.b.c"));
    SL_CHECK(from_header("Bearer=a.b.c", "a.b.c"));
    SL_CHECK(from_header("Bearer%20a.b.c", "a.b.c"));
    SL_CHECK(from_header("Bearer%3Da.b.c", "a.b.c"));
    SL_CHECK(from_header("Bearer%3da.b.c", "a.b.c"));
    SL_CHECK(from_header("Basic a.b.c", ""));
    SL_CHECK(from_header("Bearer", ""));
    SL_CHECK(from_header("Bearer ", ""));
    SL_CHECK(from_header("Bearera.b.c", ""));
    SL_CHECK(from_header("", ""));

    /* an SWT as it is, and URL-encoded as a whole (AMP's "Bearer=") */
    SL_CHECK(from_header("Bearer Issuer=a%3ab&HMACSHA256=x%2By",
                         "Issuer=a%3ab&HMACSHA256=x%2By"));
    SL_CHECK(from_header("Bearer=Issuer%3da%253ab%26HMACSHA256%3dx%252By",
                         "Issuer=a%3ab&HMACSHA256=x%2By"));
    SL_CHECK(from_header("Bearer%3DIssuer%3Da%253ab%26HMACSHA256%3Dx%252By",
                         "Issuer=a%3ab&HMACSHA256=x%2By"));

    SL_CHECK(from_query("a.b.c", "a.b.c"));
    SL_CHECK(from_query("a.b.c%3D", "a.b.c="));
    SL_CHECK(from_query("Issuer%3Da%253ab%26HMACSHA256%3Dx%252By",
                        "Issuer=a%3ab&HMACSHA256=x%2By"));
    SL_CHECK(from_query("Issuer%253Da%25253ab%2526HMACSHA256%253Dx",
                        "Issuer=a%3ab&HMACSHA256=x"));
    SL_CHECK(from_query("%zz", "%zz"));
    SL_CHECK(from_query("%4", "%4"));
    SL_CHECK(from_query("", ""));
}


/* --- the restriction of a policy's JSON --------------------------------- */

static sluice_json_t *
json(const char *s)
{
    sluice_json_t  *v;

    v = NULL;

    if (sluice_json_parse(&alloc, (const uint8_t *) s, strlen(s), &v, NULL,
                          NULL)
        != SLUICE_OK)
    {
        return NULL;
    }

    return v;
}


#define P  "#Microsoft.Media.ContentKeyPolicy"

static void
test_policy(void)
{
    char                        *s, *b64, *mod, *exp, *der;
    size_t                       n;
    sluice_json_t               *v;
    sluice_token_restriction_t   r;
    sluice_token_restriction_t   want;

    /* the keys of want, in base64, into an AMS restriction */
    restriction(&want, SLUICE_TOKEN_JWT);
    add_symmetric(&want, key1, sizeof(key1) - 1);
    add_rsa(&want, rsa1);
    add_x509(&want, rsa2);

    b64 = pool_alloc(&pool, 64);
    n = sluice_base64_encode(key1, sizeof(key1) - 1, (uint8_t *) b64, 0);
    b64[n] = '\0';
    mod = pool_alloc(&pool, 400);
    n = sluice_base64_encode(want.keys[1].value.data, want.keys[1].value.len,
                             (uint8_t *) mod, 0);
    mod[n] = '\0';
    exp = pool_alloc(&pool, 16);
    n = sluice_base64_encode(want.keys[1].exponent.data,
                             want.keys[1].exponent.len, (uint8_t *) exp, 0);
    exp[n] = '\0';
    der = pool_alloc(&pool, 4096);
    n = sluice_base64_encode(want.keys[2].value.data, want.keys[2].value.len,
                             (uint8_t *) der, 0);
    der[n] = '\0';

    s = pool_alloc(&pool, 8192);
    sprintf(s, "{\"@odata.type\":\"" P "TokenRestriction\","
            "\"issuer\":\"https://issuer.example\",\"audience\":\"urn:sluice\","
            "\"restrictionTokenType\":\"Jwt\","
            "\"primaryVerificationKey\":{\"@odata.type\":"
            "\"" P "SymmetricTokenKey\",\"keyValue\":\"%s\"},"
            "\"alternateVerificationKeys\":["
            "{\"@odata.type\":\"" P "RsaTokenKey\",\"exponent\":\"%s\","
            "\"modulus\":\"%s\"},"
            "{\"@odata.type\":\"#Other\",\"keyValue\":\"AAAA\"},"
            "{\"@odata.type\":\"" P "x509certificatetokenkey\","
            "\"rawBody\":\"%s\"}],"
            "\"requiredClaims\":[{\"claimType\":\"" KIDC "\"},"
            "{\"claimType\":\"DRM\",\"claimValue\":\"ClearKey\"},"
            "{\"claimType\":\"sub\",\"claimValue\":null}]}",
            b64, exp, mod, der);

    v = json(s);
    SL_CHECK(v != NULL);
    SL_CHECK(sluice_token_policy_is(v, "TokenRestriction"));
    SL_CHECK(sluice_token_policy_is(v, "tokenrestriction"));
    SL_CHECK(!sluice_token_policy_is(v, "Token"));
    SL_CHECK(!sluice_token_policy_is(v, "OpenRestriction"));

    SL_CHECK_OK(sluice_token_policy_restriction(&alloc, v, &r));
    SL_CHECK_EQ(r.type, SLUICE_TOKEN_JWT);
    SL_CHECK_UEQ(r.issuer.len, strlen("https://issuer.example"));
    SL_CHECK_MEM_EQ(r.audience.data, "urn:sluice", 10);
    SL_CHECK_UEQ(r.nkeys, (size_t) 3);
    SL_CHECK_EQ(r.keys[0].type, SLUICE_TOKEN_KEY_SYMMETRIC);
    SL_CHECK_UEQ(r.keys[0].value.len, sizeof(key1) - 1);
    SL_CHECK_MEM_EQ(r.keys[0].value.data, key1, sizeof(key1) - 1);
    SL_CHECK_EQ(r.keys[1].type, SLUICE_TOKEN_KEY_RSA);
    SL_CHECK_UEQ(r.keys[1].value.len, want.keys[1].value.len);
    SL_CHECK_EQ(r.keys[2].type, SLUICE_TOKEN_KEY_X509);
    SL_CHECK_UEQ(r.keys[2].value.len, want.keys[2].value.len);
    SL_CHECK_UEQ(r.nclaims, (size_t) 3);
    SL_CHECK(!r.claims[0].has_value);
    SL_CHECK(r.claims[1].has_value);
    SL_CHECK(!r.claims[2].has_value);

    SL_CHECK_EQ(verify(&r, rs256(claims("https://issuer.example", AUD, 60,
                                        "\"" KIDC "\":\"" KID "\","
                                        "\"DRM\":\"ClearKey\",\"sub\":0"),
                                 rsa2)),
                SLUICE_TOKEN_OK);

    /* not restrictions of that shape */
    SL_CHECK_EQ(sluice_token_policy_restriction(&alloc,
                    json("{\"@odata.type\":\"" P "OpenRestriction\"}"), &r),
                SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_token_policy_restriction(&alloc,
                    json("{\"@odata.type\":\"" P "TokenRestriction\","
                         "\"issuer\":\"i\",\"audience\":\"a\","
                         "\"restrictionTokenType\":\"Unknown\","
                         "\"primaryVerificationKey\":{\"@odata.type\":"
                         "\"" P "SymmetricTokenKey\",\"keyValue\":\"AA==\"}}"),
                    &r),
                SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_token_policy_restriction(&alloc,
                    json("{\"@odata.type\":\"" P "TokenRestriction\","
                         "\"issuer\":\"i\",\"audience\":\"a\","
                         "\"restrictionTokenType\":\"Swt\","
                         "\"primaryVerificationKey\":{\"@odata.type\":"
                         "\"" P "SymmetricTokenKey\",\"keyValue\":\"!\"}}"),
                    &r),
                SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_token_policy_restriction(&alloc,
                    json("{\"@odata.type\":\"" P "TokenRestriction\","
                         "\"audience\":\"a\","
                         "\"restrictionTokenType\":\"Swt\","
                         "\"primaryVerificationKey\":{\"@odata.type\":"
                         "\"" P "SymmetricTokenKey\",\"keyValue\":\"AA\"}}"),
                    &r),
                SLUICE_BAD_DATA);

    SL_CHECK_OK(sluice_token_policy_restriction(&alloc,
                    json("{\"@odata.type\":\"" P "TokenRestriction\","
                         "\"issuer\":\"i\",\"audience\":\"a\","
                         "\"restrictionTokenType\":\"Swt\","
                         "\"primaryVerificationKey\":{\"@odata.type\":"
                         "\"" P "SymmetricTokenKey\",\"keyValue\":\"AA\"},"
                         "\"requiredClaims\":null}"),
                    &r));
    SL_CHECK_EQ(r.type, SLUICE_TOKEN_SWT);
    SL_CHECK_UEQ(r.nkeys, (size_t) 1);
    SL_CHECK_UEQ(r.keys[0].value.len, (size_t) 1);
    SL_CHECK_UEQ(r.nclaims, (size_t) 0);

    SL_CHECK(!sluice_token_policy_is(json("[]"), "TokenRestriction"));
    SL_CHECK(!sluice_token_policy_is(NULL, "TokenRestriction"));
}


static void
test_results(void)
{
    unsigned  i;

    for (i = SLUICE_TOKEN_OK; i <= SLUICE_TOKEN_ERROR; i++) {
        SL_CHECK(sluice_token_result_code(i) != NULL);
        SL_CHECK(strlen(sluice_token_result_text(i)) > 10);
    }

    SL_CHECK_STR_EQ(sluice_token_result_code(SLUICE_TOKEN_EXPIRED),
                    "TokenExpired");
    SL_CHECK_STR_EQ(sluice_token_result_code(SLUICE_TOKEN_ERROR + 1),
                    "InternalError");

    /* the refusals after a verified signature come later in the order */
    SL_CHECK(SLUICE_TOKEN_SIGNATURE < SLUICE_TOKEN_ISSUER);
    SL_CHECK(SLUICE_TOKEN_NOT_YET_VALID < SLUICE_TOKEN_CLAIM_MISSING);
    SL_CHECK(SLUICE_TOKEN_CLAIM_VALUE < SLUICE_TOKEN_KID);
}


#define RUN(fn)  do { SL_RUN(fn); pool_free(); } while (0)

int
main(void)
{
    alloc.alloc = pool_alloc;
    alloc.ctx = &pool;

    rsa1 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
    rsa2 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
    rsa_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 1024);

    SL_CHECK(rsa1 != NULL && rsa2 != NULL && rsa_small != NULL);

    RUN(test_base64);
    RUN(test_uuid_parse);
    RUN(test_jwt_hs256);
    RUN(test_jwt_refused);
    RUN(test_jwt_claims);
    RUN(test_jwt_kid);
    RUN(test_jwt_rs256);
    RUN(test_swt);
    RUN(test_swt_raw_signature);
    RUN(test_forms);
    RUN(test_policy);
    RUN(test_results);

    EVP_PKEY_free(rsa1);
    EVP_PKEY_free(rsa2);
    EVP_PKEY_free(rsa_small);

    return SL_DONE();
}
