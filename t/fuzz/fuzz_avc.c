
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the AVC configuration record and SPS parser and of
 * the NAL unit iterator; a record that parses must also make an init
 * segment of exactly the announced size.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/media \
 *       t/fuzz/fuzz_avc.c src/media/sluice_avc.c src/media/sluice_bits.c \
 *       src/media/sluice_cmaf.c -o fuzz_avc
 *   ./fuzz_avc t/fuzz/corpus/avc
 */


#include <stdlib.h>

#include "media/codec/sluice_avc.h"
#include "media/container/sluice_cmaf.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void
fuzz_nals(const uint8_t *data, size_t size, uint32_t nls)
{
    sluice_str_t           nal;
    sluice_avc_nal_iter_t  it;

    sluice_avc_nal_iter_init(&it, data, size, nls);

    while (sluice_avc_nal_next(&it, &nal) == SLUICE_OK) {
        if (nal.data < data || nal.data + nal.len > data + size
            || nal.len == 0)
        {
            abort();
        }
    }

    (void) sluice_avc_has_idr(data, size, nls);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t               n;
    uint8_t             *buf;
    uint32_t             i;
    sluice_avc_config_t  c;
    sluice_track_info_t  ti;

    fuzz_nals(data, size, 1);
    fuzz_nals(data, size, 2);
    fuzz_nals(data, size, 4);

    if (size > 0) {
        (void) sluice_avc_parse_sps(data, size, &c);
    }

    if (sluice_avc_parse_config(data, size, &c) != SLUICE_OK) {
        return 0;
    }

    for (i = 0; i < c.nsps; i++) {
        if (c.sps[i].data < data || c.sps[i].data + c.sps[i].len > data + size)
        {
            abort();
        }
    }

    if (c.width == 0 || c.height == 0 || c.width > 16384
        || c.height > 32768)
    {
        abort();
    }

    if (sluice_avc_fill_info(&c, &ti) != SLUICE_OK) {
        return 0;
    }

    n = sluice_cmaf_init_size(&ti, 1);
    buf = malloc(n);

    if (buf && sluice_cmaf_init_write(buf, &ti, 1) != buf + n) {
        abort();
    }

    free(buf);

    return 0;
}
