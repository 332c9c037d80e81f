
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/codec/sluice_bits.h"
#include "media/container/sluice_cmaf.h"
#include "media/crypto/sluice_cenc_box.h"


static int
sluice_cenc_tenc_version(const sluice_cenc_track_t *t)
{
    return (t->crypt != 0 || t->skip != 0) ? 1 : 0;
}


size_t
sluice_cenc_tenc_size(const sluice_cenc_track_t *t)
{
    size_t  size;

    /* full box, reserved, pattern or reserved, protected, IV size, KID */
    size = 12 + 1 + 1 + 1 + 1 + SLUICE_CENC_KID_SIZE;

    if (t->iv_size == 0) {
        size += 1 + SLUICE_AES_BLOCK_SIZE;
    }

    return size;
}


uint8_t *
sluice_cenc_tenc_write(uint8_t *p, const sluice_cenc_track_t *t)
{
    int  version;

    version = sluice_cenc_tenc_version(t);

    p = sluice_cmaf_full_box(p, sluice_cenc_tenc_size(t), "tenc", version, 0);
    *p++ = 0;
    *p++ = version ? (uint8_t) (((t->crypt & 0xf) << 4) | (t->skip & 0xf))
                   : 0;
    *p++ = 1;                                       /* default_isProtected */
    *p++ = (uint8_t) t->iv_size;
    memcpy(p, t->kid, SLUICE_CENC_KID_SIZE);
    p += SLUICE_CENC_KID_SIZE;

    if (t->iv_size == 0) {
        *p++ = SLUICE_AES_BLOCK_SIZE;
        memcpy(p, t->constant_iv, SLUICE_AES_BLOCK_SIZE);
        p += SLUICE_AES_BLOCK_SIZE;
    }

    return p;
}


size_t
sluice_cenc_sinf_size(const sluice_cenc_track_t *t)
{
    /* sinf, frma, schm, schi + tenc */
    return 8 + 12 + 20 + 8 + sluice_cenc_tenc_size(t);
}


uint8_t *
sluice_cenc_sinf_write(uint8_t *p, const sluice_cenc_track_t *t,
    const char *original_format)
{
    p = sluice_cmaf_box(p, sluice_cenc_sinf_size(t), "sinf");

    p = sluice_cmaf_box(p, 12, "frma");
    memcpy(p, original_format, 4);
    p += 4;

    p = sluice_cmaf_full_box(p, 20, "schm", 0, 0);
    p = sluice_wb32(p, t->scheme);
    p = sluice_wb32(p, 0x00010000);                 /* scheme_version 1.0 */

    p = sluice_cmaf_box(p, 8 + sluice_cenc_tenc_size(t), "schi");

    return sluice_cenc_tenc_write(p, t);
}


size_t
sluice_cenc_pssh_size(size_t nkids, size_t data_len)
{
    size_t  size;

    size = 12 + SLUICE_CENC_SYSTEM_ID_SIZE + 4 + data_len;

    if (nkids > 0) {
        size += 4 + nkids * SLUICE_CENC_KID_SIZE;
    }

    return size;
}


uint8_t *
sluice_cenc_pssh_write(uint8_t *p, const uint8_t *system_id,
    const uint8_t *kids, size_t nkids, const uint8_t *data, size_t data_len)
{
    p = sluice_cmaf_full_box(p, sluice_cenc_pssh_size(nkids, data_len),
                             "pssh", nkids > 0 ? 1 : 0, 0);
    memcpy(p, system_id, SLUICE_CENC_SYSTEM_ID_SIZE);
    p += SLUICE_CENC_SYSTEM_ID_SIZE;

    if (nkids > 0) {
        p = sluice_wb32(p, (uint32_t) nkids);
        memcpy(p, kids, nkids * SLUICE_CENC_KID_SIZE);
        p += nkids * SLUICE_CENC_KID_SIZE;
    }

    p = sluice_wb32(p, (uint32_t) data_len);

    if (data_len > 0) {
        memcpy(p, data, data_len);
        p += data_len;
    }

    return p;
}


/* bytes of one sample's auxiliary information */
static size_t
sluice_cenc_info_size(const sluice_cenc_sample_t *s, uint32_t iv_size,
    uint32_t flags)
{
    size_t  size;

    size = iv_size;

    if (flags & SLUICE_CENC_SENC_SUBSAMPLES) {
        size += 2 + 6 * (size_t) s->nsubsamples;
    }

    return size;
}


/* senc and saiz can describe the samples: sizes fit their fields */
static int
sluice_cenc_samples_fit(const sluice_cenc_sample_t *s, size_t n,
    uint32_t iv_size, uint32_t flags)
{
    size_t  i;

    if ((iv_size != 0 && iv_size != 8 && iv_size != 16)
        || n > 0xffffffff)
    {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (sluice_cenc_info_size(&s[i], iv_size, flags) > 0xff) {
            return 0;
        }
    }

    return 1;
}


size_t
sluice_cenc_senc_size(const sluice_cenc_sample_t *s, size_t n,
    uint32_t iv_size, uint32_t flags)
{
    size_t  i, size;

    if (!sluice_cenc_samples_fit(s, n, iv_size, flags)) {
        return 0;
    }

    size = SLUICE_CENC_SENC_HEADER;

    for (i = 0; i < n; i++) {
        size += sluice_cenc_info_size(&s[i], iv_size, flags);
    }

    return size;
}


uint8_t *
sluice_cenc_senc_write(uint8_t *p, const sluice_cenc_sample_t *s, size_t n,
    uint32_t iv_size, uint32_t flags)
{
    size_t  i, j, size;

    flags &= SLUICE_CENC_SENC_SUBSAMPLES;
    size = sluice_cenc_senc_size(s, n, iv_size, flags);

    if (size == 0) {
        return NULL;
    }

    p = sluice_cmaf_full_box(p, size, "senc", 0, flags);
    p = sluice_wb32(p, (uint32_t) n);

    for (i = 0; i < n; i++) {
        memcpy(p, s[i].iv, iv_size);
        p += iv_size;

        if (!(flags & SLUICE_CENC_SENC_SUBSAMPLES)) {
            continue;
        }

        p = sluice_wb16(p, s[i].nsubsamples);

        for (j = 0; j < s[i].nsubsamples; j++) {
            p = sluice_wb16(p, s[i].subsamples[j].clear);
            p = sluice_wb32(p, s[i].subsamples[j].protect);
        }
    }

    return p;
}


/* the size all samples share, or 0 when they differ (or n is 0) */
static size_t
sluice_cenc_saiz_default(const sluice_cenc_sample_t *s, size_t n,
    uint32_t iv_size, uint32_t flags)
{
    size_t  i, size;

    if (n == 0) {
        return 0;
    }

    size = sluice_cenc_info_size(&s[0], iv_size, flags);

    for (i = 1; i < n; i++) {
        if (sluice_cenc_info_size(&s[i], iv_size, flags) != size) {
            return 0;
        }
    }

    return size;
}


size_t
sluice_cenc_saiz_size(const sluice_cenc_sample_t *s, size_t n,
    uint32_t iv_size, uint32_t flags)
{
    size_t  size;

    if (!sluice_cenc_samples_fit(s, n, iv_size, flags)) {
        return 0;
    }

    size = 12 + 1 + 4;

    if (sluice_cenc_saiz_default(s, n, iv_size, flags) == 0) {
        size += n;
    }

    return size;
}


uint8_t *
sluice_cenc_saiz_write(uint8_t *p, const sluice_cenc_sample_t *s, size_t n,
    uint32_t iv_size, uint32_t flags)
{
    size_t  i, def, size;

    size = sluice_cenc_saiz_size(s, n, iv_size, flags);

    if (size == 0) {
        return NULL;
    }

    def = sluice_cenc_saiz_default(s, n, iv_size, flags);

    p = sluice_cmaf_full_box(p, size, "saiz", 0, 0);
    *p++ = (uint8_t) def;
    p = sluice_wb32(p, (uint32_t) n);

    if (def == 0) {
        for (i = 0; i < n; i++) {
            *p++ = (uint8_t) sluice_cenc_info_size(&s[i], iv_size, flags);
        }
    }

    return p;
}


size_t
sluice_cenc_saio_size(uint64_t offset)
{
    return offset > 0xffffffff ? 12 + 4 + 8 : 12 + 4 + 4;
}


uint8_t *
sluice_cenc_saio_write(uint8_t *p, uint64_t offset)
{
    int  version;

    version = offset > 0xffffffff;

    p = sluice_cmaf_full_box(p, sluice_cenc_saio_size(offset), "saio",
                             version, 0);
    p = sluice_wb32(p, 1);                          /* entry_count */

    return version ? sluice_wb64(p, offset) : sluice_wb32(p, (uint32_t) offset);
}


sluice_status_t
sluice_cenc_box_child(const uint8_t *p, size_t len, const char *type,
    size_t *off, size_t *size, size_t *count)
{
    size_t  pos, n, found;

    found = 0;

    for (pos = 0; pos < len; pos += n) {
        if (len - pos < 8) {
            return SLUICE_BAD_DATA;
        }

        n = sluice_rb32(p + pos);

        if (n < 8 || n > len - pos) {
            return SLUICE_BAD_DATA;
        }

        if (memcmp(p + pos + 4, type, 4) != 0) {
            continue;
        }

        if (found++ == 0) {
            *off = pos;
            *size = n;
        }
    }

    if (count) {
        *count = found;
    }

    return found ? SLUICE_OK : SLUICE_NOT_FOUND;
}
