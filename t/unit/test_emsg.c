
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the emsg box (ISO/IEC 23009-1 5.10.3.3) and ID3v2.4 tag
 * writers, against bytes written by hand from the standards, and of the
 * emsg reader.
 */


#include <stdlib.h>

#include "media/signal/sluice_emsg.h"
#include "media/signal/sluice_id3.h"
#include "sluice_test.h"


#define S(s)  { (const uint8_t *) s, sizeof(s) - 1 }


static void
test_emsg_v0(void)
{
    size_t           n, used;
    uint8_t          buf[256], *end;
    const char      *reason;
    sluice_emsg_t    e, r;

    static const uint8_t  want[] = {
        0x00, 0x00, 0x00, 0x38, 'e', 'm', 's', 'g', 0x00, 0x00, 0x00, 0x00,
        'u', 'r', 'n', ':', 's', 'c', 't', 'e', ':', 's', 'c', 't', 'e',
        '3', '5', ':', '2', '0', '1', '3', ':', 'b', 'i', 'n', 0x00,
        0x00,                                           /* value "" */
        0x00, 0x01, 0x5F, 0x90,                         /* 90000 */
        0x00, 0x00, 0x12, 0x34,                         /* delta */
        0xFF, 0xFF, 0xFF, 0xFF,                         /* unknown */
        0x00, 0x00, 0x00, 0x07,                         /* id */
        'A', 'B'
    };

    memset(&e, 0, sizeof(e));
    e.version = 0;
    e.scheme_id_uri = (sluice_str_t) S("urn:scte:scte35:2013:bin");
    e.timescale = 90000;
    e.presentation_time = 0x1234;
    e.event_duration = SLUICE_EMSG_DURATION_UNKNOWN;
    e.id = 7;
    e.message_data = (sluice_str_t) S("AB");

    n = sluice_emsg_size(&e);
    SL_CHECK_UEQ(n, sizeof(want));

    end = sluice_emsg_write(buf, &e);
    SL_CHECK_UEQ((size_t) (end - buf), sizeof(want));
    SL_CHECK_MEM_EQ(buf, want, sizeof(want));

    SL_CHECK_OK(sluice_emsg_parse(&r, want, sizeof(want), &used, &reason));
    SL_CHECK_UEQ(used, sizeof(want));
    SL_CHECK_UEQ(r.version, 0);
    SL_CHECK_UEQ(r.scheme_id_uri.len, 24);
    SL_CHECK_MEM_EQ(r.scheme_id_uri.data, "urn:scte:scte35:2013:bin", 24);
    SL_CHECK_UEQ(r.value.len, 0);
    SL_CHECK_UEQ(r.timescale, 90000);
    SL_CHECK_UEQ(r.presentation_time, 0x1234);
    SL_CHECK_UEQ(r.event_duration, 0xFFFFFFFF);
    SL_CHECK_UEQ(r.id, 7);
    SL_CHECK_UEQ(r.message_data.len, 2);
    SL_CHECK_MEM_EQ(r.message_data.data, "AB", 2);

    /* a version 0 time over 32 bits cannot be written */
    e.presentation_time = 0x100000000ULL;
    SL_CHECK_UEQ(sluice_emsg_size(&e), 0);
}


static void
test_emsg_v1(void)
{
    size_t           used;
    uint8_t          buf[256], *end;
    const char      *reason;
    sluice_emsg_t    e, r;

    static const uint8_t  want[] = {
        0x00, 0x00, 0x00, 0x42, 'e', 'm', 's', 'g', 0x01, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x03, 0xE8,                         /* 1000 */
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, /* time */
        0x00, 0x00, 0x01, 0xF4,                         /* 500 */
        0x00, 0x00, 0x00, 0x01,
        'h', 't', 't', 'p', 's', ':', '/', '/', 'a', 'o', 'm', 'e', 'd',
        'i', 'a', '.', 'o', 'r', 'g', '/', 'e', 'm', 's', 'g', '/', 'I',
        'D', '3', 0x00,
        '1', 0x00,
        'x', 'y', 'z'
    };

    memset(&e, 0, sizeof(e));
    e.version = 1;
    e.scheme_id_uri = (sluice_str_t) S("https://aomedia.org/emsg/ID3");
    e.value = (sluice_str_t) S("1");
    e.timescale = 1000;
    e.presentation_time = 0x100000002ULL;
    e.event_duration = 500;
    e.id = 1;
    e.message_data = (sluice_str_t) S("xyz");

    SL_CHECK_UEQ(sluice_emsg_size(&e), sizeof(want));
    end = sluice_emsg_write(buf, &e);
    SL_CHECK_UEQ((size_t) (end - buf), sizeof(want));
    SL_CHECK_MEM_EQ(buf, want, sizeof(want));

    SL_CHECK_OK(sluice_emsg_parse(&r, want, sizeof(want), &used, &reason));
    SL_CHECK_UEQ(r.version, 1);
    SL_CHECK_UEQ(r.presentation_time, 0x100000002ULL);
    SL_CHECK_UEQ(r.event_duration, 500);
    SL_CHECK_UEQ(r.scheme_id_uri.len, 28);
    SL_CHECK_UEQ(r.value.len, 1);
    SL_CHECK_UEQ(r.message_data.len, 3);
    SL_CHECK_MEM_EQ(r.message_data.data, "xyz", 3);

    /* a NUL inside a string, a version over 1 */
    e.value = (sluice_str_t) S("a\0b");
    SL_CHECK_UEQ(sluice_emsg_size(&e), 0);
    e.value = (sluice_str_t) S("1");
    e.version = 2;
    SL_CHECK_UEQ(sluice_emsg_size(&e), 0);
}


static void
test_emsg_bad(void)
{
    size_t          i, used;
    uint8_t         b[128];
    const char     *reason;
    sluice_emsg_t   r;
    sluice_status_t rc;

    static const uint8_t  v1[] = {
        0x00, 0x00, 0x00, 0x24, 'e', 'm', 's', 'g', 0x01, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x03, 0xE8, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0,
        0, 0, 0, 9, 'a', 0x00, 0x00, 0xAA
    };

    memset(b, 0, sizeof(b));
    SL_CHECK_OK(sluice_emsg_parse(&r, v1, sizeof(v1), &used, &reason));

    /* short buffers ask for more */
    SL_CHECK_EQ(sluice_emsg_parse(&r, v1, 4, &used, &reason), SLUICE_AGAIN);
    SL_CHECK_UEQ(used, 8);
    SL_CHECK_EQ(sluice_emsg_parse(&r, v1, 20, &used, &reason),
                SLUICE_AGAIN);
    SL_CHECK_UEQ(used, sizeof(v1));

    /* every shorter box is refused (35 bytes: an empty message_data) */
    for (i = 0; i < sizeof(v1); i++) {
        memcpy(b, v1, i);
        b[3] = (uint8_t) i;
        reason = NULL;
        rc = sluice_emsg_parse(&r, b, i < 8 ? 8 : i, &used, &reason);
        SL_CHECK(i >= 8 && i < 35 ? rc != SLUICE_OK : 1);
        SL_CHECK(i >= 8 && i < 35 ? rc == SLUICE_BAD_DATA : 1);
    }

    memcpy(b, v1, sizeof(v1));
    b[4] = 'E';
    SL_CHECK_EQ(sluice_emsg_parse(&r, b, sizeof(v1), &used, &reason),
                SLUICE_BAD_DATA);

    memcpy(b, v1, sizeof(v1));
    b[8] = 2;
    SL_CHECK_EQ(sluice_emsg_parse(&r, b, sizeof(v1), &used, &reason),
                SLUICE_BAD_DATA);
    SL_CHECK_STR_EQ(reason, "emsg version over 1");

    /* version 0 whose strings run to the end */
    memcpy(b, v1, sizeof(v1));
    b[8] = 0;
    memset(b + 12, 'x', sizeof(v1) - 12);
    SL_CHECK_EQ(sluice_emsg_parse(&r, b, sizeof(v1), &used, &reason),
                SLUICE_BAD_DATA);
    SL_CHECK_STR_EQ(reason, "emsg string without its NUL");
}


static void
test_id3_priv(void)
{
    uint8_t             buf[512], *end;
    sluice_id3_frame_t  f;

    static const uint8_t  want[] = {
        'I', 'D', '3', 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14,
        'P', 'R', 'I', 'V', 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00,
        's', 'l', 'u', 'i', 'c', 'e', 0x00, 0x01, 0x02, 0x03
    };

    f.frame = SLUICE_ID3_PRIV;
    f.owner = (sluice_str_t) S("sluice");
    f.data = (sluice_str_t) S("\x01\x02\x03");

    SL_CHECK_UEQ(sluice_id3_size(&f), sizeof(want));
    end = sluice_id3_write(buf, &f);
    SL_CHECK_UEQ((size_t) (end - buf), sizeof(want));
    SL_CHECK_MEM_EQ(buf, want, sizeof(want));
}


static void
test_id3_synchsafe(void)
{
    uint8_t             buf[512], data[200];
    sluice_id3_frame_t  f;

    static const uint8_t  tag[] = {
        'I', 'D', '3', 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0x59
    };
    static const uint8_t  frame[] = {
        'P', 'R', 'I', 'V', 0x00, 0x00, 0x01, 0x4F, 0x00, 0x00
    };
    static const uint8_t  big[] = { 0x7F, 0x7F, 0x7F, 0x7F };

    memset(data, 0xFF, sizeof(data));

    /* 200 bytes of data: frame 207 = 0x01 0x4F, tag 217 = 0x01 0x59 */
    f.frame = SLUICE_ID3_PRIV;
    f.owner = (sluice_str_t) S("sluice");
    f.data.data = data;
    f.data.len = sizeof(data);

    SL_CHECK_UEQ(sluice_id3_size(&f), 227);
    sluice_id3_write(buf, &f);
    SL_CHECK_MEM_EQ(buf, tag, sizeof(tag));
    SL_CHECK_MEM_EQ(buf + 10, frame, sizeof(frame));

    sluice_id3_synchsafe(buf, SLUICE_ID3_MAX_SIZE);
    SL_CHECK_MEM_EQ(buf, big, 4);

    /* too big, NUL in the owner, unknown frame */
    f.data.len = SLUICE_ID3_MAX_SIZE;
    SL_CHECK_UEQ(sluice_id3_size(&f), 0);
    f.data.len = 1;
    f.owner = (sluice_str_t) S("a\0b");
    SL_CHECK_UEQ(sluice_id3_size(&f), 0);
    f.owner = (sluice_str_t) S("a");
    f.frame = 0x54495432;               /* TIT2 */
    SL_CHECK_UEQ(sluice_id3_size(&f), 0);
}


static void
test_id3_txxx(void)
{
    uint8_t             buf[64], *end;
    sluice_id3_frame_t  f;

    static const uint8_t  want[] = {
        'I', 'D', '3', 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0E,
        'T', 'X', 'X', 'X', 0x00, 0x00, 0x00, 0x04, 0x00, 0x00,
        0x03, 'k', 0x00, 'v'
    };

    f.frame = SLUICE_ID3_TXXX;
    f.owner = (sluice_str_t) S("k");
    f.data = (sluice_str_t) S("v");

    SL_CHECK_UEQ(sluice_id3_size(&f), sizeof(want));
    end = sluice_id3_write(buf, &f);
    SL_CHECK_UEQ((size_t) (end - buf), sizeof(want));
    SL_CHECK_MEM_EQ(buf, want, sizeof(want));

    f.data = (sluice_str_t) S("v\0w");
    SL_CHECK_UEQ(sluice_id3_size(&f), 0);
}


int
main(void)
{
    SL_RUN(test_emsg_v0);
    SL_RUN(test_emsg_v1);
    SL_RUN(test_emsg_bad);
    SL_RUN(test_id3_priv);
    SL_RUN(test_id3_synchsafe);
    SL_RUN(test_id3_txxx);

    return SL_DONE();
}
