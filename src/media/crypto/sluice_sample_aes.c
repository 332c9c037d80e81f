
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Apple SAMPLE-AES; see sluice_sample_aes.h.
 *
 * A slice NAL unit is read through its emulation prevention bytes (a
 * 0x03 after two zero bytes, unless it is the last byte of the NAL unit:
 * the decryptors in FFmpeg and hls.js read it so) and written back
 * through an encoder of them (a 0x03 before any byte 0x00 to 0x03 that
 * follows two zero bytes); the pattern counts the bytes read.  Bytes
 * near a zero byte go one at a time; a run of non-zero bytes with no
 * zero before it is the same escaped or not, and is copied whole
 * (sluice_saes_move(): most of a slice).  Writing without an output only counts, so the size of
 * the result is known before it is written; both runs encrypt, since
 * where emulation prevention bytes go depends on the encrypted bytes.
 */


#include <string.h>

#include "media/crypto/sluice_sample_aes.h"
#include "media/codec/sluice_avc.h"


/* the escaped bytes of a NAL unit, read without emulation prevention */
typedef struct {
    const uint8_t  *p;
    const uint8_t  *end;
    uint32_t        zeros;
} sluice_saes_in_t;


/* the bytes written, with emulation prevention; out NULL: counted */
typedef struct {
    uint8_t        *out;
    size_t          pos;
    uint32_t        zeros;
} sluice_saes_out_t;


static size_t sluice_saes_raw_len(const uint8_t *nal, size_t len);
static uint8_t sluice_saes_get(sluice_saes_in_t *in);
static void sluice_saes_put(sluice_saes_out_t *w, uint8_t c);
static void sluice_saes_move(sluice_saes_in_t *in, sluice_saes_out_t *w,
    size_t n);
static sluice_status_t sluice_saes_nal(EVP_CIPHER_CTX *ctx,
    const uint8_t *iv, const uint8_t *nal, size_t len, size_t raw,
    sluice_saes_out_t *w);
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
    size_t                 at, start, n, raw, max, i;
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
        raw = 0;

        if (type == SLUICE_AVC_NAL_SLICE || type == SLUICE_AVC_NAL_IDR) {
            raw = sluice_saes_raw_len(nal.data, nal.len);
        }

        if (raw > SLUICE_SAMPLE_AES_VIDEO_LEADER + SLUICE_AES_BLOCK_SIZE) {
            rc = sluice_saes_nal(ctx, iv, nal.data, nal.len, raw, &w);
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


/* the length of a NAL unit without its emulation prevention bytes */

static size_t
sluice_saes_raw_len(const uint8_t *nal, size_t len)
{
    size_t            n;
    sluice_saes_in_t  in;

    const uint8_t  *z;

    in.p = nal;
    in.end = nal + len;
    in.zeros = 0;
    n = 0;

    while (in.p < in.end) {
        if (in.zeros == 0 && *in.p != 0) {
            /* non-zero bytes after a non-zero one: no escape among them */
            z = memchr(in.p, 0, in.end - in.p);
            z = z ? z : in.end;
            n += z - in.p;
            in.p = z;
            continue;
        }

        (void) sluice_saes_get(&in);
        n++;
    }

    return n;
}


/* the next byte of the NAL unit; the caller checks in->p < in->end */

static uint8_t
sluice_saes_get(sluice_saes_in_t *in)
{
    uint8_t  c;

    c = *in->p++;

    if (in->zeros >= 2 && c == 0x03 && in->p < in->end) {
        /* an emulation prevention byte */
        in->zeros = 0;
        c = *in->p++;
    }

    in->zeros = (c == 0) ? in->zeros + 1 : 0;

    return c;
}


static void
sluice_saes_put(sluice_saes_out_t *w, uint8_t c)
{
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
}


/* n raw bytes from in to w, unencrypted */

static void
sluice_saes_move(sluice_saes_in_t *in, sluice_saes_out_t *w, size_t n)
{
    size_t          run;
    const uint8_t  *z;

    while (n) {
        if (in->zeros || w->zeros || *in->p == 0) {
            sluice_saes_put(w, sluice_saes_get(in));
            n--;
            continue;
        }

        /* both sides past any zero: the bytes up to the next zero as is */

        run = (size_t) (in->end - in->p);
        run = run < n ? run : n;

        z = memchr(in->p, 0, run);
        if (z) {
            run = z - in->p;
        }

        sluice_saes_copy(w, in->p, run);
        in->p += run;
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


/* a slice NAL unit of raw bytes (more than 48) encrypted into w */

static sluice_status_t
sluice_saes_nal(EVP_CIPHER_CTX *ctx, const uint8_t *iv, const uint8_t *nal,
    size_t len, size_t raw, sluice_saes_out_t *w)
{
    int               n;
    size_t            k, i, clear;
    uint8_t           block[SLUICE_AES_BLOCK_SIZE];
    sluice_saes_in_t  in;

    /* the chain starts again from the IV at each NAL unit */
    if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1) {
        return SLUICE_ERROR;
    }

    in.p = nal;
    in.end = nal + len;
    in.zeros = 0;
    w->zeros = 0;

    sluice_saes_move(&in, w, SLUICE_SAMPLE_AES_VIDEO_LEADER);
    k = SLUICE_SAMPLE_AES_VIDEO_LEADER;

    while (k < raw) {

        if (raw - k > SLUICE_AES_BLOCK_SIZE) {
            for (i = 0; i < SLUICE_AES_BLOCK_SIZE; i++) {
                block[i] = sluice_saes_get(&in);
            }

            if (EVP_EncryptUpdate(ctx, block, &n, block,
                                  SLUICE_AES_BLOCK_SIZE)
                != 1 || n != SLUICE_AES_BLOCK_SIZE)
            {
                return SLUICE_ERROR;
            }

            for (i = 0; i < SLUICE_AES_BLOCK_SIZE; i++) {
                sluice_saes_put(w, block[i]);
            }

            k += SLUICE_AES_BLOCK_SIZE;
        }

        clear = raw - k;
        clear = clear < SLUICE_SAMPLE_AES_VIDEO_SKIP
                ? clear : SLUICE_SAMPLE_AES_VIDEO_SKIP;

        sluice_saes_move(&in, w, clear);
        k += clear;
    }

    return SLUICE_OK;
}
