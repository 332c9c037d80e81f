
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the AMF0 decoder: onMetaData extraction and
 * skipping arbitrary values.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/media \
 *       t/fuzz/fuzz_amf.c src/media/sluice_amf.c src/media/sluice_bits.c \
 *       -o fuzz_amf
 *   ./fuzz_amf t/fuzz/corpus/amf
 */


#include <stdlib.h>

#include "media/container/sluice_amf.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t         *last;
    sluice_amf_reader_t    r;
    sluice_amf_metadata_t  md;

    if (sluice_amf_parse_metadata(data, size, &md) == SLUICE_OK
        && memchr(md.encoder, '\0', sizeof(md.encoder)) == NULL)
    {
        abort();
    }

    r.pos = data;
    r.end = data + size;

    while (r.pos < r.end) {
        last = r.pos;

        if (sluice_amf_skip_value(&r) != SLUICE_OK) {
            break;
        }

        if (r.pos <= last || r.pos > r.end) {
            abort();
        }
    }

    return 0;
}
