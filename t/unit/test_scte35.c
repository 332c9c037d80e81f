
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the SCTE 35 splice_info_section parser and writer:
 * AMS's own samples (the OUT and IN of its HLS example, base64 in
 * shared/reference/ingest-latency-signalling.md C13), the time_signal
 * placement opportunity of SCTE 35's sample section (14.2), round trips,
 * bad CRC, truncation and absurd lengths.
 */


#include <stdlib.h>

#include "media/signal/sluice_scte35.h"
#include "util/sluice_base64.h"
#include "sluice_test.h"


static const char  ams_out[] =
    "/DAlAAAAAAXdAP/wFAUAAAPqf+/+AWRhuP4AUmNjAAEBAQAA8g1eNw==";
static const char  ams_in[] =
    "/DAgAAAAAAXdAP/wDwUAAAPqf0/+AWXk0wABAQEAAGB86Fo=";
/* a time_signal as an Elemental encoder sent it, with its decoding by
 * Comcast's scte35-js on the page it was published with (CAID upid) */
static const char  elemental[] =
    "/DA0AAAAAAAAAAAABQb+ADAQ6QAeAhxDVUVJQAAAO3/PAAEUrEoICAAAAAAg+2UBNAAANvrtoQ==";
static const char  time_signal[] =
    "/DA0AAAAAAAA///wBQb+cr0AUAAeAhxDVUVJSAAAjn/PAAGlmbAICAAAAAAsoKGKNAIAmsnRfg==";


static void recrc(uint8_t *p, size_t n);


static size_t
decode(const char *b64, uint8_t *out)
{
    size_t  n;

    n = 0;

    if (sluice_base64_decode((const uint8_t *) b64, strlen(b64), out, &n, 0)
        != SLUICE_OK)
    {
        abort();
    }

    return n;
}


static void
test_crc(void)
{
    /* CRC-32/MPEG-2 check value of "123456789" */
    SL_CHECK_UEQ(sluice_scte35_crc32((const uint8_t *) "123456789", 9),
                 0x0376E6E7);
}


static void
test_ams_out(void)
{
    size_t           n;
    uint8_t          sec[256];
    const char      *reason;
    sluice_scte35_t  s;

    n = decode(ams_out, sec);
    reason = NULL;

    SL_CHECK_OK(sluice_scte35_parse(&s, sec, n, &reason));
    SL_CHECK_UEQ(s.section.len, n);
    SL_CHECK_UEQ(s.sap_type, 3);
    SL_CHECK_UEQ(s.pts_adjustment, 1501);
    SL_CHECK_UEQ(s.tier, 0xFFF);
    SL_CHECK_UEQ(s.command_type, SLUICE_SCTE35_SPLICE_INSERT);
    SL_CHECK_UEQ(s.command.len, 20);
    SL_CHECK_UEQ(s.event_id, 1002);
    SL_CHECK(!s.event_cancel);
    SL_CHECK(s.out_of_network);
    SL_CHECK(s.program_splice);
    SL_CHECK(s.duration_flag);
    SL_CHECK(!s.splice_immediate);
    SL_CHECK(s.auto_return);
    SL_CHECK(s.time_specified);
    SL_CHECK_UEQ(s.pts_time, 23355832);             /* 259.509244 s */
    SL_CHECK_UEQ(s.break_duration, 5399395);        /* 59.993278 s */
    SL_CHECK_UEQ(s.unique_program_id, 1);
    SL_CHECK_UEQ(s.avail_num, 1);
    SL_CHECK_UEQ(s.avails_expected, 1);
    SL_CHECK_UEQ(s.descriptor_loop.len, 0);
    SL_CHECK_UEQ(s.ndescriptors, 0);
    SL_CHECK_UEQ(sluice_scte35_splice_pts(&s), 23355832 + 1501);
}


static void
test_ams_in(void)
{
    size_t           n;
    uint8_t          sec[256];
    const char      *reason;
    sluice_scte35_t  s;

    n = decode(ams_in, sec);
    reason = NULL;

    SL_CHECK_OK(sluice_scte35_parse(&s, sec, n, &reason));
    SL_CHECK_UEQ(s.event_id, 1002);
    SL_CHECK(!s.out_of_network);
    SL_CHECK(!s.duration_flag);
    SL_CHECK(s.time_specified);
    SL_CHECK_UEQ(s.pts_time, 0x165E4D3);
}


static void
test_time_signal(void)
{
    size_t                         n;
    uint8_t                        sec[256];
    const char                    *reason;
    sluice_scte35_t                s;
    sluice_scte35_segmentation_t  *seg;

    static const uint8_t  upid[] = { 0, 0, 0, 0, 0x2C, 0xA0, 0xA1, 0x8A };

    n = decode(time_signal, sec);
    reason = NULL;

    SL_CHECK_OK(sluice_scte35_parse(&s, sec, n, &reason));
    SL_CHECK_UEQ(s.command_type, SLUICE_SCTE35_TIME_SIGNAL);
    SL_CHECK(s.time_specified);
    SL_CHECK_UEQ(s.pts_time, 0x072BD0050ULL);
    SL_CHECK_UEQ(s.ndescriptors, 1);
    SL_CHECK_UEQ(s.descriptors[0].tag, SLUICE_SCTE35_SEGMENTATION_DESCRIPTOR);
    SL_CHECK_UEQ(s.descriptors[0].identifier, SLUICE_SCTE35_CUEI);
    SL_CHECK_UEQ(s.descriptors[0].raw.len, 30);
    SL_CHECK_UEQ(s.nsegmentations, 1);

    seg = &s.segmentations[0];
    SL_CHECK_UEQ(seg->event_id, 0x4800008E);
    SL_CHECK(!seg->cancel);
    SL_CHECK(seg->program);
    SL_CHECK(seg->has_duration);
    SL_CHECK_UEQ(seg->duration, 0x0001A599B0ULL);   /* 307 s */
    SL_CHECK_UEQ(seg->upid_type, 8);                /* Turner ID */
    SL_CHECK_UEQ(seg->upid.len, 8);
    SL_CHECK_MEM_EQ(seg->upid.data, upid, 8);
    SL_CHECK_UEQ(seg->type_id, 0x34);
    SL_CHECK_UEQ(seg->segment_num, 2);
    SL_CHECK_UEQ(seg->segments_expected, 0);
    SL_CHECK(!seg->has_sub_segments);
}


static void
test_elemental(void)
{
    size_t           n;
    uint8_t          sec[256];
    const char      *reason;
    sluice_scte35_t  s;

    static const uint8_t  caid[] = { 0, 0, 0, 0, 0x20, 0xFB, 0x65, 0x01 };

    n = decode(elemental, sec);
    reason = NULL;

    SL_CHECK_OK(sluice_scte35_parse(&s, sec, n, &reason));
    SL_CHECK_UEQ(s.section.len, 55);
    SL_CHECK_UEQ(s.tier, 0);
    SL_CHECK_UEQ(s.command_type, SLUICE_SCTE35_TIME_SIGNAL);
    SL_CHECK_UEQ(s.pts_time, 3150057);
    SL_CHECK_UEQ(s.nsegmentations, 1);
    SL_CHECK_UEQ(s.segmentations[0].event_id, 1073741883);
    SL_CHECK_UEQ(s.segmentations[0].duration, 18132042);
    SL_CHECK_UEQ(s.segmentations[0].type_id, 0x34);
    SL_CHECK_UEQ(s.segmentations[0].upid_type, 8);
    SL_CHECK_UEQ(s.segmentations[0].upid.len, 8);
    SL_CHECK_MEM_EQ(s.segmentations[0].upid.data, caid, 8);
    SL_CHECK(!s.segmentations[0].has_sub_segments);
}


/* AMS's OUT section made byte for byte from its fields */
static void
test_write_ams(void)
{
    size_t                  n, size;
    uint8_t                 want[256], got[256], *end;
    sluice_scte35_splice_t  sp;

    n = decode(ams_out, want);

    memset(&sp, 0, sizeof(sp));
    sp.command_type = SLUICE_SCTE35_SPLICE_INSERT;
    sp.pts_adjustment = 1501;
    sp.event_id = 1002;
    sp.out_of_network = 1;
    sp.time_specified = 1;
    sp.pts_time = 23355832;
    sp.has_duration = 1;
    sp.auto_return = 1;
    sp.duration = 5399395;
    sp.unique_program_id = 1;
    sp.avail_num = 1;
    sp.avails_expected = 1;

    size = sluice_scte35_size(&sp);
    SL_CHECK_UEQ(size, n);

    end = sluice_scte35_write(got, &sp);
    SL_CHECK_UEQ((size_t) (end - got), size);
    SL_CHECK_MEM_EQ(got, want, n);

    /* and the IN */
    n = decode(ams_in, want);
    sp.out_of_network = 0;
    sp.has_duration = 0;
    sp.pts_time = 0x165E4D3;

    SL_CHECK_UEQ(sluice_scte35_size(&sp), n);
    end = sluice_scte35_write(got, &sp);
    SL_CHECK_UEQ((size_t) (end - got), n);
    SL_CHECK_MEM_EQ(got, want, n);
}


static void
roundtrip(const sluice_scte35_splice_t *sp)
{
    size_t           size;
    uint8_t          buf[512], *end;
    const char      *reason;
    sluice_scte35_t  s;

    size = sluice_scte35_size(sp);
    SL_CHECK(size > 0 && size <= sizeof(buf));
    if (size == 0 || size > sizeof(buf)) {
        return;
    }

    end = sluice_scte35_write(buf, sp);
    SL_CHECK_UEQ((size_t) (end - buf), size);

    reason = NULL;
    SL_CHECK_OK(sluice_scte35_parse(&s, buf, size, &reason));
    SL_CHECK_UEQ(s.command_type, sp->command_type);
    SL_CHECK_UEQ(s.pts_adjustment, sp->pts_adjustment & 0x1FFFFFFFFULL);
    SL_CHECK_UEQ(s.time_specified, sp->time_specified);
    SL_CHECK_UEQ(s.descriptor_loop.len, sp->descriptor_loop.len);

    if (sp->time_specified) {
        SL_CHECK_UEQ(s.pts_time, sp->pts_time);
    }

    if (sp->command_type == SLUICE_SCTE35_SPLICE_INSERT) {
        SL_CHECK_UEQ(s.event_id, sp->event_id);
        SL_CHECK_UEQ(s.event_cancel, sp->event_cancel);
        SL_CHECK_UEQ(s.out_of_network, sp->out_of_network);
        SL_CHECK_UEQ(s.splice_immediate, sp->splice_immediate);
        SL_CHECK_UEQ(s.duration_flag, sp->has_duration);
        SL_CHECK_UEQ(s.auto_return, sp->auto_return);
        SL_CHECK_UEQ(s.break_duration, sp->duration);
    }
}


static void
test_roundtrip(void)
{
    uint8_t                 loop[64];
    size_t                  n;
    sluice_scte35_splice_t  sp;
    uint8_t                 ts[256];
    const char             *reason;
    sluice_scte35_t         s;

    memset(&sp, 0, sizeof(sp));

    /* splice_null, as heartbeats */
    sp.command_type = SLUICE_SCTE35_SPLICE_NULL;
    roundtrip(&sp);

    /* a 33-bit PTS and adjustment, immediate out, cancel */
    sp.command_type = SLUICE_SCTE35_SPLICE_INSERT;
    sp.pts_adjustment = 0x1FFFFFFFFULL;
    sp.event_id = 0xFFFFFFFF;
    sp.out_of_network = 1;
    sp.time_specified = 1;
    sp.pts_time = 0x100000001ULL;
    sp.has_duration = 1;
    sp.duration = 0x1FFFFFFFFULL;
    roundtrip(&sp);

    sp.splice_immediate = 1;
    sp.time_specified = 0;
    roundtrip(&sp);

    sp.splice_immediate = 0;
    sp.event_cancel = 1;
    sp.out_of_network = 0;
    sp.has_duration = 0;
    sp.duration = 0;
    roundtrip(&sp);

    /* time_signal with the segmentation descriptor of SCTE 35's sample */
    n = decode(time_signal, ts);
    SL_CHECK_OK(sluice_scte35_parse(&s, ts, n, &reason));
    memcpy(loop, s.descriptor_loop.data, s.descriptor_loop.len);

    memset(&sp, 0, sizeof(sp));
    sp.command_type = SLUICE_SCTE35_TIME_SIGNAL;
    sp.time_specified = 1;
    sp.pts_time = 0x072BD0050ULL;
    sp.descriptor_loop.data = loop;
    sp.descriptor_loop.len = s.descriptor_loop.len;
    roundtrip(&sp);

    /*
     * the sample's own bytes come out again (sap_type 3, tier 0xFFF),
     * but for its cw_index 0xFF where the writer puts 0
     */
    {
        uint8_t  got[256];

        SL_CHECK_UEQ(sluice_scte35_size(&sp), n);
        sluice_scte35_write(got, &sp);
        ts[9] = 0;
        recrc(ts, n);
        SL_CHECK_MEM_EQ(got, ts, n);
    }

    sp.time_specified = 0;
    sp.descriptor_loop.len = 0;
    roundtrip(&sp);

    /* what cannot be written */
    sp.command_type = SLUICE_SCTE35_PRIVATE_COMMAND;
    SL_CHECK_UEQ(sluice_scte35_size(&sp), 0);

    sp.command_type = SLUICE_SCTE35_TIME_SIGNAL;
    sp.descriptor_loop.data = loop;
    sp.descriptor_loop.len = 4090;
    SL_CHECK_UEQ(sluice_scte35_size(&sp), 0);
}


static void
expect_bad(const uint8_t *p, size_t n, sluice_status_t want,
    const char *why)
{
    const char       *reason;
    sluice_scte35_t   s;
    sluice_status_t   rc;

    reason = NULL;
    rc = sluice_scte35_parse(&s, p, n, &reason);

    SL_CHECK_EQ(rc, want);
    SL_CHECK(reason != NULL);

    if (reason && why && strcmp(reason, why) != 0) {
        SL_CHECK_STR_EQ(reason, why);
    }
}


/* fix the CRC after an edit */
static void
recrc(uint8_t *p, size_t n)
{
    uint32_t  crc;

    crc = sluice_scte35_crc32(p, n - 4);
    p[n - 4] = (uint8_t) (crc >> 24);
    p[n - 3] = (uint8_t) (crc >> 16);
    p[n - 2] = (uint8_t) (crc >> 8);
    p[n - 1] = (uint8_t) crc;
}


static void
test_bad(void)
{
    size_t           n, i;
    uint8_t          sec[256], b[256];
    const char      *reason;
    sluice_scte35_t  s;

    n = decode(ams_out, sec);

    /* every truncation fails, none reads past the end */
    for (i = 0; i < n; i++) {
        memcpy(b, sec, i);
        reason = NULL;
        SL_CHECK(sluice_scte35_parse(&s, b, i, &reason) == SLUICE_BAD_DATA);
        SL_CHECK(reason != NULL);
    }

    /* every single bit flipped breaks the CRC or the header */
    for (i = 0; i < n * 8; i++) {
        memcpy(b, sec, n);
        b[i / 8] ^= (uint8_t) (0x80 >> (i % 8));
        SL_CHECK(sluice_scte35_parse(&s, b, n, &reason) != SLUICE_OK);
    }

    memcpy(b, sec, n);
    b[n - 1] ^= 1;
    expect_bad(b, n, SLUICE_BAD_DATA, "bad CRC_32");

    memcpy(b, sec, n);
    b[0] = 0xFD;
    expect_bad(b, n, SLUICE_BAD_DATA, "table_id is not 0xFC");

    /* section_length 4095 over 40 bytes */
    memcpy(b, sec, n);
    b[1] |= 0x0F;
    b[2] = 0xFF;
    expect_bad(b, n, SLUICE_BAD_DATA, "section_length over 4093");

    b[1] = (b[1] & 0xF0) | 0x01;
    expect_bad(b, n, SLUICE_BAD_DATA, "section_length beyond the data");

    memcpy(b, sec, n);
    b[1] &= 0xF0;
    b[2] = 10;
    expect_bad(b, n, SLUICE_BAD_DATA, NULL);

    /* trailing 0xFF stuffing is fine, anything else is not */
    memcpy(b, sec, n);
    b[n] = 0xFF;
    b[n + 1] = 0xFF;
    SL_CHECK_OK(sluice_scte35_parse(&s, b, n + 2, &reason));
    SL_CHECK_UEQ(s.section.len, n);
    b[n + 1] = 0x00;
    expect_bad(b, n + 2, SLUICE_BAD_DATA, "bytes after the section");

    /* encrypted */
    memcpy(b, sec, n);
    b[4] |= 0x80;
    recrc(b, n);
    expect_bad(b, n, SLUICE_UNSUPPORTED, "encrypted splice_info_section");

    /* protocol_version 1 */
    memcpy(b, sec, n);
    b[3] = 1;
    recrc(b, n);
    expect_bad(b, n, SLUICE_UNSUPPORTED, NULL);

    /* splice_command_length past the section */
    memcpy(b, sec, n);
    b[12] = 0xF0;
    recrc(b, n);
    expect_bad(b, n, SLUICE_BAD_DATA,
               "splice_command_length beyond the section");

    /* a splice_insert that claims a duration it does not have */
    memcpy(b, sec, n);
    b[12] = 15;                 /* command shortened to 15 bytes */
    recrc(b, n);
    expect_bad(b, n, SLUICE_BAD_DATA, "splice_command truncated");

    /* descriptor_loop_length past the section */
    memcpy(b, sec, n);
    b[34] = 0x00;
    b[35] = 0x09;
    recrc(b, n);
    expect_bad(b, n, SLUICE_BAD_DATA,
               "descriptor_loop_length beyond the section");
}


static void
test_unknown_length(void)
{
    size_t           n;
    uint8_t          b[256];
    const char      *reason;
    sluice_scte35_t  s;

    /* legacy 0xFFF command length: the splice_insert's own length */
    n = decode(ams_out, b);
    b[11] |= 0x0F;
    b[12] = 0xFF;
    recrc(b, n);

    reason = NULL;
    SL_CHECK_OK(sluice_scte35_parse(&s, b, n, &reason));
    SL_CHECK_UEQ(s.command.len, 20);
    SL_CHECK_UEQ(s.event_id, 1002);
    SL_CHECK_UEQ(s.break_duration, 5399395);

    /* an unknown command without a length cannot be skipped */
    b[13] = 0x42;
    recrc(b, n);
    expect_bad(b, n, SLUICE_UNSUPPORTED,
               "unknown splice_command_type without a length");

    /* with a length it is kept raw */
    n = decode(ams_out, b);
    b[13] = SLUICE_SCTE35_PRIVATE_COMMAND;
    recrc(b, n);
    SL_CHECK_OK(sluice_scte35_parse(&s, b, n, &reason));
    SL_CHECK_UEQ(s.command_type, SLUICE_SCTE35_PRIVATE_COMMAND);
    SL_CHECK_UEQ(s.command.len, 20);
    SL_CHECK(s.command.data == b + 14);
}


static void
test_bad_descriptor(void)
{
    size_t           n;
    uint8_t          b[256];
    sluice_scte35_t  s;
    const char      *reason;

    n = decode(time_signal, b);

    /* segmentation_upid_length beyond the descriptor */
    b[39] = 0xF0;
    recrc(b, n);
    expect_bad(b, n, SLUICE_BAD_DATA, "malformed segmentation_descriptor");

    /* descriptor length beyond the loop */
    n = decode(time_signal, b);
    b[22] = 0x40;
    recrc(b, n);
    expect_bad(b, n, SLUICE_BAD_DATA,
               "splice_descriptor beyond the descriptor loop");

    /* a descriptor of another identifier is only kept raw */
    n = decode(time_signal, b);
    b[23] = 'X';
    recrc(b, n);
    SL_CHECK_OK(sluice_scte35_parse(&s, b, n, &reason));
    SL_CHECK_UEQ(s.ndescriptors, 1);
    SL_CHECK_UEQ(s.nsegmentations, 0);
}


int
main(void)
{
    SL_RUN(test_crc);
    SL_RUN(test_ams_out);
    SL_RUN(test_ams_in);
    SL_RUN(test_time_signal);
    SL_RUN(test_elemental);
    SL_RUN(test_write_ams);
    SL_RUN(test_roundtrip);
    SL_RUN(test_bad);
    SL_RUN(test_unknown_length);
    SL_RUN(test_bad_descriptor);

    return SL_DONE();
}
