
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the CMAF fragment reader: whatever parses must have
 * its samples inside the input, and writing it back (CMAF and Smooth)
 * must parse again to the same samples.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/media \
 *       t/fuzz/fuzz_cmaf.c src/media/sluice_cmaf.c src/media/sluice_bits.c \
 *       -o fuzz_cmaf
 *   ./fuzz_cmaf t/fuzz/corpus/cmaf
 */


#include <stdlib.h>

#include "media/container/sluice_cmaf.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void *
fuzz_alloc(void *ctx, size_t size)
{
    return malloc(size);
}


static void
fuzz_roundtrip(sluice_fragment_t *f, uint32_t flags)
{
    size_t             n;
    uint8_t           *buf;
    uint32_t           i;
    sluice_alloc_t     a;
    sluice_fragment_t  back;

    a.alloc = fuzz_alloc;
    a.ctx = NULL;

    n = sluice_cmaf_fragment_size(f, 1, flags);

    if (n == 0) {
        return;
    }

    buf = malloc(n);

    if (buf == NULL) {
        return;
    }

    if (sluice_cmaf_fragment_write(buf, f, 1, flags) != buf + n) {
        abort();
    }

    if (sluice_cmaf_fragment_parse(buf, n, &a, &back) != SLUICE_OK
        || back.nsamples != f->nsamples || back.sequence != f->sequence
        || back.time != f->samples[0].dts)
    {
        abort();
    }

    for (i = 0; i < f->nsamples; i++) {
        if (back.samples[i].dts != f->samples[i].dts
            || back.samples[i].cts != f->samples[i].cts
            || back.samples[i].duration != f->samples[i].duration
            || back.samples[i].size != f->samples[i].size
            || back.samples[i].flags != f->samples[i].flags
            || memcmp(back.samples[i].data, f->samples[i].data,
                      f->samples[i].size) != 0)
        {
            abort();
        }
    }

    free(back.samples);
    free(buf);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t           i;
    sluice_alloc_t     a;
    sluice_fragment_t  f;

    a.alloc = fuzz_alloc;
    a.ctx = NULL;

    if (sluice_cmaf_fragment_parse(data, size, &a, &f) != SLUICE_OK) {
        return 0;
    }

    for (i = 0; i < f.nsamples; i++) {
        if (f.samples[i].data < data
            || f.samples[i].size > size
            || f.samples[i].data + f.samples[i].size > data + size)
        {
            abort();
        }
    }

    fuzz_roundtrip(&f, SLUICE_CMAF_STYP);
    fuzz_roundtrip(&f, SLUICE_CMAF_SMOOTH);

    free(f.samples);

    return 0;
}
