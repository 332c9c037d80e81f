
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the closed-caption finder (media/codec/sluice_sei.c).
 * The first byte picks the codec (bit 0: HEVC) and the NAL length size
 * (bits 1-2: 1, 2, 4 or 3, which is refused); the rest is an access unit
 * as stored.  The flags found must be known ones, and each NAL unit's
 * flags must be within the access unit's.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       t/fuzz/fuzz_sei.c src/media/codec/sluice_sei.c \
 *       src/media/codec/sluice_avc.c src/media/codec/sluice_bits.c \
 *       -o fuzz_sei
 *   ./fuzz_sei t/fuzz/corpus/sei
 */


#include <stdlib.h>

#include "media/codec/sluice_sei.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t               codec, nls, all, one;
    sluice_str_t           nal;
    sluice_avc_nal_iter_t  it;
    static const uint32_t  sizes[4] = { 1, 2, 4, 3 };

    if (size < 1) {
        return 0;
    }

    codec = (data[0] & 1) ? SLUICE_CODEC_HEVC : SLUICE_CODEC_AVC;
    nls = sizes[(data[0] >> 1) & 3];

    all = sluice_sei_captions(data + 1, size - 1, codec, nls);

    if (all & ~SLUICE_CAPTIONS_ALL) {
        abort();
    }

    sluice_avc_nal_iter_init(&it, data + 1, size - 1, nls);

    while (sluice_avc_nal_next(&it, &nal) == SLUICE_OK) {
        one = sluice_sei_nal_captions(nal.data, nal.len, codec);

        if (one & ~all) {
            abort();
        }
    }

    /* the whole input as one NAL unit and as a T.35 payload */

    if (sluice_sei_nal_captions(data + 1, size - 1, codec)
        & ~SLUICE_CAPTIONS_ALL)
    {
        abort();
    }

    if (sluice_sei_t35_captions(data + 1, size - 1) & ~SLUICE_CAPTIONS_ALL) {
        abort();
    }

    return 0;
}
