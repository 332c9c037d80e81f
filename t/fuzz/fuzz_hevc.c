
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the HEVC configuration record and SPS parser; a
 * record that fills a track must also make an init segment of exactly the
 * announced size, and its compacted record must parse again.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/media \
 *       t/fuzz/fuzz_hevc.c src/media/sluice_hevc.c src/media/sluice_avc.c \
 *       src/media/sluice_bits.c src/media/sluice_cmaf.c -o fuzz_hevc
 *   ./fuzz_hevc t/fuzz/corpus/hevc
 */


#include <stdlib.h>

#include "media/codec/sluice_hevc.h"
#include "media/container/sluice_cmaf.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                n;
    uint8_t              *buf;
    sluice_track_info_t   ti;
    sluice_hevc_config_t  c, c2;

    (void) sluice_hevc_has_irap(data, size, 4);

    if (size > 0) {
        (void) sluice_hevc_parse_sps(data, size, &c);
    }

    if (sluice_hevc_parse_config(data, size, &c) != SLUICE_OK) {
        return 0;
    }

    if (c.width == 0 || c.height == 0) {
        abort();
    }

    if (sluice_hevc_fill_info(&c, &ti) != SLUICE_OK) {
        return 0;
    }

    if (sluice_hevc_parse_config(ti.config, ti.config_len, &c2) != SLUICE_OK
        || c2.width != c.width || c2.height != c.height)
    {
        abort();
    }

    n = sluice_cmaf_init_size(&ti, 1);
    buf = malloc(n);

    if (buf && sluice_cmaf_init_write(buf, &ti, 1) != buf + n) {
        abort();
    }

    free(buf);

    return 0;
}
