
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the RTMP cue messages: onAdCue in both AMS modes,
 * onCuePoint (Elemental), onUserDataEvent, and what is refused.
 */


#include <math.h>
#include <stdlib.h>

#include "media/container/sluice_amf.h"
#include "media/signal/sluice_adcue.h"
#include "media/signal/sluice_scte35.h"
#include "util/sluice_base64.h"
#include "sluice_test.h"


/* AMS's OUT and IN samples (shared/reference, C13) */
static const char  ams_out[] =
    "/DAlAAAAAAXdAP/wFAUAAAPqf+/+AWRhuP4AUmNjAAEBAQAA8g1eNw==";
static const char  ams_in[] =
    "/DAgAAAAAAXdAP/wDwUAAAPqf0/+AWXk0wABAQEAAGB86Fo=";
/* SCTE 35's time_signal, provider placement opportunity start, 307 s */
static const char  time_signal[] =
    "/DA0AAAAAAAA///wBQb+cr0AUAAeAhxDVUVJSAAAjn/PAAGlmbAICAAAAAAsoKGKNAIAmsnRfg==";


typedef struct {
    uint8_t  buf[8192];
    size_t   len;
} msg_t;


static msg_t         m;
static uint8_t       out[SLUICE_CUE_BUF_SIZE(8192)];
static sluice_cue_t  cue;
static const char   *reason;


static void
put(const void *p, size_t n)
{
    if (m.len + n > sizeof(m.buf)) {
        abort();
    }

    memcpy(m.buf + m.len, p, n);
    m.len += n;
}


static void
put8(unsigned v)
{
    uint8_t  b;

    b = (uint8_t) v;
    put(&b, 1);
}


static void
put16(unsigned v)
{
    put8(v >> 8);
    put8(v);
}


static void
key(const char *s)
{
    put16((unsigned) strlen(s));
    put(s, strlen(s));
}


static void
string(const char *s)
{
    put8(SLUICE_AMF_STRING);
    key(s);
}


static void
number(double v)
{
    int       i;
    uint64_t  bits;

    memcpy(&bits, &v, sizeof(bits));
    put8(SLUICE_AMF_NUMBER);

    for (i = 56; i >= 0; i -= 8) {
        put8((unsigned) (bits >> i));
    }
}


static void
object(void)
{
    put8(SLUICE_AMF_OBJECT);
}


static void
ecma(unsigned n)
{
    put8(SLUICE_AMF_ECMA_ARRAY);
    put16(0);
    put16(n);
}


static void
end(void)
{
    put16(0);
    put8(SLUICE_AMF_OBJECT_END);
}


static void
start(const char *name)
{
    m.len = 0;
    string(name);
}


static sluice_status_t
parse(void)
{
    reason = NULL;
    memset(out, 0xAA, sizeof(out));

    return sluice_adcue_parse(&cue, m.buf, m.len, out,
                              SLUICE_CUE_BUF_SIZE(m.len), &reason);
}


static int
str_is(const sluice_str_t *s, const char *v)
{
    return s->len == strlen(v) && memcmp(s->data, v, s->len) == 0;
}


static size_t
decode(const char *b64, uint8_t *to)
{
    size_t  n;

    if (sluice_base64_decode((const uint8_t *) b64, strlen(b64), to, &n, 0)
        != SLUICE_OK)
    {
        abort();
    }

    return n;
}


static void
test_scte35_mode(void)
{
    size_t   n;
    uint8_t  sec[64];

    n = decode(ams_out, sec);

    start("onAdCue");
    object();
    key("cue"); string(ams_out);
    key("type"); string("scte35");
    key("id"); string("1002");
    key("duration"); number(59.993278);
    key("time"); number(259.509244);
    key("unknown"); object(); key("x"); number(1); end();
    end();

    SL_CHECK_OK(parse());
    SL_CHECK_UEQ(cue.kind, SLUICE_CUE_SPLICE_OUT);
    SL_CHECK_UEQ(cue.source, SLUICE_CUE_FROM_SCTE35);
    SL_CHECK(str_is(&cue.id, "1002"));
    SL_CHECK(!cue.id_made);
    SL_CHECK(cue.has_time);
    SL_CHECK_UEQ(cue.time, 259509);
    SL_CHECK_UEQ(cue.duration, 59993);
    SL_CHECK(!cue.has_elapsed);
    SL_CHECK_UEQ(cue.event_id, 1002);
    SL_CHECK(!cue.section_made);
    SL_CHECK_UEQ(cue.section.len, n);
    SL_CHECK_MEM_EQ(cue.section.data, sec, n);

    /* @setDataFrame, an ECMA array, the URN type, no id, no duration */
    m.len = 0;
    string("@setDataFrame");
    string("onAdCue");
    ecma(3);
    key("type"); string("urn:scte:scte35:2013:bin");
    key("cue"); string(ams_in);
    key("time"); number(260);
    key("elapsed"); number(0.25);
    end();

    SL_CHECK_OK(parse());
    SL_CHECK_UEQ(cue.kind, SLUICE_CUE_SPLICE_IN);
    SL_CHECK(str_is(&cue.id, "1002"));
    SL_CHECK(cue.id_made);
    SL_CHECK_UEQ(cue.duration, 0);
    SL_CHECK(cue.has_elapsed);
    SL_CHECK_UEQ(cue.elapsed, 250);

    /* the duration from the section when the message has none */
    start("onAdCue");
    ecma(3);
    key("type"); string("scte35");
    key("cue"); string(ams_out);
    key("time"); number(1);
    /* no end marker: some encoders leave it out */

    SL_CHECK_OK(parse());
    SL_CHECK_UEQ(cue.duration, 59993);          /* 5399395 / 90 */

    /* time_signal: kind and id from the segmentation_descriptor */
    start("onAdCue");
    object();
    key("type"); string("scte35");
    key("cue"); string(time_signal);
    key("time"); number(2);
    end();

    SL_CHECK_OK(parse());
    SL_CHECK_UEQ(cue.kind, SLUICE_CUE_SPLICE_OUT);
    SL_CHECK_UEQ(cue.event_id, 0x4800008E);
    SL_CHECK(str_is(&cue.id, "1207959694"));
    SL_CHECK_UEQ(cue.duration, 307000);
}


static void
test_simple_mode(void)
{
    const char       *why;
    sluice_scte35_t   s;

    start("onAdCue");
    object();
    key("type"); string("SpliceOut");
    key("id"); string("95766");
    key("duration"); number(30);
    key("time"); number(158348769.966667);
    key("elapsed"); number(6.633333);
    end();

    SL_CHECK_OK(parse());
    SL_CHECK_UEQ(cue.kind, SLUICE_CUE_SPLICE_OUT);
    SL_CHECK_UEQ(cue.source, SLUICE_CUE_FROM_SIMPLE);
    SL_CHECK(str_is(&cue.id, "95766"));
    SL_CHECK_UEQ(cue.time, 158348769967ULL);
    SL_CHECK_UEQ(cue.duration, 30000);
    SL_CHECK_UEQ(cue.elapsed, 6633);
    SL_CHECK(cue.section_made);
    SL_CHECK_UEQ(cue.event_id, 95766);

    /* the section made is a splice_insert that says the same */
    SL_CHECK_OK(sluice_scte35_parse(&s, cue.section.data, cue.section.len,
                                    &why));
    SL_CHECK_UEQ(s.command_type, SLUICE_SCTE35_SPLICE_INSERT);
    SL_CHECK_UEQ(s.event_id, 95766);
    SL_CHECK(s.out_of_network);
    SL_CHECK(s.program_splice);
    SL_CHECK(s.duration_flag);
    SL_CHECK(s.auto_return);
    SL_CHECK_UEQ(s.break_duration, 2700000);
    SL_CHECK_UEQ(s.pts_time, (158348769967ULL * 90) & 0x1FFFFFFFFULL);

    /* the 2019 form ("cue": "SpliceOut"), a name as id, a number id */
    start("onAdCue");
    object();
    key("cue"); string("SpliceOut");
    key("id"); string("ad-1");
    key("duration"); number(0);
    key("time"); number(10);
    end();

    SL_CHECK_OK(parse());
    SL_CHECK_UEQ(cue.source, SLUICE_CUE_FROM_SIMPLE);
    SL_CHECK_UEQ(cue.event_id, sluice_scte35_crc32((const uint8_t *) "ad-1",
                                                   4));
    SL_CHECK_OK(sluice_scte35_parse(&s, cue.section.data, cue.section.len,
                                    &why));
    SL_CHECK(!s.duration_flag);

    start("onAdCue");
    object();
    key("type"); string("spliceout");
    key("id"); number(42);
    key("duration"); string("12.5");
    key("time"); string("3");
    end();

    SL_CHECK_OK(parse());
    SL_CHECK(str_is(&cue.id, "42"));
    SL_CHECK_UEQ(cue.event_id, 42);
    SL_CHECK_UEQ(cue.duration, 12500);
    SL_CHECK_UEQ(cue.time, 3000);
}


static void
test_cue_point(void)
{
    start("onCuePoint");
    object();
    key("name"); string("scte35");
    key("type"); string("event");
    key("time"); number(12.5);
    key("parameters");
    ecma(2);
    key("id"); string("7");
    key("duration"); string("30.0");
    end();
    end();

    SL_CHECK_OK(parse());
    SL_CHECK_UEQ(cue.kind, SLUICE_CUE_SPLICE_OUT);
    SL_CHECK_UEQ(cue.source, SLUICE_CUE_FROM_CUEPOINT);
    SL_CHECK(str_is(&cue.id, "7"));
    SL_CHECK_UEQ(cue.time, 12500);
    SL_CHECK_UEQ(cue.duration, 30000);
    SL_CHECK(cue.section_made);
    SL_CHECK_UEQ(cue.event_id, 7);

    /* with the section in its parameters */
    start("onCuePoint");
    object();
    key("parameters");
    object();
    key("cue"); string(ams_in);
    end();
    key("name"); string("scte35");
    key("type"); string("event");
    key("time"); number(1);
    end();

    SL_CHECK_OK(parse());
    SL_CHECK_UEQ(cue.kind, SLUICE_CUE_SPLICE_IN);
    SL_CHECK(!cue.section_made);
    SL_CHECK(str_is(&cue.id, "1002"));

    /* other cue points are not ours */
    start("onCuePoint");
    object();
    key("name"); string("chapter");
    key("type"); string("navigation");
    key("time"); number(1);
    end();

    SL_CHECK_EQ(parse(), SLUICE_UNSUPPORTED);
    SL_CHECK_STR_EQ(reason, "onCuePoint name is not scte35");
}


static void
test_user_data(void)
{
    start("onUserDataEvent");
    string("<EventStream schemeIdUri='https://aomedia.org/emsg/ID3' "
           "value='v' timescale='90000'><Event presentationTime='900045' "
           "duration='45000' id='3' contentEncoding='base64'>SUQz</Event>"
           "</EventStream>");

    SL_CHECK_OK(parse());
    SL_CHECK_UEQ(cue.kind, SLUICE_CUE_METADATA);
    SL_CHECK_UEQ(cue.source, SLUICE_CUE_FROM_USERDATA);
    SL_CHECK(str_is(&cue.scheme_id_uri, "https://aomedia.org/emsg/ID3"));
    SL_CHECK(str_is(&cue.value, "v"));
    SL_CHECK(str_is(&cue.id, "3"));
    SL_CHECK(str_is(&cue.data, "ID3"));
    SL_CHECK(cue.has_time);
    SL_CHECK_UEQ(cue.time, 10000);
    SL_CHECK_UEQ(cue.duration, 500);
    SL_CHECK_UEQ(cue.section.len, 0);

    /* no presentationTime: at the message's own timestamp */
    start("onUserDataEvent");
    string("<EventStream schemeIdUri='urn:x'><Event>t</Event>"
           "</EventStream>");
    SL_CHECK_OK(parse());
    SL_CHECK(!cue.has_time);

    start("onUserDataEvent");
    string("<EventStream schemeIdUri='urn:x'><Event duration='86400001'/>"
           "</EventStream>");
    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);
    SL_CHECK_STR_EQ(reason, "Event@duration over 24 hours");

    start("onUserDataEvent");
    number(1);
    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);

    start("onUserDataEvent");
    string("<EventStream/>");
    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);
    SL_CHECK(reason != NULL);
}


static void
test_not_cues(void)
{
    start("onMetaData");
    object();
    key("width"); number(1280);
    end();
    SL_CHECK_EQ(parse(), SLUICE_NOT_FOUND);

    m.len = 0;
    number(1);
    SL_CHECK_EQ(parse(), SLUICE_NOT_FOUND);
    SL_CHECK(reason != NULL);
}


static void
bad_ad_cue(const char *field, double v, const char *type, const char *why)
{
    start("onAdCue");
    object();
    key("type"); string(type);
    key("cue"); string(ams_out);
    key("id"); string("1");
    key("time"); number(strcmp(field, "time") == 0 ? v : 1);
    key("duration"); number(strcmp(field, "duration") == 0 ? v : 1);
    key("elapsed"); number(strcmp(field, "elapsed") == 0 ? v : 1);
    end();

    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);
    SL_CHECK(reason != NULL);

    if (reason && why) {
        SL_CHECK_STR_EQ(reason, why);
    }
}


static void
test_bad(void)
{
    size_t   i, good;
    uint8_t  b64[128], sec[64];
    size_t   n;

    bad_ad_cue("duration", -1, "SpliceOut",
               "negative time, duration or elapsed");
    bad_ad_cue("duration", 86400.001, "scte35", "duration over 24 hours");
    bad_ad_cue("time", -0.5, "scte35", "negative time, duration or elapsed");
    bad_ad_cue("time", NAN, "scte35",
               "time, duration or elapsed is not a number");
    bad_ad_cue("time", 1e300, "scte35", "time, duration or elapsed too large");
    bad_ad_cue("elapsed", 90000, "scte35", "elapsed over 24 hours");
    bad_ad_cue("time", 1, "splice", "onAdCue type is neither SpliceOut "
               "nor scte35");

    /* without time; scte35 without cue; a number where a string goes */
    start("onAdCue");
    object();
    key("type"); string("scte35");
    key("cue"); string(ams_out);
    end();
    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);
    SL_CHECK_STR_EQ(reason, "onAdCue without a time");

    start("onAdCue");
    object();
    key("type"); string("scte35");
    key("time"); number(1);
    end();
    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);
    SL_CHECK_STR_EQ(reason, "onAdCue scte35 without a cue");

    start("onAdCue");
    object();
    key("type"); number(1);
    end();
    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);

    start("onAdCue");
    object();
    key("type"); string("SpliceOut");
    key("time"); number(1);
    end();
    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);
    SL_CHECK_STR_EQ(reason, "onAdCue SpliceOut without a duration");

    start("onAdCue");
    object();
    key("type"); string("SpliceOut");
    key("duration"); string("0x10");
    key("time"); number(1);
    end();
    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);
    SL_CHECK_STR_EQ(reason,
                    "time, duration or elapsed is not a number of seconds");

    start("onAdCue");
    object();
    key("type"); string("SpliceOut");
    key("duration"); string("nan");
    key("time"); number(1);
    end();
    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);

    start("onAdCue");
    object();
    key("type"); string("scte35");
    key("time"); number(1);
    key("cue"); string("not base64!");
    end();
    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);
    SL_CHECK_STR_EQ(reason, "cue is not base64");

    /* base64 that is not a splice_info_section, then a bad CRC */
    start("onAdCue");
    object();
    key("type"); string("scte35");
    key("time"); number(1);
    key("cue"); string("aGVsbG8gd29ybGQ=");
    end();
    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);
    SL_CHECK_STR_EQ(reason, "table_id is not 0xFC");

    n = decode(ams_out, sec);
    sec[n - 1] ^= 1;
    b64[sluice_base64_encode(sec, n, b64, 0)] = '\0';

    start("onAdCue");
    object();
    key("type"); string("scte35");
    key("time"); number(1);
    key("cue"); string((char *) b64);
    end();
    SL_CHECK_EQ(parse(), SLUICE_BAD_DATA);
    SL_CHECK_STR_EQ(reason, "bad CRC_32");

    /* an encrypted section is valid but not taken */
    sec[n - 1] ^= 1;
    sec[4] |= 0x80;
    {
        uint32_t  crc;

        crc = sluice_scte35_crc32(sec, n - 4);
        sec[n - 4] = (uint8_t) (crc >> 24);
        sec[n - 3] = (uint8_t) (crc >> 16);
        sec[n - 2] = (uint8_t) (crc >> 8);
        sec[n - 1] = (uint8_t) crc;
    }
    b64[sluice_base64_encode(sec, n, b64, 0)] = '\0';

    start("onAdCue");
    object();
    key("type"); string("scte35");
    key("time"); number(1);
    key("cue"); string((char *) b64);
    end();
    SL_CHECK_EQ(parse(), SLUICE_UNSUPPORTED);

    /* every truncation of a good message: no crash, no read past */
    start("onAdCue");
    object();
    key("cue"); string(ams_out);
    key("type"); string("scte35");
    key("id"); string("1002");
    key("duration"); number(59.993278);
    key("time"); number(259.509244);
    end();
    good = m.len;

    for (i = 0; i < good; i++) {
        uint8_t  *cut;

        cut = malloc(i ? i : 1);
        memcpy(cut, m.buf, i);
        reason = NULL;

        if (sluice_adcue_parse(&cue, cut, i, out, SLUICE_CUE_BUF_SIZE(i),
                               &reason) != SLUICE_OK)
        {
            SL_CHECK(reason != NULL);
        }

        free(cut);
    }

    /* a buffer too small is an error, not an overflow */
    reason = NULL;
    SL_CHECK(sluice_adcue_parse(&cue, m.buf, good, out, 8, &reason)
             != SLUICE_OK);
}


/* a binary section (sparse track, emsg, MPEG-TS): kind, id, duration */
static void
test_from_section(void)
{
    size_t        n;
    uint8_t       sec[64], buf[32];
    sluice_cue_t  c;

    n = decode(ams_out, sec);

    memset(&c, 0, sizeof(c));
    c.source = SLUICE_CUE_FROM_SPARSE;
    c.has_time = 1;
    c.time = 5000;

    SL_CHECK_OK(sluice_adcue_from_section(&c, sec, n, buf, sizeof(buf),
                                          &reason));
    SL_CHECK_UEQ(c.kind, SLUICE_CUE_SPLICE_OUT);
    SL_CHECK_UEQ(c.source, SLUICE_CUE_FROM_SPARSE);
    SL_CHECK_UEQ(c.time, 5000);
    SL_CHECK_UEQ(c.event_id, 1002);
    SL_CHECK_UEQ(c.duration, 59993);
    SL_CHECK(str_is(&c.id, "1002"));
    SL_CHECK(c.id_made);
    SL_CHECK_UEQ(c.section.len, n);
    SL_CHECK(c.section.data == sec);

    /* the id and duration given are kept; IN */

    n = decode(ams_in, sec);

    memset(&c, 0, sizeof(c));
    c.id.data = (const uint8_t *) "x";
    c.id.len = 1;
    c.duration = 7;

    SL_CHECK_OK(sluice_adcue_from_section(&c, sec, n, buf, sizeof(buf),
                                          &reason));
    SL_CHECK_UEQ(c.kind, SLUICE_CUE_SPLICE_IN);
    SL_CHECK(str_is(&c.id, "x"));
    SL_CHECK_UEQ(c.duration, 7);

    /* a bad CRC, and what is no section */

    sec[n - 1] ^= 1;
    reason = NULL;
    SL_CHECK_EQ(sluice_adcue_from_section(&c, sec, n, buf, sizeof(buf),
                                          &reason), SLUICE_BAD_DATA);
    SL_CHECK(reason != NULL);
    SL_CHECK_EQ(sluice_adcue_from_section(&c, sec, 3, buf, sizeof(buf),
                                          &reason), SLUICE_BAD_DATA);
}


int
main(void)
{
    SL_RUN(test_scte35_mode);
    SL_RUN(test_simple_mode);
    SL_RUN(test_cue_point);
    SL_RUN(test_user_data);
    SL_RUN(test_not_cues);
    SL_RUN(test_bad);
    SL_RUN(test_from_section);

    return SL_DONE();
}
