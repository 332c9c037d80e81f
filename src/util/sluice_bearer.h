
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Bearer credentials of the REST API: API keys, compared by their
 * SHA-256 digests in constant time, and JWTs (RFC 7519, compact JWS
 * signed RS256 or ES256) checked against a JSON Web Key Set (RFC 7517)
 * as an identity provider such as Azure AD (Microsoft Entra ID)
 * publishes it: the header's "kid" picks the key, then the signature,
 * "iss", "aud" (a string or an array), "exp" (required) and "nbf" with
 * a clock skew; the "roles" claim maps to a role of the API.
 *
 *   sluice_jwks_parse(a, file, n, &jwks, err, sizeof(err));  (at start)
 *   rc = sluice_jwt_verify(a, &check, token, len, &claims);
 *   role = sluice_bearer_role(claims, map, nmap, default_role);
 *
 * Nothing here logs, and no result text quotes a token or a key.
 * Signatures are checked with OpenSSL (sluice_token_key.h).
 */


#ifndef _SLUICE_BEARER_H_INCLUDED_
#define _SLUICE_BEARER_H_INCLUDED_


#include "util/sluice_base.h"
#include "util/sluice_json.h"
#include "util/sluice_token.h"
#include "util/sluice_token_key.h"


#define SLUICE_BEARER_DIGEST_LEN  32        /* SHA-256 */
#define SLUICE_JWT_MAX_LEN        SLUICE_TOKEN_MAX_LEN
#define SLUICE_JWKS_MAX_KEYS      64
#define SLUICE_JWT_SKEW           60        /* seconds, exp and nbf */


/* the roles of the API, each allowing what the one before does */
typedef enum {
    SLUICE_ROLE_NONE = 0,
    SLUICE_ROLE_READER,             /* reads, actions that change nothing */
    SLUICE_ROLE_CONTRIBUTOR,        /* everything on media resources */
    SLUICE_ROLE_OWNER               /* the same (no key management API) */
} sluice_role_t;


typedef struct {
    sluice_str_t                kid;            /* len 0: none */
    sluice_token_alg_t          alg;            /* RS256 or ES256 */
    sluice_token_key_t          key;            /* RSA n, e; or EC point */
} sluice_jwk_t;


typedef struct {
    size_t                      nkeys;
    sluice_jwk_t               *keys;
    size_t                      nskipped;       /* other kty, use, alg */
} sluice_jwks_t;


/* a claim value and the role it gives */
typedef struct {
    sluice_str_t                value;
    sluice_role_t               role;
} sluice_role_map_t;


typedef struct {
    const sluice_jwks_t        *jwks;
    const sluice_str_t         *issuers;        /* "iss" is one of them */
    size_t                      nissuers;
    const sluice_str_t         *audiences;      /* "aud" holds one */
    size_t                      naudiences;
    int64_t                     now;            /* Unix time, seconds */
    int64_t                     skew;
} sluice_jwt_check_t;


/* results, in the order of the checks */
typedef enum {
    SLUICE_JWT_OK = 0,
    SLUICE_JWT_MALFORMED,           /* not a compact JWS, bad JSON, base64 */
    SLUICE_JWT_ALGORITHM,           /* alg not RS256 or ES256 ("none") */
    SLUICE_JWT_KEY_UNKNOWN,         /* no key of that kid and alg */
    SLUICE_JWT_SIGNATURE,
    SLUICE_JWT_ISSUER,
    SLUICE_JWT_AUDIENCE,
    SLUICE_JWT_NO_EXPIRY,
    SLUICE_JWT_EXPIRED,
    SLUICE_JWT_NOT_YET_VALID,
    SLUICE_JWT_ERROR                /* out of memory, OpenSSL failure */
} sluice_jwt_result_t;


/*
 * Reads a JWKS, {"keys":[...]}: RSA keys ("n", "e"; 2048 bits at least)
 * and EC P-256 keys ("x", "y": a point of the curve), for "alg" RS256
 * or ES256 or none given.  Keys of another "kty", "crv" or "alg", or
 * whose "use" is not "sig", are skipped (counted in nskipped); a key of
 * a kind kept that is malformed, a duplicate "kid", or no key kept is
 * an error: SLUICE_BAD_DATA with a sentence in err (errlen bytes,
 * NUL-terminated).  The keys point into data and into a's memory.
 */
sluice_status_t sluice_jwks_parse(sluice_alloc_t *a, const uint8_t *data,
    size_t len, sluice_jwks_t *jwks, char *err, size_t errlen);

/*
 * Checks token[0..len) as c says; on SLUICE_JWT_OK *claims is the
 * payload (an object).  A token with a "kid" is checked with the key of
 * that "kid" only, one without with each key of its "alg".  Allocations
 * come from a and are not freed here.
 */
sluice_jwt_result_t sluice_jwt_verify(sluice_alloc_t *a,
    const sluice_jwt_check_t *c, const uint8_t *token, size_t len,
    sluice_json_t **claims);

/* an ARM error code ("ExpiredAuthenticationToken") and a sentence */
const char *sluice_jwt_result_code(sluice_jwt_result_t rc);
const char *sluice_jwt_result_text(sluice_jwt_result_t rc);

/*
 * The role of verified claims: the highest role its "roles" claim (a
 * string or an array of strings) maps to through map[0..n), or dflt
 * when none does.  With n == 0 the values "Reader", "Contributor" and
 * "Owner" (in any case) map to their roles.
 */
sluice_role_t sluice_bearer_role(const sluice_json_t *claims,
    const sluice_role_map_t *map, size_t n, sluice_role_t dflt);

/* the role of its name ("reader"...; any case), -1 if none */
int sluice_role_parse(const uint8_t *s, size_t len);
const char *sluice_role_name(sluice_role_t role);

/* SHA-256 of s[0..len); SLUICE_ERROR if OpenSSL fails */
sluice_status_t sluice_bearer_digest(const uint8_t *s, size_t len,
    uint8_t out[SLUICE_BEARER_DIGEST_LEN]);

/* 1 when two digests are equal, in a time independent of their bytes */
int sluice_bearer_digest_eq(const uint8_t *a, const uint8_t *b);


#endif /* _SLUICE_BEARER_H_INCLUDED_ */
