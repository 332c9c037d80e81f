
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The MPEG-DASH EventStream document of an RTMP onUserDataEvent (AMS
 * "Signaling Timed Metadata in Live Streaming"; ISO/IEC 23009-1 5.10.2):
 *
 *   [<?xml ...?>]
 *   <EventStream schemeIdUri="..." [value="..."] [timescale="1000"] ...>
 *     <Event [presentationTime="..."] [duration="..."] [id="..."]
 *            [contentEncoding="base64"] [messageData="..."]>data</Event>
 *     [more Event elements: checked, not kept; AMS used the first]
 *   </EventStream>
 *
 * A strict reader of exactly that shape, written here: elements other
 * than these two, child elements of Event, DOCTYPE and unknown entities
 * are refused; comments, processing instructions, CDATA sections, the
 * five predefined entities and character references are understood;
 * namespace prefixes and unknown attributes are ignored.  The timescale
 * defaults to 1000 (AMS: RTMP milliseconds).
 */


#ifndef _SLUICE_EVENTSTREAM_H_INCLUDED_
#define _SLUICE_EVENTSTREAM_H_INCLUDED_


#include "media/sluice_media.h"


typedef struct {
    sluice_str_t    scheme_id_uri;
    sluice_str_t    value;
    uint64_t        timescale;
    uint32_t        nevents;            /* Event elements seen */

    /* the first Event */
    unsigned        has_time:1;
    unsigned        has_duration:1;
    unsigned        base64:1;           /* contentEncoding="base64" */
    uint64_t        presentation_time;  /* in timescale units */
    uint64_t        duration;
    sluice_str_t    id;
    sluice_str_t    data;   /* messageData, or the text (base64 decoded) */
} sluice_eventstream_t;


/*
 * Reads the document at p[0..len).  Decoded strings are written to
 * buf[0..size), which len bytes always suffice for; all strings of the
 * result point into it.  SLUICE_BAD_DATA with *reason, a static
 * sentence, when the document is not of that shape.
 */
sluice_status_t sluice_eventstream_parse(sluice_eventstream_t *es,
    const uint8_t *p, size_t len, uint8_t *buf, size_t size,
    const char **reason);


#endif /* _SLUICE_EVENTSTREAM_H_INCLUDED_ */
