
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the REST API's bearer credentials
 * (src/util/sluice_bearer.c and the ES256 half of sluice_token_key.c):
 * RSA and P-256 keys are generated here through OpenSSL, written as a
 * JWKS (n, e; x, y in base64url), and JWTs signed with them RS256 and
 * ES256 (the DER ECDSA signature turned into r || s here); each token
 * accepted, then each refusal in turn.  Also the JWKS files refused,
 * the role of a token's "roles" claim and the digests of API keys.
 */


#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/sluice_base64.h"
#include "util/sluice_bearer.h"
#include "util/sluice_json.h"
#include "sluice_test.h"


#define NOW     1800000000LL
#define ISS     "https://sts.windows.net/tenant/"
#define AUD     "https://management.core.windows.net/"


typedef struct {
    void                       *blocks;
} pool_t;


static pool_t           pool;
static sluice_alloc_t   alloc;

static EVP_PKEY  *rsa1;         /* 2048 bits, kid "r1" */
static EVP_PKEY  *rsa2;         /* 2048 bits, not in the set */
static EVP_PKEY  *rsa_small;    /* 1024 bits */
static EVP_PKEY  *ec1;          /* P-256, kid "e1" */
static EVP_PKEY  *ec2;          /* P-256, not in the set */

static sluice_jwks_t   jwks;

static const sluice_str_t  issuers[] = {
    sluice_string("https://login.microsoftonline.com/tenant/v2.0"),
    sluice_string(ISS)
};

static const sluice_str_t  audiences[] = {
    sluice_string("api://sluice"),
    sluice_string(AUD)
};


static void *
pool_alloc(void *ctx, size_t size)
{
    void   **m;
    pool_t  *p;

    p = ctx;
    m = malloc(sizeof(void *) + size);
    if (m == NULL) {
        abort();
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


/* --- keys and their JWKs ------------------------------------------------ */

static char *
b64url(const uint8_t *s, size_t len)
{
    char    *out;
    size_t   n;

    out = pool_alloc(&pool, sluice_base64_encoded_len(len) + 1);
    n = sluice_base64_encode(s, len, (uint8_t *) out, 1);
    out[n] = '\0';

    return out;
}


static char *
b64url_bn(const BIGNUM *bn, int pad)
{
    int       n;
    uint8_t   buf[512];

    n = pad ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);

    return b64url(buf, (size_t) n);
}


/* {"kty":"RSA",...} of pkey, with extra members */
static char *
jwk_rsa(EVP_PKEY *pkey, const char *extra)
{
    char    *p;
    BIGNUM  *n, *e;

    n = NULL;
    e = NULL;
    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e);

    p = pool_alloc(&pool, 2048);
    sprintf(p, "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"%s%s}",
            b64url_bn(n, 0), b64url_bn(e, 0), extra[0] ? "," : "", extra);

    BN_free(n);
    BN_free(e);

    return p;
}


/* {"kty":"EC","crv":"P-256",...}; flip: y changed (off the curve) */
static char *
jwk_ec(EVP_PKEY *pkey, const char *extra, int flip)
{
    char    *p;
    BIGNUM  *x, *y;

    x = NULL;
    y = NULL;
    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x);
    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y);

    if (flip) {
        BN_add_word(y, 1);
    }

    p = pool_alloc(&pool, 1024);
    sprintf(p, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\""
            "%s%s}", b64url_bn(x, 32), b64url_bn(y, 32),
            extra[0] ? "," : "", extra);

    BN_free(x);
    BN_free(y);

    return p;
}


static sluice_status_t
parse(const char *json, sluice_jwks_t *set, char *err)
{
    return sluice_jwks_parse(&alloc, (const uint8_t *) json, strlen(json),
                             set, err, 256);
}


/* --- making tokens ------------------------------------------------------ */

/* header.payload and its signature by pkey: RS256, or ES256 as r || s */
static char *
jwt(const char *header, const char *payload, EVP_PKEY *pkey)
{
    char           *t, *h, *p;
    size_t          siglen;
    uint8_t         sig[512], rs[64];
    ECDSA_SIG      *es;
    EVP_MD_CTX     *md;
    const BIGNUM   *r, *s;
    const uint8_t  *der;

    h = b64url((const uint8_t *) header, strlen(header));
    p = b64url((const uint8_t *) payload, strlen(payload));

    t = pool_alloc(&pool, 8192);
    t[0] = '\0';
    strcat(t, h);
    strcat(t, ".");
    strcat(t, p);

    md = EVP_MD_CTX_new();
    siglen = sizeof(sig);
    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey);
    EVP_DigestSign(md, sig, &siglen, (uint8_t *) t, strlen(t));
    EVP_MD_CTX_free(md);

    if (EVP_PKEY_is_a(pkey, "EC")) {
        der = sig;
        es = d2i_ECDSA_SIG(NULL, &der, (long) siglen);
        ECDSA_SIG_get0(es, &r, &s);
        BN_bn2binpad(r, rs, 32);
        BN_bn2binpad(s, rs + 32, 32);
        ECDSA_SIG_free(es);

        memcpy(sig, rs, 64);
        siglen = 64;
    }

    strcat(t, ".");
    strcat(t, b64url(sig, siglen));

    return t;
}


static char *
rs256(const char *kid, const char *payload, EVP_PKEY *pkey)
{
    char  h[128];

    sprintf(h, "{\"typ\":\"JWT\",\"alg\":\"RS256\"%s%s%s}",
            kid ? ",\"kid\":\"" : "", kid ? kid : "", kid ? "\"" : "");

    return jwt(h, payload, pkey);
}


static char *
es256(const char *kid, const char *payload, EVP_PKEY *pkey)
{
    char  h[128];

    sprintf(h, "{\"typ\":\"JWT\",\"alg\":\"ES256\"%s%s%s}",
            kid ? ",\"kid\":\"" : "", kid ? kid : "", kid ? "\"" : "");

    return jwt(h, payload, pkey);
}


/* claims of an Azure AD app token: iss, aud, exp = NOW + exp, extra */
static char *
claims(const char *iss, const char *aud, long exp, const char *extra)
{
    char  *p;

    p = pool_alloc(&pool, 2048);
    sprintf(p, "{\"aud\":%s,\"iss\":\"%s\",\"iat\":%lld,\"nbf\":%lld,"
            "\"exp\":%lld,\"appid\":\"00000000-1111\",\"oid\":\"o\","
            "\"sub\":\"s\",\"tid\":\"tenant\",\"ver\":\"1.0\"%s%s}",
            aud, iss, NOW - 60, NOW - 60, NOW + exp,
            extra[0] ? "," : "", extra);

    return p;
}


static sluice_jwt_result_t
verify(const char *token, sluice_json_t **out)
{
    sluice_json_t       *c;
    sluice_jwt_check_t   check;

    check.jwks = &jwks;
    check.issuers = issuers;
    check.nissuers = 2;
    check.audiences = audiences;
    check.naudiences = 2;
    check.now = NOW;
    check.skew = SLUICE_JWT_SKEW;

    return sluice_jwt_verify(&alloc, &check, (const uint8_t *) token,
                             strlen(token), out ? out : &c);
}


/* --- tests -------------------------------------------------------------- */

static void
test_jwks(void)
{
    char           *json, err[256];
    sluice_jwks_t   set;

    /* Azure AD publishes RSA keys with x5c; others have more kinds */
    json = pool_alloc(&pool, 8192);
    sprintf(json, "{\"keys\":[%s,%s,%s,"
            "{\"kty\":\"oct\",\"k\":\"AAAA\"},"
            "%s,%s,"
            "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\"}]}",
            jwk_rsa(rsa1, "\"use\":\"sig\",\"kid\":\"r1\","
                    "\"x5t\":\"abc\",\"x5c\":[\"MIIB\"]"),
            jwk_ec(ec1, "\"kid\":\"e1\",\"alg\":\"ES256\"", 0),
            jwk_rsa(rsa2, "\"kid\":\"r2\",\"use\":\"enc\""),
            jwk_rsa(rsa2, "\"kid\":\"r3\",\"alg\":\"RS512\""),
            jwk_rsa(rsa1, "\"alg\":\"RS256\""));

    SL_CHECK_OK(parse(json, &jwks, err));
    SL_CHECK_UEQ(jwks.nkeys, (size_t) 3);
    SL_CHECK_UEQ(jwks.nskipped, (size_t) 4);
    SL_CHECK(jwks.keys[0].alg == SLUICE_TOKEN_RS256);
    SL_CHECK(jwks.keys[1].alg == SLUICE_TOKEN_ES256);
    SL_CHECK(jwks.keys[1].key.value.len == 65);
    SL_CHECK_UEQ(jwks.keys[2].kid.len, (size_t) 0);

    /* refusals, each with its reason */

    SL_CHECK(parse("{\"keys\":[", &set, err) == SLUICE_BAD_DATA);
    SL_CHECK(strstr(err, "not JSON") != NULL);

    SL_CHECK(parse("{\"kty\":\"RSA\"}", &set, err) == SLUICE_BAD_DATA);
    SL_CHECK(strstr(err, "no \"keys\" array") != NULL);

    SL_CHECK(parse("{\"keys\":[]}", &set, err) == SLUICE_BAD_DATA);
    SL_CHECK(strstr(err, "no RS256 or ES256") != NULL);

    SL_CHECK(parse("{\"keys\":[{\"kty\":\"oct\",\"k\":\"AA\"}]}", &set, err)
             == SLUICE_BAD_DATA);

    SL_CHECK(parse("{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\"}]}", &set,
                   err) == SLUICE_BAD_DATA);
    SL_CHECK(strstr(err, "key 0: an RSA key needs") != NULL);

    SL_CHECK(parse("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"+/+/\","
                   "\"e\":\"AQAB\"}]}", &set, err) == SLUICE_BAD_DATA);

    sprintf(json, "{\"keys\":[%s]}", jwk_rsa(rsa_small, ""));
    SL_CHECK(parse(json, &set, err) == SLUICE_BAD_DATA);
    SL_CHECK(strstr(err, "fewer than 2048 bits") != NULL);

    sprintf(json, "{\"keys\":[%s,%s]}", jwk_ec(ec1, "", 0),
            jwk_ec(ec2, "", 1));
    SL_CHECK(parse(json, &set, err) == SLUICE_BAD_DATA);
    SL_CHECK(strstr(err, "key 1: \"x\" and \"y\" are not a point") != NULL);

    SL_CHECK(parse("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
                   "\"x\":\"AAAA\",\"y\":\"AAAA\"}]}", &set, err)
             == SLUICE_BAD_DATA);
    SL_CHECK(strstr(err, "32 bytes") != NULL);

    sprintf(json, "{\"keys\":[%s,%s]}", jwk_ec(ec1, "\"kid\":\"k\"", 0),
            jwk_rsa(rsa1, "\"kid\":\"k\""));
    SL_CHECK(parse(json, &set, err) == SLUICE_BAD_DATA);
    SL_CHECK(strstr(err, "key 1: a duplicate \"kid\"") != NULL);

    sprintf(json, "{\"keys\":[%s]}", jwk_ec(ec1, "\"kid\":1", 0));
    SL_CHECK(parse(json, &set, err) == SLUICE_BAD_DATA);

    SL_CHECK(parse("{\"keys\":[\"RSA\"]}", &set, err) == SLUICE_BAD_DATA);
    SL_CHECK(strstr(err, "not an object") != NULL);
}


static void
test_accepted(void)
{
    sluice_json_t  *c;

    c = NULL;
    SL_CHECK_EQ(verify(rs256("r1", claims(ISS, "\"" AUD "\"", 3600, ""),
                             rsa1), &c), SLUICE_JWT_OK);
    SL_CHECK(c != NULL && sluice_json_str_eq(sluice_json_get(c, "sub"), "s"));

    SL_CHECK_EQ(verify(es256("e1", claims(ISS, "\"" AUD "\"", 3600, ""),
                             ec1), NULL), SLUICE_JWT_OK);

    /* the v2.0 issuer, aud an array holding one audience */
    SL_CHECK_EQ(verify(es256("e1", claims(
        "https://login.microsoftonline.com/tenant/v2.0",
        "[\"other\",\"api://sluice\"]", 60, ""), ec1), NULL), SLUICE_JWT_OK);

    /* no kid: every key of the alg is tried */
    SL_CHECK_EQ(verify(rs256(NULL, claims(ISS, "\"" AUD "\"", 60, ""),
                             rsa1), NULL), SLUICE_JWT_OK);
    SL_CHECK_EQ(verify(es256(NULL, claims(ISS, "\"" AUD "\"", 60, ""),
                             ec1), NULL), SLUICE_JWT_OK);

    /* the key without kid */
    SL_CHECK_EQ(verify(rs256(NULL, claims(ISS, "\"" AUD "\"", 60, ""),
                             rsa1), NULL), SLUICE_JWT_OK);

    /* within the clock skew: expired 30 s ago, valid in 30 s */
    SL_CHECK_EQ(verify(rs256("r1", claims(ISS, "\"" AUD "\"", -30, ""),
                             rsa1), NULL), SLUICE_JWT_OK);
    SL_CHECK_EQ(verify(rs256("r1", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD
                             "\",\"exp\":1800003600,\"nbf\":1800000030}",
                             rsa1), NULL), SLUICE_JWT_OK);
}


static void
test_refused(void)
{
    char        *t;
    size_t       n;
    const char  *ok;

    ok = claims(ISS, "\"" AUD "\"", 3600, "");

    /* kid */
    SL_CHECK_EQ(verify(rs256("nope", ok, rsa1), NULL),
                SLUICE_JWT_KEY_UNKNOWN);
    SL_CHECK_EQ(verify(rs256("e1", ok, rsa1), NULL), SLUICE_JWT_KEY_UNKNOWN);
    SL_CHECK_EQ(verify(es256("r1", ok, ec1), NULL), SLUICE_JWT_KEY_UNKNOWN);

    /* signature: another key, a changed payload, a changed signature */
    SL_CHECK_EQ(verify(rs256("r1", ok, rsa2), NULL), SLUICE_JWT_SIGNATURE);
    SL_CHECK_EQ(verify(rs256(NULL, ok, rsa2), NULL), SLUICE_JWT_SIGNATURE);
    SL_CHECK_EQ(verify(es256("e1", ok, ec2), NULL), SLUICE_JWT_SIGNATURE);

    t = es256("e1", ok, ec1);
    n = strlen(t);
    t[n - 2] = (t[n - 2] == 'A') ? 'B' : 'A';
    SL_CHECK_EQ(verify(t, NULL), SLUICE_JWT_SIGNATURE);

    t = es256("e1", ok, ec1);
    strcat(t, "AAAA");                              /* 67 bytes */
    SL_CHECK_EQ(verify(t, NULL), SLUICE_JWT_SIGNATURE);

    t = rs256("r1", ok, rsa1);
    memcpy(strchr(t, '.') + 1, "eyJi", 4);
    SL_CHECK(verify(t, NULL) != SLUICE_JWT_OK);

    /* algorithms */
    SL_CHECK_EQ(verify(jwt("{\"alg\":\"RS384\",\"kid\":\"r1\"}", ok, rsa1),
                       NULL), SLUICE_JWT_ALGORITHM);

    t = pool_alloc(&pool, 4096);
    sprintf(t, "%s.%s.", b64url((const uint8_t *) "{\"alg\":\"none\"}", 14),
            b64url((const uint8_t *) ok, strlen(ok)));
    SL_CHECK(verify(t, NULL) != SLUICE_JWT_OK);
    strcat(t, "AAAA");
    SL_CHECK_EQ(verify(t, NULL), SLUICE_JWT_ALGORITHM);

    SL_CHECK_EQ(verify(jwt("{\"alg\":\"ES256\",\"crit\":[\"x\"]}", ok, ec1),
                       NULL), SLUICE_JWT_MALFORMED);

    /* claims */
    SL_CHECK_EQ(verify(rs256("r1", claims("https://evil/", "\"" AUD "\"",
                                          3600, ""), rsa1), NULL),
                SLUICE_JWT_ISSUER);
    SL_CHECK_EQ(verify(rs256("r1", "{\"aud\":\"" AUD "\",\"exp\":1900000000}",
                             rsa1), NULL), SLUICE_JWT_ISSUER);
    SL_CHECK_EQ(verify(rs256("r1", claims(ISS, "\"api://other\"", 3600, ""),
                             rsa1), NULL), SLUICE_JWT_AUDIENCE);
    SL_CHECK_EQ(verify(rs256("r1", claims(ISS, "[\"a\",\"b\"]", 3600, ""),
                             rsa1), NULL), SLUICE_JWT_AUDIENCE);
    SL_CHECK_EQ(verify(rs256("r1", claims(ISS, "[]", 3600, ""), rsa1), NULL),
                SLUICE_JWT_AUDIENCE);
    SL_CHECK_EQ(verify(rs256("r1", claims(ISS, "null", 3600, ""), rsa1),
                       NULL), SLUICE_JWT_AUDIENCE);
    SL_CHECK_EQ(verify(rs256("r1", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD
                             "\"}", rsa1), NULL), SLUICE_JWT_NO_EXPIRY);
    SL_CHECK_EQ(verify(rs256("r1", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD
                             "\",\"exp\":\"1900000000\"}", rsa1), NULL),
                SLUICE_JWT_NO_EXPIRY);
    SL_CHECK_EQ(verify(rs256("r1", claims(ISS, "\"" AUD "\"", -61, ""),
                             rsa1), NULL), SLUICE_JWT_EXPIRED);
    SL_CHECK_EQ(verify(rs256("r1", claims(ISS, "\"" AUD "\"", -60, ""),
                             rsa1), NULL), SLUICE_JWT_EXPIRED);
    SL_CHECK_EQ(verify(rs256("r1", claims(ISS, "\"" AUD "\"", -59, ""),
                             rsa1), NULL), SLUICE_JWT_OK);
    SL_CHECK_EQ(verify(rs256("r1", "{\"iss\":\"" ISS "\",\"aud\":\"" AUD
                             "\",\"exp\":1800003600,\"nbf\":1800000061}",
                             rsa1), NULL), SLUICE_JWT_NOT_YET_VALID);

    /* shapes */
    SL_CHECK_EQ(verify("", NULL), SLUICE_JWT_MALFORMED);
    SL_CHECK_EQ(verify("abc", NULL), SLUICE_JWT_MALFORMED);
    SL_CHECK_EQ(verify("a.b", NULL), SLUICE_JWT_MALFORMED);
    SL_CHECK_EQ(verify("a..c", NULL), SLUICE_JWT_MALFORMED);
    SL_CHECK_EQ(verify(".b.c", NULL), SLUICE_JWT_MALFORMED);
    SL_CHECK_EQ(verify("a.b.c.d.e", NULL), SLUICE_JWT_MALFORMED);
    SL_CHECK_EQ(verify("sluice-test-key", NULL), SLUICE_JWT_MALFORMED);
    SL_CHECK_EQ(verify(rs256("r1", "[1]", rsa1), NULL), SLUICE_JWT_MALFORMED);
    SL_CHECK_EQ(verify(jwt("{\"alg\":\"RS256\",\"kid\":7}", ok, rsa1), NULL),
                SLUICE_JWT_MALFORMED);

    t = rs256("r1", ok, rsa1);
    strcat(t, "!");
    SL_CHECK_EQ(verify(t, NULL), SLUICE_JWT_MALFORMED);

    SL_CHECK_STR_EQ(sluice_jwt_result_code(SLUICE_JWT_EXPIRED),
                    "ExpiredAuthenticationToken");
    SL_CHECK_STR_EQ(sluice_jwt_result_code(SLUICE_JWT_AUDIENCE),
                    "InvalidAuthenticationTokenAudience");
    SL_CHECK_STR_EQ(sluice_jwt_result_code((sluice_jwt_result_t) 99),
                    "InternalError");
}


static sluice_json_t *
json(const char *s)
{
    sluice_json_t  *v;

    v = NULL;
    sluice_json_parse(&alloc, (const uint8_t *) s, strlen(s), &v, NULL,
                      NULL);

    return v;
}


static void
test_roles(void)
{
    static const sluice_role_map_t  map[] = {
        { sluice_string("Media.Read"), SLUICE_ROLE_READER },
        { sluice_string("Media.Write"), SLUICE_ROLE_CONTRIBUTOR },
        { sluice_string("Media.Admin"), SLUICE_ROLE_OWNER }
    };

    /* no map: the names */
    SL_CHECK_EQ(sluice_bearer_role(json("{\"roles\":[\"Reader\"]}"), NULL, 0,
                                   SLUICE_ROLE_NONE), SLUICE_ROLE_READER);
    SL_CHECK_EQ(sluice_bearer_role(json("{\"roles\":[\"reader\","
                                        "\"contributor\"]}"), NULL, 0,
                                   SLUICE_ROLE_NONE),
                SLUICE_ROLE_CONTRIBUTOR);
    SL_CHECK_EQ(sluice_bearer_role(json("{\"roles\":\"Owner\"}"), NULL, 0,
                                   SLUICE_ROLE_NONE), SLUICE_ROLE_OWNER);
    SL_CHECK_EQ(sluice_bearer_role(json("{\"roles\":[\"none\",3]}"), NULL, 0,
                                   SLUICE_ROLE_NONE), SLUICE_ROLE_NONE);
    SL_CHECK_EQ(sluice_bearer_role(json("{\"sub\":\"x\"}"), NULL, 0,
                                   SLUICE_ROLE_READER), SLUICE_ROLE_READER);
    SL_CHECK_EQ(sluice_bearer_role(json("{\"roles\":[\"Other\"]}"), NULL, 0,
                                   SLUICE_ROLE_READER), SLUICE_ROLE_READER);

    /* a map: its values only, the highest role */
    SL_CHECK_EQ(sluice_bearer_role(json("{\"roles\":[\"Media.Read\"]}"), map,
                                   3, SLUICE_ROLE_NONE), SLUICE_ROLE_READER);
    SL_CHECK_EQ(sluice_bearer_role(json("{\"roles\":[\"Media.Write\","
                                        "\"Media.Read\"]}"), map, 3,
                                   SLUICE_ROLE_NONE),
                SLUICE_ROLE_CONTRIBUTOR);
    SL_CHECK_EQ(sluice_bearer_role(json("{\"roles\":[\"Owner\"]}"), map, 3,
                                   SLUICE_ROLE_NONE), SLUICE_ROLE_NONE);
    SL_CHECK_EQ(sluice_bearer_role(json("{\"roles\":[\"media.admin\"]}"), map,
                                   3, SLUICE_ROLE_NONE), SLUICE_ROLE_NONE);

    SL_CHECK_EQ(sluice_role_parse((const uint8_t *) "CONTRIBUTOR", 11),
                SLUICE_ROLE_CONTRIBUTOR);
    SL_CHECK_EQ(sluice_role_parse((const uint8_t *) "admin", 5), -1);
    SL_CHECK_STR_EQ(sluice_role_name(SLUICE_ROLE_OWNER), "owner");
}


static void
test_digest(void)
{
    uint8_t  d1[32], d2[32], d3[32];

    /* SHA-256("abc"), FIPS 180-2 */
    static const uint8_t  abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
        0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
        0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad
    };

    SL_CHECK_OK(sluice_bearer_digest((const uint8_t *) "abc", 3, d1));
    SL_CHECK_MEM_EQ(d1, abc, 32);
    SL_CHECK_OK(sluice_bearer_digest((const uint8_t *) "abc", 3, d2));
    SL_CHECK_OK(sluice_bearer_digest((const uint8_t *) "abd", 3, d3));

    SL_CHECK(sluice_bearer_digest_eq(d1, d2));
    SL_CHECK(!sluice_bearer_digest_eq(d1, d3));
}


static EVP_PKEY *
keygen(const char *type, unsigned bits)
{
    EVP_PKEY  *k;

    if (bits) {
        k = EVP_PKEY_Q_keygen(NULL, NULL, type, (size_t) bits);

    } else {
        k = EVP_PKEY_Q_keygen(NULL, NULL, type, "P-256");
    }

    if (k == NULL) {
        fprintf(stderr, "keygen %s failed\n", type);
        exit(1);
    }

    return k;
}


int
main(void)
{
    alloc.alloc = pool_alloc;
    alloc.ctx = &pool;

    rsa1 = keygen("RSA", 2048);
    rsa2 = keygen("RSA", 2048);
    rsa_small = keygen("RSA", 1024);
    ec1 = keygen("EC", 0);
    ec2 = keygen("EC", 0);

    SL_RUN(test_jwks);
    SL_RUN(test_accepted);
    SL_RUN(test_refused);
    SL_RUN(test_roles);
    SL_RUN(test_digest);

    EVP_PKEY_free(rsa1);
    EVP_PKEY_free(rsa2);
    EVP_PKEY_free(rsa_small);
    EVP_PKEY_free(ec1);
    EVP_PKEY_free(ec2);

    pool_free();

    return SL_DONE();
}
