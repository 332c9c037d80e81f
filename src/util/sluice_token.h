
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Token restrictions of AMS content key policies: a JWT (RFC 7519,
 * compact JWS signed HS256 or RS256) or an SWT (OAuth WRAP Simple Web
 * Token, HMACSHA256) checked against a restriction: signature by the
 * primary or an alternate verification key, issuer, audience, expiry
 * and not-before with a clock skew, required claims, and the content
 * key identifier claim against the KID asked for.
 *
 *   sluice_token_restriction_t  r;          (sluice_token_policy.h fills
 *                                            it from a policy's JSON)
 *   n = sluice_token_from_header(value, len, buf);
 *   rc = sluice_token_verify(a, &r, buf, n, kid, time(NULL), 300);
 *
 * Results are ordered as the checks run, so that of several options
 * refusing one token, the one that got furthest explains the refusal.
 * Signatures are checked with OpenSSL (sluice_token_key.h).  Nothing
 * here logs, and no result text quotes the token.
 */


#ifndef _SLUICE_TOKEN_H_INCLUDED_
#define _SLUICE_TOKEN_H_INCLUDED_


#include "util/sluice_base.h"
#include "util/sluice_json.h"


#define SLUICE_TOKEN_MAX_LEN     8192   /* bytes of a token */
#define SLUICE_TOKEN_MAX_KEYS    11     /* the primary and 10 alternates */
#define SLUICE_TOKEN_MAX_CLAIMS  30
#define SLUICE_TOKEN_SKEW        300    /* default clock skew, seconds */

#define SLUICE_TOKEN_KID_CLAIM                                               \
    "urn:microsoft:azure:mediaservices:contentkeyidentifier"


typedef enum {
    SLUICE_TOKEN_JWT = 0,
    SLUICE_TOKEN_SWT
} sluice_token_type_t;


typedef enum {
    SLUICE_TOKEN_KEY_SYMMETRIC = 0,     /* HS256, HMACSHA256 */
    SLUICE_TOKEN_KEY_RSA,               /* RS256 */
    SLUICE_TOKEN_KEY_X509,              /* RS256 with its public key */
    SLUICE_TOKEN_KEY_EC                 /* ES256 (API bearer tokens) */
} sluice_token_key_type_t;


typedef struct {
    sluice_token_key_type_t     type;

    /*
     * symmetric: the key bytes; RSA: the modulus; X509: DER certificate;
     * EC: the P-256 public point, uncompressed (0x04 || x || y)
     */
    sluice_str_t                value;
    sluice_str_t                exponent;       /* RSA, big-endian */
} sluice_token_key_t;


typedef struct {
    sluice_str_t                type;
    sluice_str_t                value;
    int                         has_value;      /* else: any value */
} sluice_token_claim_t;


typedef struct {
    sluice_token_type_t         type;
    sluice_str_t                issuer;
    sluice_str_t                audience;

    size_t                      nkeys;          /* primary first */
    sluice_token_key_t          keys[SLUICE_TOKEN_MAX_KEYS];

    size_t                      nclaims;
    sluice_token_claim_t        claims[SLUICE_TOKEN_MAX_CLAIMS];
} sluice_token_restriction_t;


/* results, in the order of the checks */
typedef enum {
    SLUICE_TOKEN_OK = 0,
    SLUICE_TOKEN_MISSING,           /* no token in the request */
    SLUICE_TOKEN_MALFORMED,         /* not a JWT / SWT, bad JSON, base64 */
    SLUICE_TOKEN_ALGORITHM,         /* alg not HS256 or RS256 ("none") */
    SLUICE_TOKEN_SIGNATURE,         /* no verification key verifies it */
    SLUICE_TOKEN_ISSUER,
    SLUICE_TOKEN_AUDIENCE,
    SLUICE_TOKEN_NO_EXPIRY,         /* no exp / ExpiresOn */
    SLUICE_TOKEN_EXPIRED,
    SLUICE_TOKEN_NOT_YET_VALID,     /* nbf in the future */
    SLUICE_TOKEN_CLAIM_MISSING,     /* a required claim is absent */
    SLUICE_TOKEN_CLAIM_VALUE,       /* ... or has another value */
    SLUICE_TOKEN_KID,               /* content key identifier != KID */
    SLUICE_TOKEN_ERROR              /* out of memory, OpenSSL failure */
} sluice_token_result_t;


/*
 * Checks token[0..len) against r at the Unix time now (seconds) with a
 * clock skew of skew seconds both ways (exp, nbf).  kid: the 16 bytes
 * of the KID asked for; a token that carries the content key identifier
 * claim (required or not) must name that KID (kid NULL: the claim is
 * only required to be present when the restriction requires it).
 * Allocations (decoded parts, JSON) come from a and are not freed here.
 */
sluice_token_result_t sluice_token_verify(sluice_alloc_t *a,
    const sluice_token_restriction_t *r, const uint8_t *token, size_t len,
    const uint8_t kid[16], int64_t now, int64_t skew);

/* an error code ("TokenExpired") and a sentence for a result */
const char *sluice_token_result_code(sluice_token_result_t rc);
const char *sluice_token_result_text(sluice_token_result_t rc);

/*
 * The token of an Authorization header value: "Bearer <t>" or
 * "Bearer=<t>" (the scheme in any case), or the same URL-encoded as a
 * whole ("Bearer%20<t>", "Bearer%3D<t>").  Written to out (len bytes at
 * most); a token that is still URL-encoded (an SWT with no '&', a JWT
 * with a '%') is decoded once more.  Returns its length, 0 if none.
 */
size_t sluice_token_from_header(const uint8_t *v, size_t len, uint8_t *out);

/* the token of a "token" query parameter's value, as in the URL */
size_t sluice_token_from_query(const uint8_t *v, size_t len, uint8_t *out);


#endif /* _SLUICE_TOKEN_H_INCLUDED_ */
