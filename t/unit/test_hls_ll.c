
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of low-latency HLS (sluice_hls.c): the LL-HLS tags of
 * m3u8-cmaf media playlists (EXT-X-SERVER-CONTROL, EXT-X-PART-INF,
 * EXT-X-PART, EXT-X-PRELOAD-HINT, EXT-X-RENDITION-REPORT, EXT-X-SKIP),
 * the blocking reload check (sluice_hls_ll_check()) and LowLatency's
 * HOLD-BACK.
 */


#include <stdlib.h>

#include "sluice_test.h"
#include "media/manifest/sluice_hls.h"
#include "media/signal/sluice_adcue.h"


#define EPOCH  1795000000000LL     /* 10 s of timeline: ...11:06:50.000Z */
#define NF     16
#define NP     96


static sluice_track_info_t  video_info;
static sluice_track_info_t  audio_info;
static sluice_pfrag_t       vfrags[NF];
static sluice_pfrag_t       afrags[NF];
static sluice_ppart_t       vparts[NP];
static sluice_ppart_t       aparts[NP];
static sluice_ptrack_t      tracks[3];

static const sluice_hls_enc_t  *render_enc;


/* the parts of the fragment at time: n of d, the first independent */

static uint32_t
add_parts(sluice_ppart_t *parts, uint32_t np, uint64_t time, uint32_t n,
    uint32_t d)
{
    uint32_t  k;

    for (k = 0; k < n && np < NP; k++, np++) {
        memset(&parts[np], 0, sizeof(sluice_ppart_t));
        parts[np].frag_time = time;
        parts[np].time = time + (uint64_t) k * d;
        parts[np].duration = d;
        parts[np].index = k;
        parts[np].flags = (k == 0) ? SLUICE_PPART_INDEPENDENT : 0;
        parts[np].size = 1000;
    }

    return np;
}


/*
 * Video 720p (+ a 360p copy) and audio: nfrags fragments of 2 s from 10 s
 * (seq 5...), the 4 parts of 0.5 s of the last "whole" of them, then
 * "progress" parts of the fragment in progress
 */

static void
fixture(sluice_presentation_t *p, uint32_t nfrags, uint32_t whole,
    uint32_t progress)
{
    uint32_t  i, nv, na;

    memset(p, 0, sizeof(sluice_presentation_t));
    memset(&video_info, 0, sizeof(sluice_track_info_t));
    memset(&audio_info, 0, sizeof(sluice_track_info_t));

    video_info.media_type = SLUICE_MEDIA_VIDEO;
    video_info.timescale = 90000;
    strcpy(video_info.codec_string, "avc1.64001f");

    audio_info.media_type = SLUICE_MEDIA_AUDIO;
    audio_info.timescale = 48000;
    strcpy(audio_info.codec_string, "mp4a.40.2");

    nv = 0;
    na = 0;

    for (i = 0; i < nfrags; i++) {
        vfrags[i].time = 900000 + (uint64_t) i * 180000;
        vfrags[i].duration = 180000;
        vfrags[i].seq = 5 + i;
        vfrags[i].flags = 0;
        afrags[i].time = 480000 + (uint64_t) i * 96000;
        afrags[i].duration = 96000;
        afrags[i].seq = 5 + i;
        afrags[i].flags = 0;

        if (i + whole >= nfrags) {
            nv = add_parts(vparts, nv, vfrags[i].time, 4, 45000);
            na = add_parts(aparts, na, afrags[i].time, 4, 24000);
        }
    }

    nv = add_parts(vparts, nv, 900000 + (uint64_t) nfrags * 180000, progress,
                   45000);
    na = add_parts(aparts, na, 480000 + (uint64_t) nfrags * 96000, progress,
                   24000);

    memset(tracks, 0, sizeof(tracks));

    tracks[0].info = &video_info;
    tracks[0].name = (sluice_str_t) sluice_string("video");
    tracks[0].bitrate = 3000000;
    tracks[0].frags = vfrags;
    tracks[0].nfrags = nfrags;
    tracks[0].parts = vparts;
    tracks[0].nparts = nv;

    tracks[1].info = &audio_info;
    tracks[1].name = (sluice_str_t) sluice_string("audio");
    tracks[1].bitrate = 128000;
    tracks[1].frags = afrags;
    tracks[1].nfrags = nfrags;
    tracks[1].parts = aparts;
    tracks[1].nparts = na;

    tracks[2] = tracks[0];
    tracks[2].bitrate = 1000000;

    p->tracks = tracks;
    p->ntracks = 3;
    p->live = 1;
    p->epoch_ms = EPOCH;
    p->now_ms = EPOCH + 21000;
    p->fragment_ms = 2000;
    p->latency = SLUICE_LATENCY_LOW_V2;
    p->part_ms = 500;
}


/* the media playlist of t; sized first, written again one byte short */

static char *
render(const sluice_presentation_t *p, const sluice_ptrack_t *t,
    sluice_format_t format)
{
    char          *s;
    size_t         size;
    sluice_buf_t   b;

    sluice_buf_init(&b, NULL, NULL, 0);
    if (sluice_hls_playlist(&b, p, t, format, render_enc) != SLUICE_OK) {
        return NULL;
    }

    size = b.len;
    s = malloc(size + 1);
    if (s == NULL) {
        return NULL;
    }

    sluice_buf_init(&b, NULL, (uint8_t *) s, size - 1);
    SL_CHECK(sluice_hls_playlist(&b, p, t, format, render_enc)
             == SLUICE_NO_MEMORY);

    sluice_buf_init(&b, NULL, (uint8_t *) s, size);
    if (sluice_hls_playlist(&b, p, t, format, render_enc) != SLUICE_OK
        || b.len != size)
    {
        free(s);
        return NULL;
    }

    s[size] = '\0';

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


/* "1.500" -> 1500 */

static long
ms_of(const char *v)
{
    long  s, frac;

    s = strtol(v, (char **) &v, 10);
    frac = 0;

    if (*v == '.') {
        frac = strtol(v + 1, NULL, 10);
    }

    return s * 1000 + frac;
}


/* the time and part of a "Fragments({track}=T,...[,part=N])" URI */

static void
uri_of(const char *v, unsigned long long *time, long *part)
{
    size_t       n;
    const char  *q;

    q = strchr(v, '=');
    *time = q ? strtoull(q + 1, NULL, 10) : 0;

    n = strcspn(v, ")\n");
    q = strstr(v, ",part=");
    *part = (q && (size_t) (q - v) < n) ? strtol(q + 6, NULL, 10) : -1;
}


/*
 * What the playlist says, line by line: each segment's parts numbered
 * from 0 and adding up to its EXTINF, each part at most PART-TARGET, the
 * parts after the last segment those of the fragment that follows it,
 * the preload hint the part after the last one.  Returns the number of
 * parts; *trailing those after the last segment.
 */

typedef struct {
    int                  parts;
    int                  trailing;
    long                 part_target;
    long                 hint_part;
    unsigned long long   hint_time;
    unsigned long long   next_time;     /* end of the last segment */
} ll_lines_t;


static void
check_lines(const char *s, uint32_t timescale, ll_lines_t *r)
{
    long                 sum, dur, want, part, last_part;
    const char          *line, *nl;
    unsigned long long   time, part_time, seg_time;

    memset(r, 0, sizeof(ll_lines_t));
    r->hint_part = -1;
    sum = 0;
    last_part = -1;
    part_time = 0;
    want = 0;
    dur = 0;

    for (line = s; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');

        if (strncmp(line, "#EXT-X-PART-INF:PART-TARGET=", 28) == 0) {
            r->part_target = ms_of(line + 28);

        } else if (strncmp(line, "#EXT-X-PART:DURATION=", 21) == 0) {
            dur = ms_of(line + 21);
            SL_CHECK(dur <= r->part_target);
            uri_of(strstr(line, "URI=\"") + 5, &time, &part);

            if (part == 0) {
                part_time = time;
                SL_CHECK(strstr(line, ",INDEPENDENT=YES\n") == nl - 16);

            } else {
                SL_CHECK_EQ(part, last_part + 1);
                SL_CHECK_UEQ(time, part_time);
            }

            last_part = part;
            sum += dur;
            r->parts++;
            r->trailing++;

        } else if (strncmp(line, "#EXTINF:", 8) == 0) {
            want = ms_of(line + 8);

            if (r->trailing) {
                SL_CHECK_EQ(sum, want);
            }

            uri_of(nl + 1, &seg_time, &part);
            SL_CHECK_EQ(part, -1);

            if (r->trailing) {
                SL_CHECK_UEQ(seg_time, part_time);
            }

            r->next_time = seg_time + (unsigned long long) want * timescale
                                      / 1000;
            sum = 0;
            r->trailing = 0;
            last_part = -1;

        } else if (strncmp(line, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"",
                           35) == 0)
        {
            uri_of(line + 35, &r->hint_time, &r->hint_part);
        }
    }

    if (r->trailing) {
        /* the fragment in progress follows the last segment */
        SL_CHECK_UEQ(part_time, r->next_time);
        SL_CHECK_EQ(r->hint_part, last_part + 1);
        SL_CHECK_UEQ(r->hint_time, part_time);

    } else if (r->hint_part >= 0) {
        SL_CHECK_EQ(r->hint_part, 0);
        SL_CHECK_UEQ(r->hint_time, r->next_time);
    }
}


/* 5 segments, the parts of the last 3, 2 parts of the fragment after */

static void
test_playlist(void)
{
    char                   *s;
    ll_lines_t              r;
    sluice_presentation_t   p;

    fixture(&p, 5, 3, 2);

    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK_STR_EQ(s,
        "#EXTM3U\n"
        "#EXT-X-VERSION:9\n"
        "#EXT-X-TARGETDURATION:2\n"
        "#EXT-X-MEDIA-SEQUENCE:5\n"
        "#EXT-X-DISCONTINUITY-SEQUENCE:0\n"
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,"
        "CAN-SKIP-UNTIL=12.000\n"
        "#EXT-X-PART-INF:PART-TARGET=0.500\n"
        "#EXT-X-MAP:URI=\"Fragments(video=i,format=m3u8-cmaf).mp4\"\n"
        "#EXT-X-PROGRAM-DATE-TIME:2026-11-18T11:06:50.000Z\n"
        "#EXTINF:2.000,\n"
        "Fragments(video=900000,format=m3u8-cmaf).m4s\n"
        "#EXTINF:2.000,\n"
        "Fragments(video=1080000,format=m3u8-cmaf).m4s\n"
        /* 14 s: more than 3 target durations from the end (21 s) */
        "#EXTINF:2.000,\n"
        "Fragments(video=1260000,format=m3u8-cmaf).m4s\n"
        "#EXT-X-PART:DURATION=0.500,URI=\"Fragments(video=1440000,"
        "format=m3u8-cmaf,part=0).m4s\",INDEPENDENT=YES\n"
        "#EXT-X-PART:DURATION=0.500,URI=\"Fragments(video=1440000,"
        "format=m3u8-cmaf,part=1).m4s\"\n"
        "#EXT-X-PART:DURATION=0.500,URI=\"Fragments(video=1440000,"
        "format=m3u8-cmaf,part=2).m4s\"\n"
        "#EXT-X-PART:DURATION=0.500,URI=\"Fragments(video=1440000,"
        "format=m3u8-cmaf,part=3).m4s\"\n"
        "#EXTINF:2.000,\n"
        "Fragments(video=1440000,format=m3u8-cmaf).m4s\n"
        "#EXT-X-PART:DURATION=0.500,URI=\"Fragments(video=1620000,"
        "format=m3u8-cmaf,part=0).m4s\",INDEPENDENT=YES\n"
        "#EXT-X-PART:DURATION=0.500,URI=\"Fragments(video=1620000,"
        "format=m3u8-cmaf,part=1).m4s\"\n"
        "#EXT-X-PART:DURATION=0.500,URI=\"Fragments(video=1620000,"
        "format=m3u8-cmaf,part=2).m4s\"\n"
        "#EXT-X-PART:DURATION=0.500,URI=\"Fragments(video=1620000,"
        "format=m3u8-cmaf,part=3).m4s\"\n"
        "#EXTINF:2.000,\n"
        "Fragments(video=1620000,format=m3u8-cmaf).m4s\n"
        "#EXT-X-PART:DURATION=0.500,URI=\"Fragments(video=1800000,"
        "format=m3u8-cmaf,part=0).m4s\",INDEPENDENT=YES\n"
        "#EXT-X-PART:DURATION=0.500,URI=\"Fragments(video=1800000,"
        "format=m3u8-cmaf,part=1).m4s\"\n"
        "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"Fragments(video=1800000,"
        "format=m3u8-cmaf,part=2).m4s\"\n"
        "#EXT-X-RENDITION-REPORT:URI=\"../QualityLevels(128000)/"
        "Manifest(audio,format=m3u8-cmaf)\",LAST-MSN=10,LAST-PART=1\n"
        "#EXT-X-RENDITION-REPORT:URI=\"../QualityLevels(1000000)/"
        "Manifest(video,format=m3u8-cmaf)\",LAST-MSN=10,LAST-PART=1\n");

    check_lines(s, 90000, &r);
    SL_CHECK_EQ(r.parts, 10);
    SL_CHECK_EQ(r.trailing, 2);
    free(s);

    /* audio: its own timescale; reports of both video renditions */
    s = render(&p, &tracks[1], SLUICE_FORMAT_HLS_CMAF);
    check_lines(s, 48000, &r);
    SL_CHECK_EQ(r.parts, 10);
    SL_CHECK(strstr(s, "#EXT-X-PART:DURATION=0.500,URI=\"Fragments("
                    "audio=960000,format=m3u8-cmaf,part=1).m4s\"\n"
                    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"Fragments("
                    "audio=960000,format=m3u8-cmaf,part=2).m4s\"\n"
                    "#EXT-X-RENDITION-REPORT:URI=\"../QualityLevels("
                    "3000000)/Manifest(video,format=m3u8-cmaf)\","
                    "LAST-MSN=10,LAST-PART=1\n"
                    "#EXT-X-RENDITION-REPORT:URI=\"../QualityLevels("
                    "1000000)/Manifest(video,format=m3u8-cmaf)\","
                    "LAST-MSN=10,LAST-PART=1\n") != NULL);
    SL_CHECK_EQ(count_of(s, "#EXT-X-RENDITION-REPORT:"), 2);
    free(s);

    /* the last part of a fragment in progress is its last one so far */
    fixture(&p, 5, 3, 3);
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    check_lines(s, 90000, &r);
    SL_CHECK_EQ(r.trailing, 3);
    SL_CHECK_EQ(r.hint_part, 3);
    free(s);

    /*
     * ... unless it is marked the last of its fragment (cut, the
     * fragment not indexed yet): the hint is part 0 of the next one,
     * which starts where that part ends
     */
    vparts[tracks[0].nparts - 1].flags |= SLUICE_PPART_LAST;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK(strstr(s, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"Fragments("
                    "video=1935000,format=m3u8-cmaf,part=0).m4s\"\n")
             != NULL);
    free(s);
}


/* nothing in progress: the hint is part 0 of the next fragment */

static void
test_between(void)
{
    char                   *s;
    int64_t                 part;
    uint64_t                msn;
    ll_lines_t              r;
    sluice_presentation_t   p;

    fixture(&p, 5, 2, 0);

    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    check_lines(s, 90000, &r);
    SL_CHECK_EQ(r.parts, 8);
    SL_CHECK_EQ(r.trailing, 0);
    SL_CHECK(strstr(s, "Fragments(video=1620000,format=m3u8-cmaf).m4s\n"
                    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"Fragments("
                    "video=1800000,format=m3u8-cmaf,part=0).m4s\"\n"
                    "#EXT-X-RENDITION-REPORT:URI=\"../QualityLevels("
                    "128000)/Manifest(audio,format=m3u8-cmaf)\","
                    "LAST-MSN=9,LAST-PART=3\n") != NULL);
    free(s);

    SL_CHECK(sluice_hls_ll_last(&p, &tracks[0], &msn, &part));
    SL_CHECK_UEQ(msn, 9);
    SL_CHECK_EQ(part, 3);

    /* no parts at all (still the first of a stream): no LAST-PART */
    tracks[1].nparts = 0;
    SL_CHECK(sluice_hls_ll_last(&p, &tracks[1], &msn, &part));
    SL_CHECK_UEQ(msn, 9);
    SL_CHECK_EQ(part, -1);
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK(strstr(s, "Manifest(audio,format=m3u8-cmaf)\",LAST-MSN=9\n")
             != NULL);
    free(s);

    /* no segment yet: no parts, no hint, no number to report */
    fixture(&p, 0, 0, 2);
    SL_CHECK(!sluice_hls_ll_last(&p, &tracks[0], &msn, &part));
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK(s && strstr(s, "#EXT-X-MEDIA-SEQUENCE:0\n") != NULL);
    SL_CHECK_EQ(count_of(s, "#EXT-X-PART:"), 0);
    SL_CHECK_EQ(count_of(s, "PRELOAD-HINT"), 0);
    SL_CHECK_EQ(count_of(s, "RENDITION-REPORT"), 0);
    SL_CHECK(s && strstr(s, "#EXT-X-PART-INF:PART-TARGET=0.500\n") != NULL);
    free(s);
}


/* parts that cannot be listed: incomplete, after a hole, too old */

static void
test_unlisted(void)
{
    char                   *s;
    int64_t                 part;
    uint64_t                msn;
    ll_lines_t              r;
    sluice_presentation_t   p;

    /* the first part of fragment 3 is gone: only fragment 4's listed */
    fixture(&p, 5, 2, 1);
    tracks[0].parts = vparts + 1;
    tracks[0].nparts--;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    check_lines(s, 90000, &r);
    SL_CHECK_EQ(r.parts, 5);
    SL_CHECK_EQ(count_of(s, "video=1440000,format=m3u8-cmaf,part="), 0);
    free(s);

    /* parts that do not add up to their fragment */
    fixture(&p, 5, 2, 1);
    vparts[6].duration = 44999;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    check_lines(s, 90000, &r);
    SL_CHECK_EQ(r.parts, 1);
    free(s);

    /*
     * a hole before the fragment in progress: it waits for its
     * EXT-X-DISCONTINUITY (once complete), no hint of it or of a part
     * that will not come
     */
    fixture(&p, 5, 2, 2);
    vparts[8].frag_time += 90000;
    vparts[9].frag_time += 90000;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    check_lines(s, 90000, &r);
    SL_CHECK_EQ(r.parts, 8);
    SL_CHECK_EQ(r.trailing, 0);
    SL_CHECK_EQ(count_of(s, "PRELOAD-HINT"), 0);
    free(s);
    SL_CHECK(sluice_hls_ll_last(&p, &tracks[0], &msn, &part));
    SL_CHECK_UEQ(msn, 9);
    SL_CHECK_EQ(part, 3);

    /* a part in progress not numbered from 0 */
    fixture(&p, 5, 2, 2);
    vparts[8].index = 1;
    vparts[9].index = 2;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    check_lines(s, 90000, &r);
    SL_CHECK_EQ(r.trailing, 0);
    free(s);

    /* parts of every fragment: those of the last 3 target durations */
    fixture(&p, 8, 8, 0);
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    check_lines(s, 90000, &r);
    SL_CHECK_EQ(r.parts, 12);
    free(s);
}


/* a part longer than the target (a long frame) raises PART-TARGET */

static void
test_long_part(void)
{
    char                   *s;
    ll_lines_t              r;
    sluice_presentation_t   p;

    fixture(&p, 5, 2, 2);
    vparts[9].duration = 54000;             /* 0.6 s */

    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    check_lines(s, 90000, &r);
    SL_CHECK_EQ(r.part_target, 600);
    SL_CHECK(strstr(s, "PART-HOLD-BACK=1.800,") != NULL);
    SL_CHECK(strstr(s, "#EXT-X-PART:DURATION=0.600,") != NULL);
    free(s);

    /* the audio playlist says the same (one SERVER-CONTROL per master) */
    s = render(&p, &tracks[1], SLUICE_FORMAT_HLS_CMAF);
    check_lines(s, 48000, &r);
    SL_CHECK_EQ(r.part_target, 600);
    SL_CHECK(strstr(s, "PART-HOLD-BACK=1.800,") != NULL);
    free(s);
}


/* _HLS_skip: delta updates */

static void
test_skip(void)
{
    char                   *s, *full, *a, *b;
    ll_lines_t              r;
    sluice_cue_t            cues[2];
    sluice_presentation_t   p;

    static const uint8_t  section[] = { 0xfc, 0x30, 0x01 };

    /* 10 segments, 10 s to 30 s: the boundary is 30 - 12 = 18 s */
    fixture(&p, 10, 2, 1);
    p.hls_skip = SLUICE_HLS_SKIP_YES;

    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK(s && strstr(s, "#EXT-X-VERSION:9\n") != NULL);
    SL_CHECK(s && strstr(s, "#EXT-X-MEDIA-SEQUENCE:5\n") != NULL);
    SL_CHECK(s && strstr(s, "#EXT-X-MAP:URI=\"Fragments(video=i,"
                            "format=m3u8-cmaf).mp4\"\n"
                            "#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n"
                            "#EXT-X-PROGRAM-DATE-TIME:2026-11-18T11:06:58"
                            ".000Z\n#EXTINF:2.000,\nFragments(video=1620000,"
                            "format=m3u8-cmaf).m4s\n") != NULL);
    SL_CHECK_EQ(count_of(s, "#EXTINF:"), 6);
    SL_CHECK_EQ(count_of(s, "#EXT-X-PROGRAM-DATE-TIME:"), 1);
    check_lines(s, 90000, &r);
    SL_CHECK_EQ(r.parts, 9);
    free(s);

    /* v2 is answered as YES: CAN-SKIP-DATERANGES is not offered */
    p.hls_skip = SLUICE_HLS_SKIP_V2;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK(s && strstr(s, "#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n") != NULL);
    SL_CHECK_EQ(count_of(s, "CAN-SKIP-DATERANGES"), 0);
    SL_CHECK_EQ(count_of(s, "RECENTLY-REMOVED"), 0);
    free(s);

    /*
     * a discontinuity in the skipped segments: the sequence at the top
     * stays; one after the boundary is written
     */
    vfrags[2].flags = SLUICE_PFRAG_DISCONTINUITY;
    vfrags[6].flags = SLUICE_PFRAG_DISCONTINUITY;
    tracks[0].discontinuities_before = 2;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK(s && strstr(s, "#EXT-X-DISCONTINUITY-SEQUENCE:2\n") != NULL);
    SL_CHECK_EQ(count_of(s, "#EXT-X-DISCONTINUITY\n"), 1);
    SL_CHECK(s && strstr(s, "#EXT-X-DISCONTINUITY\n"
                            "#EXT-X-PROGRAM-DATE-TIME:2026-11-18T11:07:02"
                            ".000Z\n#EXTINF:2.000,\nFragments(video=1980000,")
                  != NULL);
    free(s);
    vfrags[2].flags = 0;
    vfrags[6].flags = 0;

    /*
     * cues: a break from 13 s to 19 s (out in a skipped segment, in
     * after the boundary): the date range stays, after EXT-X-SKIP; the
     * first segment written is as in the whole playlist: the Adobe cue
     * of the break repeated, the splice in
     */
    memset(cues, 0, sizeof(cues));
    cues[0].kind = SLUICE_CUE_SPLICE_OUT;
    cues[0].source = SLUICE_CUE_FROM_SCTE35;
    cues[0].id = (sluice_str_t) sluice_string("7");
    cues[0].has_time = 1;
    cues[0].time = 13000;
    cues[0].duration = 6000;
    cues[0].event_id = 7;
    cues[0].section.data = section;
    cues[0].section.len = sizeof(section);
    cues[1] = cues[0];
    cues[1].kind = SLUICE_CUE_SPLICE_IN;
    cues[1].time = 19000;
    cues[1].duration = 0;
    p.cues = cues;
    p.ncues = 2;

    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK(s && strstr(s, "#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n"
                            "#EXT-X-DATERANGE:ID=\"7\",START-DATE=\""
                            "2026-11-18T11:06:53.000Z\"") != NULL);
    SL_CHECK_EQ(count_of(s, "#EXT-X-DATERANGE:"), 2);
    SL_CHECK_EQ(count_of(s, "#EXT-X-CUE:"), 2);
    SL_CHECK(s && strstr(s, "ELAPSED=5.000000\n#EXT-X-CUE:ID=\"7\","
                            "TYPE=\"scte35\",DURATION=0.000000,"
                            "TIME=19.000000,CUE=\"/DAB\"\n#EXTINF:2.000,\n"
                            "Fragments(video=1620000,") != NULL);

    /* the same without skipping: every segment, the same end */
    p.hls_skip = SLUICE_HLS_SKIP_NONE;
    full = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK_EQ(count_of(full, "#EXT-X-SKIP"), 0);
    SL_CHECK_EQ(count_of(full, "#EXTINF:"), 10);
    SL_CHECK_EQ(count_of(full, "#EXT-X-DATERANGE:"), 2);
    a = s ? strstr(s, "#EXT-X-PROGRAM-DATE-TIME:2026-11-18T11:06:58") : NULL;
    b = full ? strstr(full, "#EXT-X-PROGRAM-DATE-TIME:2026-11-18T11:06:58")
             : NULL;
    SL_CHECK(a && b && strcmp(a, b) == 0);
    free(full);
    free(s);

    /* too short a playlist to skip any: the whole one, no EXT-X-SKIP */
    fixture(&p, 5, 2, 1);
    p.hls_skip = SLUICE_HLS_SKIP_YES;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK_EQ(count_of(s, "#EXT-X-SKIP"), 0);
    SL_CHECK_EQ(count_of(s, "#EXTINF:"), 5);
    free(s);
}


/* the URIs carry the tag of the request; the reports the token too */

static void
test_tags(void)
{
    int                     n;
    char                   *s, url[256];
    sluice_url_t            u;
    const char             *q, *e;
    sluice_hls_enc_t        enc;
    sluice_presentation_t   p;

    fixture(&p, 5, 2, 1);

    memset(&enc, 0, sizeof(enc));
    enc.tag = (sluice_str_t) sluice_string(",filter=f1");
    enc.query = (sluice_str_t) sluice_string("token=T");
    render_enc = &enc;

    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK(s && strstr(s, "URI=\"Fragments(video=1800000,format=m3u8-cmaf,"
                            "filter=f1,part=0).m4s\",INDEPENDENT=YES\n")
                  != NULL);
    SL_CHECK(s && strstr(s, "#EXT-X-RENDITION-REPORT:URI=\"../QualityLevels("
                            "128000)/Manifest(audio,format=m3u8-cmaf,"
                            "filter=f1)?token=T\",LAST-MSN=10,LAST-PART=0\n")
                  != NULL);

    /* the parser takes the part URIs back */
    q = s ? strstr(s, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"") : NULL;
    SL_CHECK(q != NULL);

    if (q) {
        /* the playlist is QualityLevels(3000000)/Manifest(...) */
        q += 35;
        e = strchr(q, '"');
        n = snprintf(url, sizeof(url), "QualityLevels(3000000)/%.*s",
                     (int) (e - q), q);
        SL_CHECK(sluice_url_parse(&u, (const uint8_t *) url, n, NULL)
                 == SLUICE_OK);
        SL_CHECK(u.kind == SLUICE_URL_SEGMENT && u.has_part && u.part == 1);
        SL_CHECK_UEQ(u.time, 1800000);
        SL_CHECK(u.format == SLUICE_FORMAT_HLS_CMAF && u.has_extension);
        SL_CHECK(u.filter.len == 2);
    }

    free(s);
    render_enc = NULL;
}


/* LL only for live m3u8-cmaf with parts; LowLatency: HOLD-BACK */

static void
test_modes(void)
{
    char                   *s;
    sluice_presentation_t   p;

    /* Default: no tag of low latency, the version of CMAF */
    fixture(&p, 5, 2, 1);
    p.latency = SLUICE_LATENCY_DEFAULT;
    p.part_ms = 0;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK(s && strstr(s, "#EXT-X-VERSION:7\n") != NULL);
    SL_CHECK(s && strstr(s, "#EXT-X-DISCONTINUITY-SEQUENCE:0\n"
                            "#EXT-X-MAP:") != NULL);
    SL_CHECK_EQ(count_of(s, "SERVER-CONTROL"), 0);
    SL_CHECK_EQ(count_of(s, "#EXT-X-PART"), 0);
    SL_CHECK_EQ(count_of(s, "#EXT-X-PROGRAM-DATE-TIME"), 0);
    free(s);

    /* LowLatency: hold back the RFC's 3 target durations, no more */
    p.latency = SLUICE_LATENCY_LOW;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK(s && strstr(s, "#EXT-X-VERSION:7\n") != NULL);
    SL_CHECK(s && strstr(s, "#EXT-X-DISCONTINUITY-SEQUENCE:0\n"
                            "#EXT-X-SERVER-CONTROL:HOLD-BACK=6.000\n"
                            "#EXT-X-MAP:") != NULL);
    SL_CHECK_EQ(count_of(s, "#EXT-X-PART"), 0);
    free(s);
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_TS);
    SL_CHECK(s && strstr(s, "#EXT-X-SERVER-CONTROL:HOLD-BACK=6.000\n"
                            "#EXTINF:") != NULL);
    free(s);

    /* LowLatencyV2: TS is no LL-HLS, the hold-back of LowLatency */
    fixture(&p, 5, 2, 1);
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_TS);
    SL_CHECK(s && strstr(s, "#EXT-X-VERSION:4\n") != NULL);
    SL_CHECK(s && strstr(s, "#EXT-X-SERVER-CONTROL:HOLD-BACK=6.000\n")
                  != NULL);
    SL_CHECK_EQ(count_of(s, "#EXT-X-PART"), 0);
    SL_CHECK_EQ(count_of(s, "PRELOAD-HINT"), 0);
    free(s);

    /* ended: the playlist is final, no low-latency tags */
    p.ended = 1;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF);
    SL_CHECK(s && strstr(s, "#EXT-X-VERSION:7\n") != NULL);
    SL_CHECK_EQ(count_of(s, "SERVER-CONTROL"), 0);
    SL_CHECK_EQ(count_of(s, "#EXT-X-PART"), 0);
    SL_CHECK_EQ(count_of(s, "PRELOAD-HINT"), 0);
    SL_CHECK_EQ(count_of(s, "#EXT-X-ENDLIST"), 1);
    free(s);

    /* no I-frame playlist of LL tags */
    p.ended = 0;
    {
        sluice_buf_t  b;
        uint8_t       mem[4096];
        uint32_t      i;

        for (i = 0; i < 5; i++) {
            vfrags[i].key_size = 50000;
        }

        sluice_buf_init(&b, NULL, mem, sizeof(mem));
        SL_CHECK(sluice_hls_iframe_playlist(&b, &p, &tracks[0]) == SLUICE_OK);
        mem[b.len < sizeof(mem) ? b.len : sizeof(mem) - 1] = '\0';
        SL_CHECK_EQ(count_of((char *) mem, "SERVER-CONTROL"), 0);
        SL_CHECK_EQ(count_of((char *) mem, "#EXT-X-PART"), 0);

        for (i = 0; i < 5; i++) {
            vfrags[i].key_size = 0;
        }
    }
}


/* _HLS_msn / _HLS_part: ready, not yet, too far */

static void
test_check(void)
{
    sluice_presentation_t   p;

    /* segments 5..9, 2 parts of 10 so far; PART-TARGET 0.5: limit 6 */
    fixture(&p, 5, 3, 2);

    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 3, -1), SLUICE_OK);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 9, -1), SLUICE_OK);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 9, 3), SLUICE_OK);
    /* past the last part of 9: part 0 of 10, there */
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 9, 4), SLUICE_OK);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 10, 0), SLUICE_OK);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 10, 1), SLUICE_OK);

    /* 10 is not complete; its next parts to come */
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 10, -1), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 10, 2), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 10, 7), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 10, 8),
                SLUICE_BAD_REQUEST);
    /* 11: 2 more parts of 10, then 11's */
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 11, -1), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 11, 0), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 11, 3), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 11, 4),
                SLUICE_BAD_REQUEST);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 12, -1), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 12, 0),
                SLUICE_BAD_REQUEST);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 13, -1),
                SLUICE_BAD_REQUEST);

    /* between fragments: 9 complete with its 4 parts */
    fixture(&p, 5, 3, 0);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 9, -1), SLUICE_OK);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 9, 3), SLUICE_OK);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 9, 4), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 10, 0), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 10, 5), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 10, 6),
                SLUICE_BAD_REQUEST);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 11, -1), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 12, -1),
                SLUICE_BAD_REQUEST);

    /* the MSN is the playlist's: first seq + 1 a segment */
    vfrags[0].seq = 100;
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 104, 3), SLUICE_OK);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 105, 0), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 107, -1),
                SLUICE_BAD_REQUEST);
    vfrags[0].seq = 5;

    /* a part target of 1 s or more: the limit is 3 parts */
    fixture(&p, 5, 0, 1);
    p.part_ms = 1000;
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 10, 3), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 10, 4),
                SLUICE_BAD_REQUEST);

    /* no segment yet: nothing to answer with, nothing to judge */
    fixture(&p, 0, 0, 1);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 0, -1), SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 500, 3), SLUICE_AGAIN);

    /* ended: the directives are ignored */
    fixture(&p, 5, 3, 2);
    p.ended = 1;
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 10, -1), SLUICE_OK);
    SL_CHECK_EQ(sluice_hls_ll_check(&p, &tracks[0], 50, 9), SLUICE_OK);
}


int
main(void)
{
    SL_RUN(test_playlist);
    SL_RUN(test_between);
    SL_RUN(test_unlisted);
    SL_RUN(test_long_part);
    SL_RUN(test_skip);
    SL_RUN(test_tags);
    SL_RUN(test_modes);
    SL_RUN(test_check);

    return SL_DONE();
}
