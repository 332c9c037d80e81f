
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The cost of cues in HLS playlists (issue 13, "Speed"): the media
 * playlist of a 25 h window (45,000 fragments of 2 s) built by the pure
 * writer (sluice_hls_playlist()), without cues and with 100 (ad breaks
 * of 60 s every 15 min: a splice out and its splice in with SCTE-35
 * sections, and one timed metadata cue in between; their windowing,
 * sluice_presentation_cue_window(), included), for TS and CMAF.  Each is
 * built ROUNDS times in turn, timed on the thread's CPU clock (the
 * machine is shared); the ratio is that of the fastest builds (the least
 * disturbed), medians shown too.  Target: at most 1.2.
 *
 *   ./build.sh bench-cues [ROUNDS]
 */


#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "media/manifest/sluice_hls.h"
#include "media/signal/sluice_adcue.h"


#define NFRAGS      45000           /* 25 h of 2 s fragments */
#define NCUES       100
#define BUF_SIZE    (16 * 1024 * 1024)


static sluice_track_info_t  info;
static sluice_pfrag_t       frags[NFRAGS];
static sluice_ptrack_t      track;
static sluice_cue_t         cues[NCUES];
static uint8_t              buf[BUF_SIZE];

static const uint8_t  out_section[] = {
    0xfc, 0x30, 0x25, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdd, 0x00, 0xff, 0xf0,
    0x14, 0x05, 0x00, 0x00, 0x03, 0xea, 0x7f, 0xef, 0xfe, 0x01, 0x64, 0x61,
    0xb8, 0xfe, 0x00, 0x52, 0x63, 0x63, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00,
    0xf2, 0x0d, 0x5e, 0x37
};

static const uint8_t  in_section[] = {
    0xfc, 0x30, 0x20, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdd, 0x00, 0xff, 0xf0,
    0x0f, 0x05, 0x00, 0x00, 0x03, 0xea, 0x7f, 0x4f, 0xfe, 0x01, 0x65, 0xe4,
    0xd3, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00, 0x60, 0x7c, 0xe8, 0x5a
};

static char  ids[NCUES][16];


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);

    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static void
fixture(void)
{
    uint32_t       i, k, n;
    uint64_t       t;
    sluice_cue_t  *c;

    info.media_type = SLUICE_MEDIA_VIDEO;
    info.timescale = 90000;
    strcpy(info.codec_string, "avc1.64001f");

    for (i = 0; i < NFRAGS; i++) {
        frags[i].time = 90000ULL * 3600 + (uint64_t) i * 180000;
        frags[i].duration = 180000;
        frags[i].seq = 1800 + i;
    }

    track.info = &info;
    track.name = (sluice_str_t) sluice_string("video");
    track.bitrate = 3000000;
    track.frags = frags;
    track.nfrags = NFRAGS;

    /* 33 breaks (out, metadata, in) and one more splice out: 100 */

    for (k = 0, n = 0; n < NCUES; k++) {
        t = 3600000 + 900000ULL * (k + 1);

        for (i = 0; i < 3 && n < NCUES; i++, n++) {
            c = &cues[n];
            memset(c, 0, sizeof(sluice_cue_t));
            snprintf(ids[n], sizeof(ids[n]), "%u", 1000 + n);
            c->id.data = (const uint8_t *) ids[n];
            c->id.len = strlen(ids[n]);
            c->has_time = 1;
            c->source = SLUICE_CUE_FROM_SCTE35;
            c->event_id = 1000 + k;

            switch (i) {

            case 0:
                c->kind = SLUICE_CUE_SPLICE_OUT;
                c->time = t;
                c->duration = 60000;
                c->section.data = out_section;
                c->section.len = sizeof(out_section);
                break;

            case 1:
                c->kind = SLUICE_CUE_METADATA;
                c->source = SLUICE_CUE_FROM_USERDATA;
                c->time = t + 1000;
                c->scheme_id_uri = (sluice_str_t)
                                   sluice_string("https://aomedia.org/emsg/ID3");
                break;

            default:
                c->kind = SLUICE_CUE_SPLICE_IN;
                c->time = t + 60000;
                c->section.data = in_section;
                c->section.len = sizeof(in_section);
                break;
            }
        }
    }
}


static double
build(sluice_presentation_t *p, sluice_format_t format, uint32_t ncues,
    size_t *len)
{
    double        start;
    sluice_buf_t  b;

    start = now();

    p->cues = ncues ? cues : NULL;
    p->ncues = ncues;
    sluice_presentation_cue_window(p);

    sluice_buf_init(&b, NULL, buf, BUF_SIZE);

    if (sluice_hls_playlist(&b, p, &track, format, NULL) != SLUICE_OK) {
        fprintf(stderr, "bench-cues: the writer failed\n");
        exit(1);
    }

    *len = b.len;

    return now() - start;
}


static int
cmp(const void *a, const void *b)
{
    double  x, y;

    x = *(const double *) a;
    y = *(const double *) b;

    return (x > y) - (x < y);
}


int
main(int argc, char **argv)
{
    int                     r, rounds, f;
    size_t                  len0, len1;
    double                 *t0, *t1, m0, m1, worst;
    sluice_presentation_t   p;

    static const sluice_format_t  formats[] = {
        SLUICE_FORMAT_HLS_TS, SLUICE_FORMAT_HLS_CMAF
    };

    rounds = argc > 1 ? atoi(argv[1]) : 41;
    rounds = rounds > 0 ? rounds : 41;

    fixture();

    t0 = malloc(rounds * sizeof(double));
    t1 = malloc(rounds * sizeof(double));
    if (t0 == NULL || t1 == NULL) {
        return 1;
    }

    worst = 0;

    for (f = 0; f < 2; f++) {
        memset(&p, 0, sizeof(sluice_presentation_t));
        p.tracks = &track;
        p.ntracks = 1;
        p.live = 1;
        p.program_date_time = 1;
        p.epoch_ms = 1600000000000LL;
        p.fragment_ms = 2000;
        p.fragments_per_segment = 1;

        /* warm up, then alternate so both see the same machine */
        build(&p, formats[f], 0, &len0);
        build(&p, formats[f], NCUES, &len1);

        for (r = 0; r < rounds; r++) {
            t0[r] = build(&p, formats[f], 0, &len0);
            t1[r] = build(&p, formats[f], NCUES, &len1);
        }

        qsort(t0, rounds, sizeof(double), cmp);
        qsort(t1, rounds, sizeof(double), cmp);

        m0 = t0[rounds / 2];
        m1 = t1[rounds / 2];
        worst = (t1[0] / t0[0] > worst) ? t1[0] / t0[0] : worst;

        printf("%-13s %u fragments: 0 cues %.3f ms (median %.3f, %zu bytes),"
               " %u cues %.3f ms (median %.3f, %zu bytes), ratio %.3f "
               "(medians %.3f)\n",
               sluice_format_name(formats[f]), NFRAGS, t0[0] * 1e3,
               m0 * 1e3, len0, NCUES, t1[0] * 1e3, m1 * 1e3, len1,
               t1[0] / t0[0], m1 / m0);
    }

    printf("bench-cues: worst ratio %.3f (target <= 1.2): %s\n", worst,
           worst <= 1.2 ? "met" : "NOT met");

    free(t0);
    free(t1);

    return 0;
}
