
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the slice header measure (sluice_slice.h): the
 * first byte picks AVC or HEVC, the rest is a length-prefixed sample
 * (2-byte lengths) whose parameter sets are learnt and whose slices are
 * measured, as the 'cbcs' subsample map does; a measure never exceeds
 * its NAL unit, and the map covers the sample exactly.
 *
 *   ./build.sh fuzz      (t/fuzz/corpus/slice)
 */


#include <stdlib.h>

#include "media/codec/sluice_slice.h"
#include "media/crypto/sluice_cenc.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static sluice_slice_params_t  params;
static sluice_subsample_t     ss[4096];


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t    pos, n, len, i, total;
    uint32_t  codec;

    if (size < 1) {
        return 0;
    }

    codec = (data[0] & 1) ? SLUICE_CODEC_HEVC : SLUICE_CODEC_AVC;
    data++;
    size--;

    sluice_slice_params_init(&params, codec, NULL, 0);

    for (pos = 0; pos + 2 <= size; pos += 2 + len) {
        len = ((size_t) data[pos] << 8) | data[pos + 1];

        if (len > size - pos - 2) {
            break;
        }

        sluice_slice_params_nal(&params, data + pos + 2, len);

        if (sluice_slice_header_size(&params, data + pos + 2, len, &n)
            == SLUICE_OK && (n > len || n == 0))
        {
            abort();
        }
    }

    sluice_slice_params_init(&params, codec, NULL, 0);

    if (sluice_cenc_nal_subsamples(data, size, codec, 2,
                                   SLUICE_CENC_SCHEME_CBCS,
                                   SLUICE_CENC_CBCS_CLEAR_LEAD, &params, ss,
                                   sizeof(ss) / sizeof(ss[0]), &n)
        == SLUICE_OK)
    {
        for (i = 0, total = 0; i < n; i++) {
            total += (size_t) ss[i].clear + ss[i].protect;
        }

        if (total != size) {
            abort();
        }
    }

    return 0;
}
