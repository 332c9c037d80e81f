
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the cue outputs: the DASH EventStreams and
 * InbandEventStreams, the Smooth sparse track, the emsg boxes of a
 * segment and the Smooth sparse sample, on cues built from the input
 * (any kind, times, ids, sections, schemes, values, data) over a
 * presentation of a video and an audio track with discontinuities.
 * Counting and writing must give the same length, the emsg boxes of a
 * range exactly their size, each box one the emsg reader takes back,
 * and nothing may crash.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       t/fuzz/fuzz_cue_out.c src/media/... -o fuzz_cue_out
 */


#include <stdlib.h>

#include "media/manifest/sluice_dash.h"
#include "media/manifest/sluice_mss.h"
#include "media/signal/sluice_cue_box.h"
#include "media/signal/sluice_emsg.h"


#define MAX_FRAGS  16
#define MAX_CUES   8


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


/* up to max bytes of the input as a string */
static void
take_str(input_t *in, sluice_str_t *s, size_t max)
{
    size_t  n;

    n = take(in, 1) % (max + 1);
    n = n <= (size_t) (in->end - in->p) ? n : 0;

    s->data = n ? in->p : NULL;
    s->len = n;
    in->p += n;
}


static void
manifests(const sluice_presentation_t *p)
{
    int              i;
    sluice_buf_t     count, b;
    sluice_status_t  rc1, rc2;
    static uint8_t   out[1 << 16];

    for (i = 0; i < 3; i++) {
        sluice_buf_init(&count, NULL, NULL, 0);
        sluice_buf_init(&b, NULL, out, sizeof(out));

        if (i == 2) {
            rc1 = sluice_mss_manifest(&count, p);
            rc2 = sluice_mss_manifest(&b, p);

        } else {
            rc1 = sluice_dash_mpd(&count, p, i ? SLUICE_FORMAT_DASH_CMAF
                                               : SLUICE_FORMAT_DASH_CSF);
            rc2 = sluice_dash_mpd(&b, p, i ? SLUICE_FORMAT_DASH_CMAF
                                           : SLUICE_FORMAT_DASH_CSF);
        }

        if (rc1 == SLUICE_OK && count.len <= sizeof(out)
            && (rc2 != SLUICE_OK || b.len != count.len))
        {
            abort();
        }
    }
}


static void
boxes(const sluice_cue_t *cues, uint32_t n, uint64_t start, uint64_t end,
    uint32_t ts)
{
    size_t          size, off, used;
    uint8_t        *buf, *last;
    uint32_t        i;
    const char     *reason;
    sluice_emsg_t   e;

    size = sluice_cue_emsg_range_size(cues, n, start, end, ts);
    buf = malloc(size + 1);

    if (buf == NULL) {
        return;
    }

    last = sluice_cue_emsg_range_write(buf, cues, n, start, end, ts);

    if ((size_t) (last - buf) != size) {
        abort();
    }

    for (off = 0; off < size; off += used) {
        if (sluice_emsg_parse(&e, buf + off, size - off, &used, &reason)
            != SLUICE_OK
            || e.version != 1 || e.timescale != ts)
        {
            abort();
        }
    }

    free(buf);

    for (i = 0; i < n; i++) {
        size = sluice_cue_sparse_size(&cues[i]);
        buf = malloc(size + 1);

        if (buf == NULL) {
            return;
        }

        if ((size_t) (sluice_cue_sparse_write(buf, &cues[i]) - buf) != size) {
            abort();
        }

        free(buf);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t               i, j, n, flags;
    uint64_t               time;
    input_t                in;
    sluice_cue_t           cues[MAX_CUES];
    sluice_pfrag_t         frags[2][MAX_FRAGS];
    sluice_ptrack_t        tracks[2];
    sluice_track_info_t    info[2];
    sluice_presentation_t  p;

    static const sluice_str_t  schemes[] = {
        sluice_string("https://aomedia.org/emsg/ID3"),
        sluice_string("urn:example:x")
    };

    in.p = data;
    in.end = data + size;

    memset(&p, 0, sizeof(p));
    memset(tracks, 0, sizeof(tracks));
    memset(info, 0, sizeof(info));
    memset(cues, 0, sizeof(cues));

    flags = take(&in, 1);
    p.live = flags & 1;
    p.ended = (flags >> 1) & 1;
    p.inband_cues = (flags >> 2) & 1;
    p.epoch_ms = 1795000000000LL;
    p.now_ms = p.epoch_ms + take(&in, 2);
    p.window_ms = take(&in, 2) * 10;
    p.fragment_ms = take(&in, 2);
    p.tracks = tracks;
    p.ntracks = (flags >> 3) & 1 ? 2 : 1;

    for (i = 0; i < p.ntracks; i++) {
        info[i].media_type = i ? SLUICE_MEDIA_AUDIO : SLUICE_MEDIA_VIDEO;
        info[i].codec = i ? SLUICE_CODEC_AAC : SLUICE_CODEC_AVC;
        info[i].timescale = i ? 48000 : 90000;
        memcpy(info[i].codec_string, "avc1.64001f", 12);

        tracks[i].info = &info[i];
        tracks[i].name = i ? (sluice_str_t) sluice_string("audio")
                           : (sluice_str_t) sluice_string("video");
        tracks[i].bitrate = 1000 + i;
        tracks[i].period_start = take(&in, 2) * 100;
        tracks[i].nfrags = take(&in, 1) % MAX_FRAGS;
        tracks[i].frags = frags[i];

        time = take(&in, 3) * 10;

        for (j = 0; j < tracks[i].nfrags; j++) {
            frags[i][j].time = time;
            frags[i][j].duration = take(&in, 2) + 1;
            frags[i][j].flags = take(&in, 1) & 1;
            time += frags[i][j].duration + (frags[i][j].flags ? 9000 : 0);
        }
    }

    n = take(&in, 1) % (MAX_CUES + 1);
    time = take(&in, 3);

    for (i = 0; i < n; i++) {
        flags = take(&in, 1);
        cues[i].kind = flags % 4 + 1;
        cues[i].section_made = (flags >> 2) & 1;
        cues[i].has_time = 1;
        time += take(&in, 2);
        cues[i].time = time;
        cues[i].duration = (flags & 0x80) ? take(&in, 4) : 0;
        cues[i].event_id = take(&in, 4);
        take_str(&in, &cues[i].id, 12);
        take_str(&in, &cues[i].section, 48);

        if (cues[i].kind == SLUICE_CUE_METADATA) {
            if ((flags >> 3) & 1) {
                take_str(&in, &cues[i].scheme_id_uri, 16);

            } else {
                cues[i].scheme_id_uri = schemes[(flags >> 4) & 1];
            }

            take_str(&in, &cues[i].value, 8);
            take_str(&in, &cues[i].data, 64);
        }
    }

    p.cues = cues;
    p.ncues = n;

    manifests(&p);

    for (i = 0; i < tracks[0].nfrags; i++) {
        boxes(cues, n, frags[0][i].time,
              frags[0][i].time + frags[0][i].duration, info[0].timescale);
    }

    boxes(cues, n, 0, UINT64_MAX, 1000);

    return 0;
}
