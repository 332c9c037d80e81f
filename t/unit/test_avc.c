
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the AVC configuration record, SPS and NAL unit parsing.
 * The records were produced by x264 (through ffmpeg) and the expected
 * values checked with ffprobe.
 */


#include <stdio.h>
#include <stdlib.h>

#include "media/codec/sluice_avc.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)


typedef struct {
    const char  *hex;
    uint32_t     width;
    uint32_t     height;
    uint32_t     frame_mbs_only;
    uint32_t     chroma;
    uint32_t     sar_num;
    uint32_t     sar_den;
    uint32_t     fps;
    const char  *codec;
} test_record_t;


static test_record_t  records[] = {

    /* High, 640x360 (cropped from 368), emulation prevention in SPS */
    { "0164001effe1001a6764001eacd940a02ff970110000030001000003003c0f162d96"
      "01000668ebe3cb22c0", 640, 360, 1, 1, 1, 1, 30, "avc1.64001e" },

    /* Constrained Baseline 1280x720 */
    { "0142c01fffe100196742c01fd9005005bb011000000300100000030320f183248001"
      "000568cb83cb20", 1280, 720, 1, 1, 1, 1, 25, "avc1.42c01f" },

    /* Main, interlaced (frame_mbs_only 0) 1920x1080 */
    { "014d4028ffe1001a674d4028eca03c0227ef011000000300100000030321f162d960"
      "01000568fba3cb20", 1920, 1080, 0, 1, 1, 1, 25, "avc1.4d4028" },

    /* High 4:4:4, 320x240, SAR 4:3 */
    { "01f4000dffe1001967f4000d919b28283f61c2000003000200000300641e28532c01"
      "000668ebe3c44844", 320, 240, 1, 3, 4, 3, 25, "avc1.f4000d" },

    /* High, interlaced, JVT scaling matrices in the SPS, 854x480 */
    { "0164001fffe1001e6764001facd940d87bcdffe0a000a02200000300020000030078"
      "3e2c5b2c01000768fba3cb3002c0", 854, 480, 0, 1, 1280, 1281, 30,
      "avc1.64001f" },

    /* High 4:2:2 10-bit, 720x576 */
    { "017a001fffe1001e677a001fb6cd940b4126ffc010000b44000003000400000300f0"
      "3c60c65801000668ebe3cb22c0", 720, 576, 1, 2, 64, 45, 30,
      "avc1.7a001f" },

    /* odd size 1918x1078: cropping of both sides */
    { "01640028ffe1001f67640028acd940780227a9bff04d004d11000003000100000300"
      "3c0f18319601000668ebe3cb22c0", 1918, 1078, 1, 1, 1232, 1233, 30,
      "avc1.640028" },

    /* monochrome (chroma_format_idc 0) 640x480 */
    { "0164001effe100196764001ef3650280f6c39b20000003002000000781e2c5b2c001"
      "000668ebe3cb22c0", 640, 480, 1, 0, 4, 3, 30, "avc1.64001e" }
};


static size_t
unhex(uint8_t *out, const char *hex)
{
    size_t        n;
    unsigned int  v;

    for (n = 0; hex[0] && hex[1]; hex += 2) {
        if (sscanf(hex, "%2x", &v) != 1) {
            abort();
        }

        out[n++] = (uint8_t) v;
    }

    return n;
}


static void
test_records(void)
{
    size_t               i, n;
    uint8_t              buf[256];
    sluice_avc_config_t  c;
    sluice_track_info_t  ti;

    for (i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
        n = unhex(buf, records[i].hex);

        CHECK(sluice_avc_parse_config(buf, n, &c) == SLUICE_OK);
        CHECK(c.width == records[i].width);
        CHECK(c.height == records[i].height);
        CHECK(c.frame_mbs_only == records[i].frame_mbs_only);
        CHECK(c.chroma_format_idc == records[i].chroma);
        CHECK(c.sar_num == records[i].sar_num);
        CHECK(c.sar_den == records[i].sar_den);
        CHECK(c.nal_length_size == 4);
        CHECK(c.nsps == 1 && c.npps == 1);
        CHECK(c.sps[0].data == buf + 8);
        CHECK((c.pps[0].data[0] & 0x1f) == SLUICE_AVC_NAL_PPS);
        CHECK(c.timing_info);

        CHECK(sluice_avc_fill_info(&c, &ti) == SLUICE_OK);
        CHECK(ti.media_type == SLUICE_MEDIA_VIDEO);
        CHECK(ti.codec == SLUICE_CODEC_AVC);
        CHECK(ti.timescale == 90000);
        CHECK(ti.width == records[i].width && ti.height == records[i].height);
        CHECK(strcmp(ti.codec_string, records[i].codec) == 0);
        CHECK(ti.frame_rate_den
              && ti.frame_rate_num / ti.frame_rate_den == records[i].fps);
        CHECK(ti.config_len == n && memcmp(ti.config, buf, n) == 0);
        CHECK(ti.nal_length_size == 4);

        /* every truncation fails cleanly; the PPS array is needed too */
        while (n-- > 0) {
            if (sluice_avc_parse_config(buf, n, &c) == SLUICE_OK) {
                CHECK(n >= 7 && 0);
            }
        }
    }
}


static void
test_bad_records(void)
{
    size_t               n;
    uint8_t              buf[256];
    sluice_avc_config_t  c;

    n = unhex(buf, records[0].hex);

    buf[0] = 2;                                 /* configurationVersion */
    CHECK(sluice_avc_parse_config(buf, n, &c) == SLUICE_BAD_DATA);
    buf[0] = 1;

    buf[4] = 0xfe;                              /* length size 3 */
    CHECK(sluice_avc_parse_config(buf, n, &c) == SLUICE_BAD_DATA);
    buf[4] = 0xfd;                              /* length size 2 */
    CHECK(sluice_avc_parse_config(buf, n, &c) == SLUICE_OK);
    CHECK(c.nal_length_size == 2);
    buf[4] = 0xff;

    buf[5] = 0xe0;                              /* no SPS */
    buf[6] = 0x00;
    buf[7] = 0x00;
    CHECK(sluice_avc_parse_config(buf, 8, &c) != SLUICE_OK);

    n = unhex(buf, records[0].hex);
    buf[8] = 0x68;                              /* SPS slot holds a PPS */
    CHECK(sluice_avc_parse_config(buf, n, &c) == SLUICE_BAD_DATA);

    n = unhex(buf, records[0].hex);
    buf[7] = 0xff;                              /* SPS length too long */
    CHECK(sluice_avc_parse_config(buf, n, &c) == SLUICE_BAD_DATA);

    CHECK(sluice_avc_parse_config(buf, 0, &c) == SLUICE_BAD_DATA);
}


static void
test_nal(void)
{
    sluice_str_t           nal;
    sluice_avc_nal_iter_t  it;

    static uint8_t  au[] = {
        0, 0, 0, 2, 0x09, 0xf0,                 /* AUD */
        0, 0, 0, 0,                             /* empty */
        0, 0, 0, 3, 0x65, 0x88, 0x84            /* IDR */
    };

    static uint8_t  au2[] = {
        0, 2, 0x09, 0xf0,
        0, 3, 0x41, 0x9a, 0x02                  /* non-IDR slice */
    };

    sluice_avc_nal_iter_init(&it, au, sizeof(au), 4);
    CHECK(sluice_avc_nal_next(&it, &nal) == SLUICE_OK);
    CHECK(nal.len == 2 && nal.data == au + 4);
    CHECK(sluice_avc_nal_next(&it, &nal) == SLUICE_OK);
    CHECK(nal.len == 3 && nal.data[0] == 0x65);
    CHECK(sluice_avc_nal_next(&it, &nal) == SLUICE_NOT_FOUND);

    CHECK(sluice_avc_has_idr(au, sizeof(au), 4) == 1);
    CHECK(sluice_avc_has_idr(au2, sizeof(au2), 2) == 0);
    CHECK(sluice_avc_has_idr(au, sizeof(au) - 1, 4) == -1);
    CHECK(sluice_avc_has_idr(au, 3, 4) == -1);
    CHECK(sluice_avc_has_idr(au, 0, 4) == 0);
    CHECK(sluice_avc_has_idr(au, sizeof(au), 3) == 0
          || sluice_avc_has_idr(au, sizeof(au), 3) == -1);
    CHECK(sluice_avc_has_idr(au, sizeof(au), 5) == -1);
}


/* the records again, from their parameter sets as a stream has them */
static void
test_make_config(void)
{
    size_t               i, n, len;
    uint8_t              buf[256], out[256];
    sluice_str_t         bad;
    sluice_avc_config_t  c, c2;

    for (i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
        n = unhex(buf, records[i].hex);
        SL_CHECK_OK(sluice_avc_parse_config(buf, n, &c));

        SL_CHECK_OK(sluice_avc_make_config(c.sps, c.nsps, c.pps, c.npps,
                                           out, sizeof(out), &len));

        /* x264's records leave out the High profiles' extension */
        switch (c.sps_profile) {
        case 100: case 110: case 122: case 144:
            SL_CHECK_UEQ(len, n + 4);
            SL_CHECK_UEQ(out[n], 0xfc | c.chroma_format_idc);
            SL_CHECK_UEQ(out[n + 1], 0xf8 | (c.bit_depth_luma - 8));
            SL_CHECK_UEQ(out[n + 2], 0xf8 | (c.bit_depth_chroma - 8));
            SL_CHECK_UEQ(out[n + 3], 0);
            break;

        default:
            SL_CHECK_UEQ(len, n);
        }

        SL_CHECK_MEM_EQ(out, buf, n);

        SL_CHECK_OK(sluice_avc_parse_config(out, len, &c2));
        SL_CHECK(c2.width == c.width && c2.height == c.height);

        /* too small a buffer, no PPS, no SPS */
        SL_CHECK_EQ(sluice_avc_make_config(c.sps, c.nsps, c.pps, c.npps,
                                           out, len - 1, &len),
                    SLUICE_UNSUPPORTED);
        SL_CHECK_EQ(sluice_avc_make_config(c.sps, c.nsps, c.pps, 0,
                                           out, sizeof(out), &len),
                    SLUICE_UNSUPPORTED);
        SL_CHECK_EQ(sluice_avc_make_config(c.sps, 0, c.pps, c.npps,
                                           out, sizeof(out), &len),
                    SLUICE_UNSUPPORTED);
    }

    /* a PPS where the SPS should be, an empty PPS */
    n = unhex(buf, records[0].hex);
    SL_CHECK_OK(sluice_avc_parse_config(buf, n, &c));
    SL_CHECK_EQ(sluice_avc_make_config(c.pps, 1, c.pps, 1, out, sizeof(out),
                                       &len), SLUICE_BAD_DATA);
    bad.data = buf;
    bad.len = 0;
    SL_CHECK_EQ(sluice_avc_make_config(c.sps, 1, &bad, 1, out, sizeof(out),
                                       &len), SLUICE_BAD_DATA);
}


int
main(void)
{
    SL_RUN(test_records);
    SL_RUN(test_bad_records);
    SL_RUN(test_nal);
    SL_RUN(test_make_config);

    return SL_DONE();
}
