
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/crypto/sluice_aes.h"


/* EVP takes int lengths: longer inputs go through in pieces of this */
#define SLUICE_AES_CHUNK  (1 << 30)


void
sluice_aes_hls_iv(uint8_t iv[SLUICE_AES_BLOCK_SIZE], uint64_t media_sequence)
{
    int  i;

    memset(iv, 0, 8);

    for (i = 15; i >= 8; i--) {
        iv[i] = (uint8_t) media_sequence;
        media_sequence >>= 8;
    }
}


size_t
sluice_aes_cbc_size(size_t len)
{
    return len + SLUICE_AES_BLOCK_SIZE - len % SLUICE_AES_BLOCK_SIZE;
}


sluice_status_t
sluice_aes_cbc_init(EVP_CIPHER_CTX *ctx,
    const uint8_t key[SLUICE_AES_KEY_SIZE],
    const uint8_t iv[SLUICE_AES_BLOCK_SIZE])
{
    if (EVP_EncryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, iv) != 1) {
        return SLUICE_ERROR;
    }

    /* PKCS#7 is EVP's default; set it all the same (a reused ctx) */
    if (EVP_CIPHER_CTX_set_padding(ctx, 1) != 1) {
        return SLUICE_ERROR;
    }

    return SLUICE_OK;
}


sluice_status_t
sluice_aes_cbc_update(EVP_CIPHER_CTX *ctx, const uint8_t *in, size_t len,
    uint8_t *out, size_t *out_len)
{
    int     n, chunk;
    size_t  done;

    done = 0;

    while (len > 0) {
        chunk = len > SLUICE_AES_CHUNK ? SLUICE_AES_CHUNK : (int) len;

        if (EVP_EncryptUpdate(ctx, out + done, &n, in, chunk) != 1) {
            return SLUICE_ERROR;
        }

        done += (size_t) n;
        in += chunk;
        len -= (size_t) chunk;
    }

    *out_len = done;

    return SLUICE_OK;
}


sluice_status_t
sluice_aes_cbc_final(EVP_CIPHER_CTX *ctx, uint8_t *out, size_t *out_len)
{
    int  n;

    if (EVP_EncryptFinal_ex(ctx, out, &n) != 1) {
        return SLUICE_ERROR;
    }

    *out_len = (size_t) n;

    return SLUICE_OK;
}


sluice_status_t
sluice_aes_cbc_encrypt(EVP_CIPHER_CTX *ctx,
    const uint8_t key[SLUICE_AES_KEY_SIZE],
    const uint8_t iv[SLUICE_AES_BLOCK_SIZE], const uint8_t *in, size_t len,
    uint8_t *out)
{
    size_t  n, last;

    if (sluice_aes_cbc_init(ctx, key, iv) != SLUICE_OK
        || sluice_aes_cbc_update(ctx, in, len, out, &n) != SLUICE_OK
        || sluice_aes_cbc_final(ctx, out + n, &last) != SLUICE_OK)
    {
        return SLUICE_ERROR;
    }

    return n + last == sluice_aes_cbc_size(len) ? SLUICE_OK : SLUICE_ERROR;
}
