
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The SRT stream id of a publisher (SRTO_STREAMID, at most 512 bytes):
 * which live event (its access token) and which stream of it.  Two forms
 * are taken:
 *
 *   #!::r={token}[/{stream}],m=publish[,key=value...]
 *   {token}[/{stream}]
 *
 * The first is the SRT Access Control "keyed" form: comma-separated
 * key=value pairs after "#!::".  "r" (resource) is required; "m" (mode)
 * must be "publish" when given (the listener takes publishers only, so an
 * absent "m" means publish, not the specification's default "request");
 * "t" (type) must be "stream" when given; "u", "h" and "s" are read and
 * ignored; any other key of one letter is refused, keys of more than one
 * letter (application keys) are ignored.  A resource "live/{token}/..."
 * is taken as "{token}/...", as in the RTMP URL.
 *
 * The token is what the event's input.accessToken is: 1 to 64 bytes of
 * letters, digits and "-".  The stream name, "" when absent, is 1 to 48
 * bytes of letters, digits, "-", "_" and "."; the nginx glue names an
 * absent one.  The parser does not allocate: the result points into the
 * input.
 */


#ifndef _SLUICE_SRT_STREAMID_H_INCLUDED_
#define _SLUICE_SRT_STREAMID_H_INCLUDED_


#include "util/sluice_base.h"


#define SLUICE_SRT_STREAMID_MAX   512
#define SLUICE_SRT_TOKEN_MAX      64
#define SLUICE_SRT_STREAM_MAX     48


/* why a stream id is refused: the caller maps it to a reject reason */
typedef enum {
    SLUICE_SRT_SID_OK = 0,
    SLUICE_SRT_SID_SYNTAX,      /* empty, too long, bad pair, bad name */
    SLUICE_SRT_SID_NO_RESOURCE, /* no "r" key */
    SLUICE_SRT_SID_MODE,        /* "m" other than publish */
    SLUICE_SRT_SID_TYPE,        /* "t" other than stream */
    SLUICE_SRT_SID_KEY          /* an unknown one-letter key */
} sluice_srt_sid_error_t;


typedef struct {
    sluice_str_t    token;
    sluice_str_t    stream;     /* len 0: none given */
} sluice_srt_streamid_t;


/*
 * SLUICE_SRT_SID_OK and sid filled, or the error and *reason, a static
 * string that names the problem
 */
sluice_srt_sid_error_t sluice_srt_streamid_parse(sluice_srt_streamid_t *sid,
    const uint8_t *p, size_t len, const char **reason);


#endif /* _SLUICE_SRT_STREAMID_H_INCLUDED_ */
