
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Output buffer of the manifest writers; see sluice_buf.h.
 */


#include "media/sluice_buf.h"


static int sluice_buf_reserve(sluice_buf_t *b, size_t n);
static void sluice_buf_pad(sluice_buf_t *b, uint64_t v, size_t width);
static void sluice_buf_civil(int64_t days, int64_t *y, uint32_t *m,
    uint32_t *d);


void
sluice_buf_init(sluice_buf_t *b, sluice_alloc_t *alloc, uint8_t *mem,
    size_t size)
{
    b->data = mem;
    b->len = 0;
    b->cap = mem ? size : 0;
    b->alloc = alloc;
    b->rc = SLUICE_OK;
    b->counting = (alloc == NULL && mem == NULL);

    if (alloc && size) {
        (void) sluice_buf_reserve(b, size);
    }
}


static int
sluice_buf_reserve(sluice_buf_t *b, size_t n)
{
    size_t    cap;
    uint8_t  *p;

    if (b->rc != SLUICE_OK) {
        return 0;
    }

    if (n <= b->cap - b->len) {
        return 1;
    }

    if (b->alloc == NULL || n > SIZE_MAX / 2 - b->len) {
        b->rc = SLUICE_NO_MEMORY;
        return 0;
    }

    cap = b->cap ? b->cap * 2 : 1024;

    while (cap < b->len + n) {
        cap *= 2;
    }

    p = b->alloc->alloc(b->alloc->ctx, cap);
    if (p == NULL) {
        b->rc = SLUICE_NO_MEMORY;
        return 0;
    }

    if (b->len) {
        memcpy(p, b->data, b->len);
    }

    b->data = p;
    b->cap = cap;

    return 1;
}


void
sluice_buf_add(sluice_buf_t *b, const void *p, size_t n)
{
    if (b->counting) {
        b->len += n;
        return;
    }

    if (n == 0 || !sluice_buf_reserve(b, n)) {
        return;
    }

    memcpy(b->data + b->len, p, n);
    b->len += n;
}


void
sluice_buf_cstr(sluice_buf_t *b, const char *s)
{
    sluice_buf_add(b, s, strlen(s));
}


void
sluice_buf_str(sluice_buf_t *b, const sluice_str_t *s)
{
    sluice_buf_add(b, s->data, s->len);
}


void
sluice_buf_u64(sluice_buf_t *b, uint64_t v)
{
    uint8_t   tmp[20], *p;

    p = tmp + sizeof(tmp);

    do {
        *--p = (uint8_t) ('0' + v % 10);
        v /= 10;
    } while (v);

    sluice_buf_add(b, p, tmp + sizeof(tmp) - p);
}


void
sluice_buf_i64(sluice_buf_t *b, int64_t v)
{
    if (v < 0) {
        sluice_buf_add(b, "-", 1);
        sluice_buf_u64(b, (uint64_t) 0 - (uint64_t) v);
        return;
    }

    sluice_buf_u64(b, (uint64_t) v);
}


/* v left-padded with zeros to width digits */

static void
sluice_buf_pad(sluice_buf_t *b, uint64_t v, size_t width)
{
    size_t    i;
    uint8_t   tmp[20];

    if (width > sizeof(tmp)) {
        width = sizeof(tmp);
    }

    for (i = width; i > 0; i--) {
        tmp[i - 1] = (uint8_t) ('0' + v % 10);
        v /= 10;
    }

    sluice_buf_add(b, tmp, width);
}


void
sluice_buf_fixed(sluice_buf_t *b, uint64_t v, uint32_t decimals)
{
    uint32_t  i;
    uint64_t  scale;

    scale = 1;

    for (i = 0; i < decimals && i < 19; i++) {
        scale *= 10;
    }

    sluice_buf_u64(b, v / scale);

    if (decimals) {
        sluice_buf_add(b, ".", 1);
        sluice_buf_pad(b, v % scale, i);
    }
}


void
sluice_buf_hex(sluice_buf_t *b, const uint8_t *p, size_t n)
{
    size_t   i;
    uint8_t  pair[2];

    static const char  hex[] = "0123456789ABCDEF";

    for (i = 0; i < n; i++) {
        pair[0] = hex[p[i] >> 4];
        pair[1] = hex[p[i] & 0x0f];
        sluice_buf_add(b, pair, 2);
    }
}


void
sluice_buf_xml(sluice_buf_t *b, const uint8_t *p, size_t n)
{
    size_t       i, start;
    const char  *esc;

    if (n == 0) {
        return;                 /* p may be NULL: no p + 0 (UBSan) */
    }

    start = 0;

    for (i = 0; i < n; i++) {
        switch (p[i]) {

        case '&':
            esc = "&amp;";
            break;

        case '<':
            esc = "&lt;";
            break;

        case '>':
            esc = "&gt;";
            break;

        case '"':
            esc = "&quot;";
            break;

        case '\'':
            esc = "&apos;";
            break;

        default:
            if (p[i] >= 0x20 || p[i] == '\t') {
                continue;
            }

            esc = "";       /* control characters are not XML 1.0 */
            break;
        }

        sluice_buf_add(b, p + start, i - start);
        sluice_buf_cstr(b, esc);
        start = i + 1;
    }

    sluice_buf_add(b, p + start, n - start);
}


/* proleptic Gregorian date of a day number (0 = 1970-01-01) */

static void
sluice_buf_civil(int64_t days, int64_t *y, uint32_t *m, uint32_t *d)
{
    int64_t   era, doe, yoe, doy, mp;

    days += 719468;                     /* from 0000-03-01 */
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;          /* day of the 400-year era */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;           /* month from March */

    *d = (uint32_t) (doy - (153 * mp + 2) / 5 + 1);
    *m = (uint32_t) (mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}


void
sluice_buf_utc(sluice_buf_t *b, int64_t unix_ms)
{
    int64_t   days, ms, y;
    uint32_t  m, d;

    days = unix_ms / 86400000;
    ms = unix_ms % 86400000;

    if (ms < 0) {
        ms += 86400000;
        days--;
    }

    sluice_buf_civil(days, &y, &m, &d);

    sluice_buf_pad(b, y < 0 ? 0 : (uint64_t) y, 4);
    sluice_buf_add(b, "-", 1);
    sluice_buf_pad(b, m, 2);
    sluice_buf_add(b, "-", 1);
    sluice_buf_pad(b, d, 2);
    sluice_buf_add(b, "T", 1);
    sluice_buf_pad(b, ms / 3600000, 2);
    sluice_buf_add(b, ":", 1);
    sluice_buf_pad(b, ms / 60000 % 60, 2);
    sluice_buf_add(b, ":", 1);
    sluice_buf_pad(b, ms / 1000 % 60, 2);
    sluice_buf_add(b, ".", 1);
    sluice_buf_pad(b, ms % 1000, 3);
    sluice_buf_add(b, "Z", 1);
}


void
sluice_buf_duration(sluice_buf_t *b, uint64_t ms)
{
    sluice_buf_add(b, "PT", 2);
    sluice_buf_fixed(b, ms, 3);
    sluice_buf_add(b, "S", 1);
}
