
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/codec/sluice_bits.h"
#include "media/container/sluice_cmaf.h"
#include "media/crypto/sluice_cenc_fragment.h"


#define SLUICE_CENC_TFHD_BASE_DATA_OFFSET  0x000001
#define SLUICE_CENC_TRUN_DATA_OFFSET       0x000001

/* PIFF 1.1 SampleEncryptionBox: a senc with a uuid type */
#define SLUICE_CENC_UUID_SIZE  16

static const uint8_t  sluice_cenc_piff_senc[SLUICE_CENC_UUID_SIZE] = {
    0xa2, 0x39, 0x4f, 0x52, 0x5a, 0x9b, 0x4f, 0x14,
    0xa2, 0x44, 0x6c, 0x42, 0x7c, 0x64, 0x8d, 0xf4
};


typedef struct {
    const sluice_cenc_fragment_t  *cf;
    const uint8_t                 *in;
    size_t                         len;

    /* offsets in in */
    size_t                         moof;
    size_t                         traf;
    size_t                         traf_end;

    sluice_fragment_t              f;
    sluice_cenc_sample_t          *samples;
    uint32_t                       iv_size;
    uint32_t                       flags;      /* senc flags */

    /* the boxes added */
    size_t                         senc;
    size_t                         saiz;
    size_t                         saio;
    uint64_t                       saio_offset;
} sluice_cenc_frag_ctx_t;


sluice_status_t
sluice_cenc_iv_derive(const uint8_t key[SLUICE_AES_KEY_SIZE], uint32_t scheme,
    uint64_t track, uint64_t time, uint8_t iv[SLUICE_AES_BLOCK_SIZE])
{
    uint8_t       *p, in[14 + 4 + SLUICE_AES_KEY_SIZE + 8 + 8];
    unsigned int   n;
    uint8_t        md[EVP_MAX_MD_SIZE];

    p = in;
    memcpy(p, "sluice-cenc-iv", 14);
    p = sluice_wb32(p + 14, scheme);
    memcpy(p, key, SLUICE_AES_KEY_SIZE);
    p = sluice_wb64(p + SLUICE_AES_KEY_SIZE, track);
    sluice_wb64(p, time);

    if (EVP_Digest(in, sizeof(in), md, &n, EVP_sha256(), NULL) != 1
        || n < SLUICE_AES_BLOCK_SIZE)
    {
        return SLUICE_ERROR;
    }

    memcpy(iv, md, SLUICE_AES_BLOCK_SIZE);

    return SLUICE_OK;
}


/* the moof, its one traf, and no sample encryption boxes yet */

static sluice_status_t
sluice_cenc_frag_locate(sluice_cenc_frag_ctx_t *c)
{
    size_t           off, size, count, traf_size, tfhd;
    const uint8_t   *traf;
    sluice_status_t  rc;

    rc = sluice_cenc_box_child(c->in, c->len, "moof", &c->moof, &size, NULL);
    if (rc != SLUICE_OK) {
        return SLUICE_BAD_DATA;
    }

    rc = sluice_cenc_box_child(c->in + c->moof + 8, size - 8, "traf", &off,
                               &traf_size, &count);
    if (rc != SLUICE_OK) {
        return SLUICE_BAD_DATA;
    }

    if (count != 1) {
        return SLUICE_UNSUPPORTED;
    }

    c->traf = c->moof + 8 + off;
    c->traf_end = c->traf + traf_size;
    traf = c->in + c->traf + 8;
    traf_size -= 8;

    if (sluice_cenc_box_child(traf, traf_size, "tfhd", &tfhd, &size, NULL)
        != SLUICE_OK
        || size < 16)
    {
        return SLUICE_BAD_DATA;
    }

    if (sluice_rb24(traf + tfhd + 9) & SLUICE_CENC_TFHD_BASE_DATA_OFFSET) {
        return SLUICE_UNSUPPORTED;
    }

    if (sluice_cenc_box_child(traf, traf_size, "senc", &off, &size, NULL)
        != SLUICE_NOT_FOUND
        || sluice_cenc_box_child(traf, traf_size, "saiz", &off, &size, NULL)
           != SLUICE_NOT_FOUND)
    {
        return SLUICE_BAD_DATA;
    }

    return SLUICE_OK;
}


/* entries sluice_cenc_nal_subsamples() may write for one sample */

static size_t
sluice_cenc_frag_bound(const uint8_t *p, size_t len, uint32_t nls)
{
    size_t  pos, n, i, nals;

    nals = 0;

    for (pos = 0; len - pos >= nls && pos < len; pos += nls + n) {
        n = 0;

        for (i = 0; i < nls; i++) {
            n = (n << 8) | p[pos + i];
        }

        nals++;

        if (n > len - pos - nls) {
            break;
        }
    }

    /* one per protected NAL unit, the clear ones split at 64 KiB */
    return nals + len / SLUICE_CENC_MAX_CLEAR + 2;
}


static sluice_status_t
sluice_cenc_frag_subsamples(sluice_cenc_frag_ctx_t *c, sluice_alloc_t *a)
{
    size_t                  n, total, used, lead;
    uint32_t                i, nls;
    sluice_status_t         rc;
    sluice_sample_t        *s;
    sluice_subsample_t     *ss;
    sluice_slice_params_t  *slices;

    nls = c->cf->nal_length_size;
    lead = SLUICE_CENC_CENC_CLEAR_LEAD;
    slices = NULL;

    if (c->cf->scheme == SLUICE_CENC_SCHEME_CBCS) {
        lead = SLUICE_CENC_CBCS_CLEAR_LEAD;
        slices = c->cf->slices;
    }

    if (nls != 1 && nls != 2 && nls != 4) {
        return SLUICE_UNSUPPORTED;
    }

    total = 0;

    for (i = 0; i < c->f.nsamples; i++) {
        s = &c->f.samples[i];
        total += sluice_cenc_frag_bound(s->data, s->size, nls);
    }

    ss = a->alloc(a->ctx, total * sizeof(sluice_subsample_t));
    if (ss == NULL) {
        return SLUICE_NO_MEMORY;
    }

    used = 0;

    for (i = 0; i < c->f.nsamples; i++) {
        s = &c->f.samples[i];

        rc = sluice_cenc_nal_subsamples(s->data, s->size, c->cf->codec, nls,
                                        c->cf->scheme, lead, slices,
                                        ss + used, total - used, &n);
        if (rc != SLUICE_OK) {
            return rc == SLUICE_NO_MEMORY ? SLUICE_ERROR : rc;
        }

        c->samples[i].subsamples = ss + used;
        c->samples[i].nsubsamples = (uint32_t) n;
        used += n;
    }

    return SLUICE_OK;
}


/* the samples' auxiliary information, and the sizes of the new boxes */

static sluice_status_t
sluice_cenc_frag_plan(sluice_cenc_frag_ctx_t *c, sluice_alloc_t *a)
{
    int                            video;
    uint32_t                       i;
    sluice_status_t                rc;
    const sluice_cenc_fragment_t  *cf;

    cf = c->cf;
    video = (cf->codec == SLUICE_CODEC_AVC || cf->codec == SLUICE_CODEC_HEVC);

    if (!video && cf->codec != SLUICE_CODEC_AAC) {
        return SLUICE_UNSUPPORTED;
    }

    c->samples = a->alloc(a->ctx,
                          c->f.nsamples * sizeof(sluice_cenc_sample_t));
    if (c->samples == NULL) {
        return SLUICE_NO_MEMORY;
    }

    memset(c->samples, 0, c->f.nsamples * sizeof(sluice_cenc_sample_t));

    c->iv_size = (cf->scheme == SLUICE_CENC_SCHEME_CENC)
                 ? SLUICE_CENC_IV_SIZE : 0;
    c->flags = video ? SLUICE_CENC_SENC_SUBSAMPLES : 0;

    for (i = 0; i < c->f.nsamples; i++) {
        memcpy(c->samples[i].iv, cf->iv, SLUICE_AES_BLOCK_SIZE);

        if (c->iv_size) {
            sluice_cenc_iv_add(c->samples[i].iv, c->iv_size, i);
        }
    }

    if (video) {
        rc = sluice_cenc_frag_subsamples(c, a);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    c->senc = sluice_cenc_senc_size(c->samples, c->f.nsamples, c->iv_size,
                                    c->flags);
    c->saiz = sluice_cenc_saiz_size(c->samples, c->f.nsamples, c->iv_size,
                                    c->flags);

    if (c->senc == 0 || c->saiz == 0) {
        return SLUICE_UNSUPPORTED;
    }

    if (cf->piff) {
        c->senc += SLUICE_CENC_UUID_SIZE;
    }

    /* the first IV: after the header, version and flags, sample_count */
    c->saio_offset = (c->traf_end - c->moof) + SLUICE_CENC_SENC_HEADER
                     + (cf->piff ? SLUICE_CENC_UUID_SIZE : 0);
    c->saio = sluice_cenc_saio_size(c->saio_offset);

    return SLUICE_OK;
}


static uint8_t *
sluice_cenc_frag_boxes(sluice_cenc_frag_ctx_t *c, uint8_t *p)
{
    uint8_t  *q;

    if (c->cf->piff) {
        /* the senc's payload after a uuid header of 8 + 16 bytes */
        q = sluice_cenc_senc_write(p + SLUICE_CENC_UUID_SIZE, c->samples,
                                   c->f.nsamples, c->iv_size, c->flags);
        p = sluice_cmaf_box(p, c->senc, "uuid");
        memcpy(p, sluice_cenc_piff_senc, SLUICE_CENC_UUID_SIZE);
        p = q;

    } else {
        p = sluice_cenc_senc_write(p, c->samples, c->f.nsamples, c->iv_size,
                                   c->flags);
    }

    if (p == NULL) {
        return NULL;
    }

    p = sluice_cenc_saiz_write(p, c->samples, c->f.nsamples, c->iv_size,
                               c->flags);
    if (p == NULL) {
        return NULL;
    }

    return sluice_cenc_saio_write(p, c->saio_offset);
}


/* sizes of traf and moof, trun data offsets: moved by delta */

static void
sluice_cenc_frag_fix(sluice_cenc_frag_ctx_t *c, uint8_t *out, size_t delta)
{
    size_t    pos, n;
    uint8_t  *box;

    box = out + c->moof;
    sluice_wb32(box, (uint32_t) (sluice_rb32(box) + delta));
    box = out + c->traf;
    sluice_wb32(box, (uint32_t) (sluice_rb32(box) + delta));

    /* the traf's original children, where they were */

    for (pos = c->traf + 8; pos < c->traf_end; pos += n) {
        box = out + pos;
        n = sluice_rb32(box);

        if (memcmp(box + 4, "trun", 4) == 0 && n >= 20
            && (sluice_rb24(box + 9) & SLUICE_CENC_TRUN_DATA_OFFSET))
        {
            sluice_wb32(box + 16, (uint32_t) (sluice_rb32(box + 16) + delta));
        }
    }
}


static sluice_status_t
sluice_cenc_frag_sample(EVP_CIPHER_CTX *ctx, sluice_cenc_frag_ctx_t *c,
    uint8_t *data, uint32_t i)
{
    int                            video;
    const sluice_cenc_sample_t    *s;
    const sluice_cenc_fragment_t  *cf;

    cf = c->cf;
    s = &c->samples[i];
    video = (c->flags & SLUICE_CENC_SENC_SUBSAMPLES) != 0;

    if (cf->scheme == SLUICE_CENC_SCHEME_CENC) {
        return sluice_cenc_ctr_encrypt(ctx, cf->key, s->iv,
                                       SLUICE_CENC_IV_SIZE, data,
                                       c->f.samples[i].size, s->subsamples,
                                       s->nsubsamples);
    }

    return sluice_cenc_cbcs_encrypt(ctx, cf->key, cf->iv,
               video ? SLUICE_CENC_VIDEO_CRYPT : SLUICE_CENC_AUDIO_CRYPT,
               video ? SLUICE_CENC_VIDEO_SKIP : SLUICE_CENC_AUDIO_SKIP,
               data, c->f.samples[i].size, s->subsamples, s->nsubsamples);
}


sluice_status_t
sluice_cenc_fragment_encrypt(EVP_CIPHER_CTX *ctx,
    const sluice_cenc_fragment_t *cf, const uint8_t *in, size_t len,
    size_t reserve, sluice_alloc_t *a, uint8_t **out, size_t *out_len)
{
    size_t                   delta, pos;
    uint8_t                 *o, *p;
    uint32_t                 i;
    sluice_status_t          rc;
    sluice_cenc_frag_ctx_t   c;

    if (cf->scheme != SLUICE_CENC_SCHEME_CENC
        && cf->scheme != SLUICE_CENC_SCHEME_CBCS)
    {
        return SLUICE_UNSUPPORTED;
    }

    memset(&c, 0, sizeof(sluice_cenc_frag_ctx_t));
    c.cf = cf;
    c.in = in;
    c.len = len;

    rc = sluice_cenc_frag_locate(&c);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_cmaf_fragment_parse(in, len, a, &c.f);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_cenc_frag_plan(&c, a);
    if (rc != SLUICE_OK) {
        return rc;
    }

    delta = c.senc + c.saiz + c.saio;

    if ((uint64_t) sluice_rb32(in + c.moof) + delta > 0x7fffffff) {
        return SLUICE_UNSUPPORTED;
    }

    o = a->alloc(a->ctx, len + delta + reserve);
    if (o == NULL) {
        return SLUICE_NO_MEMORY;
    }

    memcpy(o, in, c.traf_end);

    p = sluice_cenc_frag_boxes(&c, o + c.traf_end);
    if (p == NULL || (size_t) (p - o) != c.traf_end + delta) {
        return SLUICE_ERROR;
    }

    memcpy(p, in + c.traf_end, len - c.traf_end);
    sluice_cenc_frag_fix(&c, o, delta);

    /* the samples, all in the mdat after the moof */

    for (i = 0; i < c.f.nsamples; i++) {
        pos = (size_t) (c.f.samples[i].data - in);

        if (pos < c.traf_end) {
            return SLUICE_BAD_DATA;
        }

        rc = sluice_cenc_frag_sample(ctx, &c, o + pos + delta, i);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    *out = o;
    *out_len = len + delta;

    return SLUICE_OK;
}
