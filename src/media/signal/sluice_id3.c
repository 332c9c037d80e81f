
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * An ID3v2.4 tag of one PRIV or TXXX frame; see sluice_id3.h.
 */


#include "media/codec/sluice_bits.h"
#include "media/signal/sluice_id3.h"


static size_t sluice_id3_frame_size(const sluice_id3_frame_t *f);


/* the frame's content after its header; 0 when it cannot be written */
static size_t
sluice_id3_frame_size(const sluice_id3_frame_t *f)
{
    size_t  n;

    if (f->owner.len && memchr(f->owner.data, '\0', f->owner.len)) {
        return 0;
    }

    if (f->frame == SLUICE_ID3_PRIV) {
        n = f->owner.len + 1;

    } else if (f->frame == SLUICE_ID3_TXXX) {
        if (f->data.len && memchr(f->data.data, '\0', f->data.len)) {
            return 0;
        }

        n = 1 + f->owner.len + 1;

    } else {
        return 0;
    }

    if (f->data.len > SLUICE_ID3_MAX_SIZE - SLUICE_ID3_HEADER - n) {
        return 0;
    }

    return n + f->data.len;
}


size_t
sluice_id3_size(const sluice_id3_frame_t *f)
{
    size_t  n;

    n = sluice_id3_frame_size(f);

    if (n == 0) {
        return 0;
    }

    return SLUICE_ID3_HEADER + SLUICE_ID3_HEADER + n;
}


uint8_t *
sluice_id3_synchsafe(uint8_t *p, uint32_t v)
{
    *p++ = (uint8_t) ((v >> 21) & 0x7F);
    *p++ = (uint8_t) ((v >> 14) & 0x7F);
    *p++ = (uint8_t) ((v >> 7) & 0x7F);
    *p++ = (uint8_t) (v & 0x7F);

    return p;
}


uint8_t *
sluice_id3_write(uint8_t *p, const sluice_id3_frame_t *f)
{
    size_t  n;

    n = sluice_id3_frame_size(f);

    /* tag header: version 2.4.0, no flags */
    memcpy(p, "ID3\x04\x00\x00", 6);
    p = sluice_id3_synchsafe(p + 6, (uint32_t) (SLUICE_ID3_HEADER + n));

    /* frame header: 2.4 frame sizes are synchsafe too */
    p = sluice_wb32(p, f->frame);
    p = sluice_id3_synchsafe(p, (uint32_t) n);
    p = sluice_wb16(p, 0);

    if (f->frame == SLUICE_ID3_TXXX) {
        *p++ = 0x03;                            /* UTF-8 */
    }

    if (f->owner.len) {
        memcpy(p, f->owner.data, f->owner.len);
        p += f->owner.len;
    }

    *p++ = '\0';

    if (f->data.len) {
        memcpy(p, f->data.data, f->data.len);
        p += f->data.len;
    }

    return p;
}
