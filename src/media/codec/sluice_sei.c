
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Closed captions in SEI; see sluice_sei.h.
 */


#include "media/codec/sluice_sei.h"


/* the RBSP bytes of a NAL unit, emulation prevention bytes skipped */
typedef struct {
    const uint8_t  *pos;
    const uint8_t  *end;
    unsigned        zeros;      /* zero bytes just read */
} sluice_sei_rbsp_t;


static int sluice_sei_byte(sluice_sei_rbsp_t *r);
static int sluice_sei_value(sluice_sei_rbsp_t *r, uint32_t *v);
static uint32_t sluice_sei_cc_data(sluice_bits_t *b);


uint32_t
sluice_sei_captions(const uint8_t *au, size_t len, uint32_t codec,
    uint32_t nal_length_size)
{
    uint32_t               found, type;
    sluice_str_t           nal;
    sluice_avc_nal_iter_t  it;

    found = 0;

    sluice_avc_nal_iter_init(&it, au, len, nal_length_size);

    while (sluice_avc_nal_next(&it, &nal) == SLUICE_OK) {

        /* the NAL type alone first: most NAL units are not SEI */

        if (codec == SLUICE_CODEC_AVC) {
            type = nal.data[0] & 0x1f;

            if (type != SLUICE_AVC_NAL_SEI) {
                continue;
            }

        } else if (codec == SLUICE_CODEC_HEVC) {
            type = sluice_hevc_nal_type(nal.data);

            if (type != SLUICE_HEVC_NAL_SEI_PREFIX
                && type != SLUICE_HEVC_NAL_SEI_SUFFIX)
            {
                continue;
            }

        } else {
            return 0;
        }

        found |= sluice_sei_nal_captions(nal.data, nal.len, codec);
    }

    return found;
}


uint32_t
sluice_sei_nal_captions(const uint8_t *nal, size_t len, uint32_t codec)
{
    int                c;
    size_t             n;
    uint8_t            t35[SLUICE_SEI_MAX_T35];
    uint32_t           found, type, size, i;
    sluice_sei_rbsp_t  r;

    if (codec == SLUICE_CODEC_AVC) {
        if (len < 1 || (nal[0] & 0x1f) != SLUICE_AVC_NAL_SEI) {
            return 0;
        }

        n = 1;

    } else if (codec == SLUICE_CODEC_HEVC) {
        if (len < 2
            || (sluice_hevc_nal_type(nal) != SLUICE_HEVC_NAL_SEI_PREFIX
                && sluice_hevc_nal_type(nal) != SLUICE_HEVC_NAL_SEI_SUFFIX))
        {
            return 0;
        }

        n = 2;

    } else {
        return 0;
    }

    r.pos = nal + n;
    r.end = nal + len;
    r.zeros = 0;

    found = 0;

    /*
     * sei_message()s until the RBSP ends (H.264 7.3.2.3.1, H.265
     * 7.3.5): what is left after the last one is rbsp_trailing_bits,
     * which do not read as a whole message
     */

    for ( ;; ) {
        if (sluice_sei_value(&r, &type) != 0
            || sluice_sei_value(&r, &size) != 0)
        {
            break;
        }

        n = 0;

        for (i = 0; i < size; i++) {
            c = sluice_sei_byte(&r);

            if (c < 0) {
                return found;   /* payload past the end: malformed */
            }

            if (type == SLUICE_SEI_USER_DATA_T35 && n < SLUICE_SEI_MAX_T35) {
                t35[n++] = (uint8_t) c;
            }
        }

        if (type == SLUICE_SEI_USER_DATA_T35) {
            found |= sluice_sei_t35_captions(t35, n);
        }
    }

    return found;
}


uint32_t
sluice_sei_t35_captions(const uint8_t *p, size_t len)
{
    sluice_bits_t  b;

    /*
     * itu_t_t35_country_code 0xB5 (no extension byte), provider 0x0031,
     * "GA94", user_data_type_code 3
     */

    if (len < 8
        || p[0] != 0xb5
        || sluice_rb16(p + 1) != 0x0031
        || sluice_rb32(p + 3) != 0x47413934
        || p[7] != 0x03)
    {
        return 0;
    }

    sluice_bits_init(&b, p + 8, len - 8);

    return sluice_sei_cc_data(&b);
}


/* cc_data() (ATSC A/53 Part 4 6.2.3, CTA-708 4.4) */

static uint32_t
sluice_sei_cc_data(sluice_bits_t *b)
{
    uint32_t  found, process, count, i, valid, type, d1, d2;

    sluice_bits_skip(b, 1);                 /* reserved */
    process = sluice_bits_read1(b);
    sluice_bits_skip(b, 1);                 /* additional_data_flag */
    count = sluice_bits_read(b, 5);
    sluice_bits_skip(b, 8);                 /* em_data */

    if (b->error || !process) {
        return 0;
    }

    found = 0;

    for (i = 0; i < count; i++) {
        sluice_bits_skip(b, 5);             /* marker bits */
        valid = sluice_bits_read1(b);
        type = sluice_bits_read(b, 2);
        d1 = sluice_bits_read(b, 8);
        d2 = sluice_bits_read(b, 8);

        if (b->error) {
            break;                          /* cc_count past the payload */
        }

        if (!valid) {
            continue;
        }

        switch (type) {

        case 0:
        case 1:
            /* 608 bytes carry odd parity in bit 7; 0x80 0x80 is padding */

            if ((d1 & 0x7f) || (d2 & 0x7f)) {
                found |= (type == 0) ? SLUICE_CAPTIONS_608_CC1
                                     : SLUICE_CAPTIONS_608_CC3;
            }

            break;

        case 3:
            found |= SLUICE_CAPTIONS_708;
            break;

        default:
            /* DTVCC packet data: counted with its packet start */
            break;
        }
    }

    return found;
}


/*
 * One byte of the RBSP, -1 at the end: a 0x03 after two zero bytes is
 * an emulation prevention byte, skipped
 */

static int
sluice_sei_byte(sluice_sei_rbsp_t *r)
{
    uint8_t  c;

    if (r->pos == r->end) {
        return -1;
    }

    if (r->zeros >= 2 && *r->pos == 0x03) {
        r->pos++;
        r->zeros = 0;

        if (r->pos == r->end) {
            return -1;
        }
    }

    c = *r->pos++;
    r->zeros = (c == 0) ? r->zeros + 1 : 0;

    return c;
}


/*
 * payloadType or payloadSize: 0xFF bytes each add 255, then the last
 * byte; -1 at the end of the RBSP or at its trailing bits (0x80, the
 * last byte)
 */

static int
sluice_sei_value(sluice_sei_rbsp_t *r, uint32_t *v)
{
    int  c;

    *v = 0;

    for ( ;; ) {
        c = sluice_sei_byte(r);

        if (c < 0) {
            return -1;
        }

        if (c == 0x80 && r->pos == r->end) {
            return -1;                      /* rbsp_trailing_bits */
        }

        if (*v > 0xffffff) {
            return -1;                      /* absurd: malformed */
        }

        *v += (uint32_t) c;

        if (c != 0xff) {
            return 0;
        }
    }
}
