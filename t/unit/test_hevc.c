
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the HEVC configuration record and SPS parsing.  The
 * records were produced by x265 (through ffmpeg; the SEI array holding
 * x265's banner removed) and the sizes checked with ffprobe.
 */


#include <stdio.h>
#include <stdlib.h>

#include "media/codec/sluice_hevc.h"
#include "sluice_test.h"


typedef struct {
    const char  *hex;
    uint32_t     width;
    uint32_t     height;
    uint32_t     chroma;
    uint32_t     depth;
    const char  *codec;
} test_record_t;


static test_record_t  records[] = {

    /* Main 640x360 (conformance window from 368) */
    { "0101600000009000000000003ff000fcfdf8f800000f03a00001001840010c01"
      "ffff01600000030090000003000003003f959809a10001002a42010101600000"
      "030090000003000003003fa00502016965959a4932bc05a02000000300200000"
      "030321a2000100074401c172b46240",
      640, 360, 1, 8, "hvc1.1.6.L63.90" },

    /* Main 10 1920x1080 */
    { "01022000000090000000000078f000fcfdfafa00000f03a00001001840010c01"
      "ffff022000000300900000030000030078959809a10001002c42010102200000"
      "0300900000030000030078a003c08010e4d96566924caf016808000003000800"
      "000300c840a2000100074401c172b46240",
      1920, 1080, 1, 10, "hvc1.2.4.L120.90" },

    /* Rext 4:4:4 320x240 */
    { "0104080000009e08000000003cf000fcfff8f800000f03a00001001740010c01"
      "ffff0408000003009e0800000300003c959809a1000100284201010408000003"
      "009e0800000300003c90014101e2cb2b34926578734040000003004000000642"
      "a2000100084401c172860c4624",
      320, 240, 3, 8, "hvc1.4.10.L60.9E.8" }
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
    size_t                i, n, k;
    uint8_t               buf[1024];
    sluice_track_info_t   ti;
    sluice_hevc_config_t  c;

    for (i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
        n = unhex(buf, records[i].hex);

        SL_CHECK_OK(sluice_hevc_parse_config(buf, n, &c));
        SL_CHECK_UEQ(c.width, records[i].width);
        SL_CHECK_UEQ(c.height, records[i].height);
        SL_CHECK_UEQ(c.chroma_format_idc, records[i].chroma);
        SL_CHECK_UEQ(c.bit_depth_luma, records[i].depth);
        SL_CHECK_UEQ(c.nal_length_size, 4);
        SL_CHECK(c.nvps == 1 && c.nsps == 1 && c.npps == 1);
        SL_CHECK_UEQ(sluice_hevc_nal_type(c.pps[0].data),
                     SLUICE_HEVC_NAL_PPS);

        SL_CHECK_OK(sluice_hevc_fill_info(&c, &ti));
        SL_CHECK_UEQ(ti.codec, SLUICE_CODEC_HEVC);
        SL_CHECK_UEQ(ti.media_type, SLUICE_MEDIA_VIDEO);
        SL_CHECK_UEQ(ti.timescale, 90000);
        SL_CHECK_STR_EQ(ti.codec_string, records[i].codec);
        SL_CHECK(ti.width == records[i].width
                 && ti.height == records[i].height);

        /* compacting a record of VPS, SPS and PPS changes nothing */
        SL_CHECK_UEQ(ti.config_len, n);
        SL_CHECK_MEM_EQ(ti.config, buf, n);

        for (k = 0; k < n; k++) {
            if (sluice_hevc_parse_config(buf, k, &c) == SLUICE_OK) {
                SL_CHECK(k == n);
            }
        }
    }
}


static void
test_compact(void)
{
    size_t                n;
    uint8_t               buf[1024];
    sluice_track_info_t   ti;
    sluice_hevc_config_t  c;

    /* add a 600-byte SEI array: too big for the track, left out */
    n = unhex(buf, records[0].hex);
    buf[22] = 4;
    buf[n++] = SLUICE_HEVC_NAL_SEI_PREFIX;
    buf[n++] = 0;
    buf[n++] = 1;
    buf[n++] = 600 >> 8;
    buf[n++] = 600 & 0xff;
    memset(buf + n, 0x4e, 600);
    n += 600;

    SL_CHECK_OK(sluice_hevc_parse_config(buf, n, &c));
    SL_CHECK_OK(sluice_hevc_fill_info(&c, &ti));
    SL_CHECK_UEQ(ti.config_len, n - 605);
    SL_CHECK_UEQ(ti.config[22], 3);
    SL_CHECK_MEM_EQ(ti.config, buf, 22);
    SL_CHECK_MEM_EQ(ti.config + 23, buf + 23, n - 605 - 23);

    /* avgFrameRate 25 * 256 and 29.97 * 256 */
    buf[19] = (6400 >> 8);
    buf[20] = 6400 & 0xff;
    SL_CHECK_OK(sluice_hevc_parse_config(buf, n, &c));
    SL_CHECK_OK(sluice_hevc_fill_info(&c, &ti));
    SL_CHECK(ti.frame_rate_num == 25 && ti.frame_rate_den == 1);

    buf[19] = (7672 >> 8);
    buf[20] = 7672 & 0xff;
    SL_CHECK_OK(sluice_hevc_parse_config(buf, n, &c));
    SL_CHECK_OK(sluice_hevc_fill_info(&c, &ti));
    SL_CHECK(ti.frame_rate_num == 959 && ti.frame_rate_den == 32);

    /* bad version, length size 3, no SPS */
    n = unhex(buf, records[0].hex);
    buf[0] = 0;
    SL_CHECK_EQ(sluice_hevc_parse_config(buf, n, &c), SLUICE_BAD_DATA);
    buf[0] = 1;
    buf[21] = (buf[21] & 0xfc) | 2;
    SL_CHECK_EQ(sluice_hevc_parse_config(buf, n, &c), SLUICE_BAD_DATA);
    n = unhex(buf, records[0].hex);
    buf[22] = 1;                                /* VPS array only */
    SL_CHECK_EQ(sluice_hevc_parse_config(buf, n, &c), SLUICE_UNSUPPORTED);
}


static void
test_irap(void)
{
    static uint8_t  idr[] = { 0, 0, 0, 3, 0x46, 0x01, 0x50,   /* AUD */
                              0, 0, 0, 3, 0x26, 0x01, 0xaf }; /* IDR_W_RADL */
    static uint8_t  trail[] = { 0, 0, 0, 3, 0x02, 0x01, 0xd0 };
    static uint8_t  cra[] = { 0, 2, 0x2a, 0x01 };

    SL_CHECK_EQ(sluice_hevc_has_irap(idr, sizeof(idr), 4), 1);
    SL_CHECK_EQ(sluice_hevc_has_irap(trail, sizeof(trail), 4), 0);
    SL_CHECK_EQ(sluice_hevc_has_irap(cra, sizeof(cra), 2), 1);
    SL_CHECK_EQ(sluice_hevc_has_irap(idr, sizeof(idr) - 1, 4), -1);
}


/* the records again, from their parameter sets as a stream has them */
static void
test_make_config(void)
{
    size_t                i, n, len;
    uint8_t               buf[1024], out[1024];
    sluice_hevc_config_t  c;

    for (i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
        n = unhex(buf, records[i].hex);
        SL_CHECK_OK(sluice_hevc_parse_config(buf, n, &c));

        SL_CHECK_OK(sluice_hevc_make_config(c.vps, c.nvps, c.sps, c.nsps,
                                            c.pps, c.npps, out, sizeof(out),
                                            &len));
        SL_CHECK_UEQ(len, n);
        SL_CHECK_MEM_EQ(out, buf, n);

        SL_CHECK_EQ(sluice_hevc_make_config(c.vps, c.nvps, c.sps, c.nsps,
                                            c.pps, c.npps, out, n - 1, &len),
                    SLUICE_UNSUPPORTED);
        SL_CHECK_EQ(sluice_hevc_make_config(c.vps, 0, c.sps, c.nsps,
                                            c.pps, c.npps, out, sizeof(out),
                                            &len),
                    SLUICE_UNSUPPORTED);
        SL_CHECK_EQ(sluice_hevc_make_config(c.vps, c.nvps, c.pps, c.npps,
                                            c.pps, c.npps, out, sizeof(out),
                                            &len),
                    SLUICE_BAD_DATA);
    }
}


int
main(void)
{
    SL_RUN(test_records);
    SL_RUN(test_compact);
    SL_RUN(test_irap);
    SL_RUN(test_make_config);

    return SL_DONE();
}
