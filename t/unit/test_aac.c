
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of AudioSpecificConfig parsing and ADTS headers.
 */


#include <stdio.h>
#include <stdlib.h>

#include "media/codec/sluice_aac.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)


static void
test_lc(void)
{
    uint8_t              adts[7];
    sluice_aac_config_t  c;
    sluice_track_info_t  ti;

    /* AAC LC, 48000 Hz (index 3), stereo: 00010 0011 0010 000 */
    static uint8_t  asc[] = { 0x11, 0x90 };

    /* ADTS of a 100-byte frame, as ffmpeg's adts muxer writes it */
    static uint8_t  exp[] = { 0xff, 0xf1, 0x4c, 0x80, 0x0d, 0x7f, 0xfc };

    CHECK(sluice_aac_parse_config(asc, sizeof(asc), &c) == SLUICE_OK);
    CHECK(c.object_type == 2 && c.base_object_type == 2);
    CHECK(c.sample_rate_index == 3 && c.sample_rate == 48000);
    CHECK(c.channel_config == 2 && c.channels == 2);
    CHECK(c.frame_length == 1024);
    CHECK(c.ext_sample_rate == 0);

    CHECK(sluice_aac_fill_info(&c, &ti) == SLUICE_OK);
    CHECK(ti.media_type == SLUICE_MEDIA_AUDIO && ti.codec == SLUICE_CODEC_AAC);
    CHECK(strcmp(ti.codec_string, "mp4a.40.2") == 0);
    CHECK(ti.timescale == 48000 && ti.sample_rate == 48000);
    CHECK(ti.channels == 2 && ti.object_type == 2);
    CHECK(ti.config_len == 2 && memcmp(ti.config, asc, 2) == 0);

    CHECK(sluice_aac_write_adts(adts, &c, 100) == SLUICE_OK);
    CHECK(memcmp(adts, exp, 7) == 0);

    CHECK(sluice_aac_write_adts(adts, &c, SLUICE_AAC_ADTS_MAX_PAYLOAD)
          == SLUICE_OK);
    CHECK(((adts[3] & 3) << 11 | adts[4] << 3 | adts[5] >> 5) == 0x1fff);
    CHECK(sluice_aac_write_adts(adts, &c, SLUICE_AAC_ADTS_MAX_PAYLOAD + 1)
          == SLUICE_BAD_DATA);

    /* 1 byte only: channel config missing */
    CHECK(sluice_aac_parse_config(asc, 1, &c) == SLUICE_BAD_DATA);
    CHECK(sluice_aac_parse_config(asc, 0, &c) == SLUICE_BAD_DATA);
}


static void
test_other(void)
{
    uint8_t              adts[7];
    sluice_aac_config_t  c;
    sluice_track_info_t  ti;

    /* LC 44100 mono, frameLengthFlag set (960): 00010 0100 0001 1 00 */
    static uint8_t  lc960[] = { 0x12, 0x0c };

    /* explicit rate 48000 (index 15): 00010 1111 <24 bits> 0001 0 00 */
    static uint8_t  explicit[] = { 0x17, 0x80, 0x5d, 0xc0, 0x10 };

    /* HE-AAC explicit: 00101 0110 (24000) 0010 (stereo) 0011 (48000) 00010 */
    static uint8_t  he[] = { 0x2b, 0x11, 0x88, 0x00 };

    /* escape object type 31: 32 + 10 = 42 (USAC): 11111 001010 0011 ... */
    static uint8_t  esc[] = { 0xf9, 0x46, 0x40 };

    /* sampling index 13 (reserved) */
    static uint8_t  bad_rate[] = { 0x16, 0x90 };

    CHECK(sluice_aac_parse_config(lc960, sizeof(lc960), &c) == SLUICE_OK);
    CHECK(c.sample_rate == 44100 && c.channels == 1);
    CHECK(c.frame_length == 960);

    CHECK(sluice_aac_parse_config(explicit, sizeof(explicit), &c)
          == SLUICE_OK);
    CHECK(c.sample_rate_index == 15 && c.sample_rate == 48000);
    CHECK(c.channel_config == 2);
    CHECK(sluice_aac_write_adts(adts, &c, 10) == SLUICE_OK);
    CHECK(((adts[2] >> 2) & 0x0f) == 3);        /* mapped to index 3 */

    CHECK(sluice_aac_parse_config(he, sizeof(he), &c) == SLUICE_OK);
    CHECK(c.object_type == 5 && c.base_object_type == 2);
    CHECK(c.sample_rate == 24000 && c.ext_sample_rate == 48000);
    CHECK(c.channel_config == 2);
    CHECK(sluice_aac_fill_info(&c, &ti) == SLUICE_OK);
    CHECK(strcmp(ti.codec_string, "mp4a.40.5") == 0);
    CHECK(ti.sample_rate == 48000 && ti.timescale == 48000);
    CHECK(sluice_aac_write_adts(adts, &c, 10) == SLUICE_OK);
    CHECK((adts[2] >> 6) == 1);                 /* LC */
    CHECK(((adts[2] >> 2) & 0x0f) == 6);        /* 24000 core */

    CHECK(sluice_aac_parse_config(esc, sizeof(esc), &c) == SLUICE_OK);
    CHECK(c.object_type == 42);
    CHECK(c.sample_rate == 48000);
    CHECK(sluice_aac_write_adts(adts, &c, 10) == SLUICE_UNSUPPORTED);

    CHECK(sluice_aac_parse_config(bad_rate, sizeof(bad_rate), &c)
          == SLUICE_BAD_DATA);

    CHECK(sluice_aac_rate_from_index(12) == 7350);
    CHECK(sluice_aac_rate_from_index(13) == 0);
}


int
main(void)
{
    SL_RUN(test_lc);
    SL_RUN(test_other);

    return SL_DONE();
}
