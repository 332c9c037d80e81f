
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the MPEG-TS muxer: arbitrary codec configurations
 * and sample bytes (a publisher controls both).  Whatever the input, the
 * size pass and the write pass agree, or both fail.
 *
 * Input: flags (bit 0 HEVC, bit 1 audio, bit 2 no video), a video config
 * (length byte + bytes), an ASC (length byte + bytes), then samples:
 * size (2 bytes), flags (bit 0 key, bit 1 audio), cts (signed byte),
 * bytes.
 */


#include <stdlib.h>

#include "media/container/sluice_ts.h"


#define MAX_SAMPLES  64


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static size_t
take_config(const uint8_t **p, const uint8_t *end, sluice_track_info_t *ti)
{
    size_t  n;

    if (*p == end) {
        return 0;
    }

    n = *(*p)++;
    n = n < (size_t) (end - *p) ? n : (size_t) (end - *p);

    memcpy(ti->config, *p, n);
    ti->config_len = (uint32_t) n;
    *p += n;

    return n;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                n, len;
    uint8_t              *out;
    uint32_t              flags, i;
    const uint8_t        *p, *end;
    sluice_sample_t       vs[MAX_SAMPLES], as[MAX_SAMPLES], *s;
    sluice_ts_segment_t   seg;
    sluice_track_info_t   vi, ai;

    if (size < 1) {
        return 0;
    }

    p = data;
    end = data + size;
    flags = *p++;

    memset(&vi, 0, sizeof(vi));
    memset(&ai, 0, sizeof(ai));
    memset(&seg, 0, sizeof(seg));

    vi.media_type = SLUICE_MEDIA_VIDEO;
    vi.codec = (flags & 1) ? SLUICE_CODEC_HEVC : SLUICE_CODEC_AVC;
    vi.timescale = 90000;
    ai.media_type = SLUICE_MEDIA_AUDIO;
    ai.codec = SLUICE_CODEC_AAC;
    ai.timescale = 48000;

    take_config(&p, end, &vi);
    take_config(&p, end, &ai);

    seg.video.info = (flags & 4) ? NULL : &vi;
    seg.video.samples = vs;
    seg.audio.info = (flags & 2) ? &ai : NULL;
    seg.audio.samples = as;

    while (end - p >= 4) {
        n = (p[0] << 8) | p[1];
        i = p[2];

        if (i & 2) {
            if (seg.audio.nsamples == MAX_SAMPLES) {
                break;
            }

            s = &as[seg.audio.nsamples];
            s->dts = (uint64_t) seg.audio.nsamples++ * 1024;

        } else {
            if (seg.video.nsamples == MAX_SAMPLES) {
                break;
            }

            s = &vs[seg.video.nsamples];
            s->dts = (uint64_t) seg.video.nsamples++ * 3000;
        }

        s->cts = (int8_t) p[3] * 1000;
        s->flags = (i & 1) ? SLUICE_SAMPLE_KEY : 0;
        s->duration = 0;
        p += 4;

        n = n < (size_t) (end - p) ? n : (size_t) (end - p);
        s->size = (uint32_t) n;
        s->data = p;
        p += n;
    }

    if (sluice_ts_segment_size(&seg, &len) != SLUICE_OK) {
        return 0;
    }

    if (len % SLUICE_TS_PACKET != 0) {
        abort();
    }

    out = malloc(len ? len : 1);

    if (sluice_ts_segment_write(&seg, out, len) != SLUICE_OK) {
        abort();
    }

    for (n = 0; n < len; n += SLUICE_TS_PACKET) {
        if (out[n] != 0x47) {
            abort();
        }
    }

    free(out);

    return 0;
}
