
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of FLV tag body parsing (legacy and enhanced RTMP) and of
 * the FLV file reader.
 */


#include <stdio.h>
#include <stdlib.h>

#include "media/container/sluice_flv.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)


static void
test_video(void)
{
    sluice_flv_video_t  v;

    static uint8_t  seq[] = { 0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64 };
    static uint8_t  key[] = { 0x17, 0x01, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0x65 };
    static uint8_t  neg[] = { 0x27, 0x01, 0xff, 0xff, 0xfe, 0xaa };
    static uint8_t  eos[] = { 0x17, 0x02, 0x00, 0x00, 0x00 };
    static uint8_t  hevc[] = { 0x1c, 0x01, 0x00, 0x00, 0x21, 0xbb };
    static uint8_t  vp6[] = { 0x24, 0x11, 0x22 };
    static uint8_t  info[] = { 0x57, 0x00 };
    static uint8_t  shrt[] = { 0x17, 0x01, 0x00, 0x00 };

    /* enhanced: key SequenceStart hvc1; inter CodedFrames hvc1 cts 3 */
    static uint8_t  exseq[] = { 0x90, 'h', 'v', 'c', '1', 0x01, 0x02 };
    static uint8_t  exfr[] = { 0xa1, 'h', 'v', 'c', '1', 0x00, 0x00, 0x03,
                               0xcc };
    static uint8_t  exfrx[] = { 0x93, 'a', 'v', 'c', '1', 0xdd };
    static uint8_t  exav1[] = { 0x91, 'a', 'v', '0', '1', 0xee };
    static uint8_t  exend[] = { 0x92, 'h', 'v', 'c', '1' };
    static uint8_t  exshort[] = { 0x91, 'h', 'v', 'c', '1', 0x00 };

    CHECK(sluice_flv_parse_video(seq, sizeof(seq), &v) == SLUICE_OK);
    CHECK(v.key && v.codec == SLUICE_CODEC_AVC);
    CHECK(v.packet_type == SLUICE_FLV_SEQUENCE_HEADER);
    CHECK(v.data == seq + 5 && v.len == 2);

    CHECK(sluice_flv_parse_video(key, sizeof(key), &v) == SLUICE_OK);
    CHECK(v.key && v.frame_type == SLUICE_FLV_FRAME_KEY);
    CHECK(v.packet_type == SLUICE_FLV_FRAME && v.cts == 0x50);
    CHECK(v.len == 5 && v.data[4] == 0x65);
    CHECK(!v.enhanced && v.codec_id == 7);

    CHECK(sluice_flv_parse_video(neg, sizeof(neg), &v) == SLUICE_OK);
    CHECK(!v.key && v.frame_type == SLUICE_FLV_FRAME_INTER && v.cts == -2);

    CHECK(sluice_flv_parse_video(eos, sizeof(eos), &v) == SLUICE_OK);
    CHECK(v.packet_type == SLUICE_FLV_END_OF_SEQUENCE && v.len == 0);

    CHECK(sluice_flv_parse_video(hevc, sizeof(hevc), &v) == SLUICE_OK);
    CHECK(v.codec == SLUICE_CODEC_HEVC && v.cts == 0x21 && v.len == 1);

    CHECK(sluice_flv_parse_video(vp6, sizeof(vp6), &v) == SLUICE_OK);
    CHECK(v.codec == SLUICE_CODEC_NONE && v.codec_id == 4 && v.len == 2);

    CHECK(sluice_flv_parse_video(info, sizeof(info), &v) == SLUICE_OK);
    CHECK(v.packet_type == SLUICE_FLV_OTHER && !v.key);

    CHECK(sluice_flv_parse_video(shrt, sizeof(shrt), &v) == SLUICE_BAD_DATA);
    CHECK(sluice_flv_parse_video(shrt, 0, &v) == SLUICE_BAD_DATA);

    CHECK(sluice_flv_parse_video(exseq, sizeof(exseq), &v) == SLUICE_OK);
    CHECK(v.enhanced && v.key && v.codec == SLUICE_CODEC_HEVC);
    CHECK(v.fourcc == sluice_fourcc('h', 'v', 'c', '1'));
    CHECK(v.packet_type == SLUICE_FLV_SEQUENCE_HEADER);
    CHECK(v.data == exseq + 5 && v.len == 2);

    CHECK(sluice_flv_parse_video(exfr, sizeof(exfr), &v) == SLUICE_OK);
    CHECK(!v.key && v.packet_type == SLUICE_FLV_FRAME && v.cts == 3);
    CHECK(v.len == 1 && v.data[0] == 0xcc);

    CHECK(sluice_flv_parse_video(exfrx, sizeof(exfrx), &v) == SLUICE_OK);
    CHECK(v.key && v.codec == SLUICE_CODEC_AVC && v.cts == 0);
    CHECK(v.packet_type == SLUICE_FLV_FRAME && v.len == 1);

    CHECK(sluice_flv_parse_video(exav1, sizeof(exav1), &v) == SLUICE_OK);
    CHECK(v.codec == SLUICE_CODEC_NONE && v.len == 1);

    CHECK(sluice_flv_parse_video(exend, sizeof(exend), &v) == SLUICE_OK);
    CHECK(v.packet_type == SLUICE_FLV_END_OF_SEQUENCE);

    CHECK(sluice_flv_parse_video(exshort, sizeof(exshort), &v)
          == SLUICE_BAD_DATA);
    CHECK(sluice_flv_parse_video(exshort, 4, &v) == SLUICE_BAD_DATA);
}


static void
test_audio(void)
{
    sluice_flv_audio_t  a;

    static uint8_t  seq[] = { 0xaf, 0x00, 0x11, 0x90 };
    static uint8_t  raw[] = { 0xaf, 0x01, 0x21, 0x10 };
    static uint8_t  mp3[] = { 0x2e, 0xff };

    CHECK(sluice_flv_parse_audio(seq, sizeof(seq), &a) == SLUICE_OK);
    CHECK(a.codec == SLUICE_CODEC_AAC && a.sound_format == 10);
    CHECK(a.sound_rate == 3 && a.sound_size == 1 && a.sound_type == 1);
    CHECK(a.packet_type == SLUICE_FLV_SEQUENCE_HEADER);
    CHECK(a.data == seq + 2 && a.len == 2);

    CHECK(sluice_flv_parse_audio(raw, sizeof(raw), &a) == SLUICE_OK);
    CHECK(a.packet_type == SLUICE_FLV_FRAME && a.len == 2);

    CHECK(sluice_flv_parse_audio(mp3, sizeof(mp3), &a) == SLUICE_OK);
    CHECK(a.codec == SLUICE_CODEC_NONE && a.sound_format == 2);
    CHECK(a.sound_rate == 3 && a.sound_type == 0 && a.len == 1);

    CHECK(sluice_flv_parse_audio(seq, 1, &a) == SLUICE_BAD_DATA);
    CHECK(sluice_flv_parse_audio(seq, 0, &a) == SLUICE_BAD_DATA);
}


static void
test_file(void)
{
    size_t             n;
    sluice_flv_tag_t   tag;
    sluice_flv_file_t  f;

    static uint8_t  file[] = {
        'F', 'L', 'V', 1, 0x05, 0, 0, 0, 9,  0, 0, 0, 0,
        /* audio tag, 2 bytes, ts 0x01020304 (extended byte 0x01) */
        8, 0, 0, 2, 0x02, 0x03, 0x04, 0x01, 0, 0, 0, 0xaf, 0x01,
        0, 0, 0, 13,
        /* video tag, 3 bytes, ts 40 */
        9, 0, 0, 3, 0, 0, 40, 0, 0, 0, 0, 0x17, 0x02, 0x00,
        0, 0, 0, 14,
        /* truncated tag */
        9, 0, 0, 9, 0, 0, 80, 0, 0, 0, 0, 0x17
    };

    CHECK(sluice_flv_file_init(&f, file, sizeof(file)) == SLUICE_OK);
    CHECK(f.has_audio && f.has_video);

    CHECK(sluice_flv_file_next(&f, &tag) == SLUICE_OK);
    CHECK(tag.type == SLUICE_FLV_TAG_AUDIO && tag.len == 2);
    CHECK(tag.timestamp == 0x01020304);
    CHECK(tag.data == file + 13 + 11);

    CHECK(sluice_flv_file_next(&f, &tag) == SLUICE_OK);
    CHECK(tag.type == SLUICE_FLV_TAG_VIDEO && tag.len == 3);
    CHECK(tag.timestamp == 40 && tag.data[0] == 0x17);

    CHECK(sluice_flv_file_next(&f, &tag) == SLUICE_NOT_FOUND);
    CHECK(sluice_flv_file_next(&f, &tag) == SLUICE_NOT_FOUND);

    /* every truncation ends cleanly */
    for (n = 0; n < sizeof(file); n++) {
        if (sluice_flv_file_init(&f, file, n) == SLUICE_OK) {
            while (sluice_flv_file_next(&f, &tag) == SLUICE_OK) {
                CHECK(tag.data + tag.len <= file + n);
            }
        }
    }

    CHECK(sluice_flv_file_init(&f, (uint8_t *) "FLX\1\5\0\0\0\11", 9)
          == SLUICE_BAD_DATA);
    CHECK(sluice_flv_file_init(&f, (uint8_t *) "FLV\1\5\0\0\0\12", 9)
          == SLUICE_BAD_DATA);

    file[13] = 0x28;                            /* filter bit */
    CHECK(sluice_flv_file_init(&f, file, sizeof(file)) == SLUICE_OK);
    CHECK(sluice_flv_file_next(&f, &tag) == SLUICE_BAD_DATA);
}


int
main(void)
{
    SL_RUN(test_video);
    SL_RUN(test_audio);
    SL_RUN(test_file);

    return SL_DONE();
}
