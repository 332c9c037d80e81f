
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Dynamic manifest filters (AMS v3 account and asset filters,
 * MediaFilterProperties): the JSON properties parsed and checked, and
 * the filters of one request applied to the presentation the manifest
 * writers get (sluice_presentation.h), from the one stored index: no
 * copy of the media, only of the arrays of tracks.
 *
 *   tracks                 a list of selections, OR between selections,
 *                          AND between the conditions of one selection:
 *                          Type (video, audio, text; any case), Name
 *                          (the track's name), Language (RFC 5646, any
 *                          case), FourCC (the first element of the RFC
 *                          6381 codecs string, any case), Bitrate (bits
 *                          per second: "N" or a range "LO-HI"); Equal or
 *                          NotEqual.  No list or an empty one: all.
 *   presentationTimeRange  in its timescale (default 10 000 000), on the
 *                          presentation's timeline: startTimestamp and
 *                          endTimestamp (an archive or a live one with
 *                          forceEndTimestamp), presentationWindowDuration
 *                          (at least 60 s: a sliding window from the
 *                          live edge), liveBackoffDuration (at most 300
 *                          s: the newest fragments held back).  Trims
 *                          are at fragment boundaries: a fragment across
 *                          a boundary stays whole.
 *   firstQuality           the video track of that bitrate (else the
 *                          nearest) listed first.
 *
 * Several filters of one request intersect: a track must pass every
 * one's selections, the latest start, the earliest end, the shortest
 * window, the longest backoff; the last firstQuality given wins.
 */


#ifndef _SLUICE_FILTER_H_INCLUDED_
#define _SLUICE_FILTER_H_INCLUDED_


#include "media/manifest/sluice_presentation.h"
#include "util/sluice_json.h"


#define SLUICE_FILTER_TIMESCALE       10000000
#define SLUICE_FILTER_MIN_WINDOW_S    60
#define SLUICE_FILTER_MAX_BACKOFF_S   300
#define SLUICE_FILTER_MAX_PER_URL     3


typedef enum {
    SLUICE_FILTER_TYPE = 1,
    SLUICE_FILTER_NAME,
    SLUICE_FILTER_LANGUAGE,
    SLUICE_FILTER_FOURCC,
    SLUICE_FILTER_BITRATE
} sluice_filter_property_t;


/* one condition of a selection */
typedef struct {
    uint32_t                     property;  /* sluice_filter_property_t */
    unsigned                     not_equal:1;
    sluice_str_t                 value;     /* as given */
    uint32_t                     media;     /* Type: sluice_media_type_t,
                                               or 2: text */
    uint64_t                     lo;        /* Bitrate: lo <= b <= hi */
    uint64_t                     hi;
} sluice_filter_cond_t;


/* conditions that must all hold */
typedef struct {
    sluice_filter_cond_t        *conds;
    uint32_t                     nconds;
} sluice_filter_sel_t;


typedef struct {
    /* presentationTimeRange, in timescale; has_*: given */
    uint64_t                     timescale;
    uint64_t                     start;
    uint64_t                     end;
    uint64_t                     window;
    uint64_t                     backoff;
    unsigned                     has_start:1;
    unsigned                     has_end:1;
    unsigned                     has_window:1;
    unsigned                     has_backoff:1;
    unsigned                     force_end:1;

    /* firstQuality.bitrate; 0: none */
    uint32_t                     first_quality;

    /* tracks: any selection; none: every track */
    sluice_filter_sel_t         *sels;
    uint32_t                     nsels;
} sluice_filter_t;


/*
 * Parses the properties object of a filter (MediaFilterProperties; NULL
 * or null: an empty filter) into *f, its strings pointing into props.
 * SLUICE_BAD_REQUEST with *reason, a static sentence naming the
 * property, for anything AMS refuses: an unknown property or operation,
 * a value of the wrong type, a malformed bitrate range, a window under
 * 60 s, a backoff over 300 s, an end before the start, forceEndTimestamp
 * without endTimestamp, a zero timescale; SLUICE_NO_MEMORY.
 */
sluice_status_t sluice_filter_parse(sluice_alloc_t *a,
    const sluice_json_t *props, sluice_filter_t *f, const char **reason);

/* the track passes the selections of f */
int sluice_filter_track(const sluice_filter_t *f, const sluice_ptrack_t *t);

/*
 * Applies the n filters to p: p->tracks becomes a new array (from a) of
 * the tracks every filter selects, each with its fragments trimmed (a
 * window into the same fragments), the firstQuality track first among
 * the video tracks; p->window_ms shrinks to the shortest window and a
 * forced end ends a live presentation.  SLUICE_NOT_FOUND when no track
 * is left, SLUICE_NO_MEMORY.
 */
sluice_status_t sluice_filter_apply(sluice_alloc_t *a,
    sluice_presentation_t *p, const sluice_filter_t *f, uint32_t n);


#endif /* _SLUICE_FILTER_H_INCLUDED_ */
