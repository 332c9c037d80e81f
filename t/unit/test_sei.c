
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the closed-caption finder (media/codec/sluice_sei.c):
 * SEI NAL units built here byte by byte, as ATSC A/53 Part 4 lays them
 * out, escaped as a bitstream carries them.
 */


#include "sluice_test.h"

#include "media/codec/sluice_sei.h"


static uint8_t  rbsp[1024];
static size_t   rbsp_len;


static void
put(const uint8_t *p, size_t n)
{
    memcpy(rbsp + rbsp_len, p, n);
    rbsp_len += n;
}


static void
put_byte(uint32_t c)
{
    rbsp[rbsp_len++] = (uint8_t) c;
}


/* payloadType or payloadSize */

static void
put_value(uint32_t v)
{
    while (v >= 255) {
        put_byte(0xff);
        v -= 255;
    }

    put_byte(v);
}


/* a GA94 cc_data payload of n constructs (3 bytes each) */

static void
put_t35(const uint8_t *cc, uint32_t n)
{
    static const uint8_t  head[] = {
        0xb5, 0x00, 0x31, 'G', 'A', '9', '4', 0x03
    };

    put_value(SLUICE_SEI_USER_DATA_T35);
    put_value(sizeof(head) + 2 + 3 * n + 1);
    put(head, sizeof(head));
    put_byte(0xc0 | n);                 /* process_cc_data_flag, count */
    put_byte(0xff);                     /* em_data */
    put(cc, 3 * n);
    put_byte(0xff);                     /* marker_bits */
}


/* the NAL unit: header, rbsp escaped, trailing bits */

static size_t
nal(uint8_t *out, uint32_t codec)
{
    size_t   i, n, zeros;
    uint8_t  c;

    n = 0;

    if (codec == SLUICE_CODEC_AVC) {
        out[n++] = 0x06;

    } else {
        out[n++] = SLUICE_HEVC_NAL_SEI_PREFIX << 1;
        out[n++] = 0x01;
    }

    zeros = 0;

    for (i = 0; i < rbsp_len; i++) {
        c = rbsp[i];

        if (zeros >= 2 && c <= 3) {
            out[n++] = 0x03;
            zeros = 0;
        }

        out[n++] = c;
        zeros = (c == 0) ? zeros + 1 : 0;
    }

    out[n++] = 0x80;

    rbsp_len = 0;

    return n;
}


static uint32_t
nal_captions(uint32_t codec)
{
    size_t   n;
    uint8_t  buf[2048];

    n = nal(buf, codec);

    return sluice_sei_nal_captions(buf, n, codec);
}


static void
test_services(void)
{
    size_t                n;
    uint8_t               buf[64];
    static const uint8_t  f1[] = { 0xfc, 0xc8, 0xc5 };      /* "HE" */
    static const uint8_t  f2[] = { 0xfd, 0x94, 0x20 };      /* RCL */
    static const uint8_t  pad1[] = { 0xfc, 0x80, 0x80 };
    static const uint8_t  off1[] = { 0xf8, 0xc8, 0xc5 };    /* not valid */
    static const uint8_t  dtvcc[] = { 0xff, 0x02, 0x21 };
    static const uint8_t  dtvcc_data[] = { 0xfe, 0x90, 0x41 };
    static const uint8_t  mix[] = {
        0xfc, 0x80, 0x80,  0xfd, 0x94, 0x2c,  0xfa, 0x00, 0x00,
        0xff, 0x43, 0x01
    };

    put_t35(f1, 1);
    SL_CHECK_EQ(nal_captions(SLUICE_CODEC_AVC), SLUICE_CAPTIONS_608_CC1);

    put_t35(f2, 1);
    SL_CHECK_EQ(nal_captions(SLUICE_CODEC_AVC), SLUICE_CAPTIONS_608_CC3);

    /* padding and invalid pairs are no service */
    put_t35(pad1, 1);
    SL_CHECK_EQ(nal_captions(SLUICE_CODEC_AVC), 0);

    put_t35(off1, 1);
    SL_CHECK_EQ(nal_captions(SLUICE_CODEC_AVC), 0);

    put_t35(dtvcc, 1);
    SL_CHECK_EQ(nal_captions(SLUICE_CODEC_AVC), SLUICE_CAPTIONS_708);

    put_t35(dtvcc_data, 1);
    SL_CHECK_EQ(nal_captions(SLUICE_CODEC_AVC), 0);

    put_t35(mix, 4);
    SL_CHECK_EQ(nal_captions(SLUICE_CODEC_AVC),
                SLUICE_CAPTIONS_608_CC3 | SLUICE_CAPTIONS_708);

    /* HEVC prefix SEI */
    put_t35(f1, 1);
    SL_CHECK_EQ(nal_captions(SLUICE_CODEC_HEVC), SLUICE_CAPTIONS_608_CC1);

    /* an HEVC NAL unit read as H.264: type 14, not SEI */
    put_t35(f1, 1);
    n = nal(buf, SLUICE_CODEC_HEVC);
    SL_CHECK_EQ(sluice_sei_nal_captions(buf, n, SLUICE_CODEC_AVC), 0);
}


static void
test_not_captions(void)
{
    uint8_t               buf[64];
    size_t                n;
    static const uint8_t  f1[] = { 0xfc, 0xc8, 0xc5 };
    static const uint8_t  afd[] = {
        0xb5, 0x00, 0x31, 'D', 'T', 'G', '1', 0x41, 0xf8
    };
    static const uint8_t  other[] = {
        0xb5, 0x00, 0x31, 'G', 'A', '9', '4', 0x06, 0xc1, 0xff,
        0xfc, 0xc8, 0xc5, 0xff
    };
    static const uint8_t  uk[] = {
        0xb4, 0x00, 0x31, 'G', 'A', '9', '4', 0x03, 0xc1, 0xff,
        0xfc, 0xc8, 0xc5, 0xff
    };
    static const uint8_t  noproc[] = {
        0xb5, 0x00, 0x31, 'G', 'A', '9', '4', 0x03, 0x81, 0xff,
        0xfc, 0xc8, 0xc5, 0xff
    };

    SL_CHECK_EQ(sluice_sei_t35_captions(afd, sizeof(afd)), 0);
    SL_CHECK_EQ(sluice_sei_t35_captions(other, sizeof(other)), 0);
    SL_CHECK_EQ(sluice_sei_t35_captions(uk, sizeof(uk)), 0);
    SL_CHECK_EQ(sluice_sei_t35_captions(noproc, sizeof(noproc)), 0);
    SL_CHECK_EQ(sluice_sei_t35_captions(other, 7), 0);

    /* the same cc_data in another payload type (user_data_unregistered) */
    put_value(5);
    put_value(14);
    put(other, 7);
    put_byte(0x03);
    put(other + 8, 6);
    SL_CHECK_EQ(nal_captions(SLUICE_CODEC_AVC), 0);

    /* not an SEI NAL unit */
    put_t35(f1, 1);
    n = nal(buf, SLUICE_CODEC_AVC);
    buf[0] = 0x65;
    SL_CHECK_EQ(sluice_sei_nal_captions(buf, n, SLUICE_CODEC_AVC), 0);
    SL_CHECK_EQ(sluice_sei_nal_captions(buf, n, SLUICE_CODEC_AAC), 0);
    SL_CHECK_EQ(sluice_sei_nal_captions(buf, 0, SLUICE_CODEC_AVC), 0);
}


/*
 * Messages before the captions: a long user_data_unregistered whose
 * zeros take emulation prevention bytes (a reader counting escaped
 * bytes would land inside it), a payload size of several bytes
 */

static void
test_messages(void)
{
    size_t                i;
    uint8_t               zeros[300];
    static const uint8_t  f1[] = { 0xfc, 0x94, 0x2c };
    static const uint8_t  f2[] = { 0xfd, 0xc8, 0xc5 };
    static const uint8_t  recovery[] = { 0x80 };

    memset(zeros, 0, sizeof(zeros));

    for (i = 0; i < 2; i++) {
        put_value(5);
        put_value(sizeof(zeros));
        put(zeros, sizeof(zeros));
        put_value(6);                   /* recovery point */
        put_value(1);
        put(recovery, 1);
        put_t35(f1, 1);
        put_t35(f2, 1);

        SL_CHECK_EQ(nal_captions(i ? SLUICE_CODEC_HEVC : SLUICE_CODEC_AVC),
                    SLUICE_CAPTIONS_608_CC1 | SLUICE_CAPTIONS_608_CC3);
    }
}


static void
test_malformed(void)
{
    size_t                n;
    uint8_t               buf[256];
    static const uint8_t  cc[] = {
        0xfc, 0xc8, 0xc5,  0xff, 0x02, 0x21
    };

    /* cc_count 5, two constructs: the two count */
    put_value(SLUICE_SEI_USER_DATA_T35);
    put_value(8 + 2 + 6);
    put((const uint8_t *) "\xb5\x00\x31GA94\x03", 8);
    put_byte(0xc5);
    put_byte(0xff);
    put(cc, 6);
    SL_CHECK_EQ(nal_captions(SLUICE_CODEC_AVC),
                SLUICE_CAPTIONS_608_CC1 | SLUICE_CAPTIONS_708);

    /* a payload past the end: what came before counts, no more */
    put_t35(cc, 1);
    put_value(SLUICE_SEI_USER_DATA_T35);
    put_value(200);
    put((const uint8_t *) "\xb5\x00\x31GA94\x03\xc1\xff\xff\x02\x21", 13);
    n = nal(buf, SLUICE_CODEC_AVC);
    SL_CHECK_EQ(sluice_sei_nal_captions(buf, n, SLUICE_CODEC_AVC),
                SLUICE_CAPTIONS_608_CC1);

    /* cut in the middle of every byte */
    put_t35(cc, 2);
    n = nal(buf, SLUICE_CODEC_HEVC);

    while (n--) {
        /* header, type, size, then the 17 bytes of the payload */
        SL_CHECK_EQ(sluice_sei_nal_captions(buf, n, SLUICE_CODEC_HEVC),
                    n >= 2 + 2 + 17 ? (SLUICE_CAPTIONS_608_CC1
                                       | SLUICE_CAPTIONS_708)
                                    : 0);
    }

    /* payloadType 0xff forever */
    memset(buf, 0xff, sizeof(buf));
    buf[0] = 0x06;
    SL_CHECK_EQ(sluice_sei_nal_captions(buf, sizeof(buf), SLUICE_CODEC_AVC),
                0);
}


/* length-prefixed access units: AUD, SEI, IDR slice */

static size_t
access_unit(uint8_t *out, uint32_t nls, const uint8_t *sei, size_t sei_len)
{
    size_t                n, i, k;
    const uint8_t        *nals[3];
    size_t                lens[3];
    static const uint8_t  aud[] = { 0x09, 0xf0 };
    static const uint8_t  idr[] = { 0x65, 0x88, 0x84, 0x00, 0x33, 0x06 };

    nals[0] = aud;
    lens[0] = sizeof(aud);
    nals[1] = sei;
    lens[1] = sei_len;
    nals[2] = idr;
    lens[2] = sizeof(idr);

    n = 0;

    for (i = 0; i < 3; i++) {
        for (k = nls; k > 0; k--) {
            out[n++] = (uint8_t) (lens[i] >> (8 * (k - 1)));
        }

        memcpy(out + n, nals[i], lens[i]);
        n += lens[i];
    }

    return n;
}


static void
test_access_units(void)
{
    size_t                n, len;
    uint8_t               sei[128], au[256];
    static const uint8_t  f1[] = { 0xfc, 0xc8, 0xc5 };

    put_t35(f1, 1);
    len = nal(sei, SLUICE_CODEC_AVC);

    n = access_unit(au, 4, sei, len);
    SL_CHECK_EQ(sluice_sei_captions(au, n, SLUICE_CODEC_AVC, 4),
                SLUICE_CAPTIONS_608_CC1);

    n = access_unit(au, 2, sei, len);
    SL_CHECK_EQ(sluice_sei_captions(au, n, SLUICE_CODEC_AVC, 2),
                SLUICE_CAPTIONS_608_CC1);

    n = access_unit(au, 1, sei, len);
    SL_CHECK_EQ(sluice_sei_captions(au, n, SLUICE_CODEC_AVC, 1),
                SLUICE_CAPTIONS_608_CC1);

    /* a last length past the end: the SEI before it counts */
    n = access_unit(au, 4, sei, len);
    SL_CHECK_EQ(sluice_sei_captions(au, n - 1, SLUICE_CODEC_AVC, 4),
                SLUICE_CAPTIONS_608_CC1);

    /* the SEI cut: nothing */
    SL_CHECK_EQ(sluice_sei_captions(au, 6 + 4 + 3, SLUICE_CODEC_AVC, 4), 0);

    /* a bad length size, another codec */
    SL_CHECK_EQ(sluice_sei_captions(au, n, SLUICE_CODEC_AVC, 3), 0);
    SL_CHECK_EQ(sluice_sei_captions(au, n, SLUICE_CODEC_AAC, 4), 0);
    SL_CHECK_EQ(sluice_sei_captions(au, 0, SLUICE_CODEC_AVC, 4), 0);

    /* HEVC: prefix SEI, read as H.265 only */
    put_t35(f1, 1);
    len = nal(sei, SLUICE_CODEC_HEVC);
    n = access_unit(au, 4, sei, len);
    SL_CHECK_EQ(sluice_sei_captions(au, n, SLUICE_CODEC_HEVC, 4),
                SLUICE_CAPTIONS_608_CC1);

    /* a suffix SEI too */
    sei[0] = SLUICE_HEVC_NAL_SEI_SUFFIX << 1;
    n = access_unit(au, 4, sei, len);
    SL_CHECK_EQ(sluice_sei_captions(au, n, SLUICE_CODEC_HEVC, 4),
                SLUICE_CAPTIONS_608_CC1);
    SL_CHECK_EQ(sluice_sei_captions(au, n, SLUICE_CODEC_AVC, 4), 0);
}


int
main(void)
{
    SL_RUN(test_services);
    SL_RUN(test_not_captions);
    SL_RUN(test_messages);
    SL_RUN(test_malformed);
    SL_RUN(test_access_units);

    return SL_DONE();
}
