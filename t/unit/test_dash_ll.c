
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of low-latency DASH (sluice_dash.c): LL-DASH in live
 * mpd-time-cmaf MPDs (availabilityTimeOffset, the fragment in progress
 * in the SegmentTimeline, ServiceDescription, ProducerReferenceTime,
 * UTCTiming), LowLatency's delay, Sluice's time service.
 */


#include <stdlib.h>
#include <unistd.h>

#include "sluice_test.h"
#include "media/manifest/sluice_dash.h"


static sluice_track_info_t  video_info;
static sluice_track_info_t  audio_info;
static sluice_pfrag_t       vfrags[8];
static sluice_pfrag_t       afrags[8];
static sluice_ppart_t       vparts[16];
static sluice_ppart_t       aparts[16];
static sluice_ptrack_t      tracks[3];
static int                  have_xmllint;


/*
 * 720p and 360p video (one timeline), audio: 5 fragments of 2 s from
 * 10 s, then "progress" parts of 0.5 s of the fragment in progress
 */

static void
fixture(sluice_presentation_t *p, uint32_t progress)
{
    uint32_t  i;

    memset(p, 0, sizeof(sluice_presentation_t));
    memset(&video_info, 0, sizeof(sluice_track_info_t));
    memset(&audio_info, 0, sizeof(sluice_track_info_t));

    video_info.media_type = SLUICE_MEDIA_VIDEO;
    video_info.codec = SLUICE_CODEC_AVC;
    video_info.timescale = 90000;
    strcpy(video_info.codec_string, "avc1.64001f");

    audio_info.media_type = SLUICE_MEDIA_AUDIO;
    audio_info.codec = SLUICE_CODEC_AAC;
    audio_info.timescale = 48000;
    strcpy(audio_info.codec_string, "mp4a.40.2");

    for (i = 0; i < 5; i++) {
        vfrags[i].time = 900000 + (uint64_t) i * 180000;
        vfrags[i].duration = 180000;
        vfrags[i].seq = 5 + i;
        vfrags[i].flags = 0;
        afrags[i].time = 480000 + (uint64_t) i * 96000;
        afrags[i].duration = 96000;
        afrags[i].seq = 5 + i;
        afrags[i].flags = 0;
    }

    memset(vparts, 0, sizeof(vparts));
    memset(aparts, 0, sizeof(aparts));

    for (i = 0; i < progress; i++) {
        vparts[i].frag_time = 1800000;
        vparts[i].time = 1800000 + (uint64_t) i * 45000;
        vparts[i].duration = 45000;
        vparts[i].index = i;
        aparts[i].frag_time = 960000;
        aparts[i].time = 960000 + (uint64_t) i * 24000;
        aparts[i].duration = 24000;
        aparts[i].index = i;
    }

    memset(tracks, 0, sizeof(tracks));

    tracks[0].info = &video_info;
    tracks[0].name = (sluice_str_t) sluice_string("video");
    tracks[0].bitrate = 3000000;
    tracks[0].frags = vfrags;
    tracks[0].nfrags = 5;
    tracks[0].parts = vparts;
    tracks[0].nparts = progress;

    tracks[1].info = &audio_info;
    tracks[1].name = (sluice_str_t) sluice_string("audio");
    tracks[1].bitrate = 128000;
    tracks[1].frags = afrags;
    tracks[1].nfrags = 5;
    tracks[1].parts = aparts;
    tracks[1].nparts = progress;

    tracks[2] = tracks[0];
    tracks[2].bitrate = 1000000;

    p->tracks = tracks;
    p->ntracks = 3;
    p->live = 1;
    p->epoch_ms = 1795000000000LL;
    p->now_ms = p->epoch_ms + 20700;
    p->window_ms = 60000;
    p->fragment_ms = 2000;
    p->latency = SLUICE_LATENCY_LOW_V2;
    p->part_ms = 500;
}


static void
well_formed(const char *s)
{
    int    fd;
    FILE  *f;
    char   path[] = "/tmp/sluice_test_dash_ll.XXXXXX", cmd[128];

    if (!have_xmllint) {
        return;
    }

    fd = mkstemp(path);
    SL_CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }

    f = fdopen(fd, "w");
    fputs(s, f);
    fclose(f);

    snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
    SL_CHECK(system(cmd) == 0);
    unlink(path);
}


/* the MPD, sized then written; a byte short fails */

static char *
render(const sluice_presentation_t *p, sluice_format_t format)
{
    char          *s;
    sluice_buf_t   b;

    sluice_buf_init(&b, NULL, NULL, 0);
    if (sluice_dash_mpd(&b, p, format) != SLUICE_OK) {
        return NULL;
    }

    s = malloc(b.len + 1);
    if (s == NULL) {
        return NULL;
    }

    sluice_buf_init(&b, NULL, (uint8_t *) s, b.len);
    SL_CHECK_OK(sluice_dash_mpd(&b, p, format));
    s[b.len] = '\0';

    well_formed(s);

    return s;
}


static int
count_of(const char *s, const char *needle)
{
    int  n;

    for (n = 0; s && (s = strstr(s, needle)) != NULL; n++) {
        s += strlen(needle);
    }

    return n;
}


/* a before b in s, both there */

static int
before(const char *s, const char *a, const char *b)
{
    const char  *pa, *pb;

    pa = s ? strstr(s, a) : NULL;
    pb = s ? strstr(s, b) : NULL;

    return pa && pb && pa < pb;
}


static void
test_ll(void)
{
    char                   *s;
    sluice_presentation_t   p;

    fixture(&p, 2);
    p.utc_timing_url = (sluice_str_t) sluice_string("https://h/time?a=1&b");

    s = render(&p, SLUICE_FORMAT_DASH_CMAF);
    SL_CHECK(s != NULL);

    /* updates every part; the delay is the latency target */
    SL_CHECK(s && strstr(s, " minimumUpdatePeriod=\"PT0.500S\" "
                            "timeShiftBufferDepth=\"PT60.000S\" "
                            "suggestedPresentationDelay=\"PT2.000S\" ")
                  != NULL);

    SL_CHECK(s && strstr(s, "  <ServiceDescription id=\"0\">\n"
                            "    <Latency target=\"2000\" min=\"1000\" "
                            "max=\"6000\" referenceId=\"0\"/>\n"
                            "    <PlaybackRate min=\"0.96\" max=\"1.04\"/>\n"
                            "  </ServiceDescription>\n  <Period ") != NULL);

    /* each AdaptationSet: the wall clock of its first segment */
    SL_CHECK_EQ(count_of(s, "<ProducerReferenceTime "), 2);
    SL_CHECK(s && strstr(s, "      <ProducerReferenceTime id=\"0\" "
                            "type=\"encoder\" wallClockTime=\""
                            "2026-11-18T11:06:50.000Z\" "
                            "presentationTime=\"900000\">\n"
                            "        <UTCTiming schemeIdUri=\"urn:mpeg:dash:"
                            "utc:http-iso:2014\" value=\"https://h/time?a=1"
                            "&amp;b\"/>\n"
                            "        <UTCTiming schemeIdUri=\"urn:mpeg:dash:"
                            "utc:direct:2014\" value=\""
                            "2026-11-18T11:07:00.700Z\"/>\n"
                            "      </ProducerReferenceTime>\n") != NULL);
    SL_CHECK(s && strstr(s, "presentationTime=\"480000\">") != NULL);
    SL_CHECK(before(s, "<ProducerReferenceTime", "<SegmentTemplate"));

    /* a segment may be asked for 1.5 s early: once its first part is */
    SL_CHECK_EQ(count_of(s, " availabilityTimeOffset=\"1.500\" "
                            "availabilityTimeComplete=\"false\""), 2);
    SL_CHECK(s && strstr(s, "<SegmentTemplate timescale=\"90000\" "
                            "availabilityTimeOffset=\"1.500\" "
                            "availabilityTimeComplete=\"false\" media=")
                  != NULL);

    /* the fragment in progress, nominal 2 s: a sixth of the run */
    SL_CHECK(s && strstr(s, "<S t=\"900000\" d=\"180000\" r=\"5\"/>")
                  != NULL);
    SL_CHECK(s && strstr(s, "<S t=\"480000\" d=\"96000\" r=\"5\"/>") != NULL);

    /* the time service, then the direct time, at the end of the MPD */
    SL_CHECK(s && strstr(s, "  </Period>\n"
                            "  <UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:"
                            "http-iso:2014\" value=\"https://h/time?a=1"
                            "&amp;b\"/>\n"
                            "  <UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:"
                            "direct:2014\" value=\"2026-11-18T11:07:00.700Z"
                            "\"/>\n</MPD>\n") != NULL);
    free(s);

    /* the in-progress fragment's nominal duration differs: its own S */
    p.fragment_ms = 2100;
    s = render(&p, SLUICE_FORMAT_DASH_CMAF);
    SL_CHECK(s && strstr(s, "<S t=\"900000\" d=\"180000\" r=\"4\"/>\n"
                            "          <S d=\"189000\"/>\n") != NULL);
    SL_CHECK(s && strstr(s, "availabilityTimeOffset=\"1.600\"") != NULL);
    free(s);
}


/* no part of the fragment after the last yet; a hole; older Periods */

static void
test_progress(void)
{
    char                   *s;
    sluice_presentation_t   p;

    fixture(&p, 0);
    s = render(&p, SLUICE_FORMAT_DASH_CMAF);
    SL_CHECK(s && strstr(s, "<S t=\"900000\" d=\"180000\" r=\"4\"/>")
                  != NULL);
    SL_CHECK_EQ(count_of(s, "availabilityTimeOffset"), 2);
    free(s);

    /* parts after a hole: not the fragment that follows */
    fixture(&p, 2);
    vparts[0].frag_time = vparts[1].frag_time = 1890000;
    s = render(&p, SLUICE_FORMAT_DASH_CMAF);
    SL_CHECK(s && strstr(s, "<S t=\"900000\" d=\"180000\" r=\"4\"/>")
                  != NULL);
    SL_CHECK(s && strstr(s, "<S t=\"480000\" d=\"96000\" r=\"5\"/>") != NULL);
    free(s);

    /* two Periods: the fragment in progress in the last one only */
    fixture(&p, 1);
    vfrags[3].time += 90000;
    vfrags[4].time += 90000;
    vfrags[3].flags = SLUICE_PFRAG_DISCONTINUITY;
    vparts[0].frag_time = 1890000;
    tracks[0].nparts = 1;
    tracks[2].nparts = 1;
    afrags[3].time += 48000;
    afrags[4].time += 48000;
    afrags[3].flags = SLUICE_PFRAG_DISCONTINUITY;
    aparts[0].frag_time = 1008000;
    s = render(&p, SLUICE_FORMAT_DASH_CMAF);
    SL_CHECK_EQ(count_of(s, "<Period "), 2);
    SL_CHECK(s && strstr(s, "<S t=\"900000\" d=\"180000\" r=\"2\"/>")
                  != NULL);
    SL_CHECK(s && strstr(s, "<S t=\"1530000\" d=\"180000\" r=\"2\"/>")
                  != NULL);
    free(s);
}


/* LL only for live mpd-time-cmaf with parts; LowLatency; Default */

static void
test_modes(void)
{
    char                   *s;
    sluice_presentation_t   p;

    /* CSF: no LL-DASH; LowLatencyV2's shorter delay still */
    fixture(&p, 2);
    s = render(&p, SLUICE_FORMAT_DASH_CSF);
    SL_CHECK_EQ(count_of(s, "availabilityTime"), 0);
    SL_CHECK_EQ(count_of(s, "ServiceDescription"), 0);
    SL_CHECK_EQ(count_of(s, "ProducerReferenceTime"), 0);
    SL_CHECK(s && strstr(s, "minimumUpdatePeriod=\"PT2.000S\"") != NULL);
    SL_CHECK(s && strstr(s, "suggestedPresentationDelay=\"PT4.000S\"")
                  != NULL);
    SL_CHECK(s && strstr(s, "r=\"4\"/>") != NULL);
    free(s);

    /* LowLatency: 2 fragments of delay instead of 3 */
    p.latency = SLUICE_LATENCY_LOW;
    p.part_ms = 0;
    s = render(&p, SLUICE_FORMAT_DASH_CMAF);
    SL_CHECK(s && strstr(s, "suggestedPresentationDelay=\"PT4.000S\"")
                  != NULL);
    SL_CHECK_EQ(count_of(s, "availabilityTime"), 0);
    SL_CHECK(s && strstr(s, "r=\"4\"/>") != NULL);
    free(s);

    /* Default: as always; the time service when there is one */
    p.latency = SLUICE_LATENCY_DEFAULT;
    s = render(&p, SLUICE_FORMAT_DASH_CMAF);
    SL_CHECK(s && strstr(s, "minimumUpdatePeriod=\"PT2.000S\"") != NULL);
    SL_CHECK(s && strstr(s, "suggestedPresentationDelay=\"PT6.000S\"")
                  != NULL);
    SL_CHECK_EQ(count_of(s, "<UTCTiming "), 1);
    free(s);

    p.utc_timing_url = (sluice_str_t) sluice_string("http://h/time");
    s = render(&p, SLUICE_FORMAT_DASH_CMAF);
    SL_CHECK(s && strstr(s, "  <UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:"
                            "http-iso:2014\" value=\"http://h/time\"/>\n"
                            "  <UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:"
                            "direct:2014\"") != NULL);
    free(s);

    /* ended: static, none of it */
    fixture(&p, 2);
    p.ended = 1;
    p.utc_timing_url = (sluice_str_t) sluice_string("http://h/time");
    s = render(&p, SLUICE_FORMAT_DASH_CMAF);
    SL_CHECK(s && strstr(s, "type=\"static\"") != NULL);
    SL_CHECK_EQ(count_of(s, "availabilityTime"), 0);
    SL_CHECK_EQ(count_of(s, "ServiceDescription"), 0);
    SL_CHECK_EQ(count_of(s, "UTCTiming"), 0);
    SL_CHECK(s && strstr(s, "r=\"4\"/>") != NULL);
    free(s);
}


int
main(void)
{
    have_xmllint = (system("xmllint --version >/dev/null 2>&1") == 0);

    if (!have_xmllint) {
        printf("test_dash_ll: xmllint missing, XML checks skipped\n");
    }

    SL_RUN(test_ll);
    SL_RUN(test_progress);
    SL_RUN(test_modes);

    return SL_DONE();
}
