
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * SRT's encryption as a receiver (sluice_srt_crypto.h).
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/sluice_srt_crypto.h"


#define SLUICE_SRT_PBKDF2_ROUNDS  2048
#define SLUICE_SRT_PBKDF2_SALT    8


struct sluice_srt_crypto_s {
    EVP_CIPHER_CTX  *ctx[2];        /* the even key's, the odd key's */
    unsigned         have[2];
    uint8_t          salt[SLUICE_SRT_KM_SALT];
};


static const EVP_CIPHER *
ctr_cipher(size_t key_len)
{
    switch (key_len) {
    case 16:
        return EVP_aes_128_ctr();
    case 24:
        return EVP_aes_192_ctr();
    default:
        return EVP_aes_256_ctr();
    }
}


static const EVP_CIPHER *
wrap_cipher(size_t key_len)
{
    switch (key_len) {
    case 16:
        return EVP_aes_128_wrap();
    case 24:
        return EVP_aes_192_wrap();
    default:
        return EVP_aes_256_wrap();
    }
}


sluice_srt_crypto_t *
sluice_srt_crypto_create(void)
{
    sluice_srt_crypto_t  *c;

    c = calloc(1, sizeof(sluice_srt_crypto_t));
    if (c == NULL) {
        return NULL;
    }

    c->ctx[0] = EVP_CIPHER_CTX_new();
    c->ctx[1] = EVP_CIPHER_CTX_new();

    if (c->ctx[0] == NULL || c->ctx[1] == NULL) {
        sluice_srt_crypto_free(c);
        return NULL;
    }

    return c;
}


void
sluice_srt_crypto_free(sluice_srt_crypto_t *c)
{
    if (c == NULL) {
        return;
    }

    EVP_CIPHER_CTX_free(c->ctx[0]);
    EVP_CIPHER_CTX_free(c->ctx[1]);
    free(c);
}


sluice_status_t
sluice_srt_crypto_set(sluice_srt_crypto_t *c, const sluice_srt_km_t *km,
    const uint8_t *pass, size_t pass_len)
{
    int              n, m, i, k;
    uint8_t          kek[32], keys[2 * 32 + 8];
    sluice_status_t  rc;
    EVP_CIPHER_CTX  *w;

    if (PKCS5_PBKDF2_HMAC_SHA1((const char *) pass, (int) pass_len,
                               km->salt + SLUICE_SRT_KM_SALT
                               - SLUICE_SRT_PBKDF2_SALT,
                               SLUICE_SRT_PBKDF2_SALT,
                               SLUICE_SRT_PBKDF2_ROUNDS, (int) km->key_len,
                               kek)
        != 1)
    {
        return SLUICE_ERROR;
    }

    w = EVP_CIPHER_CTX_new();
    if (w == NULL) {
        return SLUICE_ERROR;
    }

    rc = SLUICE_ERROR;

    EVP_CIPHER_CTX_set_flags(w, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);

    if (EVP_DecryptInit_ex(w, wrap_cipher(km->key_len), NULL, kek, NULL)
        != 1)
    {
        goto done;
    }

    /* the integrity check of RFC 3394 fails: not the passphrase */

    rc = SLUICE_BAD_DATA;

    if (EVP_DecryptUpdate(w, keys, &n, km->wrapped, (int) km->wrapped_len)
        != 1
        || EVP_DecryptFinal_ex(w, keys + n, &m) != 1
        || (size_t) (n + m) != km->wrapped_len - 8)
    {
        goto done;
    }

    rc = SLUICE_ERROR;
    k = 0;

    for (i = 0; i < 2; i++) {
        if (!(km->keys & (1u << i))) {
            continue;
        }

        if (EVP_DecryptInit_ex(c->ctx[i], ctr_cipher(km->key_len), NULL,
                               keys + k * km->key_len, NULL)
            != 1)
        {
            goto done;
        }

        c->have[i] = 1;
        k++;
    }

    memcpy(c->salt, km->salt, SLUICE_SRT_KM_SALT);
    rc = SLUICE_OK;

done:

    EVP_CIPHER_CTX_free(w);
    memset(kek, 0, sizeof(kek));
    memset(keys, 0, sizeof(keys));

    return rc;
}


sluice_status_t
sluice_srt_crypto_decrypt(sluice_srt_crypto_t *c, unsigned kk, uint32_t seq,
    uint8_t *p, size_t len)
{
    int              n;
    uint8_t          iv[16];
    EVP_CIPHER_CTX  *ctx;

    if (kk == 0 || kk == 3 || !c->have[kk - 1]) {
        return SLUICE_BAD_DATA;
    }

    ctx = c->ctx[kk - 1];

    memcpy(iv, c->salt, 14);
    iv[10] ^= (uint8_t) (seq >> 24);
    iv[11] ^= (uint8_t) (seq >> 16);
    iv[12] ^= (uint8_t) (seq >> 8);
    iv[13] ^= (uint8_t) seq;
    iv[14] = 0;
    iv[15] = 0;

    if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1
        || EVP_DecryptUpdate(ctx, p, &n, p, (int) len) != 1)
    {
        return SLUICE_ERROR;
    }

    return SLUICE_OK;
}
