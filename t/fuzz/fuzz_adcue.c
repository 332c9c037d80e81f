
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the RTMP cue messages (onAdCue, onCuePoint,
 * onUserDataEvent).  Each input is tried as a message body as it is, and
 * as a little program that builds one, so that the fuzzer reaches the
 * fields past the AMF0 framing:
 *
 *   byte 0         the message name (and "@setDataFrame" first or not)
 *   then per op    1 byte: key (low 4 bits) and value kind (high 4 bits),
 *                  values drawn from the input that follows
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       t/fuzz/fuzz_adcue.c src/media/signal/sluice_adcue.c \
 *       src/media/signal/sluice_eventstream.c \
 *       src/media/signal/sluice_scte35.c src/media/container/sluice_amf.c \
 *       src/media/codec/sluice_bits.c src/util/sluice_base64.c \
 *       -o fuzz_adcue
 *   ./fuzz_adcue t/fuzz/corpus/adcue
 */


#include <stdlib.h>

#include "media/container/sluice_amf.h"
#include "media/signal/sluice_adcue.h"
#include "media/signal/sluice_scte35.h"
#include "util/sluice_base64.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


typedef struct {
    uint8_t         buf[16384];
    size_t          len;
    const uint8_t  *in;
    const uint8_t  *end;
} prog_t;


static const char  *names[] = {
    "onAdCue", "onCuePoint", "onUserDataEvent", "onMetaData"
};

static const char  *keys[] = {
    "type", "cue", "id", "time", "duration", "elapsed", "name",
    "parameters", "TYPE", "x"
};

static const char  *words[] = {
    "SpliceOut", "scte35", "urn:scte:scte35:2013:bin", "event", "1002",
    "30.5", "-1", "1e400"
};


static void
put(prog_t *g, const void *p, size_t n)
{
    if (n > sizeof(g->buf) - g->len) {
        n = sizeof(g->buf) - g->len;
    }

    memcpy(g->buf + g->len, p, n);
    g->len += n;
}


static void
put8(prog_t *g, unsigned v)
{
    uint8_t  b;

    b = (uint8_t) v;
    put(g, &b, 1);
}


static void
put_str(prog_t *g, const uint8_t *p, size_t n, int marker)
{
    if (marker) {
        put8(g, SLUICE_AMF_STRING);
    }

    put8(g, (unsigned) (n >> 8));
    put8(g, (unsigned) n);
    put(g, p, n);
}


static size_t
take(prog_t *g, size_t want)
{
    size_t  n;

    n = (size_t) (g->end - g->in);

    return want < n ? want : n;
}


static void
value(prog_t *g, unsigned kind, unsigned depth)
{
    size_t       n;
    uint8_t      b64[512];
    const char  *w;

    switch (kind % 6) {

    case 0:                                 /* a number from 8 bytes */
        n = take(g, 8);
        put8(g, SLUICE_AMF_NUMBER);
        put(g, "\0\0\0\0\0\0\0\0", 8 - n);
        put(g, g->in, n);
        g->in += n;
        break;

    case 1:                                 /* a known word */
        n = take(g, 1);
        w = words[n ? g->in[0] % (sizeof(words) / sizeof(words[0])) : 0];
        g->in += n;
        put_str(g, (const uint8_t *) w, strlen(w), 1);
        break;

    case 2:                                 /* base64 of input bytes */
        n = take(g, 1);
        n = n ? 1 + g->in[0] % 200 : 0;
        g->in += n ? 1 : 0;
        n = take(g, n);
        put_str(g, b64, sluice_base64_encode(g->in, n, b64, 0), 1);
        g->in += n;
        break;

    case 3:                                 /* raw input as a string */
        n = take(g, 1);
        n = n ? take(g, 1 + g->in[0]) : 0;
        g->in += n ? 1 : 0;
        n = take(g, n);
        put_str(g, g->in, n, 1);
        g->in += n;
        break;

    case 4:                                 /* a nested object */
        if (depth > 2) {
            put8(g, SLUICE_AMF_NULL);
            break;
        }

        put8(g, SLUICE_AMF_OBJECT);
        n = take(g, 1);
        n = n ? g->in[0] % 4 : 0;
        g->in += n ? 1 : 0;

        while (n--) {
            w = keys[g->in < g->end ? g->in[0] % 10 : 0];
            put_str(g, (const uint8_t *) w, strlen(w), 0);
            value(g, g->in < g->end ? g->in[0] >> 4 : 0, depth + 1);
            g->in += g->in < g->end ? 1 : 0;
        }

        put_str(g, (const uint8_t *) "", 0, 0);
        put8(g, SLUICE_AMF_OBJECT_END);
        break;

    default:                                /* a boolean */
        put8(g, SLUICE_AMF_BOOLEAN);
        put8(g, 1);
        break;
    }
}


static void
check(const uint8_t *p, size_t len)
{
    size_t            size;
    uint8_t          *buf;
    const char       *reason, *why;
    sluice_cue_t      cue;
    sluice_status_t   rc;
    sluice_scte35_t   s;

    size = SLUICE_CUE_BUF_SIZE(len);
    buf = malloc(size);
    if (buf == NULL) {
        return;
    }

    reason = NULL;
    rc = sluice_adcue_parse(&cue, p, len, buf, size, &reason);

    if (rc != SLUICE_OK) {
        if (reason == NULL || rc == SLUICE_NO_MEMORY) {
            abort();
        }

        free(buf);
        return;
    }

    if (cue.kind < SLUICE_CUE_SPLICE_OUT || cue.kind > SLUICE_CUE_METADATA
        || cue.duration > SLUICE_CUE_MAX_DURATION
        || (cue.has_elapsed && cue.elapsed > SLUICE_CUE_MAX_DURATION))
    {
        abort();
    }

    /* a cue's section always parses again */
    if (cue.kind != SLUICE_CUE_METADATA
        && sluice_scte35_parse(&s, cue.section.data, cue.section.len, &why)
           != SLUICE_OK)
    {
        abort();
    }

    free(buf);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned  op;
    prog_t    *g;

    check(data, size);

    if (size == 0) {
        return 0;
    }

    g = malloc(sizeof(prog_t));
    if (g == NULL) {
        return 0;
    }

    g->len = 0;
    g->in = data + 1;
    g->end = data + size;

    if (data[0] & 0x80) {
        put_str(g, (const uint8_t *) "@setDataFrame", 13, 1);
    }

    op = data[0] & 0x03;
    put_str(g, (const uint8_t *) names[op], strlen(names[op]), 1);

    if (op == 2 && (data[0] & 0x40)) {
        value(g, 3, 0);                     /* the XML as one string */

    } else {
        put8(g, (data[0] & 0x20) ? SLUICE_AMF_ECMA_ARRAY : SLUICE_AMF_OBJECT);

        if (data[0] & 0x20) {
            put(g, "\0\0\0\0", 4);
        }

        while (g->in < g->end && g->len < sizeof(g->buf) - 1024) {
            op = *g->in++;
            put_str(g, (const uint8_t *) keys[(op & 0x0F) % 10],
                    strlen(keys[(op & 0x0F) % 10]), 0);
            value(g, op >> 4, 0);
        }

        if (!(data[0] & 0x10)) {
            put_str(g, (const uint8_t *) "", 0, 0);
            put8(g, SLUICE_AMF_OBJECT_END);
        }
    }

    check(g->buf, g->len);
    free(g);

    return 0;
}
