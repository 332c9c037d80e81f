
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Apple SAMPLE-AES; see sluice_sample_aes.h.
 *
 * The protected bytes of a slice NAL unit are its bytes as stored, with
 * their own emulation prevention bytes: the decryptors (FFmpeg's
 * hls_sample_encryption.c, hls.js) remove emulation prevention from the
 * whole NAL unit, decrypt, and hand the result to the decoder as a NAL
 * unit, which it must then be.  Every byte of an encrypted NAL unit,
 * clear or encrypted, is written through an encoder of emulation
 * prevention (a 0x03 before any byte 0x00 to 0x03 that follows two zero
 * bytes), which the decryptor's removal undoes exactly.  A run of
 * non-zero bytes after a non-zero one needs no escape and is copied
 * whole (most of a slice).  Writing without an output only counts, so
 * the size of the result is known before it is written; both runs
 * encrypt, since where emulation prevention bytes go depends on the
 * encrypted bytes.
 */


#include <string.h>

#include "media/crypto/sluice_sample_aes.h"
#include "media/codec/sluice_avc.h"


/* the bytes written, with emulation prevention; out NULL: counted */
typedef struct {
    uint8_t        *out;
    size_t          pos;
    uint32_t        zeros;
} sluice_saes_out_t;


static sluice_status_t sluice_saes_nal(EVP_CIPHER_CTX *ctx,
    const uint8_t *iv, const uint8_t *nal, size_t len, sluice_saes_out_t *w);
static void sluice_saes_escape(sluice_saes_out_t *w, const uint8_t *p,
    size_t n);
static void sluice_saes_copy(sluice_saes_out_t *w, const uint8_t *p,
    size_t len);


sluice_status_t
sluice_sample_aes_init(EVP_CIPHER_CTX *ctx,
    const uint8_t key[SLUICE_AES_KEY_SIZE])
{
    if (EVP_EncryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, NULL) != 1
        || EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
    {
        return SLUICE_ERROR;
    }

    return SLUICE_OK;
}


sluice_status_t
sluice_sample_aes_avc(EVP_CIPHER_CTX *ctx,
    const uint8_t iv[SLUICE_AES_BLOCK_SIZE], const uint8_t *in, size_t len,
    uint32_t nal_length_size, uint8_t *out, size_t *out_len)
{
    size_t                 at, start, n, max, i;
    uint32_t               type;
    sluice_str_t           nal;
    sluice_status_t        rc;
    sluice_saes_out_t      w;
    sluice_avc_nal_iter_t  it;

    if (nal_length_size != 1 && nal_length_size != 2
        && nal_length_size != 4)
    {
        return SLUICE_UNSUPPORTED;
    }

    max = (nal_length_size == 4) ? 0xffffffff
                                 : ((size_t) 1 << (8 * nal_length_size)) - 1;

    w.out = out;
    w.pos = 0;

    sluice_avc_nal_iter_init(&it, in, len, nal_length_size);

    while ((rc = sluice_avc_nal_next(&it, &nal)) == SLUICE_OK) {
        at = w.pos;
        w.pos += nal_length_size;
        start = w.pos;

        type = nal.data[0] & 0x1f;

        if ((type == SLUICE_AVC_NAL_SLICE || type == SLUICE_AVC_NAL_IDR)
            && nal.len > SLUICE_SAMPLE_AES_VIDEO_LEADER
                         + SLUICE_AES_BLOCK_SIZE)
        {
            rc = sluice_saes_nal(ctx, iv, nal.data, nal.len, &w);
            if (rc != SLUICE_OK) {
                return rc;
            }

        } else {
            /* not encrypted: as it is */
            sluice_saes_copy(&w, nal.data, nal.len);
        }

        n = w.pos - start;

        if (n > max) {
            return SLUICE_UNSUPPORTED;
        }

        if (out) {
            for (i = 0; i < nal_length_size; i++) {
                out[at + i] = (uint8_t) (n >> (8 * (nal_length_size - 1 - i)));
            }
        }
    }

    if (rc != SLUICE_NOT_FOUND) {
        return SLUICE_BAD_DATA;
    }

    *out_len = w.pos;

    return SLUICE_OK;
}


sluice_status_t
sluice_sample_aes_aac(EVP_CIPHER_CTX *ctx,
    const uint8_t iv[SLUICE_AES_BLOCK_SIZE], uint8_t *frame, size_t len)
{
    int      n;
    size_t   blocks;
    uint8_t *p;

    if (len < SLUICE_SAMPLE_AES_AUDIO_LEADER + SLUICE_AES_BLOCK_SIZE) {
        return SLUICE_OK;
    }

    /* an AAC frame is below 8192 bytes: one update */
    blocks = (len - SLUICE_SAMPLE_AES_AUDIO_LEADER) / SLUICE_AES_BLOCK_SIZE;
    p = frame + SLUICE_SAMPLE_AES_AUDIO_LEADER;

    if (blocks * SLUICE_AES_BLOCK_SIZE > 0x7fffffff
        || EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1
        || EVP_EncryptUpdate(ctx, p, &n, p,
                             (int) (blocks * SLUICE_AES_BLOCK_SIZE))
           != 1
        || (size_t) n != blocks * SLUICE_AES_BLOCK_SIZE)
    {
        return SLUICE_ERROR;
    }

    return SLUICE_OK;
}


/* a slice NAL unit of more than 48 bytes encrypted into w */

static sluice_status_t
sluice_saes_nal(EVP_CIPHER_CTX *ctx, const uint8_t *iv, const uint8_t *nal,
    size_t len, sluice_saes_out_t *w)
{
    int      n;
    size_t   k, clear;
    uint8_t  block[SLUICE_AES_BLOCK_SIZE];

    /* the chain starts again from the IV at each NAL unit */
    if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1) {
        return SLUICE_ERROR;
    }

    w->zeros = 0;

    sluice_saes_escape(w, nal, SLUICE_SAMPLE_AES_VIDEO_LEADER);
    k = SLUICE_SAMPLE_AES_VIDEO_LEADER;

    while (k < len) {

        if (len - k > SLUICE_AES_BLOCK_SIZE) {
            if (EVP_EncryptUpdate(ctx, block, &n, nal + k,
                                  SLUICE_AES_BLOCK_SIZE)
                != 1 || n != SLUICE_AES_BLOCK_SIZE)
            {
                return SLUICE_ERROR;
            }

            sluice_saes_escape(w, block, SLUICE_AES_BLOCK_SIZE);
            k += SLUICE_AES_BLOCK_SIZE;
        }

        clear = len - k;
        clear = clear < SLUICE_SAMPLE_AES_VIDEO_SKIP
                ? clear : SLUICE_SAMPLE_AES_VIDEO_SKIP;

        sluice_saes_escape(w, nal + k, clear);
        k += clear;
    }

    return SLUICE_OK;
}


/* n bytes written to w through the encoder of emulation prevention */

static void
sluice_saes_escape(sluice_saes_out_t *w, const uint8_t *p, size_t n)
{
    size_t          run;
    uint8_t         c;
    const uint8_t  *z;

    while (n) {
        c = *p;

        if (w->zeros || c == 0) {
            if (w->zeros >= 2 && c <= 0x03) {
                if (w->out) {
                    w->out[w->pos] = 0x03;
                }

                w->pos++;
                w->zeros = 0;
            }

            if (w->out) {
                w->out[w->pos] = c;
            }

            w->pos++;
            w->zeros = (c == 0) ? w->zeros + 1 : 0;
            p++;
            n--;
            continue;
        }

        /* past any zero: the bytes up to the next zero as they are */

        z = memchr(p, 0, n);
        run = z ? (size_t) (z - p) : n;

        sluice_saes_copy(w, p, run);
        p += run;
        n -= run;
    }
}


static void
sluice_saes_copy(sluice_saes_out_t *w, const uint8_t *p, size_t len)
{
    if (w->out) {
        memcpy(w->out + w->pos, p, len);
    }

    w->pos += len;
}
