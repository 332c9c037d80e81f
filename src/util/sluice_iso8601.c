
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <stdio.h>
#include <string.h>

#include "util/sluice_iso8601.h"


#define SLUICE_ISO8601_MAX_MS  ((uint64_t) 1 << 53)

#define SLUICE_ISO8601_NDESIGNATORS  4


typedef struct {
    uint8_t         name;       /* lowercase */
    int             in_time;    /* after "T" */
    uint64_t        unit;       /* ms */
} sluice_iso8601_designator_t;


static sluice_status_t sluice_iso8601_part(const uint8_t **pp,
    const uint8_t *end, int in_time, int *last, uint64_t *part);
static uint64_t sluice_iso8601_unit(uint8_t c, int in_time, int *last);


/* the designators of a duration, in the order they must come */
static const sluice_iso8601_designator_t  sluice_iso8601_designators[] = {
    { 'd', 0, 86400000 },
    { 'h', 1, 3600000 },
    { 'm', 1, 60000 },
    { 's', 1, 1000 }
};


/* reads digits, and a fraction when frac != NULL; returns bytes used */

static size_t
sluice_iso8601_number(const uint8_t *s, const uint8_t *end, uint64_t *v,
    uint64_t *frac_ms, int *has_frac)
{
    size_t          digits;
    uint64_t        n, f, scale;
    const uint8_t  *p;

    n = 0;
    digits = 0;

    for (p = s; p < end && *p >= '0' && *p <= '9'; p++) {
        if (n > SLUICE_ISO8601_MAX_MS) {
            return 0;
        }

        n = n * 10 + (*p - '0');
        digits++;
    }

    if (digits == 0) {
        return 0;
    }

    *v = n;
    *has_frac = 0;

    if (frac_ms == NULL || p == end || (*p != '.' && *p != ',')) {
        return p - s;
    }

    p++;
    f = 0;
    scale = 100;
    digits = 0;

    for ( /* void */ ; p < end && *p >= '0' && *p <= '9'; p++) {
        if (digits < 3) {
            f += (*p - '0') * scale;
            scale /= 10;

        } else if (*p != '0') {
            return 0;   /* finer than a millisecond */
        }

        digits++;
    }

    if (digits == 0) {
        return 0;
    }

    *frac_ms = f;
    *has_frac = 1;

    return p - s;
}


sluice_status_t
sluice_iso8601_duration_parse(const uint8_t *s, size_t len, uint64_t *ms)
{
    int             parts, in_time, last;
    uint64_t        total, part;
    const uint8_t  *p, *end;

    p = s;
    end = s + len;

    if (p == end || (*p != 'P' && *p != 'p')) {
        return SLUICE_BAD_REQUEST;
    }

    p++;
    total = 0;
    parts = 0;
    in_time = 0;
    last = 0;       /* order of the designators seen */

    while (p < end) {

        if ((*p == 'T' || *p == 't') && !in_time) {
            in_time = 1;
            p++;

            if (p == end) {
                return SLUICE_BAD_REQUEST;
            }

            continue;
        }

        if (sluice_iso8601_part(&p, end, in_time, &last, &part)
            != SLUICE_OK)
        {
            return SLUICE_BAD_REQUEST;
        }

        total += part;

        if (total > SLUICE_ISO8601_MAX_MS) {
            return SLUICE_BAD_REQUEST;
        }

        parts++;
    }

    if (parts == 0) {
        return SLUICE_BAD_REQUEST;
    }

    *ms = total;

    return SLUICE_OK;
}


/*
 * One part "n[.fff]X" at *pp: its milliseconds into *part, *pp moved
 * after it.  SLUICE_BAD_REQUEST when malformed, out of order (last: the
 * rank of the designator before), or above 2^53 ms.
 */

static sluice_status_t
sluice_iso8601_part(const uint8_t **pp, const uint8_t *end, int in_time,
    int *last, uint64_t *part)
{
    int             has_frac;
    size_t          n;
    uint64_t        v, frac, unit;
    const uint8_t  *p;

    p = *pp;
    frac = 0;

    n = sluice_iso8601_number(p, end, &v, &frac, &has_frac);
    if (n == 0) {
        return SLUICE_BAD_REQUEST;
    }

    p += n;

    if (p == end) {
        return SLUICE_BAD_REQUEST;
    }

    unit = sluice_iso8601_unit(*p, in_time, last);

    if (unit == 0 || (has_frac && unit != 1000)) {
        return SLUICE_BAD_REQUEST;
    }

    p++;

    if (v > SLUICE_ISO8601_MAX_MS / unit) {
        return SLUICE_BAD_REQUEST;
    }

    *part = v * unit + frac;
    *pp = p;

    return SLUICE_OK;
}


/*
 * The milliseconds of designator c, 0 when it is unknown, on the wrong
 * side of T, or not after *last (then its rank)
 */

static uint64_t
sluice_iso8601_unit(uint8_t c, int in_time, int *last)
{
    int  i;

    for (i = 0; i < SLUICE_ISO8601_NDESIGNATORS; i++) {
        if ((c | 0x20) == sluice_iso8601_designators[i].name) {
            break;
        }
    }

    if (i == SLUICE_ISO8601_NDESIGNATORS
        || sluice_iso8601_designators[i].in_time != in_time
        || *last >= i + 1)
    {
        return 0;
    }

    *last = i + 1;

    return sluice_iso8601_designators[i].unit;
}


size_t
sluice_iso8601_duration_format(uint64_t ms, char *out)
{
    int       n;
    unsigned  f;

    f = (unsigned) (ms % 1000);

    if (f == 0) {
        n = snprintf(out, SLUICE_ISO8601_DURATION_LEN, "PT%lluS",
                     (unsigned long long) (ms / 1000));

    } else if (f % 100 == 0) {
        n = snprintf(out, SLUICE_ISO8601_DURATION_LEN, "PT%llu.%uS",
                     (unsigned long long) (ms / 1000), f / 100);

    } else if (f % 10 == 0) {
        n = snprintf(out, SLUICE_ISO8601_DURATION_LEN, "PT%llu.%02uS",
                     (unsigned long long) (ms / 1000), f / 10);

    } else {
        n = snprintf(out, SLUICE_ISO8601_DURATION_LEN, "PT%llu.%03uS",
                     (unsigned long long) (ms / 1000), f);
    }

    return (size_t) n;
}


size_t
sluice_iso8601_time_format(int64_t sec, unsigned msec, char *out)
{
    int      n;
    int64_t  days, rem, y, m, d, era, doe, yoe, doy, mp;

    days = sec / 86400;
    rem = sec % 86400;

    if (rem < 0) {
        rem += 86400;
        days--;
    }

    /* civil from days (proleptic Gregorian) */

    days += 719468;
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;

    if (m <= 2) {
        y++;
    }

    n = snprintf(out, SLUICE_ISO8601_TIME_LEN,
                 "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03uZ",
                 (long long) y, (long long) m, (long long) d,
                 (long long) (rem / 3600), (long long) (rem / 60 % 60),
                 (long long) (rem % 60), msec % 1000);

    return (size_t) n;
}
