
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Bounds-checked bit and byte readers.  The bit reader is MSB first, as
 * H.264/H.265/AAC syntax is written, with Exp-Golomb codes.  Reading past
 * the end never touches memory beyond the buffer: it yields zero bits and
 * sets the error flag, which callers check once after a run of reads.
 */


#ifndef _SLUICE_BITS_H_INCLUDED_
#define _SLUICE_BITS_H_INCLUDED_


#include "media/sluice_media.h"


typedef struct {
    const uint8_t  *data;
    size_t          len;        /* bytes */
    size_t          pos;        /* bits consumed */
    unsigned        error;      /* a read went past the end */
} sluice_bits_t;


void sluice_bits_init(sluice_bits_t *b, const uint8_t *data, size_t len);

/* read n bits (0..32) as an unsigned value */
uint32_t sluice_bits_read(sluice_bits_t *b, unsigned n);

/* read one bit */
uint32_t sluice_bits_read1(sluice_bits_t *b);

/* skip n bits */
void sluice_bits_skip(sluice_bits_t *b, size_t n);

/*
 * unsigned Exp-Golomb ue(v); codes longer than 32 bits (values that do
 * not fit 32 bits) set the error flag and return 0
 */
uint32_t sluice_bits_ue(sluice_bits_t *b);

/* signed Exp-Golomb se(v) */
int32_t sluice_bits_se(sluice_bits_t *b);

/* bits left to read (0 once past the end) */
size_t sluice_bits_left(const sluice_bits_t *b);

/* skip to the next byte boundary */
void sluice_bits_align(sluice_bits_t *b);


/*
 * Remove H.264/H.265 emulation prevention bytes: every 0x03 following two
 * zero bytes (00 00 03 -> 00 00).  dst must hold len bytes; it may not
 * overlap src except dst == src.  Returns the unescaped length.
 */
size_t sluice_nal_unescape(uint8_t *dst, const uint8_t *src, size_t len);

/*
 * The escaped bytes at the start of src[0..len) that hold its first n
 * unescaped bytes (an emulation prevention byte that follows them is not
 * counted); len if src unescapes to fewer than n bytes.
 */
size_t sluice_nal_escaped_size(const uint8_t *src, size_t len, size_t n);


/* big-endian byte access; callers check lengths first */

static inline uint32_t
sluice_rb16(const uint8_t *p)
{
    return ((uint32_t) p[0] << 8) | p[1];
}


static inline uint32_t
sluice_rb24(const uint8_t *p)
{
    return ((uint32_t) p[0] << 16) | ((uint32_t) p[1] << 8) | p[2];
}


static inline uint32_t
sluice_rb32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16)
           | ((uint32_t) p[2] << 8) | p[3];
}


static inline uint64_t
sluice_rb64(const uint8_t *p)
{
    return ((uint64_t) sluice_rb32(p) << 32) | sluice_rb32(p + 4);
}


static inline uint8_t *
sluice_wb8(uint8_t *p, uint32_t v)
{
    *p++ = (uint8_t) v;
    return p;
}


static inline uint8_t *
sluice_wb16(uint8_t *p, uint32_t v)
{
    *p++ = (uint8_t) (v >> 8);
    *p++ = (uint8_t) v;
    return p;
}


static inline uint8_t *
sluice_wb24(uint8_t *p, uint32_t v)
{
    *p++ = (uint8_t) (v >> 16);
    *p++ = (uint8_t) (v >> 8);
    *p++ = (uint8_t) v;
    return p;
}


static inline uint8_t *
sluice_wb32(uint8_t *p, uint32_t v)
{
    *p++ = (uint8_t) (v >> 24);
    *p++ = (uint8_t) (v >> 16);
    *p++ = (uint8_t) (v >> 8);
    *p++ = (uint8_t) v;
    return p;
}


static inline uint8_t *
sluice_wb64(uint8_t *p, uint64_t v)
{
    p = sluice_wb32(p, (uint32_t) (v >> 32));
    return sluice_wb32(p, (uint32_t) v);
}


#endif /* _SLUICE_BITS_H_INCLUDED_ */
