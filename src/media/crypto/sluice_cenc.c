
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/crypto/sluice_cenc.h"


/* EVP takes int lengths: longer ranges go through in pieces of this */
#define SLUICE_CENC_CHUNK  (1 << 30)


typedef struct {
    sluice_subsample_t  *ss;
    size_t               max;
    size_t               n;
    size_t               clear;     /* clear bytes not yet in ss */
} sluice_cenc_map_t;


static sluice_status_t
sluice_cenc_check(size_t len, const sluice_subsample_t *ss, size_t nss)
{
    size_t  i, total;

    if (nss == 0) {
        return SLUICE_OK;           /* the whole sample is protected */
    }

    total = 0;

    for (i = 0; i < nss; i++) {
        if (ss[i].clear > SLUICE_CENC_MAX_CLEAR) {
            return SLUICE_BAD_DATA;
        }

        total += (size_t) ss[i].clear + ss[i].protect;

        if (total > len) {
            return SLUICE_BAD_DATA;
        }
    }

    return total == len ? SLUICE_OK : SLUICE_BAD_DATA;
}


/* encrypt n bytes in place, in the ctx's current mode and state */
static sluice_status_t
sluice_cenc_update(EVP_CIPHER_CTX *ctx, uint8_t *p, size_t n)
{
    int  chunk, out;

    while (n > 0) {
        chunk = n > SLUICE_CENC_CHUNK ? SLUICE_CENC_CHUNK : (int) n;

        if (EVP_EncryptUpdate(ctx, p, &out, p, chunk) != 1 || out != chunk) {
            return SLUICE_ERROR;
        }

        p += chunk;
        n -= (size_t) chunk;
    }

    return SLUICE_OK;
}


sluice_status_t
sluice_cenc_ctr_encrypt(EVP_CIPHER_CTX *ctx,
    const uint8_t key[SLUICE_AES_KEY_SIZE], const uint8_t *iv, size_t iv_size,
    uint8_t *data, size_t len, const sluice_subsample_t *ss, size_t nss)
{
    size_t   i;
    uint8_t  counter[SLUICE_AES_BLOCK_SIZE];

    if ((iv_size != 8 && iv_size != 16)
        || sluice_cenc_check(len, ss, nss) != SLUICE_OK)
    {
        return SLUICE_BAD_DATA;
    }

    memset(counter, 0, sizeof(counter));
    memcpy(counter, iv, iv_size);

    if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, counter) != 1) {
        return SLUICE_ERROR;
    }

    if (nss == 0) {
        return sluice_cenc_update(ctx, data, len);
    }

    /* one keystream: EVP keeps the counter and the offset in the block */

    for (i = 0; i < nss; i++) {
        data += ss[i].clear;

        if (sluice_cenc_update(ctx, data, ss[i].protect) != SLUICE_OK) {
            return SLUICE_ERROR;
        }

        data += ss[i].protect;
    }

    return SLUICE_OK;
}


/* one protected range of 'cbcs': the chain starts again from the IV */
static sluice_status_t
sluice_cenc_cbcs_range(EVP_CIPHER_CTX *ctx, const uint8_t *iv, uint8_t *p,
    size_t n, uint32_t crypt, uint32_t skip)
{
    size_t  i, c, blocks;

    blocks = n / SLUICE_AES_BLOCK_SIZE;

    if (blocks == 0) {
        return SLUICE_OK;
    }

    if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1) {
        return SLUICE_ERROR;
    }

    if (skip == 0) {
        return sluice_cenc_update(ctx, p, blocks * SLUICE_AES_BLOCK_SIZE);
    }

    for (i = 0; i < blocks; i += c + skip) {
        c = blocks - i < crypt ? blocks - i : crypt;

        if (sluice_cenc_update(ctx, p + i * SLUICE_AES_BLOCK_SIZE,
                               c * SLUICE_AES_BLOCK_SIZE)
            != SLUICE_OK)
        {
            return SLUICE_ERROR;
        }
    }

    return SLUICE_OK;
}


sluice_status_t
sluice_cenc_cbcs_encrypt(EVP_CIPHER_CTX *ctx,
    const uint8_t key[SLUICE_AES_KEY_SIZE],
    const uint8_t iv[SLUICE_AES_BLOCK_SIZE], uint32_t crypt, uint32_t skip,
    uint8_t *data, size_t len, const sluice_subsample_t *ss, size_t nss)
{
    size_t  i;

    if (crypt == 0 || sluice_cenc_check(len, ss, nss) != SLUICE_OK) {
        return SLUICE_BAD_DATA;
    }

    if (EVP_EncryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, iv) != 1
        || EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
    {
        return SLUICE_ERROR;
    }

    if (nss == 0) {
        return sluice_cenc_cbcs_range(ctx, iv, data, len, crypt, skip);
    }

    for (i = 0; i < nss; i++) {
        data += ss[i].clear;

        if (sluice_cenc_cbcs_range(ctx, iv, data, ss[i].protect, crypt, skip)
            != SLUICE_OK)
        {
            return SLUICE_ERROR;
        }

        data += ss[i].protect;
    }

    return SLUICE_OK;
}


void
sluice_cenc_iv_add(uint8_t *iv, size_t iv_size, uint64_t n)
{
    size_t    i;
    uint32_t  sum;

    for (i = iv_size; i > 0 && n > 0; i--) {
        sum = (uint32_t) iv[i - 1] + (uint32_t) (n & 0xff);
        iv[i - 1] = (uint8_t) sum;
        n = (n >> 8) + (sum >> 8);
    }
}


/*
 * The subsample map of AVC and HEVC samples: the rule followed, and why.
 *
 * ISO/IEC 23001-7 is not public; this follows its subsample encryption
 * of NAL structured video as the reference (content-protection.md §7,
 * §13 item 8: the exact wording is still unconfirmed there) and the
 * players and packagers that implement it describe it:
 *
 *   - every NAL unit's length field and NAL unit header stay clear, and
 *     NAL units other than slices (parameter sets, SEI, AUD...) may stay
 *     clear whole: Sluice leaves them clear;
 *   - 'cbcs' keeps the slice header clear (a decoder reads it before
 *     decryption); 'cenc' does not need it;
 *   - for 'cenc' video, the protected range of each subsample should be
 *     a whole number of 16-byte blocks, the remainder going to the clear
 *     range in front of it, so that the CTR keystream is block-aligned
 *     with each slice's protected data (the 'cbc1' scheme requires it;
 *     for 'cenc' it is what decoders that decrypt slice by slice expect,
 *     and costs nothing).  Sluice always aligns 'cenc' video this way.
 *
 * Hence, per NAL unit:
 *
 *   - non-slice NAL units: clear;
 *   - slices: length field + NAL unit header (1 byte AVC, 2 bytes HEVC)
 *     + slice header clear ('cbcs'; 'cenc': nothing more), the rest
 *     protected; for 'cenc' the
 *     protected part is rounded down to a multiple of 16 bytes ('cbcs'
 *     needs no rounding: its partial last block stays clear anyway);
 *   - a slice with fewer than 16 bytes to protect is left clear ('cbcs'
 *     would encrypt nothing of it anyway);
 *   - consecutive clear bytes are merged into the next subsample's clear
 *     range, split in pieces of 65535 (BytesOfClearData is 16 bits).
 *
 * The slice header: for 'cbcs' the caller gives the slice's parameter
 * sets (sluice_slice.h, from the track's decoder configuration record
 * and the SPS and PPS NAL units of the samples, learnt as they go by)
 * and the header is measured: the protected range starts at the byte
 * where the slice data starts (the byte that holds the header's last bit
 * with CAVLC), mapped back to the escaped bytes.  When it cannot be
 * measured (a parameter set not known, FMO, data partitions, a header
 * that does not parse), clear_lead bytes after the NAL unit header stand
 * for it: SLUICE_CENC_CBCS_CLEAR_LEAD (31, as Apple's SAMPLE-AES leader
 * of 1 + 31 bytes) covers the slice headers of usual live encoders but
 * is not a bound; the caller counts these (slices->failed).  'cenc'
 * measures nothing and uses 0.
 */

static sluice_status_t
sluice_cenc_map_emit(sluice_cenc_map_t *m, size_t protect)
{
    while (m->clear > SLUICE_CENC_MAX_CLEAR) {
        if (m->n == m->max) {
            return SLUICE_NO_MEMORY;
        }

        m->ss[m->n].clear = SLUICE_CENC_MAX_CLEAR;
        m->ss[m->n].protect = 0;
        m->n++;
        m->clear -= SLUICE_CENC_MAX_CLEAR;
    }

    if (m->n == m->max) {
        return SLUICE_NO_MEMORY;
    }

    m->ss[m->n].clear = (uint32_t) m->clear;
    m->ss[m->n].protect = (uint32_t) protect;
    m->n++;
    m->clear = 0;

    return SLUICE_OK;
}


/* bytes of the NAL unit header of a slice; 0 for other NAL units */
static size_t
sluice_cenc_slice_header(uint32_t codec, const uint8_t *nal, size_t len)
{
    uint32_t  type;

    if (len == 0) {
        return 0;
    }

    if (codec == SLUICE_CODEC_AVC) {
        type = nal[0] & 0x1f;
        return (type >= 1 && type <= 5) ? 1 : 0;
    }

    type = (nal[0] >> 1) & 0x3f;

    return (type <= 31 && len >= 2) ? 2 : 0;
}


static size_t
sluice_cenc_nal_protect(uint32_t codec, uint32_t scheme, const uint8_t *nal,
    size_t len, size_t clear_lead, sluice_slice_params_t *slices)
{
    size_t  hdr, clear, protect;

    hdr = sluice_cenc_slice_header(codec, nal, len);

    if (hdr == 0) {
        if (slices) {
            sluice_slice_params_nal(slices, nal, len);
        }

        return 0;
    }

    if (slices == NULL
        || sluice_slice_header_size(slices, nal, len, &clear) != SLUICE_OK)
    {
        clear = hdr + clear_lead;
    }

    if (len <= clear) {
        return 0;
    }

    protect = len - clear;

    if (scheme == SLUICE_CENC_SCHEME_CENC) {
        protect -= protect % SLUICE_AES_BLOCK_SIZE;
    }

    return protect < SLUICE_AES_BLOCK_SIZE ? 0 : protect;
}


sluice_status_t
sluice_cenc_nal_subsamples(const uint8_t *data, size_t len, uint32_t codec,
    uint32_t nal_length_size, uint32_t scheme, size_t clear_lead,
    sluice_slice_params_t *slices, sluice_subsample_t *ss, size_t max,
    size_t *nss)
{
    size_t             pos, n, i, protect;
    sluice_cenc_map_t  m;

    if ((codec != SLUICE_CODEC_AVC && codec != SLUICE_CODEC_HEVC)
        || nal_length_size < 1 || nal_length_size > 4)
    {
        return SLUICE_UNSUPPORTED;
    }

    m.ss = ss;
    m.max = max;
    m.n = 0;
    m.clear = 0;

    for (pos = 0; pos < len; pos += nal_length_size + n) {
        if (len - pos < nal_length_size) {
            return SLUICE_BAD_DATA;
        }

        n = 0;
        for (i = 0; i < nal_length_size; i++) {
            n = (n << 8) | data[pos + i];
        }

        if (n > len - pos - nal_length_size) {
            return SLUICE_BAD_DATA;
        }

        protect = sluice_cenc_nal_protect(codec, scheme,
                                          data + pos + nal_length_size, n,
                                          clear_lead, slices);
        m.clear += nal_length_size + n - protect;

        if (protect > 0 && sluice_cenc_map_emit(&m, protect) != SLUICE_OK) {
            return SLUICE_NO_MEMORY;
        }
    }

    if (m.clear > 0 && sluice_cenc_map_emit(&m, 0) != SLUICE_OK) {
        return SLUICE_NO_MEMORY;
    }

    *nss = m.n;

    return SLUICE_OK;
}


size_t
sluice_cenc_subsamples_max(size_t len)
{
    /*
     * a protected slice takes at least 2 + 16 bytes, a clear piece 65535:
     * one entry per 16 bytes, and one for the clear tail, is enough
     */

    return len / SLUICE_AES_BLOCK_SIZE + 2;
}
