
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <stdio.h>
#include <string.h>

#include "util/sluice_iso8601.h"


#define SLUICE_ISO8601_MAX_MS  ((uint64_t) 1 << 53)


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
    int             has_frac, parts, in_time, last;
    size_t          n;
    uint64_t        v, frac, total, unit;
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

        frac = 0;
        n = sluice_iso8601_number(p, end, &v, &frac, &has_frac);
        if (n == 0) {
            return SLUICE_BAD_REQUEST;
        }

        p += n;

        if (p == end) {
            return SLUICE_BAD_REQUEST;
        }

        switch (*p | 0x20) {

        case 'd':
            if (in_time || last >= 1) {
                return SLUICE_BAD_REQUEST;
            }

            unit = 86400000;
            last = 1;
            break;

        case 'h':
            if (!in_time || last >= 2) {
                return SLUICE_BAD_REQUEST;
            }

            unit = 3600000;
            last = 2;
            break;

        case 'm':
            if (!in_time || last >= 3) {
                return SLUICE_BAD_REQUEST;
            }

            unit = 60000;
            last = 3;
            break;

        case 's':
            if (!in_time || last >= 4) {
                return SLUICE_BAD_REQUEST;
            }

            unit = 1000;
            last = 4;
            break;

        default:
            return SLUICE_BAD_REQUEST;
        }

        if (has_frac && unit != 1000) {
            return SLUICE_BAD_REQUEST;
        }

        p++;

        if (v > SLUICE_ISO8601_MAX_MS / unit) {
            return SLUICE_BAD_REQUEST;
        }

        total += v * unit + frac;

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
