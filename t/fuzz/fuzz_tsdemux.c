
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the MPEG-TS demuxer (SRT ingest: a publisher sends
 * any bytes).  The input is demuxed twice: whole, then in pieces of 1 to
 * 400 bytes (their sizes drawn from the first byte); both runs must hand
 * over exactly the same tracks and frames.  What is handed over must
 * hold together: indexes below SLUICE_TSDEMUX_MAX_TRACKS, a frame only
 * after its track, strings terminated, languages valid, video access
 * units made of 4-byte length-prefixed NAL units, audio frames key
 * with cts 0.
 *
 *   ./build.sh fuzz      (or build/fuzz/fuzz_tsdemux t/fuzz/corpus/tsdemux)
 */


#include <stdlib.h>

#include "media/sluice_lang.h"
#include "media/codec/sluice_avc.h"
#include "media/container/sluice_tsdemux.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


typedef struct {
    uint64_t    hash;
    uint32_t    events;
    uint32_t    known;          /* bit per track announced */
    uint32_t    audio;          /* bit per audio track */
} fuzz_run_t;


static void
fuzz_hash(fuzz_run_t *run, const void *p, size_t len)
{
    size_t          i;
    const uint8_t  *b;

    b = p;

    for (i = 0; i < len; i++) {
        run->hash = (run->hash ^ b[i]) * 0x100000001b3ULL;     /* FNV-1a */
    }
}


static void
fuzz_check_string(const char *s, size_t size)
{
    if (memchr(s, '\0', size) == NULL) {
        abort();
    }
}


static void
fuzz_track(void *data, uint32_t index, const sluice_track_info_t *info)
{
    fuzz_run_t  *run = data;

    if (index >= SLUICE_TSDEMUX_MAX_TRACKS || info->timescale == 0
        || info->config_len == 0
        || info->config_len > SLUICE_MAX_CODEC_CONFIG)
    {
        abort();
    }

    fuzz_check_string(info->codec_string, SLUICE_MAX_CODEC_STRING);
    fuzz_check_string(info->lang, SLUICE_MAX_LANG);

    if (info->lang[0]
        && !sluice_lang_valid((const uint8_t *) info->lang,
                              strlen(info->lang)))
    {
        abort();
    }

    switch (info->codec) {
    case SLUICE_CODEC_AVC:
    case SLUICE_CODEC_HEVC:
        if (info->media_type != SLUICE_MEDIA_VIDEO || info->timescale != 90000
            || info->nal_length_size != 4)
        {
            abort();
        }

        run->audio &= ~(1u << index);
        break;

    case SLUICE_CODEC_AAC:
        if (info->media_type != SLUICE_MEDIA_AUDIO
            || info->sample_rate != info->timescale)
        {
            abort();
        }

        run->audio |= 1u << index;
        break;

    default:
        abort();
    }

    run->known |= 1u << index;
    run->events++;
    fuzz_hash(run, &index, sizeof(index));
    fuzz_hash(run, info, sizeof(sluice_track_info_t));
}


static int
fuzz_frame(void *data, uint32_t index, uint64_t dts, int32_t cts, int key,
    const uint8_t *p, size_t len)
{
    sluice_str_t           nal;
    sluice_status_t        rc;
    fuzz_run_t            *run = data;
    sluice_avc_nal_iter_t  it;

    if (index >= SLUICE_TSDEMUX_MAX_TRACKS || !(run->known & (1u << index))
        || len == 0)
    {
        abort();
    }

    if (run->audio & (1u << index)) {
        if (cts != 0 || key != 1) {
            abort();
        }

    } else {
        sluice_avc_nal_iter_init(&it, p, len, 4);

        while ((rc = sluice_avc_nal_next(&it, &nal)) == SLUICE_OK) {
            /* void */
        }

        if (rc != SLUICE_NOT_FOUND) {
            abort();
        }
    }

    run->events++;
    fuzz_hash(run, &index, sizeof(index));
    fuzz_hash(run, &dts, sizeof(dts));
    fuzz_hash(run, &cts, sizeof(cts));
    fuzz_hash(run, &key, sizeof(key));
    fuzz_hash(run, &len, sizeof(len));
    fuzz_hash(run, p, len);

    return 0;
}


static void
fuzz_section(void *data, uint32_t pid, const uint8_t *p, size_t len,
    uint64_t now)
{
    fuzz_run_t  *run = data;

    if (len < 15 || p[0] != 0xfc) {
        abort();                        /* the demuxer checked them */
    }

    run->events++;
    fuzz_hash(run, &pid, sizeof(pid));
    fuzz_hash(run, &now, sizeof(now));
    fuzz_hash(run, &len, sizeof(len));
    fuzz_hash(run, p, len);
}


static void
fuzz_demux(const uint8_t *data, size_t size, uint32_t seed, fuzz_run_t *run)
{
    size_t                    n;
    sluice_status_t           rc;
    sluice_tsdemux_t         *d;
    sluice_tsdemux_handler_t  h;

    memset(run, 0, sizeof(fuzz_run_t));
    run->hash = 0xcbf29ce484222325ULL;

    h.track = fuzz_track;
    h.frame = fuzz_frame;
    h.section = fuzz_section;
    h.data = run;

    d = sluice_tsdemux_create(&h);
    if (d == NULL) {
        abort();
    }

    while (size) {
        if (seed) {
            seed = seed * 1103515245 + 12345;
            n = 1 + (seed >> 16) % 400;
            n = n < size ? n : size;

        } else {
            n = size;
        }

        rc = sluice_tsdemux_feed(d, data, n);

        if (rc != SLUICE_OK && rc != SLUICE_BAD_DATA) {
            abort();
        }

        data += n;
        size -= n;
    }

    if (sluice_tsdemux_flush(d) != SLUICE_OK) {
        abort();
    }

    if (sluice_tsdemux_ignored(d) != sluice_tsdemux_stats(d)->ignored) {
        abort();
    }

    fuzz_hash(run, sluice_tsdemux_stats(d), sizeof(sluice_tsdemux_stats_t));
    sluice_tsdemux_free(d);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_run_t  whole, pieces;

    if (size < 1) {
        return 0;
    }

    fuzz_demux(data + 1, size - 1, 0, &whole);
    fuzz_demux(data + 1, size - 1, 1 + data[0], &pieces);

    if (whole.hash != pieces.hash || whole.events != pieces.events) {
        abort();
    }

    return 0;
}
