
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Random identifiers from caller-provided random bytes: RFC 4122 version
 * 4 UUIDs and plain hex tokens, and their syntax checks.
 */


#ifndef _SLUICE_UUID_H_INCLUDED_
#define _SLUICE_UUID_H_INCLUDED_


#include "util/sluice_base.h"


#define SLUICE_UUID_LEN  36


/* rnd: 16 random bytes; out: SLUICE_UUID_LEN bytes (no NUL written) */
void sluice_uuid_format(const uint8_t rnd[16], char *out);

/* rnd: n random bytes; out: 2 * n lowercase hex digits (no NUL) */
void sluice_hex_format(const uint8_t *rnd, size_t n, char *out);

/* 8-4-4-4-12 hex digits, any case */
int sluice_uuid_valid(const uint8_t *s, size_t len);

/*
 * The 16 bytes of a UUID written 8-4-4-4-12 (any case), in the order
 * written (big-endian: KIDs, tenc); SLUICE_BAD_DATA when not valid.
 */
sluice_status_t sluice_uuid_parse(const uint8_t *s, size_t len,
    uint8_t out[16]);


#endif /* _SLUICE_UUID_H_INCLUDED_ */
