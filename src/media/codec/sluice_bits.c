
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/codec/sluice_bits.h"


void
sluice_bits_init(sluice_bits_t *b, const uint8_t *data, size_t len)
{
    b->data = data;
    b->len = len;
    b->pos = 0;
    b->error = 0;
}


uint32_t
sluice_bits_read1(sluice_bits_t *b)
{
    uint32_t  v;

    if (b->pos >= b->len * 8) {
        b->error = 1;
        return 0;
    }

    v = (b->data[b->pos >> 3] >> (7 - (b->pos & 7))) & 1;
    b->pos++;

    return v;
}


uint32_t
sluice_bits_read(sluice_bits_t *b, unsigned n)
{
    uint32_t  v;

    if (n > 32) {
        b->error = 1;
        return 0;
    }

    if (n > sluice_bits_left(b)) {
        b->error = 1;
        b->pos = b->len * 8;
        return 0;
    }

    v = 0;

    /* leading bits up to a byte boundary, whole bytes, trailing bits */

    while (n && (b->pos & 7)) {
        v = (v << 1) | ((b->data[b->pos >> 3] >> (7 - (b->pos & 7))) & 1);
        b->pos++;
        n--;
    }

    while (n >= 8) {
        v = (v << 8) | b->data[b->pos >> 3];
        b->pos += 8;
        n -= 8;
    }

    while (n) {
        v = (v << 1) | ((b->data[b->pos >> 3] >> (7 - (b->pos & 7))) & 1);
        b->pos++;
        n--;
    }

    return v;
}


void
sluice_bits_skip(sluice_bits_t *b, size_t n)
{
    if (n > sluice_bits_left(b)) {
        b->error = 1;
        b->pos = b->len * 8;
        return;
    }

    b->pos += n;
}


uint32_t
sluice_bits_ue(sluice_bits_t *b)
{
    unsigned  zeros;
    uint32_t  v;

    zeros = 0;

    while (sluice_bits_read1(b) == 0) {
        if (b->error || ++zeros > 31) {
            b->error = 1;
            return 0;
        }
    }

    if (zeros == 0) {
        return 0;
    }

    v = sluice_bits_read(b, zeros);

    /* 2^zeros - 1 + v, at most 2^32 - 2 for zeros <= 31 */
    return (uint32_t) (((uint64_t) 1 << zeros) - 1 + v);
}


int32_t
sluice_bits_se(sluice_bits_t *b)
{
    uint32_t  k;

    k = sluice_bits_ue(b);

    if (k & 1) {
        return (int32_t) ((k >> 1) + 1);
    }

    return -(int32_t) (k >> 1);
}


size_t
sluice_bits_left(const sluice_bits_t *b)
{
    size_t  total;

    total = b->len * 8;

    return b->pos < total ? total - b->pos : 0;
}


void
sluice_bits_align(sluice_bits_t *b)
{
    if (b->pos & 7) {
        sluice_bits_skip(b, 8 - (b->pos & 7));
    }
}


size_t
sluice_nal_unescape(uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t    i, n;
    unsigned  zeros;

    n = 0;
    zeros = 0;

    for (i = 0; i < len; i++) {

        if (zeros >= 2 && src[i] == 0x03) {
            zeros = 0;
            continue;
        }

        zeros = (src[i] == 0) ? zeros + 1 : 0;
        dst[n++] = src[i];
    }

    return n;
}


size_t
sluice_nal_escaped_size(const uint8_t *src, size_t len, size_t n)
{
    size_t    i, out;
    unsigned  zeros;

    out = 0;
    zeros = 0;

    for (i = 0; i < len && out < n; i++) {

        if (zeros >= 2 && src[i] == 0x03) {
            zeros = 0;
            continue;
        }

        zeros = (src[i] == 0) ? zeros + 1 : 0;
        out++;
    }

    return i;
}
