
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Output buffer of the manifest writers, in one of three modes:
 *
 *   counting  sluice_buf_init(b, NULL, NULL, 0): nothing is stored,
 *             b->len counts the bytes (size, then write);
 *   fixed     sluice_buf_init(b, NULL, mem, size): writes into mem,
 *             SLUICE_NO_MEMORY once it is full;
 *   growable  sluice_buf_init(b, alloc, NULL, hint): allocates and
 *             doubles through alloc (a pool: old blocks are not freed).
 *
 * Appends never fail by return value: the first error sticks in b->rc,
 * and writers return it at the end.
 */


#ifndef _SLUICE_BUF_H_INCLUDED_
#define _SLUICE_BUF_H_INCLUDED_


#include "media/sluice_media.h"


typedef struct {
    uint8_t               *data;
    size_t                 len;
    size_t                 cap;
    sluice_alloc_t        *alloc;
    sluice_status_t        rc;
    unsigned               counting:1;
} sluice_buf_t;


void sluice_buf_init(sluice_buf_t *b, sluice_alloc_t *alloc, uint8_t *mem,
    size_t size);
void sluice_buf_add(sluice_buf_t *b, const void *p, size_t n);
void sluice_buf_cstr(sluice_buf_t *b, const char *s);
void sluice_buf_str(sluice_buf_t *b, const sluice_str_t *s);
void sluice_buf_u64(sluice_buf_t *b, uint64_t v);
void sluice_buf_i64(sluice_buf_t *b, int64_t v);
/* v / 10^decimals with exactly "decimals" digits after the point */
void sluice_buf_fixed(sluice_buf_t *b, uint64_t v, uint32_t decimals);
void sluice_buf_hex(sluice_buf_t *b, const uint8_t *p, size_t n);
/* XML text and attribute values: & < > " ' escaped */
void sluice_buf_xml(sluice_buf_t *b, const uint8_t *p, size_t n);
/* ISO 8601 UTC date and time with milliseconds: 2026-11-24T21:45:15.123Z */
void sluice_buf_utc(sluice_buf_t *b, int64_t unix_ms);
/* xs:duration in seconds: PT12.345S */
void sluice_buf_duration(sluice_buf_t *b, uint64_t ms);


#endif /* _SLUICE_BUF_H_INCLUDED_ */
