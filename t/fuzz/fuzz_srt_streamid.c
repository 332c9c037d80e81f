
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the SRT stream id parser.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       t/fuzz/fuzz_srt_streamid.c src/util/sluice_srt_streamid.c \
 *       -o fuzz_srt_streamid
 *   ./fuzz_srt_streamid t/fuzz/corpus/srt_streamid
 */


#include <stdlib.h>

#include "util/sluice_srt_streamid.h"


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
    const char              *reason;
    sluice_srt_streamid_t    sid;
    sluice_srt_sid_error_t   rc;

    reason = NULL;
    rc = sluice_srt_streamid_parse(&sid, data, size, &reason);

    if (rc != SLUICE_SRT_SID_OK) {
        if (reason == NULL) {
            abort();
        }

        return 0;
    }

    /* a token always, both strings inside the input and within limits */

    if (sid.token.len == 0 || sid.token.len > SLUICE_SRT_TOKEN_MAX
        || sid.stream.len > SLUICE_SRT_STREAM_MAX)
    {
        abort();
    }

    inside(&sid.token, data, size);
    inside(&sid.stream, data, size);

    return 0;
}
