
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the dynamic manifest filters: a JSON document is
 * parsed as filter properties and, when accepted, applied (once alone,
 * once with itself and the AMS example) to a live and to an archive
 * presentation of four tracks.  Whatever is kept must be tracks of the
 * presentation that pass the filter, each with a non-empty run of its
 * own fragments.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       t/fuzz/fuzz_filter.c src/media/manifest/sluice_filter.c \
 *       src/util/sluice_json.c -o fuzz_filter
 *   ./fuzz_filter t/fuzz/corpus/filter
 */


#include <stdlib.h>
#include <string.h>

#include "media/manifest/sluice_filter.h"
#include "fuzz_pool.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


#define NFRAGS  12


static sluice_track_info_t  info[4];
static sluice_pfrag_t       frags[4][NFRAGS];
static sluice_ptrack_t      tracks[4];


static void
fuzz_presentation(sluice_presentation_t *p, int live)
{
    uint32_t  i, k;

    static const char  *codecs[4] = {
        "avc1.64001f", "hvc1.1.6.L93.B0", "mp4a.40.2", "ec-3"
    };

    memset(tracks, 0, sizeof(tracks));

    for (i = 0; i < 4; i++) {
        memset(&info[i], 0, sizeof(sluice_track_info_t));
        info[i].media_type = i < 2 ? SLUICE_MEDIA_VIDEO : SLUICE_MEDIA_AUDIO;
        info[i].timescale = i < 2 ? 90000 : 48000;
        strcpy(info[i].codec_string, codecs[i]);

        for (k = 0; k < NFRAGS; k++) {
            /* a hole before fragment 5 */
            frags[i][k].duration = info[i].timescale * 2;
            frags[i][k].time = (uint64_t) (k + (k >= 5) + 7) * 2
                               * info[i].timescale;
            frags[i][k].seq = k;
            frags[i][k].flags = k == 5 ? SLUICE_PFRAG_DISCONTINUITY : 0;
        }

        tracks[i].info = &info[i];
        tracks[i].bitrate = 100000u << (4 - i);
        tracks[i].name.data = (const uint8_t *) (i < 2 ? "video" : "audio");
        tracks[i].name.len = 5;
        tracks[i].lang.data = (const uint8_t *) (i == 3 ? "fr" : "en");
        tracks[i].lang.len = 2;
        tracks[i].frags = frags[i];
        tracks[i].nfrags = NFRAGS;
    }

    memset(p, 0, sizeof(sluice_presentation_t));
    p->tracks = tracks;
    p->ntracks = 4;
    p->live = live;
    p->ended = !live;
}


static void
fuzz_check(sluice_alloc_t *a, const sluice_filter_t *f, uint32_t n,
    int live)
{
    uint32_t               i, k;
    sluice_status_t        rc;
    sluice_presentation_t  p;
    const sluice_ptrack_t *t;

    fuzz_presentation(&p, live);

    rc = sluice_filter_apply(a, &p, f, n);

    if (rc == SLUICE_NOT_FOUND) {
        if (p.tracks != tracks || p.ntracks != 4) {
            abort();
        }

        return;
    }

    if (rc != SLUICE_OK || p.ntracks == 0 || p.ntracks > 4) {
        abort();
    }

    for (i = 0; i < p.ntracks; i++) {
        t = &p.tracks[i];

        if (t->info < info || t->info > &info[3]) {
            abort();
        }

        k = (uint32_t) (t->info - info);

        if (t->nfrags == 0 || t->frags < frags[k]
            || t->frags + t->nfrags > frags[k] + NFRAGS
            || t->discontinuities_before > 1)
        {
            abort();
        }

        for (k = 0; k < n; k++) {
            if (!sluice_filter_track(&f[k], t)) {
                abort();
            }
        }
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_pool_t      pool;
    const char      *reason;
    sluice_json_t   *v, *ex;
    sluice_alloc_t   a;
    sluice_filter_t  f[3];

    static const char  example[] =
        "{\"presentationTimeRange\":{\"startTimestamp\":0,"
        "\"endTimestamp\":170000000,\"presentationWindowDuration\":"
        "9223372036854774806,\"liveBackoffDuration\":0,\"timescale\":"
        "10000000,\"forceEndTimestamp\":false},\"firstQuality\":"
        "{\"bitrate\":128000},\"tracks\":[{\"trackSelections\":["
        "{\"property\":\"Type\",\"operation\":\"Equal\",\"value\":"
        "\"Audio\"}]}]}";

    pool.blocks = NULL;
    a.alloc = fuzz_alloc;
    a.ctx = &pool;

    if (sluice_json_parse(&a, data, size, &v, NULL, NULL) != SLUICE_OK) {
        fuzz_free(&pool);
        return 0;
    }

    reason = NULL;

    if (sluice_filter_parse(&a, v, &f[0], &reason) != SLUICE_OK) {
        if (reason == NULL) {
            abort();
        }

        fuzz_free(&pool);
        return 0;
    }

    if (sluice_json_parse(&a, (const uint8_t *) example, sizeof(example) - 1,
                          &ex, NULL, NULL) != SLUICE_OK
        || sluice_filter_parse(&a, ex, &f[2], &reason) != SLUICE_OK)
    {
        abort();
    }

    f[1] = f[0];

    fuzz_check(&a, f, 1, 0);
    fuzz_check(&a, f, 1, 1);
    fuzz_check(&a, f, 3, 0);
    fuzz_check(&a, f, 3, 1);

    fuzz_free(&pool);

    return 0;
}
