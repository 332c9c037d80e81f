
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ISO 8601 durations of the time-only form used by AMS ("PT2S",
 * "PT0.5S", "PT1M30S", "PT1H") and UTC date-times
 * ("2026-11-24T21:46:30.123Z").
 */


#ifndef _SLUICE_ISO8601_H_INCLUDED_
#define _SLUICE_ISO8601_H_INCLUDED_


#include "util/sluice_base.h"


/*
 * Parses a duration "P[nD]T[nH][nM][n[.fff]S]" (at least one part; days
 * allowed; fractions only on seconds, up to milliseconds) into
 * milliseconds.  SLUICE_BAD_REQUEST when malformed or above 2^53 ms.
 */
sluice_status_t sluice_iso8601_duration_parse(const uint8_t *s, size_t len,
    uint64_t *ms);

/*
 * Writes ms as "PT{s}S" or "PT{s}.{fff}S" (trailing zeros dropped) into
 * out, at least SLUICE_ISO8601_DURATION_LEN bytes; returns the length.
 */
#define SLUICE_ISO8601_DURATION_LEN  32
size_t sluice_iso8601_duration_format(uint64_t ms, char *out);

/*
 * Writes a UTC date-time "YYYY-MM-DDTHH:MM:SS.fffZ" for the Unix time
 * sec + msec/1000 into out (at least SLUICE_ISO8601_TIME_LEN bytes).
 */
#define SLUICE_ISO8601_TIME_LEN  32
size_t sluice_iso8601_time_format(int64_t sec, unsigned msec, char *out);


#endif /* _SLUICE_ISO8601_H_INCLUDED_ */
