
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <string.h>

#include "util/sluice_srt_streamid.h"


static sluice_srt_sid_error_t sluice_srt_sid_keyed(sluice_srt_streamid_t *sid,
    const uint8_t *p, const uint8_t *last, const char **reason);
static sluice_srt_sid_error_t sluice_srt_sid_resource(
    sluice_srt_streamid_t *sid, const uint8_t *p, const uint8_t *last,
    const char **reason);
static int sluice_srt_sid_is(const uint8_t *p, const uint8_t *last,
    const char *s);


sluice_srt_sid_error_t
sluice_srt_streamid_parse(sluice_srt_streamid_t *sid, const uint8_t *p,
    size_t len, const char **reason)
{
    sid->token.data = NULL;
    sid->token.len = 0;
    sid->stream.data = NULL;
    sid->stream.len = 0;

    if (len == 0) {
        *reason = "no stream id: it carries the access token, "
                  "#!::r={token}/{stream},m=publish";
        return SLUICE_SRT_SID_SYNTAX;
    }

    if (len > SLUICE_SRT_STREAMID_MAX) {
        *reason = "stream id longer than 512 bytes";
        return SLUICE_SRT_SID_SYNTAX;
    }

    if (len >= 4 && memcmp(p, "#!::", 4) == 0) {
        return sluice_srt_sid_keyed(sid, p + 4, p + len, reason);
    }

    return sluice_srt_sid_resource(sid, p, p + len, reason);
}


/* "key=value,key=value...": the keys of SRT Access Control */

static sluice_srt_sid_error_t
sluice_srt_sid_keyed(sluice_srt_streamid_t *sid, const uint8_t *p,
    const uint8_t *last, const char **reason)
{
    const uint8_t  *key, *eq, *value, *end, *r, *r_end;

    r = NULL;
    r_end = NULL;

    while (p < last) {
        end = memchr(p, ',', last - p);
        if (end == NULL) {
            end = last;
        }

        key = p;
        eq = memchr(p, '=', end - p);

        if (eq == NULL || eq == key) {
            *reason = "stream id: a pair is not key=value";
            return SLUICE_SRT_SID_SYNTAX;
        }

        value = eq + 1;

        if (eq - key == 1) {
            switch (*key) {

            case 'r':
                if (r != NULL) {
                    *reason = "stream id: \"r\" given twice";
                    return SLUICE_SRT_SID_SYNTAX;
                }

                r = value;
                r_end = end;
                break;

            case 'm':
                if (!sluice_srt_sid_is(value, end, "publish")) {
                    *reason = "stream id: mode (\"m\") must be publish, "
                              "this listener takes publishers only";
                    return SLUICE_SRT_SID_MODE;
                }

                break;

            case 't':
                if (!sluice_srt_sid_is(value, end, "stream")) {
                    *reason = "stream id: type (\"t\") must be stream";
                    return SLUICE_SRT_SID_TYPE;
                }

                break;

            case 'u':
            case 'h':
            case 's':
                break;

            default:
                *reason = "stream id: unknown key";
                return SLUICE_SRT_SID_KEY;
            }
        }

        p = (end < last) ? end + 1 : end;

        if (end < last && p == last) {
            *reason = "stream id: ends with \",\"";
            return SLUICE_SRT_SID_SYNTAX;
        }
    }

    if (r == NULL) {
        *reason = "stream id: no resource (\"r\") naming the access token";
        return SLUICE_SRT_SID_NO_RESOURCE;
    }

    return sluice_srt_sid_resource(sid, r, r_end, reason);
}


/* "[live/]{token}[/{stream}]" */

static sluice_srt_sid_error_t
sluice_srt_sid_resource(sluice_srt_streamid_t *sid, const uint8_t *p,
    const uint8_t *last, const char **reason)
{
    uint8_t         c;
    const uint8_t  *q, *slash;

    if (last - p > 5 && memcmp(p, "live/", 5) == 0) {
        p += 5;
    }

    slash = memchr(p, '/', last - p);

    sid->token.data = p;
    sid->token.len = (slash ? slash : last) - p;

    if (sid->token.len == 0 || sid->token.len > SLUICE_SRT_TOKEN_MAX) {
        *reason = "stream id: the access token is empty or too long";
        return SLUICE_SRT_SID_SYNTAX;
    }

    for (q = sid->token.data; q < sid->token.data + sid->token.len; q++) {
        c = *q | 0x20;

        if (!((c >= 'a' && c <= 'z') || (*q >= '0' && *q <= '9')
              || *q == '-'))
        {
            *reason = "stream id: the access token has a character other "
                      "than letters, digits and \"-\"";
            return SLUICE_SRT_SID_SYNTAX;
        }
    }

    if (slash == NULL) {
        return SLUICE_SRT_SID_OK;
    }

    sid->stream.data = slash + 1;
    sid->stream.len = last - (slash + 1);

    if (sid->stream.len == 0 || sid->stream.len > SLUICE_SRT_STREAM_MAX) {
        *reason = "stream id: the stream name is empty or longer than "
                  "48 bytes";
        return SLUICE_SRT_SID_SYNTAX;
    }

    for (q = sid->stream.data; q < last; q++) {
        c = *q | 0x20;

        if (!((c >= 'a' && c <= 'z') || (*q >= '0' && *q <= '9')
              || *q == '-' || *q == '_' || *q == '.'))
        {
            *reason = "stream id: the stream name has a character other "
                      "than letters, digits, \"-\", \"_\" and \".\"";
            return SLUICE_SRT_SID_SYNTAX;
        }
    }

    return SLUICE_SRT_SID_OK;
}


static int
sluice_srt_sid_is(const uint8_t *p, const uint8_t *last, const char *s)
{
    size_t  n;

    n = strlen(s);

    return (size_t) (last - p) == n && memcmp(p, s, n) == 0;
}
