
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the HLS playlist writers.
 *
 *   cc -Isrc/media t/unit/test_hls.c src/media/sluice_hls.c \
 *       src/media/sluice_buf.c src/media/sluice_url.c -o test_hls
 */


#include <stdio.h>
#include <stdlib.h>

#include "media/manifest/sluice_hls.h"


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
static sluice_pfrag_t       afrags[8];
static sluice_ptrack_t      tracks[3];

/* the encryption render() passes the writers; NULL: clear */
static const sluice_hls_enc_t  *render_enc;


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
test_free_all(void)
{
    while (nallocated) {
        free(allocated[--nallocated]);
    }
}


static sluice_alloc_t  alloc = { test_alloc, NULL };


/* 720p + 360p video of stream 0, audio of stream 0, 2 s fragments */

static void
fixture(sluice_presentation_t *p, uint32_t nfrags)
{
    uint32_t  i;

    memset(p, 0, sizeof(*p));

    video_info.media_type = SLUICE_MEDIA_VIDEO;
    video_info.timescale = 90000;
    video_info.width = 1280;
    video_info.height = 720;
    video_info.frame_rate_num = 30000;
    video_info.frame_rate_den = 1001;
    strcpy(video_info.codec_string, "avc1.64001f");

    audio_info.media_type = SLUICE_MEDIA_AUDIO;
    audio_info.timescale = 48000;
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
    tracks[2].group = 1;

    p->tracks = tracks;
    p->ntracks = 3;
    p->live = 1;
    p->epoch_ms = 1795000000000LL;
    p->now_ms = p->epoch_ms + 30000;
    p->window_ms = 60000;
    p->fragment_ms = 2000;
}


/* the output as a NUL-terminated string; checks size-then-write too */

static char *
render(const sluice_presentation_t *p, const sluice_ptrack_t *t,
    sluice_format_t format, sluice_status_t *rc)
{
    char          *s;
    sluice_buf_t   b, count, fixed;

    sluice_buf_init(&b, &alloc, NULL, 16);
    sluice_buf_init(&count, NULL, NULL, 0);

    if (t) {
        *rc = sluice_hls_playlist(&b, p, t, format, render_enc);
        (void) sluice_hls_playlist(&count, p, t, format, render_enc);

    } else {
        *rc = sluice_hls_master(&b, p, format, render_enc);
        (void) sluice_hls_master(&count, p, format, render_enc);
    }

    if (*rc != SLUICE_OK) {
        return NULL;
    }

    CHECK(count.len == b.len);

    s = malloc(b.len + 1);
    memcpy(s, b.data, b.len);
    s[b.len] = '\0';

    /* a fixed buffer one byte short fails cleanly */
    if (b.len) {
        sluice_buf_init(&fixed, NULL, malloc(b.len - 1 + 1), b.len - 1);

        if (t) {
            CHECK(sluice_hls_playlist(&fixed, p, t, format, render_enc)
                  == SLUICE_NO_MEMORY);

        } else {
            CHECK(sluice_hls_master(&fixed, p, format, render_enc)
                  == SLUICE_NO_MEMORY);
        }

        free(fixed.data);
    }

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
test_master(void)
{
    char                   *s;
    sluice_status_t         rc;
    sluice_presentation_t   p;

    fixture(&p, 5);

    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(rc == SLUICE_OK && s != NULL);
    if (s == NULL) {
        return;
    }

    CHECK(strncmp(s, "#EXTM3U\n#EXT-X-VERSION:4\n"
                  "#EXT-X-INDEPENDENT-SEGMENTS\n", 53) == 0);
    CHECK(strstr(s, "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\","
                  "NAME=\"audio\",LANGUAGE=\"und\",DEFAULT=YES,"
                  "AUTOSELECT=YES,CHANNELS=\"2\",URI=\"QualityLevels(128000)/"
                  "Manifest(audio,format=m3u8-aapl)\"\n") != NULL);
    CHECK(strstr(s, "#EXT-X-STREAM-INF:BANDWIDTH=3128000,RESOLUTION=1280x720,"
                  "CODECS=\"avc1.64001f,mp4a.40.2\",FRAME-RATE=29.970,"
                  "AUDIO=\"audio\"\nQualityLevels(3000000)/"
                  "Manifest(video,format=m3u8-aapl)\n") != NULL);
    CHECK(strstr(s, "BANDWIDTH=1128000,") != NULL);
    CHECK(count_of(s, "#EXT-X-STREAM-INF:") == 2);
    CHECK(count_of(s, "#EXT-X-MEDIA:") == 1);
    free(s);

    /* v3: audio muxed, no groups */
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS_V3, &rc);
    CHECK(s && strstr(s, "#EXT-X-VERSION:3\n") != NULL);
    CHECK(s && count_of(s, "#EXT-X-MEDIA:") == 0);
    CHECK(s && count_of(s, "AUDIO=") == 0);
    CHECK(s && strstr(s, "CODECS=\"avc1.64001f,mp4a.40.2\"") != NULL);
    CHECK(s && strstr(s, "\nQualityLevels(1000000)/"
                      "Manifest(video,format=m3u8-aapl-v3)\n") != NULL);
    free(s);

    /* cmaf */
    s = render(&p, NULL, SLUICE_FORMAT_HLS_CMAF, &rc);
    CHECK(s && strstr(s, "#EXT-X-VERSION:7\n") != NULL);
    CHECK(s && strstr(s, "Manifest(audio,format=m3u8-cmaf)\"") != NULL);
    free(s);

    /* names cannot break a quoted-string or a line */
    tracks[1].lang = (sluice_str_t) sluice_string("e\"n\r\n");
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && strstr(s, ",LANGUAGE=\"en\","));
    free(s);
    tracks[1].lang.len = 0;

    /* audio only: one variant per audio track */
    p.tracks = &tracks[1];
    p.ntracks = 1;
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && count_of(s, "#EXT-X-MEDIA:") == 0);
    CHECK(s && strstr(s, "#EXT-X-STREAM-INF:BANDWIDTH=128000,"
                      "CODECS=\"mp4a.40.2\"\nQualityLevels(128000)/"
                      "Manifest(audio,format=m3u8-aapl)\n") != NULL);
    free(s);

    /* nothing to play; not an HLS format */
    p.ntracks = 0;
    CHECK(render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc) == NULL
          && rc == SLUICE_NOT_FOUND);
    p.ntracks = 1;
    CHECK(render(&p, NULL, SLUICE_FORMAT_DASH_CSF, &rc) == NULL
          && rc == SLUICE_BAD_REQUEST);
}


static void
test_playlist(void)
{
    char                   *s;
    sluice_status_t         rc;
    sluice_presentation_t   p;

    fixture(&p, 5);

    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(rc == SLUICE_OK && s != NULL);
    if (s == NULL) {
        return;
    }

    CHECK(strcmp(s,
        "#EXTM3U\n"
        "#EXT-X-VERSION:4\n"
        "#EXT-X-TARGETDURATION:2\n"
        "#EXT-X-MEDIA-SEQUENCE:5\n"
        "#EXT-X-DISCONTINUITY-SEQUENCE:0\n"
        "#EXTINF:2.000,\nFragments(video=900000,format=m3u8-aapl).ts\n"
        "#EXTINF:2.000,\nFragments(video=1080000,format=m3u8-aapl).ts\n"
        "#EXTINF:2.000,\nFragments(video=1260000,format=m3u8-aapl).ts\n"
        "#EXTINF:2.000,\nFragments(video=1440000,format=m3u8-aapl).ts\n"
        "#EXTINF:2.000,\nFragments(video=1620000,format=m3u8-aapl).ts\n") == 0);
    free(s);

    /* cmaf: EXT-X-MAP; ended: ENDLIST; a longer fragment; discontinuity */
    p.ended = 1;
    p.program_date_time = 1;
    vfrags[2].duration = 270001;      /* 3.000011 s */
    vfrags[3].flags = SLUICE_PFRAG_DISCONTINUITY;
    tracks[0].discontinuities_before = 3;

    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF, &rc);
    CHECK(s && strstr(s, "#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:3\n"));
    CHECK(s && strstr(s, "#EXT-X-DISCONTINUITY-SEQUENCE:3\n"
                      "#EXT-X-MAP:URI=\"Fragments(video=i,format=m3u8-cmaf).mp4\"\n"
                      "#EXT-X-PROGRAM-DATE-TIME:2026-11-18T11:06:50.000Z\n"
                      "#EXTINF:2.000,\n"));
    CHECK(s && strstr(s, "#EXTINF:3.000,\n"));
    CHECK(s && strstr(s, "\n#EXT-X-DISCONTINUITY\n"
                      "#EXT-X-PROGRAM-DATE-TIME:2026-11-18T11:06:56.000Z\n"
                      "#EXTINF:2.000,\n"
                      "Fragments(video=1440000,format=m3u8-cmaf).m4s\n"));
    CHECK(s && count_of(s, "#EXTINF:") == 5);
    CHECK(s && strlen(s) > 15
          && strcmp(s + strlen(s) - 15, "#EXT-X-ENDLIST\n") == 0);
    free(s);

    /* an asset played as video on demand: PLAYLIST-TYPE VOD */
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF, &rc);
    CHECK(s && strstr(s, "#EXT-X-PLAYLIST-TYPE") == NULL);
    free(s);
    p.live = 0;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF, &rc);
    CHECK(s && strstr(s, "#EXT-X-DISCONTINUITY-SEQUENCE:3\n"
                      "#EXT-X-PLAYLIST-TYPE:VOD\n"));
    CHECK(s && strstr(s, "#EXT-X-ENDLIST\n"));
    free(s);
    p.live = 1;

    /* audio: 48 kHz timescale */
    fixture(&p, 3);
    s = render(&p, &tracks[1], SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && strstr(s, "#EXTINF:2.000,\n"
                      "Fragments(audio=576000,format=m3u8-aapl).ts\n"));
    CHECK(s && count_of(s, "#EXTINF:") == 3);
    CHECK(s && count_of(s, "ENDLIST") == 0);
    free(s);

    /* no fragments yet */
    fixture(&p, 0);
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && strstr(s, "#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"));
    CHECK(s && count_of(s, "#EXTINF") == 0);
    free(s);
}


static void
test_grouping(void)
{
    char                   *s;
    sluice_status_t         rc;
    sluice_presentation_t   p;

    /* seq 5..11 in groups of 3: 5 is cut (3..5), 6-8, 9-11 */
    fixture(&p, 7);
    p.fragments_per_segment = 3;

    CHECK(sluice_hls_segment_frags(&tracks[0], 0, 3) == 0);
    CHECK(sluice_hls_segment_frags(&tracks[0], 1, 3) == 3);
    CHECK(sluice_hls_segment_frags(&tracks[0], 2, 3) == 0);
    CHECK(sluice_hls_segment_frags(&tracks[0], 4, 3) == 3);
    CHECK(sluice_hls_segment_frags(&tracks[0], 7, 3) == 0);
    CHECK(sluice_hls_segment_frags(&tracks[0], 3, 1) == 1);

    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && strstr(s, "#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:2\n"));
    CHECK(s && strstr(s, "#EXTINF:6.000,\n"
                      "Fragments(video=1080000,format=m3u8-aapl).ts\n"
                      "#EXTINF:6.000,\n"
                      "Fragments(video=1620000,format=m3u8-aapl).ts\n"));
    CHECK(s && count_of(s, "#EXTINF") == 2);
    free(s);

    /* live: the last group (seq 9, 10) is still filling */
    fixture(&p, 6);
    p.fragments_per_segment = 3;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && count_of(s, "#EXTINF") == 1);
    free(s);

    /* ended: it is listed, short */
    p.ended = 1;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && count_of(s, "#EXTINF") == 2);
    CHECK(s && strstr(s, "#EXTINF:4.000,\n"
                      "Fragments(video=1620000,format=m3u8-aapl).ts\n"));
    free(s);

    /* a discontinuity splits a group */
    fixture(&p, 7);
    p.fragments_per_segment = 3;
    vfrags[5].flags = SLUICE_PFRAG_DISCONTINUITY;
    CHECK(sluice_hls_segment_frags(&tracks[0], 4, 3) == 1);
    CHECK(sluice_hls_segment_frags(&tracks[0], 5, 3) == 2);

    /* fmp4 ignores the grouping */
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF, &rc);
    CHECK(s && count_of(s, "#EXTINF:2.000,") == 7);
    free(s);
}


/* encryption: key lines, IVs, tags and the token in child URIs */

static void
test_encryption(void)
{
    char                    *s;
    sluice_status_t          rc;
    sluice_hls_enc_t         enc;
    sluice_presentation_t    p;
    sluice_hls_track_enc_t   te[3];

    static const char  aes[] = "https://k.example/keydelivery/"
                               "?kid=00112233-4455-6677-8899-aabbccddeeff"
                               "&token=T";
    static const char  skd[] = "skd://k.example/FairPlay/"
                               "?kid=00112233-4455-6677-8899-aabbccddeeff";

    fixture(&p, 3);

    memset(te, 0, sizeof(te));
    te[0].method = "AES-128";
    te[0].segment_iv = 1;
    te[0].nkeys = 1;
    te[0].keys[0].uri = (sluice_str_t) sluice_string(aes);
    te[1] = te[0];
    te[2] = te[0];

    memset(&enc, 0, sizeof(enc));
    enc.tag = (sluice_str_t) sluice_string(",encryption=cbc");
    enc.query = (sluice_str_t) sluice_string("token=T");
    enc.tracks = te;
    render_enc = &enc;

    /* AES-128 TS: an IV per segment, the seq of its first fragment */
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(rc == SLUICE_OK && s != NULL);
    CHECK(s && strcmp(s,
        "#EXTM3U\n"
        "#EXT-X-VERSION:4\n"
        "#EXT-X-TARGETDURATION:2\n"
        "#EXT-X-MEDIA-SEQUENCE:5\n"
        "#EXT-X-DISCONTINUITY-SEQUENCE:0\n"
        "#EXT-X-KEY:METHOD=AES-128,URI=\"https://k.example/keydelivery/"
        "?kid=00112233-4455-6677-8899-aabbccddeeff&token=T\","
        "IV=0x00000000000000000000000000000005\n"
        "#EXTINF:2.000,\nFragments(video=900000,format=m3u8-aapl,"
        "encryption=cbc).ts\n"
        "#EXT-X-KEY:METHOD=AES-128,URI=\"https://k.example/keydelivery/"
        "?kid=00112233-4455-6677-8899-aabbccddeeff&token=T\","
        "IV=0x00000000000000000000000000000006\n"
        "#EXTINF:2.000,\nFragments(video=1080000,format=m3u8-aapl,"
        "encryption=cbc).ts\n"
        "#EXT-X-KEY:METHOD=AES-128,URI=\"https://k.example/keydelivery/"
        "?kid=00112233-4455-6677-8899-aabbccddeeff&token=T\","
        "IV=0x00000000000000000000000000000007\n"
        "#EXTINF:2.000,\nFragments(video=1260000,format=m3u8-aapl,"
        "encryption=cbc).ts\n") == 0);
    free(s);

    /* a seq above 2^32 - 1 cannot be, but the IV has 64 bits of it */
    vfrags[1].seq = 0xabcdef12;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && strstr(s, ",IV=0x000000000000000000000000abcdef12\n"));
    free(s);
    vfrags[1].seq = 6;

    /* fMP4: the init segment stays clear, EXT-X-KEY after EXT-X-MAP */
    s = render(&p, &tracks[1], SLUICE_FORMAT_HLS_CMAF, &rc);
    CHECK(s && strstr(s, "#EXT-X-DISCONTINUITY-SEQUENCE:0\n"
                      "#EXT-X-MAP:URI=\"Fragments(audio=i,format=m3u8-cmaf,"
                      "encryption=cbc).mp4\"\n#EXT-X-KEY:METHOD=AES-128,"));
    CHECK(s && count_of(s, "#EXT-X-KEY:") == 3);
    CHECK(s && strstr(s, "IV=0x00000000000000000000000000000007\n#EXTINF"));
    free(s);

    /* master: one session key for the three tracks, tags and token */
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && strstr(s, "#EXT-X-VERSION:4\n"));
    CHECK(s && count_of(s, "#EXT-X-SESSION-KEY:") == 1);
    CHECK(s && strstr(s, "#EXT-X-INDEPENDENT-SEGMENTS\n"
                      "#EXT-X-SESSION-KEY:METHOD=AES-128,URI=\"https://"));
    CHECK(s && count_of(s, "IV=") == 0);
    CHECK(s && strstr(s, "URI=\"QualityLevels(128000)/Manifest(audio,"
                      "format=m3u8-aapl,encryption=cbc)?token=T\"\n"));
    CHECK(s && strstr(s, "\nQualityLevels(3000000)/Manifest(video,"
                      "format=m3u8-aapl,encryption=cbc)?token=T\n"));
    free(s);

    /* SAMPLE-AES with FairPlay: KEYFORMAT, version 5; audio clear */
    te[0].method = "SAMPLE-AES";
    te[0].nkeys = 2;
    te[0].keys[1].uri = (sluice_str_t) sluice_string(skd);
    te[0].keys[1].keyformat = "com.apple.streamingkeydelivery";
    te[2] = te[0];
    te[1].method = NULL;
    enc.tag = (sluice_str_t) sluice_string(",encryption=cbcs-aapl");
    enc.query.len = 0;

    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && strstr(s, "#EXT-X-VERSION:5\n"));
    CHECK(s && count_of(s, "#EXT-X-KEY:METHOD=SAMPLE-AES,") == 6);
    CHECK(s && strstr(s, "#EXT-X-KEY:METHOD=SAMPLE-AES,"
                      "URI=\"skd://k.example/FairPlay/"
                      "?kid=00112233-4455-6677-8899-aabbccddeeff\","
                      "IV=0x00000000000000000000000000000006,"
                      "KEYFORMAT=\"com.apple.streamingkeydelivery\","
                      "KEYFORMATVERSIONS=\"1\"\n#EXTINF:2.000,\n"
                      "Fragments(video=1080000,format=m3u8-aapl,"
                      "encryption=cbcs-aapl).ts\n"));
    free(s);

    s = render(&p, &tracks[1], SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && strstr(s, "#EXT-X-VERSION:4\n"));
    CHECK(s && count_of(s, "#EXT-X-KEY") == 0);
    CHECK(s && strstr(s, "Fragments(audio=480000,format=m3u8-aapl,"
                      "encryption=cbcs-aapl).ts\n"));
    free(s);

    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && strstr(s, "#EXT-X-VERSION:5\n"));
    CHECK(s && count_of(s, "#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,") == 2);
    CHECK(s && strstr(s, "#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,"
                      "URI=\"skd://k.example/FairPlay/?kid=00112233-4455-"
                      "6677-8899-aabbccddeeff\",KEYFORMAT=\"com.apple."
                      "streamingkeydelivery\",KEYFORMATVERSIONS=\"1\"\n"));
    CHECK(s && count_of(s, "?token") == 0);
    free(s);

    /* fMP4 cbcs: the IV is in the init segment: keys once, after MAP */
    te[0].segment_iv = 0;
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_CMAF, &rc);
    CHECK(s && strstr(s, "#EXT-X-VERSION:7\n"));
    CHECK(s && count_of(s, "#EXT-X-KEY:") == 2);
    CHECK(s && count_of(s, "IV=") == 0);
    CHECK(s && strstr(s, "encryption=cbcs-aapl).mp4\"\n#EXT-X-KEY:METHOD="
                      "SAMPLE-AES,URI=\"https://"));
    free(s);

    render_enc = NULL;
}


/* audio-only=true; I-frame streams and playlists */

static void
test_extras(void)
{
    char                   *s;
    uint32_t                i;
    sluice_buf_t            b;
    sluice_status_t         rc;
    sluice_presentation_t   p;

    render_enc = NULL;
    fixture(&p, 4);

    /* no audio-only variant unless asked (AMS since 2022) */
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && count_of(s, "#EXT-X-STREAM-INF:") == 2);
    CHECK(s && count_of(s, "CODECS=\"mp4a.40.2\"") == 0);
    CHECK(s && count_of(s, "I-FRAME") == 0);    /* keyframes unknown */
    free(s);

    p.hls_audio_only = 1;
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && count_of(s, "#EXT-X-STREAM-INF:") == 3);
    CHECK(s && strstr(s, "#EXT-X-STREAM-INF:BANDWIDTH=128000,"
                      "CODECS=\"mp4a.40.2\"\nQualityLevels(128000)/"
                      "Manifest(audio,format=m3u8-aapl)\n") != NULL);
    free(s);
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS_V3, &rc);
    CHECK(s && strstr(s, "#EXT-X-STREAM-INF:BANDWIDTH=128000,"
                      "CODECS=\"mp4a.40.2\"\nQualityLevels(128000)/"
                      "Manifest(audio,format=m3u8-aapl-v3)\n") != NULL);
    free(s);
    p.hls_audio_only = 0;

    /* keyframes known: 50 KB, one 100 KB in 2 s -> 400 kbit/s peak */
    for (i = 0; i < 4; i++) {
        vfrags[i].key_size = 188 * 266;
    }

    vfrags[2].key_size = 100000;

    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && count_of(s, "#EXT-X-I-FRAME-STREAM-INF:") == 2);
    CHECK(s && strstr(s, "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=400000,"
                      "RESOLUTION=1280x720,CODECS=\"avc1.64001f\","
                      "URI=\"QualityLevels(3000000)/Manifest(video,"
                      "format=m3u8-aapl,type=keyframes)\"\n") != NULL);
    CHECK(s && strstr(s, "URI=\"QualityLevels(1000000)/Manifest(video,"
                      "format=m3u8-aapl,type=keyframes)\"\n") != NULL);
    free(s);

    /* not in v3 (version 3) nor CMAF masters */
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS_V3, &rc);
    CHECK(s && count_of(s, "I-FRAME") == 0);
    free(s);
    s = render(&p, NULL, SLUICE_FORMAT_HLS_CMAF, &rc);
    CHECK(s && count_of(s, "I-FRAME") == 0);
    free(s);

    /* the I-frame playlist: the segments, each its keyframe's range */
    sluice_buf_init(&b, &alloc, NULL, 16);
    CHECK(sluice_hls_iframe_playlist(&b, &p, &tracks[0]) == SLUICE_OK);
    s = strndup((char *) b.data, b.len);
    CHECK(strstr(s, "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:2\n"
                 "#EXT-X-MEDIA-SEQUENCE:5\n") == s);
    CHECK(strstr(s, "#EXT-X-I-FRAMES-ONLY\n") != NULL);
    CHECK(count_of(s, "#EXT-X-BYTERANGE:") == 4);
    CHECK(strstr(s, "#EXTINF:2.000,\n#EXT-X-BYTERANGE:50008@0\n"
                 "Fragments(video=900000,format=m3u8-aapl).ts\n") != NULL);
    CHECK(strstr(s, "#EXTINF:2.000,\n#EXT-X-BYTERANGE:100000@0\n"
                 "Fragments(video=1260000,format=m3u8-aapl).ts\n") != NULL);
    free(s);

    /* three fragments a segment: the first one's keyframe */
    p.fragments_per_segment = 3;
    p.ended = 1;
    p.live = 0;
    sluice_buf_init(&b, &alloc, NULL, 16);
    CHECK(sluice_hls_iframe_playlist(&b, &p, &tracks[0]) == SLUICE_OK);
    s = strndup((char *) b.data, b.len);
    /* seq 5 is the cut end of a group; 6, 7, 8 make one segment */
    CHECK(strstr(s, "#EXT-X-MEDIA-SEQUENCE:2\n") != NULL);
    CHECK(count_of(s, "#EXT-X-BYTERANGE:") == 1);
    CHECK(strstr(s, "#EXTINF:6.000,\n#EXT-X-BYTERANGE:50008@0\n"
                 "Fragments(video=1080000,format=m3u8-aapl).ts\n") != NULL);
    CHECK(strstr(s, "#EXT-X-ENDLIST\n") != NULL);
    free(s);
    p.fragments_per_segment = 1;

    /* an unknown keyframe; an audio track */
    vfrags[3].key_size = 0;
    sluice_buf_init(&b, &alloc, NULL, 16);
    CHECK(sluice_hls_iframe_playlist(&b, &p, &tracks[0]) == SLUICE_NOT_FOUND);
    CHECK(sluice_hls_iframe_playlist(&b, &p, &tracks[1])
          == SLUICE_BAD_REQUEST);

    for (i = 0; i < 8; i++) {
        vfrags[i].key_size = 0;
    }
}


/*
 * Closed captions: a "cc" group of the services the video tracks carry,
 * CLOSED-CAPTIONS="cc" on the variants whose video has them, nothing
 * without captions
 */

static void
test_captions(void)
{
    char                   *s;
    sluice_status_t         rc;
    sluice_track_info_t     plain;
    sluice_presentation_t   p;

    fixture(&p, 5);

    /* the 1 Mbps variant has none */
    plain = video_info;
    tracks[2].info = &plain;
    video_info.captions = SLUICE_CAPTIONS_608_CC1;

    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && strstr(s, "#EXT-X-VERSION:4\n") != NULL);
    CHECK(s && strstr(s, "#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\","
                      "NAME=\"CEA608_CC\",INSTREAM-ID=\"CC1\"\n"
                      "#EXT-X-STREAM-INF:") != NULL);
    CHECK(s && count_of(s, "TYPE=CLOSED-CAPTIONS") == 1);
    CHECK(s && strstr(s, "FRAME-RATE=29.970,AUDIO=\"audio\","
                      "CLOSED-CAPTIONS=\"cc\"\nQualityLevels(3000000)/")
               != NULL);
    CHECK(s && count_of(s, "CLOSED-CAPTIONS=\"cc\"") == 1);
    CHECK(s && count_of(s, "NONE") == 0);
    free(s);

    /* every service; the video's language */
    video_info.captions = SLUICE_CAPTIONS_ALL;
    tracks[0].lang = (sluice_str_t) sluice_string("spa");

    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && strstr(s, "#EXT-X-VERSION:7\n") != NULL);
    CHECK(s && strstr(s, "#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\","
                      "LANGUAGE=\"spa\",NAME=\"CEA708_CC\",DEFAULT=YES,"
                      "INSTREAM-ID=\"SERVICE1\"\n"
                      "#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\","
                      "LANGUAGE=\"spa\",NAME=\"CEA608_CC\","
                      "INSTREAM-ID=\"CC1\"\n"
                      "#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\","
                      "LANGUAGE=\"spa\",NAME=\"CEA608_CC3\","
                      "INSTREAM-ID=\"CC3\"\n") != NULL);
    free(s);

    s = render(&p, NULL, SLUICE_FORMAT_HLS_CMAF, &rc);
    CHECK(s && strstr(s, "#EXT-X-VERSION:7\n") != NULL);
    CHECK(s && count_of(s, "TYPE=CLOSED-CAPTIONS") == 3);
    CHECK(s && count_of(s, "CLOSED-CAPTIONS=\"cc\"") == 1);
    free(s);

    /* version 3: no SERVICE1 (it needs 7), 608 still */
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS_V3, &rc);
    CHECK(s && strstr(s, "#EXT-X-VERSION:3\n") != NULL);
    CHECK(s && count_of(s, "SERVICE1") == 0);
    CHECK(s && count_of(s, "TYPE=CLOSED-CAPTIONS") == 2);
    CHECK(s && count_of(s, "CLOSED-CAPTIONS=\"cc\"") == 1);
    free(s);

    /* 708 alone: nothing in version 3 */
    video_info.captions = SLUICE_CAPTIONS_708;
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS_V3, &rc);
    CHECK(s && count_of(s, "CLOSED-CAPTIONS") == 0);
    free(s);

    /* "und" is no language; both variants with captions */
    video_info.captions = SLUICE_CAPTIONS_608_CC3;
    plain.captions = SLUICE_CAPTIONS_608_CC1;
    tracks[0].lang = (sluice_str_t) sluice_string("und");
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && count_of(s, "LANGUAGE=\"und\"") == 1);     /* the audio's */
    CHECK(s && count_of(s, "TYPE=CLOSED-CAPTIONS") == 2);
    CHECK(s && count_of(s, "CLOSED-CAPTIONS=\"cc\"") == 2);
    free(s);

    /* none: no caption signalling at all */
    video_info.captions = 0;
    plain.captions = 0;
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && count_of(s, "CLOSED-CAPTIONS") == 0);
    CHECK(s && strstr(s, "#EXT-X-VERSION:4\n") != NULL);
    free(s);

    /* audio tracks never carry the attribute, nor a media playlist */
    video_info.captions = SLUICE_CAPTIONS_608_CC1;
    p.hls_audio_only = 1;
    s = render(&p, NULL, SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && strstr(s, "CODECS=\"mp4a.40.2\"\nQualityLevels(128000)/")
               != NULL);
    CHECK(s && count_of(s, "CLOSED-CAPTIONS=\"cc\"") == 1);
    free(s);
    s = render(&p, &tracks[0], SLUICE_FORMAT_HLS_TS, &rc);
    CHECK(s && count_of(s, "CLOSED-CAPTIONS") == 0);
    free(s);

    video_info.captions = 0;
    tracks[0].lang.len = 0;
}


int
main(void)
{
    test_master();
    test_playlist();
    test_grouping();
    test_encryption();
    test_extras();
    test_captions();
    test_free_all();

    printf("test_hls: %d checks, %d failures\n", checks, failures);

    return failures ? 1 : 0;
}
