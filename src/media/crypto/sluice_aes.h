
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * HLS AES-128 (RFC 8216 4.3.2.4, 5.2): a whole segment encrypted with
 * AES-128 in CBC mode with PKCS#7 padding.  The cipher is OpenSSL's EVP;
 * the caller owns the EVP_CIPHER_CTX (EVP_CIPHER_CTX_new() and _free(),
 * in nginx a pool cleanup handler) and may reuse it for any number of
 * segments: every function here initialises it again.
 */


#ifndef _SLUICE_AES_H_INCLUDED_
#define _SLUICE_AES_H_INCLUDED_


#include <openssl/evp.h>

#include "media/sluice_media.h"


#define SLUICE_AES_KEY_SIZE     16
#define SLUICE_AES_BLOCK_SIZE   16


/*
 * The IV of a segment whose EXT-X-KEY has no IV attribute (RFC 8216
 * 5.2): its media sequence number as a 128-bit big-endian integer.
 */
void sluice_aes_hls_iv(uint8_t iv[SLUICE_AES_BLOCK_SIZE],
    uint64_t media_sequence);

/*
 * Size of the encryption of len clear bytes: PKCS#7 always adds 1 to 16
 * bytes, so the result is the next multiple of 16 above len.
 */
size_t sluice_aes_cbc_size(size_t len);

/*
 * Encrypt a segment given in pieces: init, then update for each piece
 * (out receives a multiple of 16 bytes, *out_len of them: at most
 * len + 15), then final (the last block, padding included: always 16
 * bytes).  in and out are the same buffer or do not overlap.
 * SLUICE_ERROR when OpenSSL fails.
 */
sluice_status_t sluice_aes_cbc_init(EVP_CIPHER_CTX *ctx,
    const uint8_t key[SLUICE_AES_KEY_SIZE],
    const uint8_t iv[SLUICE_AES_BLOCK_SIZE]);
sluice_status_t sluice_aes_cbc_update(EVP_CIPHER_CTX *ctx, const uint8_t *in,
    size_t len, uint8_t *out, size_t *out_len);
sluice_status_t sluice_aes_cbc_final(EVP_CIPHER_CTX *ctx, uint8_t *out,
    size_t *out_len);

/*
 * Encrypt a whole segment of len bytes into out, which must hold
 * sluice_aes_cbc_size(len) bytes; out may be in when that buffer has the
 * room.
 */
sluice_status_t sluice_aes_cbc_encrypt(EVP_CIPHER_CTX *ctx,
    const uint8_t key[SLUICE_AES_KEY_SIZE],
    const uint8_t iv[SLUICE_AES_BLOCK_SIZE], const uint8_t *in, size_t len,
    uint8_t *out);


#endif /* _SLUICE_AES_H_INCLUDED_ */
