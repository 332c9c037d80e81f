
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * One cue from an RTMP AMF0 data message (message type 18), as AMS took
 * them (AMS "Signaling Timed Metadata in Live Streaming", RTMP part;
 * shared/reference/ams-behaviour.md 1.10):
 *
 *   onAdCue, simple mode       {type: "SpliceOut" (or cue: "SpliceOut"),
 *                               id, duration s, time s[, elapsed s]}
 *                              -> a splice out; Sluice makes the
 *                              splice_insert (event id: the id when it is
 *                              a 32-bit decimal, else its CRC-32; PTS and
 *                              duration from time and duration in 90 kHz)
 *   onAdCue, SCTE-35 mode      {cue: base64 splice_info_section,
 *                               type: "scte35" | "urn:scte:scte35:2013:bin",
 *                               id, duration s, time s[, elapsed s]}
 *   onCuePoint (Elemental)     {name: "scte35", type: "event", time s,
 *                               parameters: {id, duration[, cue]}}
 *                              (parameters as strings or numbers; with a
 *                              cue as SCTE-35 mode, else as simple mode)
 *   onUserDataEvent            an EventStream XML string (timed metadata;
 *                              sluice_eventstream.h)
 *
 * An optional "@setDataFrame" comes first.  The kind of a SCTE-35 cue
 * comes from its section: splice_insert out_of_network -> splice out,
 * else splice in; time_signal by its first segmentation_descriptor's
 * type (ad, break, placement opportunity and ad block starts -> splice
 * out, their ends -> splice in); cancels and everything else -> command.
 * The message's time and duration win over the section's (the PTS in
 * the section wraps every 26.5 h and is carried opaque); the section's
 * break or segmentation duration is used when the message has none.
 */


#ifndef _SLUICE_ADCUE_H_INCLUDED_
#define _SLUICE_ADCUE_H_INCLUDED_


#include "media/sluice_media.h"


/* kind */
#define SLUICE_CUE_SPLICE_OUT       1
#define SLUICE_CUE_SPLICE_IN        2
#define SLUICE_CUE_CMD              3       /* SCTE35-CMD in HLS */
#define SLUICE_CUE_METADATA         4       /* timed metadata */

/* source */
#define SLUICE_CUE_FROM_SIMPLE      1       /* onAdCue SpliceOut */
#define SLUICE_CUE_FROM_SCTE35      2       /* onAdCue cue */
#define SLUICE_CUE_FROM_CUEPOINT    3       /* onCuePoint */
#define SLUICE_CUE_FROM_USERDATA    4       /* onUserDataEvent */
#define SLUICE_CUE_FROM_SPARSE      5       /* Smooth sparse track */
#define SLUICE_CUE_FROM_EMSG        6       /* CMAF ingest emsg */
#define SLUICE_CUE_FROM_TS          7       /* SCTE 35 PID of MPEG-TS */

#define SLUICE_CUE_MAX_DURATION     86400000        /* ms: 24 h */

/* a buffer of this size always holds what a message of len bytes needs */
#define SLUICE_CUE_BUF_SIZE(len)    (2 * (size_t) (len) + 64)


typedef struct {
    uint32_t        kind;           /* SLUICE_CUE_SPLICE_OUT... */
    uint32_t        source;         /* SLUICE_CUE_FROM_* */

    /*
     * as sent (a number is written in decimal), else the section's event
     * id in decimal (id_made); empty when neither: the caller makes one
     */
    sluice_str_t    id;
    unsigned        id_made:1;

    unsigned        has_time:1;     /* 0: at the message's own timestamp */
    unsigned        has_elapsed:1;
    unsigned        section_made:1; /* made by Sluice from simple mode */
    uint64_t        time;           /* ms, on the RTMP timeline */
    uint64_t        duration;       /* ms; 0: unknown */
    uint64_t        elapsed;        /* ms, when has_elapsed */

    /* SCTE-35: splice_event_id or segmentation_event_id */
    uint32_t        event_id;
    sluice_str_t    section;        /* splice_info_section; empty: none */

    /* timed metadata (onUserDataEvent) */
    sluice_str_t    scheme_id_uri;
    sluice_str_t    value;
    sluice_str_t    data;
} sluice_cue_t;


/*
 * Interprets the body of an RTMP data message p[0..len).  buf[0..size)
 * receives what is decoded or made (SLUICE_CUE_BUF_SIZE(len) bytes
 * always suffice); strings of the cue point into it or into p.
 * SLUICE_NOT_FOUND when the message is none of the four (onMetaData...),
 * SLUICE_UNSUPPORTED for one of them that is valid but not a cue Sluice
 * takes (an onCuePoint of another name or type, an encrypted section),
 * SLUICE_BAD_DATA when malformed or absurd (negative or over 24 h
 * durations, negative times), SLUICE_NO_MEMORY when buf is too small;
 * *reason, a static sentence, on all of them.
 */
sluice_status_t sluice_adcue_parse(sluice_cue_t *cue, const uint8_t *p,
    size_t len, uint8_t *buf, size_t size, const char **reason);


/*
 * A cue from a binary splice_info_section p[0..len) (a Smooth sparse
 * track's message, an emsg of urn:scte:scte35:2013:bin, a SCTE 35 PID
 * of MPEG-TS): kind, event_id, section (pointing into p), the section's
 * duration when cue->duration is 0, an id (its event id in decimal, into
 * buf[0..size), 20 bytes suffice) when cue->id is empty.  The caller sets
 * source, time and whatever else it knows first.  Returns as
 * sluice_adcue_parse() (SLUICE_BAD_DATA: not a section, a bad CRC-32).
 */
sluice_status_t sluice_adcue_from_section(sluice_cue_t *cue,
    const uint8_t *p, size_t len, uint8_t *buf, size_t size,
    const char **reason);


#endif /* _SLUICE_ADCUE_H_INCLUDED_ */
