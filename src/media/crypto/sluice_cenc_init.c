
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/codec/sluice_bits.h"
#include "media/crypto/sluice_cenc_init.h"


/* the boxes from the moov down to the stsd, in order */
#define SLUICE_CENC_INIT_DEPTH  6

static const char  *sluice_cenc_init_path[SLUICE_CENC_INIT_DEPTH] = {
    "moov", "trak", "mdia", "minf", "stbl", "stsd"
};


/* where the boxes to change are in the clear init segment */
typedef struct {
    size_t          at[SLUICE_CENC_INIT_DEPTH + 1];   /* ... stsd, entry */
    size_t          entry_end;
    size_t          moov_end;
    char            format[4];                        /* avc1, mp4a... */
    const char     *protected_format;                 /* encv or enca */
} sluice_cenc_init_layout_t;


static sluice_status_t
sluice_cenc_init_entry(const uint8_t *in, size_t stsd, size_t stsd_size,
    sluice_cenc_init_layout_t *l)
{
    size_t          n, entry;
    const uint8_t  *p;

    /* stsd: full box header, entry_count, the entries */

    if (stsd_size < 16 + 8 || sluice_rb32(in + stsd + 12) != 1) {
        return SLUICE_UNSUPPORTED;
    }

    entry = stsd + 16;
    p = in + entry;
    n = sluice_rb32(p);

    if (n < 8 || n > stsd_size - 16) {
        return SLUICE_BAD_DATA;
    }

    if (memcmp(p + 4, "avc1", 4) == 0 || memcmp(p + 4, "avc3", 4) == 0
        || memcmp(p + 4, "hvc1", 4) == 0 || memcmp(p + 4, "hev1", 4) == 0)
    {
        l->protected_format = "encv";

    } else if (memcmp(p + 4, "mp4a", 4) == 0) {
        l->protected_format = "enca";

    } else if (memcmp(p + 4, "encv", 4) == 0
               || memcmp(p + 4, "enca", 4) == 0)
    {
        return SLUICE_BAD_DATA;                 /* protected already */

    } else {
        return SLUICE_UNSUPPORTED;
    }

    memcpy(l->format, p + 4, 4);
    l->at[SLUICE_CENC_INIT_DEPTH] = entry;
    l->entry_end = entry + n;

    return SLUICE_OK;
}


static sluice_status_t
sluice_cenc_init_layout(const uint8_t *in, size_t len,
    sluice_cenc_init_layout_t *l)
{
    size_t           i, base, blen, off, size, count;
    sluice_status_t  rc;

    base = 0;
    blen = len;
    size = 0;

    for (i = 0; i < SLUICE_CENC_INIT_DEPTH; i++) {
        rc = sluice_cenc_box_child(in + base, blen, sluice_cenc_init_path[i],
                                   &off, &size, &count);
        if (rc != SLUICE_OK) {
            return rc == SLUICE_NOT_FOUND ? SLUICE_BAD_DATA : rc;
        }

        if (count != 1) {
            return SLUICE_UNSUPPORTED;          /* one track, one of each */
        }

        l->at[i] = base + off;

        if (i == 0) {
            l->moov_end = base + off + size;
        }

        base += off + 8;
        blen = size - 8;
    }

    return sluice_cenc_init_entry(in, l->at[SLUICE_CENC_INIT_DEPTH - 1],
                                  size, l);
}


sluice_status_t
sluice_cenc_init_size(const uint8_t *in, size_t len,
    const sluice_cenc_track_t *t, size_t pssh_len, size_t *size)
{
    size_t                     n;
    sluice_status_t            rc;
    sluice_cenc_init_layout_t  l;

    rc = sluice_cenc_init_layout(in, len, &l);
    if (rc != SLUICE_OK) {
        return rc;
    }

    n = sluice_cenc_sinf_size(t) + pssh_len;

    /* the moov's new size must fit its 32-bit field */
    if (pssh_len > 0xffffffff
        || (uint64_t) (l.moov_end - l.at[0]) + n > 0xffffffff)
    {
        return SLUICE_UNSUPPORTED;
    }

    *size = len + n;

    return SLUICE_OK;
}


static void
sluice_cenc_init_grow(uint8_t *box, size_t n)
{
    sluice_wb32(box, (uint32_t) (sluice_rb32(box) + n));
}


uint8_t *
sluice_cenc_init_write(uint8_t *out, const uint8_t *in, size_t len,
    const sluice_cenc_track_t *t, const uint8_t *pssh, size_t pssh_len)
{
    size_t                     i, sinf;
    uint8_t                   *p;
    sluice_cenc_init_layout_t  l;

    if (sluice_cenc_init_size(in, len, t, pssh_len, &sinf) != SLUICE_OK
        || sluice_cenc_init_layout(in, len, &l) != SLUICE_OK)
    {
        return NULL;
    }

    sinf = sluice_cenc_sinf_size(t);

    /* up to the end of the sample entry, the sinf, the rest of the moov */

    memcpy(out, in, l.entry_end);
    p = sluice_cenc_sinf_write(out + l.entry_end, t, l.format);

    memcpy(p, in + l.entry_end, l.moov_end - l.entry_end);
    p += l.moov_end - l.entry_end;

    if (pssh_len) {
        memcpy(p, pssh, pssh_len);
        p += pssh_len;
    }

    memcpy(p, in + l.moov_end, len - l.moov_end);
    p += len - l.moov_end;

    /* the boxes before the insertions kept their offsets */

    for (i = 0; i <= SLUICE_CENC_INIT_DEPTH; i++) {
        sluice_cenc_init_grow(out + l.at[i], sinf);
    }

    sluice_cenc_init_grow(out + l.at[0], pssh_len);

    memcpy(out + l.at[SLUICE_CENC_INIT_DEPTH] + 4, l.protected_format, 4);

    return p;
}
