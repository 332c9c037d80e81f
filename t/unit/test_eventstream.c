
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the EventStream reader of onUserDataEvent: AMS's shape,
 * defaults, entities and CDATA, base64 data, and what it refuses.
 */


#include <stdlib.h>

#include "media/signal/sluice_eventstream.h"
#include "util/sluice_base64.h"
#include "sluice_test.h"


static uint8_t               buf[4096];
static sluice_eventstream_t  es;
static const char           *reason;


static sluice_status_t
parse(const char *xml)
{
    reason = NULL;

    return sluice_eventstream_parse(&es, (const uint8_t *) xml, strlen(xml),
                                    buf, strlen(xml), &reason);
}


static int
str_is(const sluice_str_t *s, const char *v)
{
    return s->len == strlen(v) && memcmp(s->data, v, s->len) == 0;
}


static void
test_ams_shape(void)
{
    /* "SGVsbG8gSUQz" is "Hello ID3" */
    SL_CHECK_OK(parse(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<EventStream xmlns=\"urn:mpeg:dash:schema:mpd:2011\"\n"
        "    schemeIdUri=\"https://aomedia.org/emsg/ID3\" value=\"1\"\n"
        "    timescale=\"1000\">\n"
        "  <Event presentationTime=\"1523\" duration=\"250\" id=\"7\"\n"
        "      contentEncoding=\"Base64\">SGVsbG8g\n  SUQz</Event>\n"
        "</EventStream>\n"));

    SL_CHECK(str_is(&es.scheme_id_uri, "https://aomedia.org/emsg/ID3"));
    SL_CHECK(str_is(&es.value, "1"));
    SL_CHECK_UEQ(es.timescale, 1000);
    SL_CHECK_UEQ(es.nevents, 1);
    SL_CHECK(es.has_time);
    SL_CHECK_UEQ(es.presentation_time, 1523);
    SL_CHECK(es.has_duration);
    SL_CHECK_UEQ(es.duration, 250);
    SL_CHECK(str_is(&es.id, "7"));
    SL_CHECK(es.base64);
    SL_CHECK(str_is(&es.data, "Hello ID3"));
}


static void
test_defaults(void)
{
    SL_CHECK_OK(parse("<EventStream schemeIdUri='urn:x'><Event/>"
                      "<Event presentationTime='5'>two</Event>"
                      "</EventStream>"));
    SL_CHECK_UEQ(es.timescale, 1000);
    SL_CHECK_UEQ(es.nevents, 2);
    SL_CHECK(!es.has_time);
    SL_CHECK(!es.has_duration);
    SL_CHECK_UEQ(es.value.len, 0);
    SL_CHECK_UEQ(es.id.len, 0);
    SL_CHECK_UEQ(es.data.len, 0);

    /* prefixes, comments, entities, character references, CDATA */
    SL_CHECK_OK(parse("<!-- c --><d:EventStream xmlns:d='urn:mpeg:dash:"
                      "schema:mpd:2011' schemeIdUri='urn:a?b=1&amp;c=2' "
                      "timescale='90000'><d:Event duration = \"90000\">"
                      "a&lt;b&#x20AC;&#65;<!-- x --><![CDATA[<raw>&amp;]]>"
                      "</d:Event ></d:EventStream><!-- end -->"));
    SL_CHECK(str_is(&es.scheme_id_uri, "urn:a?b=1&c=2"));
    SL_CHECK_UEQ(es.timescale, 90000);
    SL_CHECK_UEQ(es.duration, 90000);
    SL_CHECK(str_is(&es.data, "a<b\xE2\x82\xAC" "A<raw>&amp;"));

    /* DASH's messageData attribute */
    SL_CHECK_OK(parse("<EventStream schemeIdUri='urn:x'>"
                      "<Event messageData='m&quot;d'/></EventStream>"));
    SL_CHECK(str_is(&es.data, "m\"d"));
}


static void
test_bad(void)
{
    size_t  i, n;

    static const char  *bad[] = {
        "",
        "<Event/>",
        "<EventStream/>",
        "<EventStream schemeIdUri='urn:x'></EventStream>",
        "<EventStream><Event/></EventStream>",
        "<EventStream schemeIdUri=''><Event/></EventStream>",
        "<EventStream schemeIdUri='urn:x' timescale='0'><Event/>"
            "</EventStream>",
        "<EventStream schemeIdUri='urn:x' timescale='-1'><Event/>"
            "</EventStream>",
        "<EventStream schemeIdUri='urn:x'><Event presentationTime='1.5'/>"
            "</EventStream>",
        "<EventStream schemeIdUri='urn:x'>"
            "<Event duration='18446744073709551616'/></EventStream>",
        "<EventStream schemeIdUri='urn:x'><Event/></EventStream>x",
        "<EventStream schemeIdUri='urn:x'><Event/>text</EventStream>",
        "<EventStream schemeIdUri='urn:x'><Event><b/></Event>"
            "</EventStream>",
        "<EventStream schemeIdUri='urn:x'><Other/></EventStream>",
        "<EventStream schemeIdUri='urn:x'><Event></Evnt></EventStream>",
        "<EventStream schemeIdUri='urn:x'><Event>",
        "<EventStream schemeIdUri='urn:x'><Event/>",
        "<EventStream schemeIdUri=urn:x><Event/></EventStream>",
        "<EventStream schemeIdUri='urn:x><Event/></EventStream>",
        "<EventStream schemeIdUri='a<b'><Event/></EventStream>",
        "<EventStream schemeIdUri='&foo;'><Event/></EventStream>",
        "<EventStream schemeIdUri='&#0;'><Event/></EventStream>",
        "<EventStream schemeIdUri='&#xD800;'><Event/></EventStream>",
        "<EventStream schemeIdUri='&#x110000;'><Event/></EventStream>",
        "<EventStream schemeIdUri='a & b'><Event/></EventStream>",
        "<!DOCTYPE x [<!ENTITY a 'b'>]><EventStream schemeIdUri='u'>"
            "<Event/></EventStream>",
        "<EventStream schemeIdUri='urn:x'><Event><![CDATA[x</Event>"
            "</EventStream>",
        "<EventStream schemeIdUri='urn:x'><!-- <Event/></EventStream>",
        "<EventStream schemeIdUri='urn:x'><Event contentEncoding='base64'>"
            "%%%%</Event></EventStream>",
        "<EventStream schemeIdUri='urn:x'><Event contentEncoding='gzip'>"
            "</Event></EventStream>",
        "<EventStream schemeIdUri='urn:x'><Event messageData='a'>b</Event>"
            "</EventStream>",
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i]) != SLUICE_BAD_DATA || reason == NULL) {
            SL_CHECK_STR_EQ(bad[i], "(refused)");
        } else {
            SL_CHECK(1);
        }
    }

    /* too small a buffer is an error, never an overflow */
    n = strlen("<EventStream schemeIdUri='urn:x'><Event>abc</Event>"
               "</EventStream>");
    SL_CHECK_EQ(sluice_eventstream_parse(&es, (const uint8_t *)
                "<EventStream schemeIdUri='urn:x'><Event>abc</Event>"
                "</EventStream>", n, buf, 6, &reason), SLUICE_BAD_DATA);
}


/* the reader decodes base64 in place: the decoder must allow it */
static void
test_base64_in_place(void)
{
    size_t   n;
    uint8_t  s[] = "SGVsbG8gSUQzIQ==";

    SL_CHECK_OK(sluice_base64_decode(s, 16, s, &n, 0));
    SL_CHECK_UEQ(n, 10);
    SL_CHECK_MEM_EQ(s, "Hello ID3!", 10);
}


int
main(void)
{
    SL_RUN(test_ams_shape);
    SL_RUN(test_defaults);
    SL_RUN(test_bad);
    SL_RUN(test_base64_in_place);

    return SL_DONE();
}
