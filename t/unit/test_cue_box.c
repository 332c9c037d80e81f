
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the binary forms of a cue in segments (emsg boxes of a
 * segment's cues, the Smooth sparse sample): bytes written by hand from
 * ISO/IEC 23009-1 5.10.3.3, the ID3v2.4 structure and AMS's sparse
 * track layout, and read back with the emsg reader.
 */


#include <stdlib.h>

#include "media/signal/sluice_cue_box.h"
#include "media/signal/sluice_emsg.h"
#include "sluice_test.h"


#define S(s)  { (const uint8_t *) s, sizeof(s) - 1 }


/* AMS's OUT sample: splice_insert, event id 1002 */
static const uint8_t  out[] = {
    0xFC, 0x30, 0x25, 0x00, 0x00, 0x00, 0x00, 0x05, 0xDD, 0x00, 0xFF, 0xF0,
    0x14, 0x05, 0x00, 0x00, 0x03, 0xEA, 0x7F, 0xEF, 0xFE, 0x01, 0x64, 0x61,
    0xB8, 0xFE, 0x00, 0x52, 0x63, 0x63, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00,
    0xF2, 0x0D, 0x5E, 0x37
};


static void
scte35_cue(sluice_cue_t *c)
{
    memset(c, 0, sizeof(sluice_cue_t));
    c->kind = SLUICE_CUE_SPLICE_OUT;
    c->source = SLUICE_CUE_FROM_SCTE35;
    c->id = (sluice_str_t) S("1002");
    c->has_time = 1;
    c->time = 12000;
    c->duration = 30000;
    c->event_id = 1002;
    c->section.data = out;
    c->section.len = sizeof(out);
}


static void
test_ids(void)
{
    sluice_cue_t  c;

    scte35_cue(&c);
    SL_CHECK_UEQ(sluice_cue_id(&c), 1002);

    c.id = (sluice_str_t) S("4294967295");
    SL_CHECK_UEQ(sluice_cue_id(&c), 4294967295U);

    /* not a 32-bit decimal: the CRC-32/MPEG-2 of the id ("123456789") */
    c.id = (sluice_str_t) S("123456789");
    SL_CHECK_UEQ(sluice_cue_id(&c), 123456789);
    c.id = (sluice_str_t) S("4294967296");
    SL_CHECK(sluice_cue_id(&c) != 0);
    c.id = (sluice_str_t) S("ad-1");
    SL_CHECK_UEQ(sluice_cue_id(&c), sluice_cue_id(&c));
    SL_CHECK(sluice_cue_id(&c) != 1002);

    /* none: the section's event id */
    c.id.len = 0;
    SL_CHECK_UEQ(sluice_cue_id(&c), 1002);
}


static void
test_emsg_scte35(void)
{
    size_t          n, used;
    uint8_t         buf[256], *end;
    const char     *reason;
    sluice_cue_t    c;
    sluice_emsg_t   r;

    static const uint8_t  head[] = {
        0x00, 0x00, 0x00, 0x00, 'e', 'm', 's', 'g', 0x01, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x5F, 0x90,                             /* 90000 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x7A, 0xC0,     /* 12 s */
        0x00, 0x29, 0x32, 0xE0,                             /* 30 s */
        0x00, 0x00, 0x03, 0xEA,                             /* 1002 */
        'u', 'r', 'n', ':', 's', 'c', 't', 'e', ':', 's', 'c', 't', 'e',
        '3', '5', ':', '2', '0', '1', '3', ':', 'b', 'i', 'n', 0x00,
        0x00                                                /* value "" */
    };

    scte35_cue(&c);

    n = sluice_cue_emsg_size(&c, 90000);
    SL_CHECK_UEQ(n, sizeof(head) + sizeof(out));

    end = sluice_cue_emsg_write(buf, &c, 90000);
    SL_CHECK_UEQ((size_t) (end - buf), n);
    SL_CHECK_UEQ(buf[3], n);
    SL_CHECK_MEM_EQ(buf + 4, head + 4, sizeof(head) - 4);
    SL_CHECK_MEM_EQ(buf + sizeof(head), out, sizeof(out));

    SL_CHECK_OK(sluice_emsg_parse(&r, buf, n, &used, &reason));
    SL_CHECK_UEQ(used, n);
    SL_CHECK_UEQ(r.presentation_time, 1080000);

    /* unknown duration; simple mode's made section under the same scheme */
    c.duration = 0;
    c.section_made = 1;
    c.source = SLUICE_CUE_FROM_SIMPLE;
    end = sluice_cue_emsg_write(buf, &c, 1000);
    SL_CHECK_OK(sluice_emsg_parse(&r, buf, end - buf, &used, &reason));
    SL_CHECK_UEQ(r.event_duration, SLUICE_EMSG_DURATION_UNKNOWN);
    SL_CHECK_UEQ(r.timescale, 1000);
    SL_CHECK_UEQ(r.presentation_time, 12000);
    SL_CHECK_UEQ(r.message_data.len, sizeof(out));

    /* an ad marker without a section: nothing */
    c.section.len = 0;
    SL_CHECK_UEQ(sluice_cue_emsg_size(&c, 90000), 0);
}


static void
test_emsg_metadata(void)
{
    size_t          n, used;
    uint8_t         buf[256], *end;
    const char     *reason;
    sluice_cue_t    c;
    sluice_emsg_t   r;

    /* a TXXX frame around the text: ID3 header, frame header, 03 00 */
    static const uint8_t  tag[] = {
        'I', 'D', '3', 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11,
        'T', 'X', 'X', 'X', 0x00, 0x00, 0x00, 0x07, 0x00, 0x00,
        0x03, 0x00, 'h', 'e', 'l', 'l', 'o'
    };

    memset(&c, 0, sizeof(c));
    c.kind = SLUICE_CUE_METADATA;
    c.source = SLUICE_CUE_FROM_USERDATA;
    c.id = (sluice_str_t) S("7");
    c.time = 15000;
    c.scheme_id_uri = (sluice_str_t) S("https://aomedia.org/emsg/ID3");
    c.data = (sluice_str_t) S("hello");

    n = sluice_cue_emsg_size(&c, 48000);
    end = sluice_cue_emsg_write(buf, &c, 48000);
    SL_CHECK_UEQ((size_t) (end - buf), n);

    SL_CHECK_OK(sluice_emsg_parse(&r, buf, n, &used, &reason));
    SL_CHECK_UEQ(used, n);
    SL_CHECK_UEQ(r.version, 1);
    SL_CHECK_UEQ(r.id, 7);
    SL_CHECK_UEQ(r.presentation_time, 720000);
    SL_CHECK_UEQ(r.event_duration, SLUICE_EMSG_DURATION_UNKNOWN);
    SL_CHECK_UEQ(r.scheme_id_uri.len, 28);
    SL_CHECK_UEQ(r.value.len, 0);
    SL_CHECK_UEQ(r.message_data.len, sizeof(tag));
    SL_CHECK_MEM_EQ(r.message_data.data, tag, sizeof(tag));

    /* an ID3 tag already: as sent */
    c.data.data = tag;
    c.data.len = sizeof(tag);
    end = sluice_cue_emsg_write(buf, &c, 48000);
    SL_CHECK_OK(sluice_emsg_parse(&r, buf, end - buf, &used, &reason));
    SL_CHECK_UEQ(r.message_data.len, sizeof(tag));
    SL_CHECK_MEM_EQ(r.message_data.data, tag, sizeof(tag));

    /* text that starts like a tag is text */
    c.data = (sluice_str_t) S("ID3 hello world");
    end = sluice_cue_emsg_write(buf, &c, 48000);
    SL_CHECK_OK(sluice_emsg_parse(&r, buf, end - buf, &used, &reason));
    SL_CHECK_UEQ(r.message_data.len, 10 + 10 + 2 + 15);
    SL_CHECK_MEM_EQ(r.message_data.data + 10, "TXXX", 4);

    /* binary: PRIV, the scheme as owner */
    c.data = (sluice_str_t) S("a\0b");
    end = sluice_cue_emsg_write(buf, &c, 48000);
    SL_CHECK_OK(sluice_emsg_parse(&r, buf, end - buf, &used, &reason));
    SL_CHECK_UEQ(r.message_data.len, 10 + 10 + 29 + 3);
    SL_CHECK_MEM_EQ(r.message_data.data + 10, "PRIV", 4);
    SL_CHECK_MEM_EQ(r.message_data.data + 20,
                    "https://aomedia.org/emsg/ID3\0a\0b", 32);

    /* another scheme: its value, the data as sent */
    c.scheme_id_uri = (sluice_str_t) S("urn:example:score");
    c.value = (sluice_str_t) S("v1");
    c.data = (sluice_str_t) S("{\"a\":1}");
    c.duration = 2000;
    end = sluice_cue_emsg_write(buf, &c, 48000);
    SL_CHECK_OK(sluice_emsg_parse(&r, buf, end - buf, &used, &reason));
    SL_CHECK_UEQ(r.event_duration, 96000);
    SL_CHECK_UEQ(r.value.len, 2);
    SL_CHECK_MEM_EQ(r.message_data.data, "{\"a\":1}", 7);
}


static void
test_range(void)
{
    size_t          n, used, off;
    uint8_t         buf[1024], *end;
    uint32_t        ids[4];
    const char     *reason;
    sluice_cue_t    c[4];
    sluice_emsg_t   r;
    uint32_t        k;

    for (k = 0; k < 4; k++) {
        scte35_cue(&c[k]);
        c[k].time = 10000 + 2000 * k;       /* 10, 12, 14, 16 s */
        c[k].id.len = 0;
        c[k].event_id = 100 + k;
    }

    /* the segment [12 s, 16 s) at 90 kHz: the second and the third */
    n = sluice_cue_emsg_range_size(c, 4, 1080000, 1440000, 90000);
    end = sluice_cue_emsg_range_write(buf, c, 4, 1080000, 1440000, 90000);
    SL_CHECK_UEQ((size_t) (end - buf), n);

    for (off = 0, k = 0; off < n && k < 4; off += used, k++) {
        SL_CHECK_OK(sluice_emsg_parse(&r, buf + off, n - off, &used,
                                      &reason));
        ids[k] = r.id;
    }

    SL_CHECK_UEQ(k, 2);
    SL_CHECK_UEQ(ids[0], 101);
    SL_CHECK_UEQ(ids[1], 102);

    /* none: nothing */
    SL_CHECK_UEQ(sluice_cue_emsg_range_size(c, 4, 0, 900000, 90000), 0);
    SL_CHECK(sluice_cue_emsg_range_write(buf, c, 4, 0, 900000, 90000)
             == buf);
    SL_CHECK_UEQ(sluice_cue_emsg_range_size(NULL, 0, 0, 900000, 90000), 0);
}


static void
test_sparse(void)
{
    uint8_t        buf[128], *end;
    sluice_cue_t   c;

    static const uint8_t  head[] = {
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x03, 0xEA, 0x00, 0x00, 0x00, 0x00
    };

    scte35_cue(&c);

    SL_CHECK_UEQ(sluice_cue_sparse_size(&c), 12 + sizeof(out));
    end = sluice_cue_sparse_write(buf, &c);
    SL_CHECK_UEQ((size_t) (end - buf), 12 + sizeof(out));
    SL_CHECK_MEM_EQ(buf, head, sizeof(head));
    SL_CHECK_MEM_EQ(buf + 12, out, sizeof(out));

    c.kind = SLUICE_CUE_METADATA;
    SL_CHECK_UEQ(sluice_cue_sparse_size(&c), 0);
}


int
main(void)
{
    SL_RUN(test_ids);
    SL_RUN(test_emsg_scte35);
    SL_RUN(test_emsg_metadata);
    SL_RUN(test_range);
    SL_RUN(test_sparse);

    return SL_DONE();
}
