
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the emsg box reader: what it reads lies inside
 * the box, and a box read back from what the writer makes of it has the
 * same fields.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       t/fuzz/fuzz_emsg.c src/media/signal/sluice_emsg.c \
 *       src/media/codec/sluice_bits.c -o fuzz_emsg
 *   ./fuzz_emsg t/fuzz/corpus/emsg
 */


#include <stdlib.h>

#include "media/signal/sluice_emsg.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void
inside(const sluice_str_t *s, const uint8_t *data, size_t size)
{
    if (s->len && (s->data < data || s->data + s->len > data + size)) {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t           used, n, used2;
    uint8_t         *buf;
    const char      *reason;
    sluice_emsg_t    e, r;
    sluice_status_t  rc;

    reason = NULL;
    rc = sluice_emsg_parse(&e, data, size, &used, &reason);

    if (rc == SLUICE_AGAIN) {
        if (used <= size && size >= 8) {
            abort();
        }

        return 0;
    }

    if (rc != SLUICE_OK) {
        if (rc != SLUICE_BAD_DATA || reason == NULL) {
            abort();
        }

        return 0;
    }

    if (used > size) {
        abort();
    }

    inside(&e.scheme_id_uri, data, used);
    inside(&e.value, data, used);
    inside(&e.message_data, data, used);

    n = sluice_emsg_size(&e);
    if (n == 0) {
        abort();
    }

    buf = malloc(n);
    if (buf == NULL) {
        return 0;
    }

    if ((size_t) (sluice_emsg_write(buf, &e) - buf) != n
        || sluice_emsg_parse(&r, buf, n, &used2, &reason) != SLUICE_OK
        || used2 != n
        || r.presentation_time != e.presentation_time
        || r.id != e.id
        || r.scheme_id_uri.len != e.scheme_id_uri.len
        || r.value.len != e.value.len
        || r.message_data.len != e.message_data.len)
    {
        abort();
    }

    free(buf);

    return 0;
}
