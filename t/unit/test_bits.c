
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the bit reader and NAL unescaping.
 */


#include <stdio.h>
#include <stdlib.h>

#include "media/codec/sluice_bits.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)


static void
test_read(void)
{
    sluice_bits_t   b;
    static uint8_t  d[] = { 0xa5, 0x0f, 0xff, 0x00, 0x80 };

    sluice_bits_init(&b, d, sizeof(d));

    CHECK(sluice_bits_read1(&b) == 1);
    CHECK(sluice_bits_read(&b, 3) == 2);
    CHECK(sluice_bits_read(&b, 8) == 0x50);
    CHECK(sluice_bits_read(&b, 12) == 0xfff);
    CHECK(sluice_bits_left(&b) == 16);
    CHECK(sluice_bits_read(&b, 0) == 0);
    CHECK(sluice_bits_read(&b, 16) == 0x0080);
    CHECK(!b.error);
    CHECK(sluice_bits_left(&b) == 0);
    CHECK(sluice_bits_read1(&b) == 0);
    CHECK(b.error);

    sluice_bits_init(&b, d, sizeof(d));
    CHECK(sluice_bits_read(&b, 32) == 0xa50fff00);
    CHECK(sluice_bits_read(&b, 9) == 0);     /* only 8 left */
    CHECK(b.error);
    CHECK(sluice_bits_left(&b) == 0);

    sluice_bits_init(&b, d, sizeof(d));
    sluice_bits_skip(&b, 3);
    sluice_bits_align(&b);
    CHECK(b.pos == 8);
    sluice_bits_align(&b);
    CHECK(b.pos == 8);
    sluice_bits_skip(&b, 32);
    CHECK(!b.error);
    sluice_bits_skip(&b, 1);
    CHECK(b.error);

    sluice_bits_init(&b, d, sizeof(d));
    CHECK(sluice_bits_read(&b, 33) == 0);
    CHECK(b.error);

    sluice_bits_init(&b, NULL, 0);
    CHECK(sluice_bits_read(&b, 1) == 0);
    CHECK(b.error);
}


static void
test_golomb(void)
{
    sluice_bits_t   b;

    /* 1 | 010 | 011 | 00100 | 00101 | 0001000 = 0,1,2,3,4,7 */
    static uint8_t  d[] = { 0xa6, 0x42, 0x88 };

    /* 2^32 - 2: 31 zeros, 1, 31 ones */
    static uint8_t  big[] = { 0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0xff, 0xfe };

    /* 32 zeros: too long */
    static uint8_t  bad[] = { 0x00, 0x00, 0x00, 0x00, 0xff };

    sluice_bits_init(&b, d, sizeof(d));
    CHECK(sluice_bits_ue(&b) == 0);
    CHECK(sluice_bits_ue(&b) == 1);
    CHECK(sluice_bits_ue(&b) == 2);
    CHECK(sluice_bits_ue(&b) == 3);
    CHECK(sluice_bits_ue(&b) == 4);
    CHECK(sluice_bits_ue(&b) == 7);
    CHECK(!b.error);

    /* se: 0, 1, -1, 2, -2, (7 -> 4) */
    sluice_bits_init(&b, d, sizeof(d));
    CHECK(sluice_bits_se(&b) == 0);
    CHECK(sluice_bits_se(&b) == 1);
    CHECK(sluice_bits_se(&b) == -1);
    CHECK(sluice_bits_se(&b) == 2);
    CHECK(sluice_bits_se(&b) == -2);
    CHECK(sluice_bits_se(&b) == 4);
    CHECK(!b.error);

    sluice_bits_init(&b, big, sizeof(big));
    CHECK(sluice_bits_ue(&b) == 0xfffffffe);
    CHECK(!b.error);

    sluice_bits_init(&b, bad, sizeof(bad));
    CHECK(sluice_bits_ue(&b) == 0);
    CHECK(b.error);

    /* runs off the end inside the prefix and inside the suffix */
    sluice_bits_init(&b, bad, 2);
    CHECK(sluice_bits_ue(&b) == 0);
    CHECK(b.error);

    sluice_bits_init(&b, big, 4);
    (void) sluice_bits_ue(&b);
    CHECK(b.error);
}


static void
test_unescape(void)
{
    size_t          n;
    uint8_t         out[16];
    static uint8_t  in[] = { 0x67, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03,
                             0x00, 0x00, 0x03, 0x00, 0x03 };
    static uint8_t  exp[] = { 0x67, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                              0x00, 0x00, 0x03 };

    n = sluice_nal_unescape(out, in, sizeof(in));
    CHECK(n == sizeof(exp));
    CHECK(memcmp(out, exp, sizeof(exp)) == 0);

    /* in place */
    n = sluice_nal_unescape(in, in, sizeof(in));
    CHECK(n == sizeof(exp));
    CHECK(memcmp(in, exp, sizeof(exp)) == 0);

    CHECK(sluice_nal_unescape(out, in, 0) == 0);
}


static void
test_bytes(void)
{
    uint8_t  buf[18], *p;

    p = sluice_wb16(buf, 0x1234);
    p = sluice_wb24(p, 0x56789a);
    p = sluice_wb32(p, 0xbcdef012);
    p = sluice_wb64(p, 0x0102030405060708ULL);
    p = sluice_wb8(p, 0xff);

    CHECK(p - buf == 18);
    CHECK(sluice_rb16(buf) == 0x1234);
    CHECK(sluice_rb24(buf + 2) == 0x56789a);
    CHECK(sluice_rb32(buf + 5) == 0xbcdef012);
    CHECK(sluice_rb64(buf + 9) == 0x0102030405060708ULL);
    CHECK(buf[17] == 0xff);
}


int
main(void)
{
    SL_RUN(test_read);
    SL_RUN(test_golomb);
    SL_RUN(test_unescape);
    SL_RUN(test_bytes);

    return SL_DONE();
}
