
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the fragmented MP4 ingest reader: the input is
 * framed box by box as an ingest frames its stream
 * (sluice_fmp4_box_header), the first moov parsed, a Smooth manifest
 * applied, and each moof with the mdat after it parsed.  What parses must
 * hold together: tracks within bounds, strings terminated, samples inside
 * their mdat.
 *
 *   ./build.sh fuzz      (or build/fuzz/fuzz_fmp4 t/fuzz/corpus/fmp4)
 */


#include <stdlib.h>

#include "media/sluice_lang.h"
#include "media/container/sluice_fmp4.h"


#define fourcc(s)                                                             \
    (((uint32_t) (s)[0] << 24) | ((uint32_t) (s)[1] << 16)                    \
     | ((uint32_t) (s)[2] << 8) | (uint32_t) (s)[3])


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void *
fuzz_alloc(void *ctx, size_t size)
{
    return malloc(size);
}


static void
fuzz_check_string(const char *s, size_t size)
{
    if (memchr(s, '\0', size) == NULL) {
        abort();
    }
}


static void
fuzz_check_header(const sluice_fmp4_header_t *h)
{
    uint32_t                    i;
    const sluice_fmp4_track_t  *t;

    if (h->ntracks == 0 || h->ntracks > SLUICE_FMP4_MAX_TRACKS) {
        abort();
    }

    for (i = 0; i < h->ntracks; i++) {
        t = &h->tracks[i];

        fuzz_check_string(t->info.codec_string, SLUICE_MAX_CODEC_STRING);
        fuzz_check_string(t->info.lang, SLUICE_MAX_LANG);
        fuzz_check_string(t->name, sizeof(t->name));

        if (t->track_id == 0 || t->info.timescale == 0
            || t->info.config_len > SLUICE_MAX_CODEC_CONFIG
            || t->info.media_type > SLUICE_FMP4_MEDIA_OTHER
            || (t->info.lang[0]
                && !sluice_lang_valid((const uint8_t *) t->info.lang,
                                      strlen(t->info.lang))))
        {
            abort();
        }
    }
}


static void
fuzz_fragment(const sluice_fmp4_header_t *h, const uint8_t *moof,
    size_t moof_len, const uint8_t *mdat, size_t mdat_len)
{
    uint32_t                i;
    uint64_t                duration;
    sluice_alloc_t          a;
    sluice_sample_t        *s;
    sluice_fmp4_fragment_t  out;

    a.alloc = fuzz_alloc;
    a.ctx = NULL;

    if (sluice_fmp4_fragment_parse(h, moof, moof_len, mdat, mdat_len, &a,
                                   &out)
        != SLUICE_OK)
    {
        return;
    }

    if (out.track >= h->ntracks || out.frag.nsamples == 0
        || out.frag.nsamples > SLUICE_FMP4_MAX_SAMPLES)
    {
        abort();
    }

    duration = 0;
    s = out.frag.samples;

    for (i = 0; i < out.frag.nsamples; i++) {
        if (s[i].size == 0 || s[i].data < mdat + 8
            || s[i].size > mdat_len
            || s[i].data + s[i].size > mdat + mdat_len
            || s[i].dts != out.frag.time + duration)
        {
            abort();
        }

        duration += s[i].duration;
    }

    if (duration != out.frag.duration) {
        abort();
    }

    free(out.frag.samples);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                    have_moov;
    size_t                 pos, hl, manifest_len;
    uint32_t               type, mdat_type;
    uint64_t               len, mdat_len;
    const uint8_t         *p, *manifest;
    sluice_fmp4_header_t   h;

    have_moov = 0;
    manifest = NULL;
    manifest_len = 0;

    for (pos = 0; pos < size; pos += (size_t) len) {
        p = data + pos;

        if (sluice_fmp4_box_header(p, size - pos, &type, &len, &hl)
            != SLUICE_OK || len > size - pos)
        {
            break;
        }

        if (type == fourcc("uuid")) {
            if (sluice_fmp4_is_manifest(p, len)) {
                manifest = p;
                manifest_len = (size_t) len;
            }

            if (have_moov) {
                (void) sluice_fmp4_manifest_apply(p, len, &h);
                fuzz_check_header(&h);
            }

        } else if (type == fourcc("moov") && !have_moov) {
            if (sluice_fmp4_moov_parse(p, len, &h) != SLUICE_OK) {
                continue;
            }

            fuzz_check_header(&h);
            have_moov = 1;

            if (manifest) {
                if (sluice_fmp4_manifest_apply(manifest, manifest_len, &h)
                    != SLUICE_OK)
                {
                    abort();
                }

                fuzz_check_header(&h);
            }

        } else if (type == fourcc("moof") && have_moov) {
            if (sluice_fmp4_box_header(p + len, size - pos - len, &mdat_type,
                                       &mdat_len, &hl) != SLUICE_OK
                || mdat_len > size - pos - len)
            {
                break;
            }

            fuzz_fragment(&h, p, (size_t) len, p + len, (size_t) mdat_len);
        }
    }

    return 0;
}
