
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <string.h>

#include "util/sluice_uuid.h"


static const char  sluice_uuid_hex[] = "0123456789abcdef";


void
sluice_hex_format(const uint8_t *rnd, size_t n, char *out)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        out[2 * i] = sluice_uuid_hex[rnd[i] >> 4];
        out[2 * i + 1] = sluice_uuid_hex[rnd[i] & 0xf];
    }
}


void
sluice_uuid_format(const uint8_t rnd[16], char *out)
{
    size_t   i, o;
    uint8_t  b[16];

    memcpy(b, rnd, 16);
    b[6] = (b[6] & 0x0f) | 0x40;    /* version 4 */
    b[8] = (b[8] & 0x3f) | 0x80;    /* RFC 4122 variant */

    o = 0;

    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[o++] = '-';
        }

        out[o++] = sluice_uuid_hex[b[i] >> 4];
        out[o++] = sluice_uuid_hex[b[i] & 0xf];
    }
}


int
sluice_uuid_valid(const uint8_t *s, size_t len)
{
    size_t   i;
    uint8_t  c;

    if (len != SLUICE_UUID_LEN) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        c = s[i];

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                return 0;
            }

            continue;
        }

        if (!((c >= '0' && c <= '9') || ((c | 0x20) >= 'a'
                                         && (c | 0x20) <= 'f')))
        {
            return 0;
        }
    }

    return 1;
}


static int
sluice_uuid_nibble(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    return (c | 0x20) - 'a' + 10;
}


sluice_status_t
sluice_uuid_parse(const uint8_t *s, size_t len, uint8_t out[16])
{
    size_t  i, o;

    if (!sluice_uuid_valid(s, len)) {
        return SLUICE_BAD_DATA;
    }

    o = 0;

    i = 0;

    while (i < len) {
        if (s[i] == '-') {
            i++;
            continue;
        }

        out[o++] = (uint8_t) (sluice_uuid_nibble(s[i]) << 4
                              | sluice_uuid_nibble(s[i + 1]));
        i += 2;
    }

    return SLUICE_OK;
}
