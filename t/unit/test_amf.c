
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the AMF0 decoder and onMetaData extraction.
 */


#include <stdio.h>
#include <stdlib.h>

#include "media/container/sluice_amf.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)


/* a tiny AMF0 writer for building messages */

typedef struct {
    uint8_t  buf[8192];
    size_t   len;
} msg_t;


static void
put(msg_t *m, const void *p, size_t n)
{
    if (m->len + n > sizeof(m->buf)) {
        abort();
    }

    memcpy(m->buf + m->len, p, n);
    m->len += n;
}


static void
put8(msg_t *m, unsigned v)
{
    uint8_t  b;

    b = (uint8_t) v;
    put(m, &b, 1);
}


static void
put16(msg_t *m, unsigned v)
{
    put8(m, v >> 8);
    put8(m, v);
}


static void
put32(msg_t *m, uint32_t v)
{
    put16(m, v >> 16);
    put16(m, v & 0xffff);
}


static void
put_key(msg_t *m, const char *s)
{
    put16(m, (unsigned) strlen(s));
    put(m, s, strlen(s));
}


static void
put_string(msg_t *m, const char *s)
{
    put8(m, SLUICE_AMF_STRING);
    put_key(m, s);
}


static void
put_number(msg_t *m, double d)
{
    int       i;
    uint64_t  v;

    memcpy(&v, &d, 8);
    put8(m, SLUICE_AMF_NUMBER);

    for (i = 56; i >= 0; i -= 8) {
        put8(m, (unsigned) (v >> i));
    }
}


static void
put_end(msg_t *m)
{
    put16(m, 0);
    put8(m, SLUICE_AMF_OBJECT_END);
}


static void
obs_like(msg_t *m, int set_data_frame, int ecma, int end_marker)
{
    m->len = 0;

    if (set_data_frame) {
        put_string(m, "@setDataFrame");
    }

    put_string(m, "onMetaData");

    if (ecma) {
        put8(m, SLUICE_AMF_ECMA_ARRAY);
        put32(m, 12);

    } else {
        put8(m, SLUICE_AMF_OBJECT);
    }

    put_key(m, "duration");
    put_number(m, 0);
    put_key(m, "width");
    put_number(m, 1280);
    put_key(m, "height");
    put_number(m, 720);
    put_key(m, "videodatarate");
    put_number(m, 2500);
    put_key(m, "framerate");
    put_number(m, 29.97);
    put_key(m, "videocodecid");
    put_number(m, 7);
    put_key(m, "stereo");
    put8(m, SLUICE_AMF_BOOLEAN);
    put8(m, 1);
    put_key(m, "2.1");
    put8(m, SLUICE_AMF_NULL);
    put_key(m, "nested");
    put8(m, SLUICE_AMF_OBJECT);
    put_key(m, "a");
    put8(m, SLUICE_AMF_STRICT_ARRAY);
    put32(m, 2);
    put_number(m, 1);
    put_string(m, "x");
    put_end(m);
    put_key(m, "date");
    put8(m, SLUICE_AMF_DATE);
    put(m, "\0\0\0\0\0\0\0\0\0\0", 10);
    put_key(m, "AudioDataRate");
    put_number(m, 160);
    put_key(m, "audiosamplerate");
    put_number(m, 48000);
    put_key(m, "audiocodecid");
    put_number(m, 10);
    put_key(m, "encoder");
    put_string(m, "obs-output module (libobs version 29.1.3)");

    if (end_marker) {
        put_end(m);
    }
}


static void
test_metadata(void)
{
    int                    sdf, ecma, end;
    size_t                 n;
    msg_t                  m;
    sluice_amf_metadata_t  md;

    for (sdf = 0; sdf < 2; sdf++) {
        for (ecma = 0; ecma < 2; ecma++) {
            for (end = 0; end < 2; end++) {
                obs_like(&m, sdf, ecma, end);

                CHECK(sluice_amf_parse_metadata(m.buf, m.len, &md)
                      == SLUICE_OK);
                CHECK(md.width == 1280 && md.height == 720);
                CHECK(md.videodatarate == 2500);
                CHECK(md.audiodatarate == 160);
                CHECK(md.framerate > 29.96 && md.framerate < 29.98);
                CHECK(md.videocodecid == 7 && md.audiocodecid == 10);
                CHECK(md.audiosamplerate == 48000);
                CHECK(strcmp(md.encoder,
                             "obs-output module (libobs version 29.1.3)")
                      == 0);
                CHECK(md.have == (SLUICE_AMF_HAVE_WIDTH
                                  | SLUICE_AMF_HAVE_HEIGHT
                                  | SLUICE_AMF_HAVE_VIDEODATARATE
                                  | SLUICE_AMF_HAVE_AUDIODATARATE
                                  | SLUICE_AMF_HAVE_FRAMERATE
                                  | SLUICE_AMF_HAVE_VIDEOCODECID
                                  | SLUICE_AMF_HAVE_AUDIOCODECID
                                  | SLUICE_AMF_HAVE_AUDIOSAMPLERATE
                                  | SLUICE_AMF_HAVE_ENCODER));
            }
        }
    }

    /* every truncation: never OK with the encoder, never a crash */
    obs_like(&m, 1, 1, 1);

    for (n = 0; n < m.len - 3; n++) {
        if (sluice_amf_parse_metadata(m.buf, n, &md) == SLUICE_OK) {
            CHECK(!(md.have & SLUICE_AMF_HAVE_ENCODER));
        }
    }

    /* not metadata */
    m.len = 0;
    put_string(&m, "onTextData");
    put8(&m, SLUICE_AMF_OBJECT);
    put_end(&m);
    CHECK(sluice_amf_parse_metadata(m.buf, m.len, &md) == SLUICE_NOT_FOUND);

    m.len = 0;
    put_number(&m, 1);
    CHECK(sluice_amf_parse_metadata(m.buf, m.len, &md) == SLUICE_NOT_FOUND);

    /* metadata with a number instead of properties */
    m.len = 0;
    put_string(&m, "onMetaData");
    put_number(&m, 1);
    CHECK(sluice_amf_parse_metadata(m.buf, m.len, &md) == SLUICE_BAD_DATA);

    /* enhanced RTMP: codec ids as FourCC strings, long encoder cut */
    m.len = 0;
    put_string(&m, "onMetaData");
    put8(&m, SLUICE_AMF_OBJECT);
    put_key(&m, "videocodecid");
    put_string(&m, "hvc1");
    put_key(&m, "audiocodecid");
    put_string(&m, "mp4a");
    put_key(&m, "encoder");
    put_string(&m, "0123456789012345678901234567890123456789"
                   "0123456789012345678901234567890123456789");
    put_end(&m);
    CHECK(sluice_amf_parse_metadata(m.buf, m.len, &md) == SLUICE_OK);
    CHECK(md.videocodec_fourcc == 0x68766331);
    CHECK(md.audiocodec_fourcc == 0x6d703461);
    CHECK(md.videocodecid == 0);
    CHECK(strlen(md.encoder) == SLUICE_AMF_MAX_ENCODER - 1);
}


static void
test_depth(void)
{
    int                    i;
    msg_t                  m;
    sluice_amf_reader_t    r;
    sluice_amf_metadata_t  md;

    /* objects nested deeper than the limit fail, within it succeed */
    m.len = 0;

    for (i = 0; i < SLUICE_AMF_MAX_DEPTH - 1; i++) {
        put8(&m, SLUICE_AMF_OBJECT);
        put_key(&m, "o");
    }

    put_number(&m, 1);

    for (i = 0; i < SLUICE_AMF_MAX_DEPTH - 1; i++) {
        put_end(&m);
    }

    r.pos = m.buf;
    r.end = m.buf + m.len;
    CHECK(sluice_amf_skip_value(&r) == SLUICE_OK);
    CHECK(r.pos == r.end);

    m.len = 0;

    for (i = 0; i < 1000; i++) {
        put8(&m, SLUICE_AMF_OBJECT);
        put_key(&m, "o");
    }

    r.pos = m.buf;
    r.end = m.buf + m.len;
    CHECK(sluice_amf_skip_value(&r) == SLUICE_BAD_DATA);

    /* and inside metadata */
    m.len = 0;
    put_string(&m, "onMetaData");
    put8(&m, SLUICE_AMF_OBJECT);
    put_key(&m, "deep");

    for (i = 0; i < 100; i++) {
        put8(&m, SLUICE_AMF_STRICT_ARRAY);
        put32(&m, 1);
    }

    put8(&m, SLUICE_AMF_NULL);
    CHECK(sluice_amf_parse_metadata(m.buf, m.len, &md) == SLUICE_BAD_DATA);

    /* strict array count larger than the data */
    m.len = 0;
    put8(&m, SLUICE_AMF_STRICT_ARRAY);
    put32(&m, 0xffffffff);
    put8(&m, SLUICE_AMF_NULL);
    r.pos = m.buf;
    r.end = m.buf + m.len;
    CHECK(sluice_amf_skip_value(&r) == SLUICE_BAD_DATA);

    /* unknown marker, AMF3 switch */
    m.len = 0;
    put8(&m, 0x11);
    r.pos = m.buf;
    r.end = m.buf + m.len;
    CHECK(sluice_amf_skip_value(&r) == SLUICE_BAD_DATA);
}


static void
test_values(void)
{
    double               d;
    msg_t                m;
    sluice_str_t         s;
    sluice_amf_reader_t  r;

    m.len = 0;
    put_number(&m, -2.5);
    put8(&m, SLUICE_AMF_LONG_STRING);
    put32(&m, 3);
    put(&m, "abc", 3);
    put_string(&m, "");
    put8(&m, SLUICE_AMF_XML);
    put32(&m, 2);
    put(&m, "<>", 2);
    put8(&m, SLUICE_AMF_REFERENCE);
    put16(&m, 1);
    put8(&m, SLUICE_AMF_TYPED_OBJECT);
    put_key(&m, "Class");
    put_key(&m, "k");
    put8(&m, SLUICE_AMF_UNDEFINED);
    put_end(&m);

    r.pos = m.buf;
    r.end = m.buf + m.len;

    CHECK(sluice_amf_read_number(&r, &d) == SLUICE_OK && d == -2.5);
    CHECK(sluice_amf_read_number(&r, &d) == SLUICE_BAD_DATA);
    CHECK(sluice_amf_read_string(&r, &s) == SLUICE_OK);
    CHECK(s.len == 3 && memcmp(s.data, "abc", 3) == 0);
    CHECK(sluice_amf_read_string(&r, &s) == SLUICE_OK && s.len == 0);
    CHECK(sluice_amf_skip_value(&r) == SLUICE_OK);
    CHECK(sluice_amf_skip_value(&r) == SLUICE_OK);
    CHECK(sluice_amf_skip_value(&r) == SLUICE_OK);
    CHECK(r.pos == r.end);
    CHECK(sluice_amf_skip_value(&r) == SLUICE_BAD_DATA);

    /* string running past the end */
    m.len = 0;
    put8(&m, SLUICE_AMF_STRING);
    put16(&m, 10);
    put(&m, "abc", 3);
    r.pos = m.buf;
    r.end = m.buf + m.len;
    CHECK(sluice_amf_read_string(&r, &s) == SLUICE_BAD_DATA);
    CHECK(r.pos == m.buf);
}


/* what FFmpeg's FLV muxer sends with -metadata language=... */
static void
ffmpeg_like(msg_t *m, const char *lang)
{
    m->len = 0;

    put_string(m, "@setDataFrame");
    put_string(m, "onMetaData");
    put8(m, SLUICE_AMF_ECMA_ARRAY);
    put32(m, 6);
    put_key(m, "duration");
    put_number(m, 0);
    put_key(m, "audiodatarate");
    put_number(m, 125);
    put_key(m, "audiocodecid");
    put_number(m, 10);
    put_key(m, "language");
    put_string(m, lang);
    put_key(m, "encoder");
    put_string(m, "Lavf59.27.100");
    put_key(m, "filesize");
    put_number(m, 0);
    put_end(m);
}


static void
test_language(void)
{
    char                   big[201];
    size_t                 skip;
    msg_t                  m;
    sluice_amf_metadata_t  md;

    ffmpeg_like(&m, "fra");

    CHECK(sluice_amf_parse_metadata(m.buf, m.len, &md) == SLUICE_OK);
    CHECK(md.have & SLUICE_AMF_HAVE_LANGUAGE);
    CHECK(strcmp(md.language, "fra") == 0 && md.language_len == 3);
    CHECK(md.audiodatarate == 125);
    CHECK(strcmp(md.encoder, "Lavf59.27.100") == 0);

    /* from the properties on: "@setDataFrame" and "onMetaData" skipped */

    skip = 3 + 13 + 3 + 10;

    CHECK(sluice_amf_parse_properties(m.buf + skip, m.len - skip, &md)
          == SLUICE_OK);
    CHECK(strcmp(md.language, "fra") == 0 && md.language_len == 3);
    CHECK(md.audiodatarate == 125);

    /* the name is not a property list */
    CHECK(sluice_amf_parse_properties(m.buf, m.len, &md)
          == SLUICE_BAD_DATA);
    CHECK(sluice_amf_parse_properties(m.buf, 0, &md) == SLUICE_BAD_DATA);

    /* a long value: cut, its length kept */

    memset(big, 'a', 200);
    big[200] = '\0';
    ffmpeg_like(&m, big);

    CHECK(sluice_amf_parse_metadata(m.buf, m.len, &md) == SLUICE_OK);
    CHECK(md.language_len == 200);
    CHECK(strlen(md.language) == SLUICE_AMF_MAX_LANGUAGE - 1);

    /* a number is not a language */

    m.len = 0;
    put_string(&m, "onMetaData");
    put8(&m, SLUICE_AMF_OBJECT);
    put_key(&m, "language");
    put_number(&m, 1);
    put_end(&m);

    CHECK(sluice_amf_parse_metadata(m.buf, m.len, &md) == SLUICE_OK);
    CHECK(!(md.have & SLUICE_AMF_HAVE_LANGUAGE) && md.language_len == 0);
    CHECK(md.language[0] == '\0');
}


int
main(void)
{
    SL_RUN(test_metadata);
    SL_RUN(test_language);
    SL_RUN(test_depth);
    SL_RUN(test_values);

    return SL_DONE();
}
