
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the AudioSpecificConfig parser, ADTS writer and the
 * audio init segment.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/media \
 *       t/fuzz/fuzz_aac.c src/media/sluice_aac.c src/media/sluice_bits.c \
 *       src/media/sluice_cmaf.c -o fuzz_aac
 *   ./fuzz_aac t/fuzz/corpus/aac
 */


#include <stdlib.h>

#include "media/codec/sluice_aac.h"
#include "media/container/sluice_cmaf.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t               n;
    uint8_t              adts[SLUICE_AAC_ADTS_HEADER_LEN], *buf;
    sluice_aac_config_t  c;
    sluice_track_info_t  ti;

    if (sluice_aac_parse_config(data, size, &c) != SLUICE_OK) {
        return 0;
    }

    if (c.sample_rate == 0 || c.object_type == 0) {
        abort();
    }

    if (sluice_aac_write_adts(adts, &c, size) == SLUICE_OK
        && (adts[0] != 0xff || (adts[1] & 0xf6) != 0xf0))
    {
        abort();
    }

    if (sluice_aac_fill_info(&c, &ti) != SLUICE_OK) {
        return 0;
    }

    n = sluice_cmaf_init_size(&ti, 2);
    buf = malloc(n);

    if (buf && sluice_cmaf_init_write(buf, &ti, 2) != buf + n) {
        abort();
    }

    free(buf);

    return 0;
}
