
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the manifest text of cues: AMS's own HLS samples (the
 * EXT-X-DATERANGE and EXT-X-CUE lines of its timed metadata spec), the
 * CUE-OUT family, and DASH Event elements; counting equals writing.
 */


#include <stdlib.h>

#include "media/signal/sluice_adcue.h"
#include "media/signal/sluice_cue_text.h"
#include "util/sluice_base64.h"
#include "sluice_test.h"


static const char  ams_out[] =
    "/DAlAAAAAAXdAP/wFAUAAAPqf+/+AWRhuP4AUmNjAAEBAQAA8g1eNw==";

static uint8_t       sec[64];
static size_t        nsec;
static uint8_t       mem[4096];
static sluice_buf_t  b;


static void
setup(void)
{
    if (sluice_base64_decode((const uint8_t *) ams_out, strlen(ams_out),
                             sec, &nsec, 0) != SLUICE_OK)
    {
        abort();
    }

    sluice_buf_init(&b, NULL, mem, sizeof(mem));
}


static void
is(const char *want)
{
    SL_CHECK_OK(b.rc);
    SL_CHECK_UEQ(b.len, strlen(want));

    if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0) {
        mem[b.len < sizeof(mem) ? b.len : sizeof(mem) - 1] = '\0';
        SL_CHECK_STR_EQ((char *) mem, want);
    }

    sluice_buf_init(&b, NULL, mem, sizeof(mem));
}


static void
test_daterange(void)
{
    sluice_buf_t            count;
    sluice_cue_daterange_t  d;

    setup();

    memset(&d, 0, sizeof(d));
    d.id = (sluice_str_t) sluice_string("1002");
    d.start = 1578426309509LL;
    d.has_planned_duration = 1;
    d.planned_duration = 59993;
    d.kind = SLUICE_CUE_SPLICE_OUT;
    d.section.data = sec;
    d.section.len = nsec;

    /* the size first */
    sluice_buf_init(&count, NULL, NULL, 0);
    sluice_cue_hls_daterange(&count, &d);

    sluice_cue_hls_daterange(&b, &d);
    SL_CHECK_UEQ(count.len, b.len);
    is("#EXT-X-DATERANGE:ID=\"1002\",START-DATE=\"2020-01-07T19:45:09.509Z\","
       "PLANNED-DURATION=59.993,SCTE35-OUT=0xFC302500000000"
       "05DD00FFF01405000003EA7FEFFE016461B8FE00526363000101010000F20D5E37"
       "\n");

    d.kind = SLUICE_CUE_SPLICE_IN;
    d.has_planned_duration = 0;
    d.has_duration = 1;
    d.duration = 30000;
    d.class_name = (sluice_str_t) sluice_string("urn:x\"y");
    d.id = (sluice_str_t) sluice_string("a\"b\r\nc");
    d.section.len = 2;
    sluice_cue_hls_daterange(&b, &d);
    is("#EXT-X-DATERANGE:ID=\"abc\",CLASS=\"urn:xy\","
       "START-DATE=\"2020-01-07T19:45:09.509Z\",DURATION=30.000,"
       "SCTE35-IN=0xFC30\n");

    d.kind = SLUICE_CUE_CMD;
    sluice_cue_hls_daterange(&b, &d);
    is("#EXT-X-DATERANGE:ID=\"abc\",CLASS=\"urn:xy\","
       "START-DATE=\"2020-01-07T19:45:09.509Z\",DURATION=30.000,"
       "SCTE35-CMD=0xFC30\n");

    /* timed metadata: no SCTE35 attribute */
    d.kind = SLUICE_CUE_METADATA;
    d.has_duration = 0;
    d.class_name.len = 0;
    sluice_cue_hls_daterange(&b, &d);
    is("#EXT-X-DATERANGE:ID=\"abc\","
       "START-DATE=\"2020-01-07T19:45:09.509Z\"\n");
}


static void
test_adobe(void)
{
    sluice_cue_adobe_t  c;

    setup();

    /* AMS's SCTE-35 mode sample, from the section's 90 kHz values */
    memset(&c, 0, sizeof(c));
    c.id = (sluice_str_t) sluice_string("1002");
    c.timescale = 90000;
    c.time = 23355832;
    c.duration = 5399395;
    c.has_elapsed = 1;
    c.elapsed = 22524;
    c.section.data = sec;
    c.section.len = nsec;

    sluice_cue_hls_cue(&b, &c);
    is("#EXT-X-CUE:ID=\"1002\",TYPE=\"scte35\",DURATION=59.993278,"
       "TIME=259.509244,CUE=\"/DAlAAAAAAXdAP/wFAUAAAPqf+/+AWRhuP4AUmNjAAEBAQAA"
       "8g1eNw==\",ELAPSED=0.250267\n");

    /* AMS's simple mode sample: 30 fps times */
    memset(&c, 0, sizeof(c));
    c.simple = 1;
    c.id = (sluice_str_t) sluice_string("95766");
    c.timescale = 30;
    c.time = 4750463099ULL;
    c.duration = 900;

    sluice_cue_hls_cue(&b, &c);
    is("#EXT-X-CUE:ID=95766,TYPE=\"SpliceOut\",DURATION=30.000000,"
       "TIME=158348769.966667\n");

    c.has_elapsed = 1;
    c.elapsed = 199;
    sluice_cue_hls_cue(&b, &c);
    is("#EXT-X-CUE:ID=95766,TYPE=\"SpliceOut\",DURATION=30.000000,"
       "TIME=158348769.966667,ELAPSED=6.633333\n");

    /* rounding carries into the seconds; milliseconds by default */
    c.timescale = 0;
    c.time = 1999;
    c.duration = 0;
    c.has_elapsed = 0;
    sluice_cue_hls_cue(&b, &c);
    is("#EXT-X-CUE:ID=95766,TYPE=\"SpliceOut\",DURATION=0.000000,"
       "TIME=1.999000\n");

    c.timescale = 3000000;
    c.time = 2999999999ULL;
    sluice_cue_hls_cue(&b, &c);
    is("#EXT-X-CUE:ID=95766,TYPE=\"SpliceOut\",DURATION=0.000000,"
       "TIME=1000.000000\n");
}


static void
test_cue_out(void)
{
    setup();

    sluice_cue_hls_cue_out(&b, 30000);
    sluice_cue_hls_cue_out_cont(&b, 8308, 30000);
    sluice_cue_hls_cue_out_cont(&b, 20391, 0);
    sluice_cue_hls_cue_in(&b);
    sluice_cue_hls_cue_out(&b, 0);
    is("#EXT-X-CUE-OUT:DURATION=30.000\n"
       "#EXT-X-CUE-OUT-CONT:ELAPSED=8.308,DURATION=30.000\n"
       "#EXT-X-CUE-OUT-CONT:ELAPSED=20.391\n"
       "#EXT-X-CUE-IN\n"
       "#EXT-X-CUE-OUT\n");
}


static void
test_dash(void)
{
    size_t                   i;
    uint8_t                  big[200];
    sluice_str_t             value = sluice_string("video&1");
    sluice_buf_t             count;
    sluice_cue_dash_event_t  e;

    setup();

    memset(&e, 0, sizeof(e));
    e.presentation_time = 2595092440ULL;
    e.has_duration = 1;
    e.duration = 599932780;
    e.id = 1002;
    e.section.data = sec;
    e.section.len = nsec;

    sluice_cue_dash_event_stream_start(&b, 4,
        SLUICE_CUE_SCHEME_SCTE35_XML_BIN, &value, 10000000);
    sluice_cue_dash_event(&b, 6, &e);
    e.section.len = 0;
    e.has_duration = 0;
    e.id = 7;
    sluice_cue_dash_event(&b, 6, &e);
    sluice_cue_dash_event_stream_end(&b, 4);

    is("    <EventStream schemeIdUri=\"urn:scte:scte35:2014:xml+bin\" "
       "value=\"video&amp;1\" timescale=\"10000000\">\n"
       "      <Event presentationTime=\"2595092440\" duration=\"599932780\" "
       "id=\"1002\">\n"
       "        <scte35:Signal xmlns:scte35=\""
       "http://www.scte.org/schemas/35/2016\">\n"
       "          <scte35:Binary>/DAlAAAAAAXdAP/wFAUAAAPqf+/+AWRhuP4AUmNjAAEBAQ"
       "AA8g1eNw==</scte35:Binary>\n"
       "        </scte35:Signal>\n"
       "      </Event>\n"
       "      <Event presentationTime=\"2595092440\" id=\"7\"/>\n"
       "    </EventStream>\n");

    /* base64 in pieces equals base64 at once */
    for (i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t) (i * 7);
    }

    for (i = 0; i <= sizeof(big); i += 13) {
        uint8_t  want[300];
        size_t   n;

        n = sluice_base64_encode(big, i, want, 0);
        sluice_cue_base64(&b, big, i);
        SL_CHECK_UEQ(b.len, n);
        SL_CHECK_MEM_EQ(b.data, want, n);
        sluice_buf_init(&b, NULL, mem, sizeof(mem));
    }

    sluice_buf_init(&count, NULL, NULL, 0);
    sluice_cue_base64(&count, big, 100);
    SL_CHECK_UEQ(count.len, sluice_base64_encoded_len(100));
}


int
main(void)
{
    SL_RUN(test_daterange);
    SL_RUN(test_adobe);
    SL_RUN(test_cue_out);
    SL_RUN(test_dash);

    return SL_DONE();
}
