
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Signatures of tokens with the verification keys of a token
 * restriction, through OpenSSL 3 (EVP, one-shot HMAC): HMAC-SHA256 with
 * a symmetric key (JWT HS256, SWT HMACSHA256), RSASSA-PKCS1-v1_5 with
 * SHA-256 (JWT RS256) with an RSA key given as modulus and exponent or
 * with the public key of a DER X.509 certificate, and ECDSA P-256 with
 * SHA-256 (JWT ES256, only for the REST API's bearer tokens: AMS token
 * restrictions have no EC keys).  RSA keys of fewer than 2048 bits
 * verify nothing.  Every OpenSSL object is freed before
 * returning and the thread's OpenSSL error queue is left empty.
 */


#ifndef _SLUICE_TOKEN_KEY_H_INCLUDED_
#define _SLUICE_TOKEN_KEY_H_INCLUDED_


#include "util/sluice_token.h"


#define SLUICE_TOKEN_RSA_MIN_BITS  2048


typedef enum {
    SLUICE_TOKEN_HS256 = 0,
    SLUICE_TOKEN_RS256,
    SLUICE_TOKEN_ES256              /* signature: r || s, 32 bytes each */
} sluice_token_alg_t;


/*
 * 1: sig[0..siglen) is the signature of data[0..len) by key under alg;
 * 0: it is not, or the key cannot sign with alg (a symmetric key for
 * RS256, a certificate that does not parse or holds no RSA key...);
 * -1: OpenSSL failed for want of memory.
 */
int sluice_token_key_verify(const sluice_token_key_t *key,
    sluice_token_alg_t alg, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen);

/*
 * 1: key can verify signatures of alg (an RSA key of 2048 bits at
 * least for RS256, a point of the P-256 curve for ES256); 0: not;
 * -1: OpenSSL failed for want of memory.
 */
int sluice_token_key_usable(const sluice_token_key_t *key,
    sluice_token_alg_t alg);


/*
 * The JOSE header of a JWT (sluice_token.c; s: its base64url text):
 * "alg" one of algs (a mask of 1 << sluice_token_alg_t) into alg, "kid"
 * (a non-empty string, or none: len 0) into kid unless kid is NULL, no
 * "crit".  OK, MALFORMED or ALGORITHM ("none", or an algorithm not in
 * algs).
 */
sluice_token_result_t sluice_token_jose_header(sluice_alloc_t *a,
    const uint8_t *s, size_t len, unsigned algs, sluice_token_alg_t *alg,
    sluice_str_t *kid);


#endif /* _SLUICE_TOKEN_KEY_H_INCLUDED_ */
