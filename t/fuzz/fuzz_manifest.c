
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the manifest writers (HLS, DASH, Smooth) on
 * presentations built from the input: any timeline, flags, codec
 * configuration, name.  Counting and writing must give the same length,
 * and nothing may crash.
 */


#include <stdlib.h>

#include "media/manifest/sluice_hls.h"
#include "media/manifest/sluice_dash.h"
#include "media/manifest/sluice_mss.h"


#define MAX_TRACKS  4
#define MAX_FRAGS   32


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


typedef struct {
    const uint8_t  *p;
    const uint8_t  *end;
} input_t;


static uint32_t
take(input_t *in, size_t n)
{
    uint32_t  v;

    v = 0;

    while (n-- && in->p < in->end) {
        v = (v << 8) | *in->p++;
    }

    return v;
}


static void *
pool_alloc(void *ctx, size_t size)
{
    void  **pool = ctx;
    size_t  i;

    for (i = 0; i < 63 && pool[i]; i++) { /* void */ }

    if (i == 63) {
        return NULL;
    }

    return (pool[i] = malloc(size));
}


static void
run(const sluice_presentation_t *p, int which, uint32_t format)
{
    size_t           i;
    void            *pool[64];
    sluice_buf_t     count, b;
    sluice_alloc_t   alloc;
    sluice_status_t  rc1, rc2;

    memset(pool, 0, sizeof(pool));
    alloc.alloc = pool_alloc;
    alloc.ctx = pool;

    sluice_buf_init(&count, NULL, NULL, 0);
    sluice_buf_init(&b, &alloc, NULL, 0);

    switch (which) {

    case 0:
        rc1 = sluice_hls_master(&count, p, format, NULL);
        rc2 = sluice_hls_master(&b, p, format, NULL);
        break;

    case 1:
        rc1 = sluice_hls_playlist(&count, p, &p->tracks[0], format,
                                  NULL);
        rc2 = sluice_hls_playlist(&b, p, &p->tracks[0], format, NULL);
        break;

    case 2:
        rc1 = sluice_dash_mpd(&count, p, format);
        rc2 = sluice_dash_mpd(&b, p, format);
        break;

    default:
        rc1 = sluice_mss_manifest(&count, p);
        rc2 = sluice_mss_manifest(&b, p);
        break;
    }

    if (rc1 != rc2 && rc2 != SLUICE_NO_MEMORY) {
        abort();
    }

    if (rc1 == SLUICE_OK && rc2 == SLUICE_OK && count.len != b.len) {
        abort();
    }

    for (i = 0; i < 64 && pool[i]; i++) {
        free(pool[i]);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                    which;
    uint32_t               i, j, ntracks, format;
    uint64_t               time;
    input_t                in;
    sluice_pfrag_t         frags[MAX_TRACKS][MAX_FRAGS];
    sluice_ptrack_t        tracks[MAX_TRACKS];
    sluice_track_info_t    info[MAX_TRACKS];
    sluice_presentation_t  p;

    in.p = data;
    in.end = data + size;

    which = take(&in, 1) & 3;
    format = take(&in, 1) % 6;
    ntracks = take(&in, 1) % MAX_TRACKS + 1;

    memset(&p, 0, sizeof(p));
    memset(tracks, 0, sizeof(tracks));
    memset(info, 0, sizeof(info));

    j = take(&in, 1);
    p.live = j & 1;
    p.ended = (j >> 1) & 1;
    p.program_date_time = (j >> 2) & 1;
    p.epoch_ms = (int64_t) take(&in, 4) * 1000 - 1000000000LL;
    p.now_ms = p.epoch_ms + take(&in, 2);
    p.window_ms = take(&in, 2) * 100;
    p.fragment_ms = take(&in, 2);
    p.fragments_per_segment = take(&in, 1) % 5;
    p.tracks = tracks;
    p.ntracks = ntracks;

    for (i = 0; i < ntracks; i++) {
        j = take(&in, 1);
        info[i].media_type = j & 1;
        info[i].codec = (j >> 1) % 4;
        info[i].timescale = (j & 0x80) ? take(&in, 1) : 90000;
        info[i].width = take(&in, 1) * 16;
        info[i].height = take(&in, 1) * 16;
        info[i].frame_rate_num = take(&in, 1);
        info[i].frame_rate_den = take(&in, 1);
        info[i].channels = take(&in, 1);
        info[i].sample_rate = take(&in, 2);
        memcpy(info[i].codec_string, "avc1.64001f", 12);
        info[i].config_len = take(&in, 1) % 64;

        for (j = 0; j < info[i].config_len; j++) {
            info[i].config[j] = (uint8_t) take(&in, 1);
        }

        tracks[i].info = &info[i];
        tracks[i].name.data = in.p;
        tracks[i].name.len = take(&in, 1) % 4;
        tracks[i].name.len = tracks[i].name.len <= (size_t) (in.end - in.p)
                             ? tracks[i].name.len : 0;
        in.p += tracks[i].name.len;
        tracks[i].bitrate = take(&in, 3);
        tracks[i].group = take(&in, 1) % 2;
        tracks[i].discontinuities_before = take(&in, 1);
        tracks[i].nfrags = take(&in, 1) % MAX_FRAGS;
        tracks[i].frags = frags[i];

        time = take(&in, 4);

        for (j = 0; j < tracks[i].nfrags; j++) {
            frags[i][j].time = time;
            frags[i][j].duration = take(&in, 2);
            frags[i][j].seq = take(&in, 1);
            frags[i][j].flags = take(&in, 1) & 1;
            time += frags[i][j].duration + (frags[i][j].flags ? 100 : 0);
        }
    }

    run(&p, which, format);

    return 0;
}
