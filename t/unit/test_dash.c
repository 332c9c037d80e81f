
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the DASH MPD writer.  The MPD must be well-formed XML
 * (xmllint --noout, skipped when xmllint is missing).
 *
 *   cc -Isrc/media t/unit/test_dash.c src/media/sluice_dash.c \
 *       src/media/sluice_buf.c src/media/sluice_url.c -o test_dash
 */


#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "media/manifest/sluice_dash.h"


static int  failures;
static int  checks;


#define CHECK(cond)                                                          \
    do {                                                                     \
        checks++;                                                            \
        if (!(cond)) {                                                       \
            failures++;                                                      \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);       \
        }                                                                    \
    } while (0)


static sluice_track_info_t  video_info;
static sluice_track_info_t  audio_info;
static sluice_pfrag_t       vfrags[8];
static sluice_pfrag_t       v2frags[8];
static sluice_pfrag_t       afrags[8];
static sluice_ptrack_t      tracks[3];
static int                  have_xmllint;


static void
fixture(sluice_presentation_t *p, uint32_t nfrags)
{
    uint32_t  i;

    memset(p, 0, sizeof(*p));

    video_info.media_type = SLUICE_MEDIA_VIDEO;
    video_info.codec = SLUICE_CODEC_AVC;
    video_info.timescale = 90000;
    video_info.width = 1280;
    video_info.height = 720;
    video_info.frame_rate_num = 30;
    video_info.frame_rate_den = 1;
    strcpy(video_info.codec_string, "avc1.64001f");

    audio_info.media_type = SLUICE_MEDIA_AUDIO;
    audio_info.codec = SLUICE_CODEC_AAC;
    audio_info.timescale = 48000;
    audio_info.sample_rate = 48000;
    audio_info.channels = 2;
    strcpy(audio_info.codec_string, "mp4a.40.2");

    for (i = 0; i < nfrags; i++) {
        vfrags[i].time = 900000 + (uint64_t) i * 180000;
        vfrags[i].duration = 180000;
        vfrags[i].seq = 5 + i;
        vfrags[i].flags = 0;
        afrags[i].time = 480000 + (uint64_t) i * 96000;
        afrags[i].duration = 96000;
        afrags[i].seq = 5 + i;
        afrags[i].flags = 0;
    }

    memcpy(v2frags, vfrags, sizeof(vfrags));
    memset(tracks, 0, sizeof(tracks));

    tracks[0].info = &video_info;
    tracks[0].name = (sluice_str_t) sluice_string("video");
    tracks[0].bitrate = 3000000;
    tracks[0].frags = vfrags;
    tracks[0].nfrags = nfrags;

    tracks[1].info = &audio_info;
    tracks[1].name = (sluice_str_t) sluice_string("audio");
    tracks[1].bitrate = 128000;
    tracks[1].frags = afrags;
    tracks[1].nfrags = nfrags;

    tracks[2] = tracks[0];
    tracks[2].bitrate = 1000000;
    tracks[2].frags = v2frags;

    p->tracks = tracks;
    p->ntracks = 3;
    p->live = 1;
    p->epoch_ms = 1795000000000LL;
    p->now_ms = p->epoch_ms + 21500;
    p->window_ms = 60000;
    p->fragment_ms = 2000;
}


static void   *allocated[1024];
static size_t   nallocated;


/* a pool: everything is freed at the end */

static void *
test_alloc(void *ctx, size_t size)
{
    if (nallocated == 1024) {
        return NULL;
    }

    allocated[nallocated] = malloc(size);

    return allocated[nallocated++];
}


static void
well_formed(const char *s)
{
    FILE  *f;
    char   path[] = "/tmp/sluice_test_dash.XXXXXX", cmd[128];
    int    fd;

    if (!have_xmllint) {
        return;
    }

    fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }

    f = fdopen(fd, "w");
    fputs(s, f);
    fclose(f);

    snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
    CHECK(system(cmd) == 0);
    unlink(path);
}


static char *
render(const sluice_presentation_t *p, sluice_format_t format,
    sluice_status_t *rc)
{
    char            *s;
    sluice_buf_t     b, count;
    sluice_alloc_t   alloc = { test_alloc, NULL };

    /* a fixed buffer: the counted size */
    sluice_buf_init(&count, NULL, NULL, 0);
    *rc = sluice_dash_mpd(&count, p, format);

    if (*rc != SLUICE_OK) {
        return NULL;
    }

    s = malloc(count.len + 1);
    sluice_buf_init(&b, NULL, (uint8_t *) s, count.len);
    *rc = sluice_dash_mpd(&b, p, format);
    CHECK(*rc == SLUICE_OK && b.len == count.len);
    s[b.len] = '\0';

    /* the growable mode gives the same bytes */
    sluice_buf_init(&b, &alloc, NULL, 0);
    CHECK(sluice_dash_mpd(&b, p, format) == SLUICE_OK);
    CHECK(b.len == count.len && memcmp(b.data, s, b.len) == 0);

    well_formed(s);

    return s;
}


static int
count_of(const char *s, const char *needle)
{
    int  n;

    for (n = 0; (s = strstr(s, needle)) != NULL; n++) {
        s += strlen(needle);
    }

    return n;
}


static void
test_live(void)
{
    char                   *s;
    sluice_status_t         rc;
    sluice_presentation_t   p;

    fixture(&p, 5);

    s = render(&p, SLUICE_FORMAT_DASH_CSF, &rc);
    CHECK(rc == SLUICE_OK && s != NULL);
    if (s == NULL) {
        return;
    }

    CHECK(strstr(s, "profiles=\"urn:mpeg:dash:profile:isoff-live:2011\" "
                 "type=\"dynamic\" "
                 "availabilityStartTime=\"2026-11-18T11:06:40.000Z\" "
                 "publishTime=\"2026-11-18T11:07:01.500Z\" "
                 "minimumUpdatePeriod=\"PT2.000S\" "
                 "timeShiftBufferDepth=\"PT60.000S\" "
                 "suggestedPresentationDelay=\"PT6.000S\" "
                 "minBufferTime=\"PT2.000S\">"));
    CHECK(strstr(s, "<Period id=\"0\" start=\"PT0S\">"));
    CHECK(count_of(s, "<AdaptationSet ") == 2);
    CHECK(strstr(s, "contentType=\"video\" mimeType=\"video/mp4\" "
                 "segmentAlignment=\"true\" startWithSAP=\"1\" "
                 "maxWidth=\"1280\" maxHeight=\"720\">"));

    /* one shared template, timeline run-length encoded */
    CHECK(strstr(s, "<SegmentTemplate timescale=\"90000\" "
                 "media=\"QualityLevels($Bandwidth$)/"
                 "Fragments(video=$Time$,format=mpd-time-csf)\" "
                 "initialization=\"QualityLevels($Bandwidth$)/"
                 "Fragments(video=i,format=mpd-time-csf)\">\n"
                 "        <SegmentTimeline>\n"
                 "          <S t=\"900000\" d=\"180000\" r=\"4\"/>\n"
                 "        </SegmentTimeline>\n"));
    CHECK(count_of(s, "<SegmentTemplate") == 2);
    CHECK(strstr(s, "<Representation id=\"video_3000000\" "
                 "bandwidth=\"3000000\" codecs=\"avc1.64001f\" "
                 "width=\"1280\" height=\"720\" frameRate=\"30\"/>"));
    CHECK(strstr(s, "<Representation id=\"video_1000000\" "));

    CHECK(strstr(s, "lang=\"und\""));
    CHECK(strstr(s, "<AudioChannelConfiguration schemeIdUri=\"urn:mpeg:dash:"
                 "23003:3:audio_channel_configuration:2011\" value=\"2\"/>"));
    CHECK(strstr(s, "<S t=\"480000\" d=\"96000\" r=\"4\"/>"));
    CHECK(strstr(s, "audioSamplingRate=\"48000\"/>"));
    CHECK(strstr(s, "<UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:direct:2014\""
                 " value=\"2026-11-18T11:07:01.500Z\"/>\n</MPD>\n"));
    CHECK(count_of(s, "presentationTimeOffset") == 0);
    free(s);
}


static void
test_timeline(void)
{
    char                   *s;
    sluice_status_t         rc;
    sluice_presentation_t   p;

    /* a longer fragment, then a gap, then a discontinuity */
    fixture(&p, 6);
    vfrags[1].duration = 181000;
    vfrags[2].time += 1000;
    vfrags[3].time += 1000;
    vfrags[4].time += 9000;
    vfrags[5].time += 9000;
    vfrags[5].flags = SLUICE_PFRAG_DISCONTINUITY;
    v2frags[5].duration = 1;      /* the 2nd rendition differs */

    s = render(&p, SLUICE_FORMAT_DASH_CMAF, &rc);
    CHECK(s != NULL);
    if (s == NULL) {
        return;
    }

    if (getenv("SHOW")) {
        }

    CHECK(strstr(s, "isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019\""));
    CHECK(strstr(s, "Fragments(video=$Time$,format=mpd-time-cmaf)"));
    /* a gap without a discontinuity: t restated in the same Period */
    CHECK(strstr(s,
        "            <S t=\"900000\" d=\"180000\"/>\n"
        "            <S d=\"181000\"/>\n"
        "            <S d=\"180000\" r=\"1\"/>\n"
        "            <S t=\"1629000\" d=\"180000\"/>\n"
        "          </SegmentTimeline>"));

    /* the discontinuity: a new Period at its time, the video only */
    CHECK(count_of(s, "<Period ") == 2);
    CHECK(strstr(s, "<Period id=\"0\" start=\"PT0S\">"));
    CHECK(strstr(s, "<Period id=\"20100\" start=\"PT20.100S\">\n"
                 "    <AdaptationSet id=\"0\" contentType=\"video\""));
    CHECK(strstr(s, "presentationTimeOffset=\"1809000\" "));
    CHECK(strstr(s, "          <S t=\"1809000\" d=\"180000\"/>\n"
                 "        </SegmentTimeline>"));

    /* templates per Representation when timelines differ */
    CHECK(count_of(s, "<SegmentTemplate") == 4);
    CHECK(strstr(s, "frameRate=\"30\">\n        <SegmentTemplate"));
    CHECK(strstr(s, "<S t=\"900000\" d=\"180000\" r=\"4\"/>\n"
                 "            <S d=\"1\"/>\n"));
    free(s);
}


/* the offset of the n-th match of needle, -1 if none */

static long
offset_of(const char *s, const char *needle, int n)
{
    const char  *p;

    for (p = s; (p = strstr(p, needle)) != NULL; p++) {
        if (n-- == 0) {
            return p - s;
        }
    }

    return -1;
}


/*
 * An encoder reconnect: the timeline goes on at the wall clock (a hole),
 * the first fragments after it are discontinuities.  Every AdaptationSet
 * is split where the video before the hole ends (the hole opens the new
 * Period); audio cut at the video cut time (a little before it, rounded)
 * goes to the new Period.
 */

static void
test_periods(void)
{
    char                   *s;
    long                    p1, a0, a1;
    uint32_t                i;
    sluice_status_t         rc;
    sluice_presentation_t   p;

    fixture(&p, 6);

    for (i = 3; i < 6; i++) {
        vfrags[i].time += 5 * 90000;
        v2frags[i].time += 5 * 90000;
        afrags[i].time += 5 * 48000 - 48;     /* 1 ms early */
    }

    vfrags[3].flags = SLUICE_PFRAG_DISCONTINUITY;
    v2frags[3].flags = SLUICE_PFRAG_DISCONTINUITY;
    afrags[3].flags = SLUICE_PFRAG_DISCONTINUITY;

    /* the window begins after a discontinuity that left it */
    for (i = 0; i < 3; i++) {
        tracks[i].period_start = (i == 1) ? 240000 : 450000;
    }

    s = render(&p, SLUICE_FORMAT_DASH_CMAF, &rc);
    CHECK(s != NULL);
    if (s == NULL) {
        return;
    }

    if (getenv("SHOW")) {
        }

    CHECK(strstr(s, "type=\"dynamic\" "
                 "availabilityStartTime=\"2026-11-18T11:06:40.000Z\""));
    CHECK(count_of(s, "<Period ") == 2);
    CHECK(strstr(s, "<Period id=\"5000\" start=\"PT5.000S\">"));
    CHECK(strstr(s, "<Period id=\"16000\" start=\"PT16.000S\">"));
    CHECK(count_of(s, "<AdaptationSet ") == 4);

    p1 = offset_of(s, "<Period id=\"16000\"", 0);
    a0 = offset_of(s, "contentType=\"audio\"", 0);
    a1 = offset_of(s, "contentType=\"audio\"", 1);
    CHECK(p1 > 0 && a0 > 0 && a0 < p1 && a1 > p1);

    /* each Period: its own fragments, offset by its start */
    CHECK(strstr(s, "<SegmentTemplate timescale=\"90000\" "
                 "presentationTimeOffset=\"450000\" "));
    CHECK(strstr(s, "<S t=\"900000\" d=\"180000\" r=\"2\"/>\n"
                 "        </SegmentTimeline>"));
    CHECK(strstr(s, "<SegmentTemplate timescale=\"90000\" "
                 "presentationTimeOffset=\"1440000\" "));
    CHECK(strstr(s, "<S t=\"1890000\" d=\"180000\" r=\"2\"/>\n"
                 "        </SegmentTimeline>"));
    CHECK(strstr(s, "<SegmentTemplate timescale=\"48000\" "
                 "presentationTimeOffset=\"240000\" "));
    CHECK(strstr(s, "<S t=\"480000\" d=\"96000\" r=\"2\"/>\n"
                 "        </SegmentTimeline>"));
    CHECK(strstr(s, "<SegmentTemplate timescale=\"48000\" "
                 "presentationTimeOffset=\"768000\" "));
    CHECK(strstr(s, "<S t=\"1007952\" d=\"96000\" r=\"2\"/>\n"
                 "        </SegmentTimeline>"));
    CHECK(count_of(s, "<S t=") == 4);
    free(s);

    /*
     * the window begins at the discontinuity: the same Period, as the
     * ring gives it (the end of the fragment before the discontinuity)
     */
    for (i = 0; i < 3; i++) {
        tracks[i].frags += 3;
        tracks[i].nfrags = 3;
        tracks[i].period_start = tracks[i].frags[-1].time
                                 + tracks[i].frags[-1].duration;
    }

    s = render(&p, SLUICE_FORMAT_DASH_CMAF, &rc);
    CHECK(s && count_of(s, "<Period ") == 1);
    CHECK(s && strstr(s, "<Period id=\"16000\" start=\"PT16.000S\">"));
    free(s);

    /* the fragment before it unknown: the Period starts at its time */
    for (i = 0; i < 3; i++) {
        tracks[i].period_start = 0;
    }

    s = render(&p, SLUICE_FORMAT_DASH_CMAF, &rc);
    CHECK(s && count_of(s, "<Period ") == 1);
    CHECK(s && strstr(s, "<Period id=\"21000\" start=\"PT21.000S\">"));
    free(s);

    /* static (an asset): Periods with durations, the first at PT0S */
    fixture(&p, 6);

    for (i = 3; i < 6; i++) {
        vfrags[i].time += 5 * 90000;
        v2frags[i].time += 5 * 90000;
        afrags[i].time += 5 * 48000;
    }

    vfrags[3].flags = SLUICE_PFRAG_DISCONTINUITY;
    p.ended = 1;

    s = render(&p, SLUICE_FORMAT_DASH_CSF, &rc);
    CHECK(s != NULL);
    if (s == NULL) {
        return;
    }

    if (getenv("SHOW")) {
        }

    CHECK(strstr(s, "type=\"static\" mediaPresentationDuration=\"PT17.000S\""));
    CHECK(strstr(s, "<Period id=\"10000\" start=\"PT0S\" "
                 "duration=\"PT6.000S\">"));
    CHECK(strstr(s, "<Period id=\"16000\" start=\"PT6.000S\" "
                 "duration=\"PT11.000S\">"));
    CHECK(strstr(s, "presentationTimeOffset=\"900000\""));
    CHECK(strstr(s, "presentationTimeOffset=\"1440000\""));
    CHECK(strstr(s, "presentationTimeOffset=\"768000\""));
    CHECK(count_of(s, "<AdaptationSet ") == 4);
    free(s);
}


static void
test_static(void)
{
    char                   *s;
    sluice_status_t         rc;
    sluice_presentation_t   p;

    fixture(&p, 5);
    p.ended = 1;
    tracks[0].lang = (sluice_str_t) sluice_string("x\"<&");

    s = render(&p, SLUICE_FORMAT_DASH_CSF, &rc);
    CHECK(s != NULL);
    if (s == NULL) {
        return;
    }

    CHECK(strstr(s, "type=\"static\" mediaPresentationDuration=\"PT10.000S\""));
    CHECK(count_of(s, "UTCTiming") == 0);
    CHECK(count_of(s, "availabilityStartTime") == 0);
    CHECK(strstr(s, "timescale=\"90000\" presentationTimeOffset=\"900000\""));
    CHECK(strstr(s, "timescale=\"48000\" presentationTimeOffset=\"480000\""));
    free(s);

    /* language and escaping: audio in its own set per language */
    tracks[1].lang = (sluice_str_t) sluice_string("e\"<&");
    s = render(&p, SLUICE_FORMAT_DASH_CSF, &rc);
    CHECK(s && strstr(s, "lang=\"e&quot;&lt;&amp;\""));
    free(s);

    CHECK(render(&p, SLUICE_FORMAT_HLS_TS, &rc) == NULL
          && rc == SLUICE_BAD_REQUEST);
    p.ntracks = 0;
    CHECK(render(&p, SLUICE_FORMAT_DASH_CSF, &rc) == NULL
          && rc == SLUICE_NOT_FOUND);
}


/* Common Encryption: ContentProtection of the protected set only */

static void
test_protection(void)
{
    char                   *s, *video, *audio;
    sluice_status_t         rc;
    sluice_pprotect_t       cp;
    sluice_presentation_t   p;

    static const uint8_t  kid[16] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
        0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
    };

    fixture(&p, 3);

    memset(&cp, 0, sizeof(cp));
    cp.scheme = 0x63656e63;                         /* 'cenc' */
    memcpy(cp.kid, kid, 16);
    cp.clearkey_laurl.data = (const uint8_t *) "http://h/keydelivery/"
                                               "ClearKey/?token=a&b";
    cp.clearkey_laurl.len = strlen((const char *) cp.clearkey_laurl.data);
    cp.widevine_pssh.data = (const uint8_t *) "V1ZQU1NI";
    cp.widevine_pssh.len = 8;
    cp.playready_pssh.data = (const uint8_t *) "UFJQU1NI";
    cp.playready_pssh.len = 8;
    cp.playready_pro.data = (const uint8_t *) "UFJP";
    cp.playready_pro.len = 4;

    tracks[0].protect = &cp;
    tracks[2].protect = &cp;
    p.url_tag.data = (const uint8_t *) ",encryption=cenc";
    p.url_tag.len = 16;

    s = render(&p, SLUICE_FORMAT_DASH_CMAF, &rc);
    CHECK(rc == SLUICE_OK && s != NULL);
    if (s == NULL) {
        return;
    }

    CHECK(strstr(s, "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" "
                 "xmlns:cenc=\"urn:mpeg:cenc:2013\" "
                 "xmlns:mspr=\"urn:microsoft:playready\" "
                 "xmlns:dashif=\"https://dashif.org/CPS\" "
                 "xmlns:clearkey=\"http://dashif.org/guidelines/clearKey\" "
                 "xmlns:sea=\"urn:mpeg:dash:schema:sea:2012\" "
                 "profiles="));

    video = strstr(s, "contentType=\"video\"");
    audio = strstr(s, "contentType=\"audio\"");
    CHECK(video && audio && video < audio);
    if (video == NULL || audio == NULL) {
        free(s);
        return;
    }

    /* the video set (tracks 0 and 2) only: the audio one stays clear */
    CHECK(count_of(s, "<ContentProtection ") == 4);
    CHECK(strstr(audio, "<ContentProtection") == NULL);

    CHECK(strstr(video, "maxHeight=\"720\">\n"
                 "      <ContentProtection schemeIdUri=\"urn:mpeg:dash:"
                 "mp4protection:2011\" value=\"cenc\" cenc:default_KID=\""
                 "00112233-4455-6677-8899-aabbccddeeff\"/>\n"
                 "      <ContentProtection schemeIdUri=\"urn:uuid:"
                 "e2719d58-a985-b3c9-781a-b030af78d30e\" "
                 "value=\"ClearKey1.0\">\n"
                 "        <dashif:Laurl>http://h/keydelivery/ClearKey/"
                 "?token=a&amp;b</dashif:Laurl>\n"
                 "        <clearkey:Laurl Lic_type=\"EME-1.0\">"
                 "http://h/keydelivery/ClearKey/?token=a&amp;b"
                 "</clearkey:Laurl>\n"
                 "      </ContentProtection>\n"
                 "      <ContentProtection schemeIdUri=\"urn:uuid:"
                 "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed\" "
                 "value=\"Widevine\">\n"
                 "        <cenc:pssh>V1ZQU1NI</cenc:pssh>\n"
                 "      </ContentProtection>\n"
                 "      <ContentProtection schemeIdUri=\"urn:uuid:"
                 "9a04f079-9840-4286-ab92-e65be0885f95\" "
                 "value=\"MSPR 2.0\">\n"
                 "        <cenc:pssh>UFJQU1NI</cenc:pssh>\n"
                 "        <mspr:pro>UFJP</mspr:pro>\n"
                 "      </ContentProtection>\n"
                 "      <SegmentTemplate"));

    /* child URLs keep the encryption, audio's too */
    CHECK(count_of(s, "format=mpd-time-cmaf,encryption=cenc)") == 4);

    free(s);

    /* 'cbcs' */
    cp.scheme = 0x63626373;
    s = render(&p, SLUICE_FORMAT_DASH_CSF, &rc);
    CHECK(s && strstr(s, "value=\"cbcs\" cenc:default_KID="));
    free(s);

    tracks[0].protect = NULL;
    tracks[2].protect = NULL;
}


/* AES-128 Segment Encryption (ISO/IEC 23009-4) */

static void
test_sea(void)
{
    char                   *s;
    sluice_status_t         rc;
    sluice_pprotect_t       cp;
    sluice_presentation_t   p;

    fixture(&p, 3);

    memset(&cp, 0, sizeof(cp));
    cp.sea_key_uri.data = (const uint8_t *) "http://h/keydelivery/?kid="
                                            "00112233-4455-6677-8899-"
                                            "aabbccddeeff&token=a";
    cp.sea_key_uri.len = strlen((const char *) cp.sea_key_uri.data);
    memset(cp.sea_iv, 0xab, 16);
    cp.sea_iv[15] = 0x01;

    tracks[0].protect = &cp;
    tracks[1].protect = &cp;
    tracks[2].protect = &cp;
    p.url_tag.data = (const uint8_t *) ",encryption=cbc";
    p.url_tag.len = 15;

    s = render(&p, SLUICE_FORMAT_DASH_CSF, &rc);
    CHECK(rc == SLUICE_OK && s != NULL);
    if (s == NULL) {
        return;
    }

    /* one per adaptation set, no Common Encryption element */
    CHECK(count_of(s, "<ContentProtection ") == 2);
    CHECK(strstr(s, "mp4protection") == NULL);
    CHECK(strstr(s, "xmlns:sea=\"urn:mpeg:dash:schema:sea:2012\"") != NULL);
    CHECK(strstr(s, "      <ContentProtection schemeIdUri=\"urn:mpeg:dash:"
                    "sea:2012\">\n"
                    "        <sea:SegmentEncryption schemeIdUri=\"urn:mpeg:"
                    "dash:sea:aes128-cbc:2013\"/>\n"
                    "        <sea:KeySystem keySystemUri=\"urn:mpeg:dash:sea:"
                    "keysys:http:2013\"/>\n"
                    "        <sea:CryptoPeriod IV=\"0xabababababababababab"
                    "ababababab01\" keyUriTemplate=\"http://h/keydelivery/"
                    "?kid=00112233-4455-6677-8899-aabbccddeeff&amp;token=a\"/>\n"
                    "      </ContentProtection>\n") != NULL);
    CHECK(count_of(s, "format=mpd-time-csf,encryption=cbc)") == 4);

    free(s);

    tracks[0].protect = NULL;
    tracks[1].protect = NULL;
    tracks[2].protect = NULL;
}


/*
 * Closed captions: Accessibility on the video AdaptationSet, after its
 * ContentProtection and before its SegmentTemplate, the union of its
 * Representations' services; nothing without captions
 */

static void
test_captions(void)
{
    char                   *s, *acc, *tmpl;
    sluice_status_t         rc;
    sluice_pprotect_t       cp;
    sluice_track_info_t     plain;
    sluice_presentation_t   p;

    fixture(&p, 5);

    plain = video_info;
    tracks[2].info = &plain;
    plain.captions = SLUICE_CAPTIONS_608_CC1;

    s = render(&p, SLUICE_FORMAT_DASH_CSF, &rc);
    CHECK(s && strstr(s, "maxWidth=\"1280\" maxHeight=\"720\">\n"
                      "      <Accessibility schemeIdUri=\"urn:scte:dash:cc:"
                      "cea-608:2015\" value=\"CC1=eng\"/>\n"
                      "      <SegmentTemplate ") != NULL);
    CHECK(s && count_of(s, "<Accessibility") == 1);
    free(s);

    /* every service, the language of the video */
    video_info.captions = SLUICE_CAPTIONS_608_CC3 | SLUICE_CAPTIONS_708;
    tracks[0].lang = (sluice_str_t) sluice_string("fra");
    tracks[2].lang = tracks[0].lang;

    s = render(&p, SLUICE_FORMAT_DASH_CMAF, &rc);
    CHECK(s && strstr(s, "      <Accessibility schemeIdUri=\"urn:scte:dash:cc:"
                      "cea-608:2015\" value=\"CC1=fra;CC3=fra\"/>\n"
                      "      <Accessibility schemeIdUri=\"urn:scte:dash:cc:"
                      "cea-708:2015\" value=\"1=lang:fra\"/>\n") != NULL);
    CHECK(s && count_of(s, "<Accessibility") == 2);
    free(s);

    /* field 2 alone; "und" is no language */
    plain.captions = 0;
    video_info.captions = SLUICE_CAPTIONS_608_CC3;
    tracks[0].lang = (sluice_str_t) sluice_string("und");
    tracks[2].lang = tracks[0].lang;

    s = render(&p, SLUICE_FORMAT_DASH_CSF, &rc);
    CHECK(s && strstr(s, "value=\"CC3=eng\"/>") != NULL);
    CHECK(s && count_of(s, "<Accessibility") == 1);
    free(s);

    /* after the ContentProtection */
    memset(&cp, 0, sizeof(cp));
    cp.scheme = 0x63656e63;
    tracks[0].protect = &cp;
    tracks[2].protect = &cp;

    s = render(&p, SLUICE_FORMAT_DASH_CMAF, &rc);
    acc = s ? strstr(s, "<Accessibility") : NULL;
    tmpl = acc ? strstr(acc, "<SegmentTemplate") : NULL;
    CHECK(acc && tmpl && strstr(s, "<ContentProtection") < acc
          && strstr(acc, "<ContentProtection") == NULL);
    free(s);

    tracks[0].protect = NULL;
    tracks[2].protect = NULL;

    /* none */
    video_info.captions = 0;
    s = render(&p, SLUICE_FORMAT_DASH_CSF, &rc);
    CHECK(s && count_of(s, "Accessibility") == 0);
    CHECK(s && count_of(s, "urn:scte:dash:cc") == 0);
    free(s);

    tracks[0].lang.len = 0;
    tracks[2].lang.len = 0;
}


/* AMS's OUT and IN samples (splice_insert 1002) */
static const uint8_t  scte35_out[] = {
    0xFC, 0x30, 0x25, 0x00, 0x00, 0x00, 0x00, 0x05, 0xDD, 0x00, 0xFF, 0xF0,
    0x14, 0x05, 0x00, 0x00, 0x03, 0xEA, 0x7F, 0xEF, 0xFE, 0x01, 0x64, 0x61,
    0xB8, 0xFE, 0x00, 0x52, 0x63, 0x63, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00,
    0xF2, 0x0D, 0x5E, 0x37
};
static const uint8_t  scte35_in[] = {
    0xFC, 0x30, 0x20, 0x00, 0x00, 0x00, 0x00, 0x05, 0xDD, 0x00, 0xFF, 0xF0,
    0x0F, 0x05, 0x00, 0x00, 0x03, 0xEA, 0x7F, 0x4F, 0xFE, 0x01, 0x65, 0xE4,
    0xD3, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00, 0x60, 0x7C, 0xE8, 0x5A
};


static void
cue_fixture(sluice_cue_t *c)
{
    memset(c, 0, 5 * sizeof(sluice_cue_t));

    /* SCTE-35 mode, OUT at 12 s for 30 s */
    c[0].kind = SLUICE_CUE_SPLICE_OUT;
    c[0].source = SLUICE_CUE_FROM_SCTE35;
    c[0].id = (sluice_str_t) sluice_string("1002");
    c[0].has_time = 1;
    c[0].time = 12000;
    c[0].duration = 30000;
    c[0].event_id = 1002;
    c[0].section.data = scte35_out;
    c[0].section.len = sizeof(scte35_out);

    /* simple mode at 14 s */
    c[1].kind = SLUICE_CUE_SPLICE_OUT;
    c[1].source = SLUICE_CUE_FROM_SIMPLE;
    c[1].id = (sluice_str_t) sluice_string("95766");
    c[1].has_time = 1;
    c[1].section_made = 1;
    c[1].time = 14000;
    c[1].duration = 30000;
    c[1].event_id = 95766;
    c[1].section.data = scte35_out;
    c[1].section.len = sizeof(scte35_out);

    /* timed metadata at 15 s (ID3 scheme) and at 15.5 s (another) */
    c[2].kind = SLUICE_CUE_METADATA;
    c[2].source = SLUICE_CUE_FROM_USERDATA;
    c[2].id = (sluice_str_t) sluice_string("7");
    c[2].has_time = 1;
    c[2].time = 15000;
    c[2].scheme_id_uri = (sluice_str_t)
                         sluice_string("https://aomedia.org/emsg/ID3");
    c[2].data = (sluice_str_t) sluice_string("hello");

    c[3] = c[2];
    c[3].id = (sluice_str_t) sluice_string("8");
    c[3].time = 15500;
    c[3].duration = 1000;
    c[3].scheme_id_uri = (sluice_str_t) sluice_string("urn:x:score&1");
    c[3].value = (sluice_str_t) sluice_string("v<1>");
    c[3].data.len = 0;

    /* the IN, ahead of the live edge */
    c[4] = c[0];
    c[4].kind = SLUICE_CUE_SPLICE_IN;
    c[4].id = (sluice_str_t) sluice_string("1003");
    c[4].time = 42000;
    c[4].duration = 0;
    c[4].section.data = scte35_in;
    c[4].section.len = sizeof(scte35_in);
}


/*
 * Cues: period-level EventStreams (xml+bin, Adobe simple mode, each
 * metadata scheme), presentation times on the media timeline with the
 * Period's presentationTimeOffset, and InbandEventStream on the video
 * AdaptationSet when the segments carry emsg
 */

static void
test_cues(void)
{
    char                   *s, *v, *a;
    uint32_t                i;
    sluice_cue_t            cues[5];
    sluice_status_t         rc;
    sluice_presentation_t   p;

    fixture(&p, 5);
    cue_fixture(cues);
    p.cues = cues;
    p.ncues = 5;
    p.inband_cues = 1;

    s = render(&p, SLUICE_FORMAT_DASH_CMAF, &rc);
    CHECK(s != NULL);
    if (s == NULL) {
        return;
    }

    if (getenv("SHOW")) {
        fputs(s, stdout);
    }

    CHECK(strstr(s,
        "  <Period id=\"0\" start=\"PT0S\">\n"
        "    <EventStream schemeIdUri=\"urn:scte:scte35:2014:xml+bin\" "
        "value=\"scte35\" timescale=\"10000000\">\n"
        "      <Event presentationTime=\"120000000\" duration=\"300000000\" "
        "id=\"1002\">\n"
        "        <scte35:Signal xmlns:scte35=\""
        "http://www.scte.org/schemas/35/2016\">\n"
        "          <scte35:Binary>/DAlAAAAAAXdAP/wFAUAAAPqf+/+AWRhuP4AUmNjAAEB"
        "AQAA8g1eNw==</scte35:Binary>\n"
        "        </scte35:Signal>\n"
        "      </Event>\n"
        "      <Event presentationTime=\"420000000\" id=\"1003\">\n"
        "        <scte35:Signal xmlns:scte35=\""
        "http://www.scte.org/schemas/35/2016\">\n"
        "          <scte35:Binary>/DAgAAAAAAXdAP/wDwUAAAPqf0/+AWXk0wABAQEAAGB8"
        "6Fo=</scte35:Binary>\n"
        "        </scte35:Signal>\n"
        "      </Event>\n"
        "    </EventStream>\n"
        "    <EventStream schemeIdUri=\"urn:com:adobe:dpi:simple:2015\" "
        "value=\"simplesignal\" timescale=\"10000000\">\n"
        "      <Event presentationTime=\"140000000\" duration=\"300000000\" "
        "id=\"95766\"/>\n"
        "    </EventStream>\n"
        "    <EventStream schemeIdUri=\"https://aomedia.org/emsg/ID3\" "
        "timescale=\"10000000\">\n"
        "      <Event presentationTime=\"150000000\" id=\"7\" "
        "contentEncoding=\"base64\">aGVsbG8=</Event>\n"
        "    </EventStream>\n"
        "    <EventStream schemeIdUri=\"urn:x:score&amp;1\" "
        "value=\"v&lt;1&gt;\" timescale=\"10000000\">\n"
        "      <Event presentationTime=\"155000000\" duration=\"10000000\" "
        "id=\"8\"/>\n"
        "    </EventStream>\n"
        "    <AdaptationSet id=\"0\" contentType=\"video\"") != NULL);

    /* in band: on the video AdaptationSet only */
    v = strstr(s, "contentType=\"video\"");
    a = strstr(s, "contentType=\"audio\"");
    CHECK(v && a && v < a);
    CHECK(v && strstr(v, "maxHeight=\"720\">\n"
        "      <InbandEventStream schemeIdUri=\"urn:scte:scte35:2013:bin\" "
        "value=\"\"/>\n"
        "      <InbandEventStream schemeIdUri=\"https://aomedia.org/emsg/"
        "ID3\" value=\"\"/>\n"
        "      <InbandEventStream schemeIdUri=\"urn:x:score&amp;1\" "
        "value=\"v&lt;1&gt;\"/>\n"
        "      <SegmentTemplate ") != NULL
          && strstr(v, "maxHeight=\"720\">\n") < a);
    CHECK(count_of(s, "<InbandEventStream") == 3);
    free(s);

    /* not carried: not signalled; no cues, no EventStream */
    p.inband_cues = 0;
    p.ncues = 0;
    s = render(&p, SLUICE_FORMAT_DASH_CSF, &rc);
    CHECK(s && count_of(s, "EventStream") == 0);
    free(s);

    /* audio alone carries them */
    p.inband_cues = 1;
    p.tracks = &tracks[1];
    p.ntracks = 1;
    s = render(&p, SLUICE_FORMAT_DASH_CSF, &rc);
    CHECK(s && count_of(s, "<InbandEventStream") == 2);
    free(s);

    /* Periods (test_periods): each cue in the Period it starts in */
    fixture(&p, 6);

    for (i = 3; i < 6; i++) {
        vfrags[i].time += 5 * 90000;
        v2frags[i].time += 5 * 90000;
        afrags[i].time += 5 * 48000 - 48;
    }

    vfrags[3].flags = SLUICE_PFRAG_DISCONTINUITY;
    v2frags[3].flags = SLUICE_PFRAG_DISCONTINUITY;
    afrags[3].flags = SLUICE_PFRAG_DISCONTINUITY;

    for (i = 0; i < 3; i++) {
        tracks[i].period_start = (i == 1) ? 240000 : 450000;
    }

    cue_fixture(cues);
    cues[0].time = 3000;            /* before the window, still running */
    cues[1].time = 15999;
    cues[4].time = 16000;
    p.cues = cues;
    p.ncues = 2;
    p.cues = cues;
    cues[2] = cues[4];
    p.ncues = 3;

    s = render(&p, SLUICE_FORMAT_DASH_CMAF, &rc);
    CHECK(s != NULL);
    if (s == NULL) {
        return;
    }

    if (getenv("SHOW")) {
        fputs(s, stdout);
    }

    CHECK(strstr(s,
        "  <Period id=\"5000\" start=\"PT5.000S\">\n"
        "    <EventStream schemeIdUri=\"urn:scte:scte35:2014:xml+bin\" "
        "value=\"scte35\" timescale=\"10000000\" "
        "presentationTimeOffset=\"50000000\">\n"
        "      <Event presentationTime=\"30000000\" duration=\"300000000\" "
        "id=\"1002\">\n") != NULL);
    CHECK(strstr(s,
        "    <EventStream schemeIdUri=\"urn:com:adobe:dpi:simple:2015\" "
        "value=\"simplesignal\" timescale=\"10000000\" "
        "presentationTimeOffset=\"50000000\">\n"
        "      <Event presentationTime=\"159990000\" duration=\"300000000\" "
        "id=\"95766\"/>\n"
        "    </EventStream>\n"
        "    <AdaptationSet id=\"0\"") != NULL);
    CHECK(strstr(s,
        "  <Period id=\"16000\" start=\"PT16.000S\">\n"
        "    <EventStream schemeIdUri=\"urn:scte:scte35:2014:xml+bin\" "
        "value=\"scte35\" timescale=\"10000000\" "
        "presentationTimeOffset=\"160000000\">\n"
        "      <Event presentationTime=\"160000000\" id=\"1003\">\n")
          != NULL);
    CHECK(count_of(s, "<EventStream ") == 3);
    CHECK(count_of(s, "<Event ") == 3);
    free(s);

    /* static: the first Period at PT0S, offset by its media time */
    p.ended = 1;
    s = render(&p, SLUICE_FORMAT_DASH_CSF, &rc);
    CHECK(s && strstr(s, "<Period id=\"10000\" start=\"PT0S\" "
                      "duration=\"PT6.000S\">\n"
                      "    <EventStream schemeIdUri=\"urn:scte:scte35:2014:"
                      "xml+bin\" value=\"scte35\" timescale=\"10000000\" "
                      "presentationTimeOffset=\"100000000\">\n") != NULL);
    free(s);
}


int
main(void)
{
    have_xmllint = (system("xmllint --version >/dev/null 2>&1") == 0);

    if (!have_xmllint) {
        printf("test_dash: xmllint missing, XML checks skipped\n");
    }

    test_live();
    test_timeline();
    test_periods();
    test_static();
    test_protection();
    test_sea();
    test_captions();
    test_cues();

    while (nallocated) {
        free(allocated[--nallocated]);
    }

    printf("test_dash: %d checks, %d failures\n", checks, failures);

    return failures ? 1 : 0;
}
