
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "util/sluice_base64.h"


static const char  sluice_base64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const char  sluice_base64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";


/* the 6-bit value of c, or -1 */

static int
sluice_base64_value(uint8_t c, int url)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }

    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }

    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }

    if (c == (url ? '-' : '+')) {
        return 62;
    }

    if (c == (url ? '_' : '/')) {
        return 63;
    }

    return -1;
}


sluice_status_t
sluice_base64_decode(const uint8_t *s, size_t len, uint8_t *out, size_t *n,
    int url)
{
    int       v;
    size_t    i, pad, o;
    uint32_t  acc;

    pad = 0;

    while (pad < len && pad < 2 && s[len - 1 - pad] == '=') {
        pad++;
    }

    if (pad && len % 4 != 0) {
        return SLUICE_BAD_DATA;
    }

    len -= pad;

    if (len % 4 == 1) {
        return SLUICE_BAD_DATA;
    }

    acc = 0;
    o = 0;

    for (i = 0; i < len; i++) {
        v = sluice_base64_value(s[i], url);
        if (v < 0) {
            return SLUICE_BAD_DATA;
        }

        acc = (acc << 6) | (uint32_t) v;

        if (i % 4 == 3) {
            out[o++] = (uint8_t) (acc >> 16);
            out[o++] = (uint8_t) (acc >> 8);
            out[o++] = (uint8_t) acc;
            acc = 0;
        }
    }

    /* the unused low bits of a last partial group are not looked at */

    switch (len % 4) {

    case 2:
        out[o++] = (uint8_t) (acc >> 4);
        break;

    case 3:
        out[o++] = (uint8_t) (acc >> 10);
        out[o++] = (uint8_t) (acc >> 2);
        break;

    default:
        break;
    }

    *n = o;

    return SLUICE_OK;
}


size_t
sluice_base64_encode(const uint8_t *src, size_t len, uint8_t *out, int url)
{
    size_t       i, o;
    uint32_t     acc;
    const char  *alpha;

    alpha = url ? sluice_base64_url : sluice_base64_std;
    o = 0;

    for (i = 0; i + 2 < len; i += 3) {
        acc = ((uint32_t) src[i] << 16) | ((uint32_t) src[i + 1] << 8)
              | src[i + 2];

        out[o++] = alpha[(acc >> 18) & 0x3f];
        out[o++] = alpha[(acc >> 12) & 0x3f];
        out[o++] = alpha[(acc >> 6) & 0x3f];
        out[o++] = alpha[acc & 0x3f];
    }

    if (i < len) {
        acc = (uint32_t) src[i] << 16;

        if (i + 1 < len) {
            acc |= (uint32_t) src[i + 1] << 8;
        }

        out[o++] = alpha[(acc >> 18) & 0x3f];
        out[o++] = alpha[(acc >> 12) & 0x3f];

        if (i + 1 < len) {
            out[o++] = alpha[(acc >> 6) & 0x3f];

        } else if (!url) {
            out[o++] = '=';
        }

        if (!url) {
            out[o++] = '=';
        }
    }

    return o;
}
