
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of Sluice's SRT receiver, pure part: a datagram
 * through the packet parser, the handshake and its extensions, the key
 * material; then the datagram's bytes as a run of sequence numbers into
 * a receive window (sluice_srt_rcv.c), with drop requests, too-late
 * drops and NAK lists between.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       t/fuzz/fuzz_srt_packet.c src/util/sluice_srt_packet.c \
 *       src/util/sluice_srt_rcv.c -o fuzz_srt_packet
 *   ./fuzz_srt_packet t/fuzz/corpus/srt_packet
 */


#include <stdlib.h>
#include <string.h>

#include "util/sluice_srt_packet.h"
#include "util/sluice_srt_rcv.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static size_t  delivered;


static void
deliver(void *ctx, const uint8_t *p, size_t len)
{
    if (len && (p[0] | p[len - 1]) == 0xff) {
        delivered++;                    /* reads the bytes (ASan) */
    }

    delivered += len;
}


static void
inside(const uint8_t *p, size_t len, const uint8_t *data, size_t size)
{
    if (len && (p < data || p + len > data + size)) {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t               i, n;
    uint8_t              out[1500];
    uint32_t             seq, now;
    sluice_srt_km_t      km;
    sluice_srt_hs_t      hs;
    sluice_srt_rcv_t    *r;
    sluice_srt_range_t   gap, naks[16];
    sluice_srt_packet_t  pk;

    if (sluice_srt_packet_parse(&pk, data, size) == SLUICE_OK) {
        inside(pk.body, pk.body_len, data, size);

        if (sluice_srt_hs_parse(&hs, pk.body, pk.body_len) == SLUICE_OK) {
            if (hs.sid_len > SLUICE_SRT_SID_MAX) {
                abort();
            }

            if (hs.has_km) {
                inside(hs.km, hs.km_len, pk.body, pk.body_len);

                if (sluice_srt_km_parse(&km, hs.km, hs.km_len)
                    == SLUICE_OK)
                {
                    inside(km.wrapped, km.wrapped_len, hs.km, hs.km_len);
                }
            }

            hs.type = SLUICE_SRT_HS_CONCLUSION;
            n = sluice_srt_hs_write(out, sizeof(out), &hs, 0, 1, 0, 0,
                                    hs.km, hs.has_km ? hs.km_len : 0);
            if (n > sizeof(out)) {
                abort();
            }
        }
    }

    if (sluice_srt_km_parse(&km, data, size) == SLUICE_OK) {
        inside(km.wrapped, km.wrapped_len, data, size);
    }

    /* the bytes as sequence offsets around the wrap */

    r = sluice_srt_rcv_create(0x7ffffff0, 64, deliver, NULL);
    if (r == NULL) {
        return 0;
    }

    now = 0;

    for (i = 0; i + 1 < size; i += 2) {
        seq = sluice_srt_seq_add(0x7ffffff0, data[i] & 0x7f);
        now += data[i + 1] & 0xf;

        switch (data[i + 1] >> 6) {
        case 0:
        case 1:
            if (sluice_srt_rcv_packet(r, seq, data, size - i, now, &gap)
                == 1
                && sluice_srt_seq_off(gap.from, gap.to) < 0)
            {
                abort();
            }

            break;

        case 2:
            sluice_srt_rcv_drop(r, seq,
                                sluice_srt_seq_add(seq, data[i] >> 5));
            (void) sluice_srt_rcv_late(r, now, 30);
            break;

        default:
            n = sluice_srt_rcv_nak(r, now, 5, naks, 16);
            (void) sluice_srt_nak_write(out, 100, 0, 1, naks, n);
            break;
        }

        if (sluice_srt_rcv_avail(r) > sluice_srt_rcv_size(r)) {
            abort();
        }
    }

    sluice_srt_rcv_free(r);

    return 0;
}
