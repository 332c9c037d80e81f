
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the EventStream reader of onUserDataEvent: every
 * string of a result lies in the output buffer, a refusal has a reason,
 * and a buffer of the input's size is always enough.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       t/fuzz/fuzz_eventstream.c src/media/signal/sluice_eventstream.c \
 *       src/util/sluice_base64.c -o fuzz_eventstream
 *   ./fuzz_eventstream t/fuzz/corpus/eventstream
 */


#include <stdlib.h>

#include "media/signal/sluice_eventstream.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void
inside(const sluice_str_t *s, const uint8_t *buf, size_t size)
{
    if (s->len && (s->data < buf || s->data + s->len > buf + size)) {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t               *buf;
    const char            *reason;
    sluice_status_t        rc;
    sluice_eventstream_t   es;

    /* exactly size bytes, so ASan sees any write past them */
    buf = malloc(size ? size : 1);
    if (buf == NULL) {
        return 0;
    }

    reason = NULL;
    rc = sluice_eventstream_parse(&es, data, size, buf, size, &reason);

    if (rc == SLUICE_OK) {
        inside(&es.scheme_id_uri, buf, size);
        inside(&es.value, buf, size);
        inside(&es.id, buf, size);
        inside(&es.data, buf, size);

        if (es.nevents == 0 || es.timescale == 0
            || es.scheme_id_uri.len == 0)
        {
            abort();
        }

    } else if (rc != SLUICE_BAD_DATA || reason == NULL) {
        abort();
    }

    free(buf);

    return 0;
}
