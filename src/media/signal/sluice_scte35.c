
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * SCTE 35 splice_info_section parser and writer; see sluice_scte35.h.
 *
 *   table_id 8 | section_syntax_indicator 1 | private_indicator 1 |
 *   sap_type 2 | section_length 12 | protocol_version 8 |
 *   encrypted_packet 1 | encryption_algorithm 6 | pts_adjustment 33 |
 *   cw_index 8 | tier 12 | splice_command_length 12 |
 *   splice_command_type 8 | splice_command() | descriptor_loop_length 16 |
 *   splice_descriptor()... | alignment_stuffing | [E_CRC_32] | CRC_32
 */


#include "media/codec/sluice_bits.h"
#include "media/container/sluice_ts.h"
#include "media/signal/sluice_scte35.h"


/* the fixed bytes of a section: all but the command and descriptors */
#define SLUICE_SCTE35_FIXED       20
#define SLUICE_SCTE35_COMMAND_AT  14
#define SLUICE_SCTE35_MAX_LENGTH  4093      /* section_length, 9.6 */
#define SLUICE_SCTE35_UNKNOWN_LEN 0xFFF


static sluice_status_t sluice_scte35_header(sluice_scte35_t *s,
    const uint8_t *p, size_t len, const char **reason);
static sluice_status_t sluice_scte35_command(sluice_scte35_t *s,
    const uint8_t *p, size_t len, size_t *used, const char **reason);
static void sluice_scte35_insert(sluice_scte35_t *s, sluice_bits_t *b);
static void sluice_scte35_time(sluice_bits_t *b, unsigned *specified,
    uint64_t *pts);
static uint64_t sluice_scte35_read33(sluice_bits_t *b);
static sluice_status_t sluice_scte35_descriptors(sluice_scte35_t *s,
    const uint8_t *p, size_t len, const char **reason);
static sluice_status_t sluice_scte35_segmentation(sluice_scte35_t *s,
    const uint8_t *p, size_t len);
static size_t sluice_scte35_command_size(const sluice_scte35_splice_t *sp);
static uint8_t *sluice_scte35_write_time(uint8_t *p, unsigned specified,
    uint64_t pts);


/* the CRC-32/MPEG-2 of PSI sections, as the TS muxer computes it */

uint32_t
sluice_scte35_crc32(const uint8_t *p, size_t n)
{
    return sluice_ts_crc32(p, n);
}


sluice_status_t
sluice_scte35_parse(sluice_scte35_t *s, const uint8_t *p, size_t len,
    const char **reason)
{
    size_t           cmdlen, used, end, dl;
    sluice_status_t  rc;

    memset(s, 0, sizeof(sluice_scte35_t));

    rc = sluice_scte35_header(s, p, len, reason);
    if (rc != SLUICE_OK) {
        return rc;
    }

    /* the command and the descriptor loop lie before the CRC */
    end = s->section.len - 4;
    cmdlen = s->command.len;

    if (cmdlen != SLUICE_SCTE35_UNKNOWN_LEN
        && cmdlen > end - SLUICE_SCTE35_COMMAND_AT - 2)
    {
        *reason = "splice_command_length beyond the section";
        return SLUICE_BAD_DATA;
    }

    if (cmdlen == SLUICE_SCTE35_UNKNOWN_LEN) {
        cmdlen = end - SLUICE_SCTE35_COMMAND_AT - 2;
    }

    rc = sluice_scte35_command(s, p + SLUICE_SCTE35_COMMAND_AT, cmdlen,
                               &used, reason);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (s->command.len == SLUICE_SCTE35_UNKNOWN_LEN) {
        cmdlen = used;
    }

    s->command.data = p + SLUICE_SCTE35_COMMAND_AT;
    s->command.len = cmdlen;

    used = SLUICE_SCTE35_COMMAND_AT + cmdlen;
    dl = sluice_rb16(p + used);
    used += 2;

    if (dl > end - used) {
        *reason = "descriptor_loop_length beyond the section";
        return SLUICE_BAD_DATA;
    }

    /* what follows the loop up to the CRC is alignment_stuffing */
    return sluice_scte35_descriptors(s, p + used, dl, reason);
}


static sluice_status_t
sluice_scte35_header(sluice_scte35_t *s, const uint8_t *p, size_t len,
    const char **reason)
{
    size_t  total, i;

    if (len < 3) {
        *reason = "shorter than a section header";
        return SLUICE_BAD_DATA;
    }

    if (p[0] != SLUICE_SCTE35_TABLE_ID) {
        *reason = "table_id is not 0xFC";
        return SLUICE_BAD_DATA;
    }

    if (p[1] & 0x80) {
        *reason = "section_syntax_indicator is set";
        return SLUICE_BAD_DATA;
    }

    total = 3 + (((size_t) p[1] & 0x0F) << 8 | p[2]);

    if (total - 3 > SLUICE_SCTE35_MAX_LENGTH) {
        *reason = "section_length over 4093";
        return SLUICE_BAD_DATA;
    }

    if (total > len) {
        *reason = "section_length beyond the data";
        return SLUICE_BAD_DATA;
    }

    if (total < SLUICE_SCTE35_FIXED) {
        *reason = "section_length too short for a splice_info_section";
        return SLUICE_BAD_DATA;
    }

    for (i = total; i < len; i++) {
        if (p[i] != 0xFF) {
            *reason = "bytes after the section";
            return SLUICE_BAD_DATA;
        }
    }

    if (sluice_scte35_crc32(p, total) != 0) {
        *reason = "bad CRC_32";
        return SLUICE_BAD_DATA;
    }

    s->section.data = p;
    s->section.len = total;
    s->sap_type = (p[1] >> 4) & 0x03;
    s->protocol_version = p[3];

    if (s->protocol_version != 0) {
        *reason = "protocol_version is not 0";
        return SLUICE_UNSUPPORTED;
    }

    if (p[4] & 0x80) {
        *reason = "encrypted splice_info_section";
        return SLUICE_UNSUPPORTED;
    }

    s->pts_adjustment = ((uint64_t) (p[4] & 0x01) << 32) | sluice_rb32(p + 5);
    s->tier = sluice_rb16(p + 10) >> 4;
    s->command.len = sluice_rb16(p + 11) & 0x0FFF;
    s->command_type = p[13];

    return SLUICE_OK;
}


/*
 * The command in p[0..len) (len is all that is left when its length is
 * not given); *used is what it took
 */
static sluice_status_t
sluice_scte35_command(sluice_scte35_t *s, const uint8_t *p, size_t len,
    size_t *used, const char **reason)
{
    unsigned       specified;
    sluice_bits_t  b;

    sluice_bits_init(&b, p, len);

    switch (s->command_type) {

    case SLUICE_SCTE35_SPLICE_NULL:
    case SLUICE_SCTE35_BANDWIDTH_RESERVATION:
        break;

    case SLUICE_SCTE35_SPLICE_INSERT:
        sluice_scte35_insert(s, &b);
        break;

    case SLUICE_SCTE35_TIME_SIGNAL:
        sluice_scte35_time(&b, &specified, &s->pts_time);
        s->time_specified = specified ? 1 : 0;
        break;

    default:
        if (s->command.len == SLUICE_SCTE35_UNKNOWN_LEN) {
            *reason = "unknown splice_command_type without a length";
            return SLUICE_UNSUPPORTED;
        }

        /* splice_schedule, private_command, reserved: raw */
        *used = len;
        return SLUICE_OK;
    }

    if (b.error) {
        *reason = "splice_command truncated";
        return SLUICE_BAD_DATA;
    }

    *used = (b.pos + 7) / 8;

    return SLUICE_OK;
}


static void
sluice_scte35_insert(sluice_scte35_t *s, sluice_bits_t *b)
{
    uint32_t  i;
    unsigned  specified;
    uint64_t  pts;

    s->event_id = sluice_bits_read(b, 32);
    s->event_cancel = sluice_bits_read1(b);
    sluice_bits_skip(b, 7);

    if (s->event_cancel) {
        return;
    }

    s->out_of_network = sluice_bits_read1(b);
    s->program_splice = sluice_bits_read1(b);
    s->duration_flag = sluice_bits_read1(b);
    s->splice_immediate = sluice_bits_read1(b);
    sluice_bits_skip(b, 4);         /* event_id_compliance_flag, reserved */

    if (s->program_splice && !s->splice_immediate) {
        sluice_scte35_time(b, &specified, &s->pts_time);
        s->time_specified = specified ? 1 : 0;
    }

    if (!s->program_splice) {
        s->component_count = sluice_bits_read(b, 8);

        for (i = 0; i < s->component_count; i++) {
            sluice_bits_skip(b, 8);             /* component_tag */

            if (!s->splice_immediate) {
                sluice_scte35_time(b, &specified, &pts);

                /* the first component's time stands for the splice */
                if (i == 0) {
                    s->time_specified = specified ? 1 : 0;
                    s->pts_time = pts;
                }
            }
        }
    }

    if (s->duration_flag) {
        s->auto_return = sluice_bits_read1(b);
        sluice_bits_skip(b, 6);
        s->break_duration = sluice_scte35_read33(b);
    }

    s->unique_program_id = sluice_bits_read(b, 16);
    s->avail_num = sluice_bits_read(b, 8);
    s->avails_expected = sluice_bits_read(b, 8);
}


/* splice_time() */
static void
sluice_scte35_time(sluice_bits_t *b, unsigned *specified, uint64_t *pts)
{
    *specified = sluice_bits_read1(b);

    if (*specified) {
        sluice_bits_skip(b, 6);
        *pts = sluice_scte35_read33(b);

    } else {
        sluice_bits_skip(b, 7);
        *pts = 0;
    }
}


static uint64_t
sluice_scte35_read33(sluice_bits_t *b)
{
    uint64_t  v;

    v = (uint64_t) sluice_bits_read1(b) << 32;

    return v | sluice_bits_read(b, 32);
}


static sluice_status_t
sluice_scte35_descriptors(sluice_scte35_t *s, const uint8_t *p, size_t len,
    const char **reason)
{
    size_t                       n;
    const uint8_t               *end;
    sluice_scte35_descriptor_t  *d;

    s->descriptor_loop.data = p;
    s->descriptor_loop.len = len;

    end = p + len;

    while (p < end) {

        if (end - p < 2 || (size_t) (end - p) - 2 < p[1]) {
            *reason = "splice_descriptor beyond the descriptor loop";
            return SLUICE_BAD_DATA;
        }

        n = 2 + (size_t) p[1];

        if (s->ndescriptors < SLUICE_SCTE35_MAX_DESCRIPTORS) {
            d = &s->descriptors[s->ndescriptors++];
            d->tag = p[0];
            d->identifier = n >= 6 ? sluice_rb32(p + 2) : 0;
            d->raw.data = p;
            d->raw.len = n;

            if (d->tag == SLUICE_SCTE35_SEGMENTATION_DESCRIPTOR
                && d->identifier == SLUICE_SCTE35_CUEI
                && sluice_scte35_segmentation(s, p + 2, n - 2) != SLUICE_OK)
            {
                *reason = "malformed segmentation_descriptor";
                return SLUICE_BAD_DATA;
            }
        }

        p += n;
    }

    return SLUICE_OK;
}


/* segmentation_descriptor() after its tag and length */
static sluice_status_t
sluice_scte35_segmentation(sluice_scte35_t *s, const uint8_t *p, size_t len)
{
    uint32_t                       i, n;
    sluice_bits_t                  b;
    sluice_scte35_segmentation_t   seg;

    memset(&seg, 0, sizeof(seg));
    sluice_bits_init(&b, p, len);

    sluice_bits_skip(&b, 32);                   /* identifier */
    seg.event_id = sluice_bits_read(&b, 32);
    seg.cancel = sluice_bits_read1(&b);
    sluice_bits_skip(&b, 7);

    if (!seg.cancel) {
        seg.program = sluice_bits_read1(&b);
        seg.has_duration = sluice_bits_read1(&b);
        sluice_bits_skip(&b, 6);        /* delivery restrictions */

        if (!seg.program) {
            n = sluice_bits_read(&b, 8);

            for (i = 0; i < n && !b.error; i++) {
                sluice_bits_skip(&b, 48);       /* tag, reserved, offset */
            }
        }

        if (seg.has_duration) {
            seg.duration = (uint64_t) sluice_bits_read(&b, 8) << 32;
            seg.duration |= sluice_bits_read(&b, 32);
        }

        seg.upid_type = sluice_bits_read(&b, 8);
        seg.upid.len = sluice_bits_read(&b, 8);

        if (b.error || seg.upid.len > sluice_bits_left(&b) / 8) {
            return SLUICE_BAD_DATA;
        }

        seg.upid.data = p + b.pos / 8;
        sluice_bits_skip(&b, seg.upid.len * 8);

        seg.type_id = sluice_bits_read(&b, 8);
        seg.segment_num = sluice_bits_read(&b, 8);
        seg.segments_expected = sluice_bits_read(&b, 8);

        /* placement opportunity starts may carry sub-segments */
        if (sluice_bits_left(&b) >= 16
            && (seg.type_id == 0x34 || seg.type_id == 0x36
                || seg.type_id == 0x38 || seg.type_id == 0x3A))
        {
            seg.has_sub_segments = 1;
            seg.sub_segment_num = sluice_bits_read(&b, 8);
            seg.sub_segments_expected = sluice_bits_read(&b, 8);
        }
    }

    if (b.error) {
        return SLUICE_BAD_DATA;
    }

    if (s->nsegmentations < SLUICE_SCTE35_MAX_SEGMENTATIONS) {
        s->segmentations[s->nsegmentations++] = seg;
    }

    return SLUICE_OK;
}


uint64_t
sluice_scte35_splice_pts(const sluice_scte35_t *s)
{
    return (s->pts_time + s->pts_adjustment) & SLUICE_SCTE35_PTS_MASK;
}


static size_t
sluice_scte35_command_size(const sluice_scte35_splice_t *sp)
{
    size_t  n;

    switch (sp->command_type) {

    case SLUICE_SCTE35_SPLICE_NULL:
        return 0;

    case SLUICE_SCTE35_TIME_SIGNAL:
        return sp->time_specified ? 5 : 1;

    case SLUICE_SCTE35_SPLICE_INSERT:
        n = 5;

        if (sp->event_cancel) {
            return n;
        }

        n += 1 + 4;

        if (!sp->splice_immediate) {
            n += sp->time_specified ? 5 : 1;
        }

        if (sp->has_duration) {
            n += 5;
        }

        return n;

    default:
        return (size_t) -1;
    }
}


size_t
sluice_scte35_size(const sluice_scte35_splice_t *sp)
{
    size_t  n, total;

    n = sluice_scte35_command_size(sp);

    if (n == (size_t) -1 || sp->descriptor_loop.len > 0xFFFF) {
        return 0;
    }

    total = SLUICE_SCTE35_FIXED + n + sp->descriptor_loop.len;

    if (total - 3 > SLUICE_SCTE35_MAX_LENGTH) {
        return 0;
    }

    return total;
}


uint8_t *
sluice_scte35_write(uint8_t *p, const sluice_scte35_splice_t *sp)
{
    size_t    n, total;
    uint8_t  *start;
    uint64_t  adj;

    start = p;
    n = sluice_scte35_command_size(sp);
    total = sluice_scte35_size(sp);

    /* table_id; syntax 0, private 0, sap_type 3 (unspecified) */
    *p++ = SLUICE_SCTE35_TABLE_ID;
    p = sluice_wb16(p, 0x3000 | (uint32_t) (total - 3));
    *p++ = 0;                                   /* protocol_version */

    /* not encrypted, encryption_algorithm 0, pts_adjustment */
    adj = sp->pts_adjustment & SLUICE_SCTE35_PTS_MASK;
    *p++ = (uint8_t) (adj >> 32);
    p = sluice_wb32(p, (uint32_t) adj);

    *p++ = 0;                                   /* cw_index */
    p = sluice_wb24(p, 0xFFF000 | (uint32_t) n); /* tier, command length */
    *p++ = (uint8_t) sp->command_type;

    if (sp->command_type == SLUICE_SCTE35_TIME_SIGNAL) {
        p = sluice_scte35_write_time(p, sp->time_specified, sp->pts_time);

    } else if (sp->command_type == SLUICE_SCTE35_SPLICE_INSERT) {
        p = sluice_wb32(p, sp->event_id);
        *p++ = sp->event_cancel ? 0xFF : 0x7F;

        if (!sp->event_cancel) {
            /* program_splice 1, event_id_compliance 1, reserved */
            *p++ = (uint8_t) ((sp->out_of_network << 7) | 0x40
                              | (sp->has_duration << 5)
                              | (sp->splice_immediate << 4) | 0x0F);

            if (!sp->splice_immediate) {
                p = sluice_scte35_write_time(p, sp->time_specified,
                                             sp->pts_time);
            }

            if (sp->has_duration) {
                *p++ = (uint8_t) ((sp->auto_return << 7) | 0x7E
                                  | ((sp->duration >> 32) & 0x01));
                p = sluice_wb32(p, (uint32_t) sp->duration);
            }

            p = sluice_wb16(p, sp->unique_program_id);
            *p++ = (uint8_t) sp->avail_num;
            *p++ = (uint8_t) sp->avails_expected;
        }
    }

    p = sluice_wb16(p, (uint32_t) sp->descriptor_loop.len);

    if (sp->descriptor_loop.len) {
        memcpy(p, sp->descriptor_loop.data, sp->descriptor_loop.len);
        p += sp->descriptor_loop.len;
    }

    return sluice_wb32(p, sluice_scte35_crc32(start, p - start));
}


static uint8_t *
sluice_scte35_write_time(uint8_t *p, unsigned specified, uint64_t pts)
{
    if (!specified) {
        *p++ = 0x7F;
        return p;
    }

    *p++ = (uint8_t) (0xFE | ((pts >> 32) & 0x01));

    return sluice_wb32(p, (uint32_t) pts);
}
