
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the JSON reader and writer: whatever parses must
 * write back to text that parses again to the same text.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/util \
 *       t/fuzz/fuzz_json.c src/util/sluice_json.c -o fuzz_json
 *   ./fuzz_json t/fuzz/corpus/json
 */


#include <stdlib.h>
#include <string.h>

#include "util/sluice_json.h"
#include "fuzz_pool.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t           n, n2;
    uint8_t         *out, *out2;
    fuzz_pool_t      pool;
    const char      *reason;
    sluice_json_t   *v, *v2;
    sluice_alloc_t   a;
    sluice_status_t  rc;

    pool.blocks = NULL;
    a.alloc = fuzz_alloc;
    a.ctx = &pool;

    reason = NULL;
    v = NULL;
    rc = sluice_json_parse(&a, data, size, &v, &reason, &n);

    if (rc != SLUICE_OK) {
        if (reason == NULL || n > size) {
            abort();
        }

        fuzz_free(&pool);
        return 0;
    }

    n = sluice_json_write(v, NULL);
    out = malloc(n);
    if (sluice_json_write(v, out) != n) {
        abort();
    }

    v2 = NULL;
    if (sluice_json_parse(&a, out, n, &v2, &reason, NULL) != SLUICE_OK) {
        abort();
    }

    n2 = sluice_json_write(v2, NULL);
    out2 = malloc(n2);
    sluice_json_write(sluice_json_copy(&a, v2), out2);

    if (n2 != n || memcmp(out, out2, n) != 0) {
        abort();
    }

    free(out);
    free(out2);
    fuzz_free(&pool);

    return 0;
}
