
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The DASH event message box, 'emsg' (ISO/IEC 23009-1 5.10.3.3), version
 * 0 and 1: in-band SCTE 35 (urn:scte:scte35:2013:bin) and ID3 timed
 * metadata (https://aomedia.org/emsg/ID3, AOM "Carriage of ID3 Timed
 * Metadata in CMAF": version 1) before a CMAF fragment's moof.
 *
 *   FullBox('emsg', version, flags = 0)
 *   version 0: scheme_id_uri, value (NUL-terminated), timescale 32,
 *              presentation_time_delta 32, event_duration 32, id 32
 *   version 1: timescale 32, presentation_time 64, event_duration 32,
 *              id 32, scheme_id_uri, value
 *   message_data to the end of the box
 *
 * Size first, then write (write returns p + size); the reader reads one
 * box back (tests, CMAF ingest): its strings point into the input.
 */


#ifndef _SLUICE_EMSG_H_INCLUDED_
#define _SLUICE_EMSG_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_EMSG_DURATION_UNKNOWN  0xFFFFFFFF


typedef struct {
    uint32_t        version;            /* 0 or 1 */
    sluice_str_t    scheme_id_uri;      /* without its NUL */
    sluice_str_t    value;
    uint32_t        timescale;
    /* version 1: presentation_time; version 0: the delta to the
     * segment's earliest presentation time (32 bits) */
    uint64_t        presentation_time;
    uint32_t        event_duration;     /* SLUICE_EMSG_DURATION_UNKNOWN */
    uint32_t        id;
    sluice_str_t    message_data;
} sluice_emsg_t;


/*
 * The box's size; 0 when it cannot be written: version not 0 or 1, a
 * version 0 time over 32 bits, a NUL inside a string, a box over 4 GB
 */
size_t sluice_emsg_size(const sluice_emsg_t *e);
uint8_t *sluice_emsg_write(uint8_t *p, const sluice_emsg_t *e);

/*
 * Reads the emsg box at p[0..len) and sets *used to its size.
 * SLUICE_AGAIN when len holds less than its header says (*used then is
 * what it needs, or 8 when even the header is short), SLUICE_BAD_DATA
 * with *reason otherwise (not an emsg, version over 1, a string without
 * its NUL, fields past the box).
 */
sluice_status_t sluice_emsg_parse(sluice_emsg_t *e, const uint8_t *p,
    size_t len, size_t *used, const char **reason);


#endif /* _SLUICE_EMSG_H_INCLUDED_ */
