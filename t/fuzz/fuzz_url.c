
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the AMS URL tag parser.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/media \
 *       t/fuzz/fuzz_url.c src/media/sluice_url.c -o fuzz_url
 *   ./fuzz_url t/fuzz/corpus/url
 */


#include <stdlib.h>

#include "media/sluice_url.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char       *reason;
    sluice_url_t      url;
    sluice_status_t   rc;

    reason = NULL;
    rc = sluice_url_parse(&url, data, size, &reason);

    if (rc == SLUICE_OK) {
        /* every string of the result lies inside the input */
        if (url.track.len
            && (url.track.data < data
                || url.track.data + url.track.len > data + size))
        {
            abort();
        }

        if (url.filter.len
            && (url.filter.data < data
                || url.filter.data + url.filter.len > data + size))
        {
            abort();
        }

        if (url.kind != SLUICE_URL_MANIFEST && url.track.len == 0) {
            abort();
        }

    } else if (rc != SLUICE_BAD_REQUEST || reason == NULL) {
        abort();
    }

    return 0;
}
