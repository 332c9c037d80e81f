
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the cue tags of HLS media playlists (sluice_hls.c):
 * EXT-X-DATERANGE, AMS's Adobe EXT-X-CUE repeated inside a break,
 * program date times, and the window of cues of a presentation
 * (sluice_presentation_cue_window()).
 */


#include <stdlib.h>

#include "sluice_test.h"
#include "media/manifest/sluice_hls.h"
#include "media/signal/sluice_adcue.h"


#define EPOCH  1600000000000LL     /* 2020-09-13T12:26:40.000Z */


static sluice_track_info_t  video_info;
static sluice_pfrag_t       vfrags[8];
static sluice_ptrack_t      track;

static const uint8_t  out_section[] = { 0xfc, 0x30, 0x01 };    /* "/DAB" */
static const uint8_t  in_section[] = { 0xfc, 0x30, 0x02 };     /* "/DAC" */
static const uint8_t  made_section[] = { 0xfc, 0x30, 0x03 };   /* "/DAD" */


/* 2 s fragments from 10 s: segments [10, 12), [12, 14) ... [24, 26) */

static void
fixture(sluice_presentation_t *p, uint32_t nfrags)
{
    uint32_t  i;

    memset(p, 0, sizeof(sluice_presentation_t));
    memset(&video_info, 0, sizeof(sluice_track_info_t));

    video_info.media_type = SLUICE_MEDIA_VIDEO;
    video_info.timescale = 90000;
    strcpy(video_info.codec_string, "avc1.64001f");

    for (i = 0; i < nfrags; i++) {
        vfrags[i].time = 900000 + (uint64_t) i * 180000;
        vfrags[i].duration = 180000;
        vfrags[i].seq = 5 + i;
        vfrags[i].flags = 0;
    }

    memset(&track, 0, sizeof(sluice_ptrack_t));
    track.info = &video_info;
    track.name = (sluice_str_t) sluice_string("video");
    track.bitrate = 3000000;
    track.frags = vfrags;
    track.nfrags = nfrags;

    p->tracks = &track;
    p->ntracks = 1;
    p->live = 1;
    p->epoch_ms = EPOCH;
    p->fragment_ms = 2000;
    p->fragments_per_segment = 1;
}


static sluice_cue_t
cue(uint32_t kind, const char *id, uint64_t time, uint64_t duration,
    const uint8_t *section, size_t len, uint32_t event_id)
{
    sluice_cue_t  c;

    memset(&c, 0, sizeof(sluice_cue_t));

    c.kind = kind;
    c.source = SLUICE_CUE_FROM_SCTE35;
    c.id.data = (const uint8_t *) id;
    c.id.len = strlen(id);
    c.has_time = 1;
    c.time = time;
    c.duration = duration;
    c.event_id = event_id;
    c.section.data = section;
    c.section.len = len;

    return c;
}


static char *
render(const sluice_presentation_t *p, sluice_format_t format)
{
    char            *s;
    size_t           size;
    sluice_buf_t     b;

    sluice_buf_init(&b, NULL, NULL, 0);
    if (sluice_hls_playlist(&b, p, &track, format, NULL) != SLUICE_OK) {
        return NULL;
    }

    size = b.len;
    s = malloc(size + 1);
    if (s == NULL) {
        return NULL;
    }

    sluice_buf_init(&b, NULL, (uint8_t *) s, size);
    if (sluice_hls_playlist(&b, p, &track, format, NULL) != SLUICE_OK
        || b.len != size)
    {
        free(s);
        return NULL;
    }

    s[size] = '\0';

    return s;
}


static void
check_text(const char *got, const char *want)
{
    SL_CHECK(got != NULL);

    if (got == NULL) {
        return;
    }

    SL_CHECK_STR_EQ(got, want);
}


#define HEAD(seq)                                                             \
    "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:2\n"                    \
    "#EXT-X-MEDIA-SEQUENCE:" seq "\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n"

#define SEG(t)                                                                \
    "#EXTINF:2.000,\nFragments(video=" t ",format=m3u8-aapl).ts\n"


/*
 * A break inside the window and its end, a simple-mode break at the
 * edge, one leaving the window, timed metadata and a cue past the media
 */

static void
test_cues(void)
{
    char                   *s;
    sluice_cue_t            cues[7];
    sluice_presentation_t   p;

    fixture(&p, 8);

    /* on until 11 s: the first segment is inside it */
    cues[0] = cue(SLUICE_CUE_SPLICE_OUT, "old", 5000, 6000, out_section, 3,
                  7);
    /* timed metadata: in the segments only */
    cues[1] = cue(SLUICE_CUE_METADATA, "meta", 11000, 0, NULL, 0, 0);
    /* a break 13 s - 18 s, ended by its splice in */
    cues[2] = cue(SLUICE_CUE_SPLICE_OUT, "1002", 13000, 5000, out_section, 3,
                  1002);
    cues[3] = cue(SLUICE_CUE_SPLICE_IN, "1003", 18000, 0, in_section, 3,
                  1002);
    /* simple mode, the section Sluice made, at the edge: on past 26 s */
    cues[4] = cue(SLUICE_CUE_SPLICE_OUT, "95766", 21500, 30000, made_section,
                  3, 95766);
    cues[4].source = SLUICE_CUE_FROM_SIMPLE;
    cues[4].section_made = 1;
    /* a command, and a cue past the media: not yet */
    cues[5] = cue(SLUICE_CUE_CMD, "cmd", 24000, 0, in_section, 3, 9);
    cues[6] = cue(SLUICE_CUE_SPLICE_OUT, "later", 30000, 1000, out_section,
                  3, 11);

    p.cues = cues;
    p.ncues = 7;

    s = render(&p, SLUICE_FORMAT_HLS_TS);
    check_text(s,
        HEAD("5")
        "#EXT-X-PROGRAM-DATE-TIME:2020-09-13T12:26:50.000Z\n"
        "#EXT-X-DATERANGE:ID=\"old\",START-DATE=\"2020-09-13T12:26:45.000Z\","
        "PLANNED-DURATION=6.000,SCTE35-OUT=0xFC3001\n"
        "#EXT-X-CUE:ID=\"old\",TYPE=\"scte35\",DURATION=6.000000,"
        "TIME=5.000000,CUE=\"/DAB\",ELAPSED=5.000000\n"
        SEG("900000")
        "#EXT-X-PROGRAM-DATE-TIME:2020-09-13T12:26:52.000Z\n"
        "#EXT-X-DATERANGE:ID=\"1002\",START-DATE=\"2020-09-13T12:26:53.000Z\","
        "PLANNED-DURATION=5.000,SCTE35-OUT=0xFC3001\n"
        "#EXT-X-CUE:ID=\"1002\",TYPE=\"scte35\",DURATION=5.000000,"
        "TIME=13.000000,CUE=\"/DAB\"\n"
        SEG("1080000")
        "#EXT-X-CUE:ID=\"1002\",TYPE=\"scte35\",DURATION=5.000000,"
        "TIME=13.000000,CUE=\"/DAB\",ELAPSED=1.000000\n"
        SEG("1260000")
        "#EXT-X-CUE:ID=\"1002\",TYPE=\"scte35\",DURATION=5.000000,"
        "TIME=13.000000,CUE=\"/DAB\",ELAPSED=3.000000\n"
        SEG("1440000")
        "#EXT-X-PROGRAM-DATE-TIME:2020-09-13T12:26:58.000Z\n"
        "#EXT-X-DATERANGE:ID=\"1002\",START-DATE=\"2020-09-13T12:26:53.000Z\","
        "DURATION=5.000,SCTE35-IN=0xFC3002\n"
        "#EXT-X-CUE:ID=\"1003\",TYPE=\"scte35\",DURATION=0.000000,"
        "TIME=18.000000,CUE=\"/DAC\"\n"
        SEG("1620000")
        "#EXT-X-PROGRAM-DATE-TIME:2020-09-13T12:27:00.000Z\n"
        "#EXT-X-DATERANGE:ID=\"95766\",START-DATE=\"2020-09-13T12:27:01.500Z\","
        "PLANNED-DURATION=30.000,SCTE35-OUT=0xFC3003\n"
        "#EXT-X-CUE:ID=95766,TYPE=\"SpliceOut\",DURATION=30.000000,"
        "TIME=21.500000\n"
        SEG("1800000")
        "#EXT-X-CUE:ID=95766,TYPE=\"SpliceOut\",DURATION=30.000000,"
        "TIME=21.500000,ELAPSED=0.500000\n"
        SEG("1980000")
        "#EXT-X-PROGRAM-DATE-TIME:2020-09-13T12:27:04.000Z\n"
        "#EXT-X-DATERANGE:ID=\"cmd\",START-DATE=\"2020-09-13T12:27:04.000Z\","
        "SCTE35-CMD=0xFC3002\n"
        "#EXT-X-CUE:ID=95766,TYPE=\"SpliceOut\",DURATION=30.000000,"
        "TIME=21.500000,ELAPSED=2.500000\n"
        "#EXT-X-CUE:ID=\"cmd\",TYPE=\"scte35\",DURATION=0.000000,"
        "TIME=24.000000,CUE=\"/DAC\"\n"
        SEG("2160000"));
    free(s);

    /*
     * the window slid by two segments: "old" left it (it ended at 11 s),
     * the first segment is inside the 13 s break
     */

    track.frags = vfrags + 2;
    track.nfrags = 2;
    vfrags[2].seq = 7;

    s = render(&p, SLUICE_FORMAT_HLS_TS);
    check_text(s,
        HEAD("7")
        "#EXT-X-PROGRAM-DATE-TIME:2020-09-13T12:26:54.000Z\n"
        "#EXT-X-DATERANGE:ID=\"1002\",START-DATE=\"2020-09-13T12:26:53.000Z\","
        "PLANNED-DURATION=5.000,SCTE35-OUT=0xFC3001\n"
        "#EXT-X-CUE:ID=\"1002\",TYPE=\"scte35\",DURATION=5.000000,"
        "TIME=13.000000,CUE=\"/DAB\",ELAPSED=1.000000\n"
        SEG("1260000")
        "#EXT-X-CUE:ID=\"1002\",TYPE=\"scte35\",DURATION=5.000000,"
        "TIME=13.000000,CUE=\"/DAB\",ELAPSED=3.000000\n"
        SEG("1440000"));
    free(s);

    /* past the break: no cue tag, no date (program_date_time is off) */

    track.frags = vfrags + 4;
    track.nfrags = 1;

    s = render(&p, SLUICE_FORMAT_HLS_TS);
    check_text(s, HEAD("9")
        "#EXT-X-PROGRAM-DATE-TIME:2020-09-13T12:26:58.000Z\n"
        "#EXT-X-DATERANGE:ID=\"1002\",START-DATE=\"2020-09-13T12:26:53.000Z\","
        "DURATION=5.000,SCTE35-IN=0xFC3002\n"
        "#EXT-X-CUE:ID=\"1003\",TYPE=\"scte35\",DURATION=0.000000,"
        "TIME=18.000000,CUE=\"/DAC\"\n"
        SEG("1620000"));
    free(s);

    /* the next segment, without the simple-mode break: none left */
    track.frags = vfrags + 5;
    track.nfrags = 1;
    p.ncues = 4;
    s = render(&p, SLUICE_FORMAT_HLS_TS);
    check_text(s, HEAD("10") SEG("1800000"));
    free(s);

    /* only timed metadata: the playlist of no cue */
    p.cues = &cues[1];
    p.ncues = 1;
    track.frags = vfrags;
    track.nfrags = 1;
    s = render(&p, SLUICE_FORMAT_HLS_TS);
    check_text(s, HEAD("5") SEG("900000"));
    free(s);
}


/* CMAF playlists get the same tags; I-frame playlists none */

static void
test_cmaf(void)
{
    char                   *s;
    sluice_cue_t            c;
    sluice_presentation_t   p;

    fixture(&p, 2);

    c = cue(SLUICE_CUE_SPLICE_OUT, "7", 12500, 0, out_section, 3, 7);
    p.cues = &c;
    p.ncues = 1;
    p.program_date_time = 1;

    s = render(&p, SLUICE_FORMAT_HLS_CMAF);
    check_text(s,
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n"
        "#EXT-X-MEDIA-SEQUENCE:5\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n"
        "#EXT-X-MAP:URI=\"Fragments(video=i,format=m3u8-cmaf).mp4\"\n"
        "#EXT-X-PROGRAM-DATE-TIME:2020-09-13T12:26:50.000Z\n"
        "#EXTINF:2.000,\nFragments(video=900000,format=m3u8-cmaf).m4s\n"
        "#EXT-X-PROGRAM-DATE-TIME:2020-09-13T12:26:52.000Z\n"
        "#EXT-X-DATERANGE:ID=\"7\",START-DATE=\"2020-09-13T12:26:52.500Z\","
        "SCTE35-OUT=0xFC3001\n"
        "#EXT-X-CUE:ID=\"7\",TYPE=\"scte35\",DURATION=0.000000,"
        "TIME=12.500000,CUE=\"/DAB\"\n"
        "#EXTINF:2.000,\nFragments(video=1080000,format=m3u8-cmaf).m4s\n");
    free(s);
}


/* a simple-mode cue without a section: no SCTE35 attribute */

static void
test_no_section(void)
{
    char                   *s;
    sluice_cue_t            c;
    sluice_presentation_t   p;

    fixture(&p, 1);

    c = cue(SLUICE_CUE_SPLICE_OUT, "", 10000, 2000, NULL, 0, 0);
    c.source = SLUICE_CUE_FROM_SIMPLE;
    p.cues = &c;
    p.ncues = 1;

    s = render(&p, SLUICE_FORMAT_HLS_TS);
    check_text(s, HEAD("5")
        "#EXT-X-PROGRAM-DATE-TIME:2020-09-13T12:26:50.000Z\n"
        "#EXT-X-DATERANGE:ID=\"10000\",START-DATE=\"2020-09-13T12:26:50.000Z\","
        "PLANNED-DURATION=2.000\n"
        "#EXT-X-CUE:ID=10000,TYPE=\"SpliceOut\",DURATION=2.000000,"
        "TIME=10.000000\n"
        SEG("900000"));
    free(s);
}


static void
test_window(void)
{
    sluice_cue_t            cues[5];
    sluice_presentation_t   p;

    fixture(&p, 8);     /* media 10 s - 26 s */

    cues[0] = cue(SLUICE_CUE_SPLICE_OUT, "a", 1000, 2000, out_section, 3, 1);
    cues[1] = cue(SLUICE_CUE_SPLICE_OUT, "b", 5000, 6000, out_section, 3, 2);
    cues[2] = cue(SLUICE_CUE_METADATA, "c", 10000, 0, NULL, 0, 0);
    cues[3] = cue(SLUICE_CUE_SPLICE_IN, "d", 26000, 0, in_section, 3, 3);
    cues[4] = cue(SLUICE_CUE_SPLICE_OUT, "e", 40000, 0, out_section, 3, 4);

    /* live: from the first that overlaps, ahead of the media too */
    p.cues = cues;
    p.ncues = 5;
    sluice_presentation_cue_window(&p);
    SL_CHECK(p.cues == &cues[1]);
    SL_CHECK_EQ(p.ncues, 4);

    /* ended: up to the last that begins before the end */
    p.cues = cues;
    p.ncues = 5;
    p.live = 0;
    p.ended = 1;
    sluice_presentation_cue_window(&p);
    SL_CHECK(p.cues == &cues[1]);
    SL_CHECK_EQ(p.ncues, 2);

    /* a window past them all */
    track.frags = vfrags + 7;
    track.nfrags = 1;
    p.cues = cues;
    p.ncues = 3;
    sluice_presentation_cue_window(&p);
    SL_CHECK(p.cues == NULL);
    SL_CHECK_EQ(p.ncues, 0);
}


int
main(void)
{
    SL_RUN(test_cues);
    SL_RUN(test_cmaf);
    SL_RUN(test_no_section);
    SL_RUN(test_window);

    return SL_DONE();
}
