
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The text forms of a cue in manifests, written into the manifest
 * writers' sluice_buf_t (media/sluice_buf.h: size, then write):
 *
 *   HLS (RFC 8216 4.3.2.7, 4.3.2.7.1)
 *     #EXT-X-DATERANGE:ID="1002",START-DATE="2020-01-07T19:45:09.509Z",
 *       [CLASS="...",][DURATION=s,][PLANNED-DURATION=s,]
 *       SCTE35-OUT|SCTE35-IN|SCTE35-CMD=0xFC30...  (the whole section)
 *   HLS, the Adobe Primetime tag AMS wrote (AMS timed metadata spec)
 *     #EXT-X-CUE:ID="1002",TYPE="scte35",DURATION=59.993278,
 *       TIME=259.509244,CUE="<base64 section>"[,ELAPSED=0.250267]
 *     #EXT-X-CUE:ID=95766,TYPE="SpliceOut",DURATION=30.000000,
 *       TIME=158348769.966667[,ELAPSED=6.633333]        (simple mode)
 *   HLS, the CUE-OUT / CUE-OUT-CONT / CUE-IN family (Elemental, SCTE 67
 *   style; not AMS's)
 *     #EXT-X-CUE-OUT:DURATION=30.000
 *     #EXT-X-CUE-OUT-CONT:ELAPSED=8.308,DURATION=30.000
 *     #EXT-X-CUE-IN
 *   DASH (SCTE 214-1, urn:scte:scte35:2014:xml+bin)
 *     <Event presentationTime="..." [duration="..."] id="...">
 *     <scte35:Signal xmlns:scte35="http://www.scte.org/schemas/35/2016">
 *     <scte35:Binary>base64</scte35:Binary></scte35:Signal></Event>
 *     (an empty <Event .../> without a section: AMS's simple mode under
 *     urn:com:adobe:dpi:simple:2015), inside
 *     <EventStream schemeIdUri="..." value="..." timescale="...">
 *
 * Every line ends with "\n"; quoted-strings lose '"', CR and LF.
 */


#ifndef _SLUICE_CUE_TEXT_H_INCLUDED_
#define _SLUICE_CUE_TEXT_H_INCLUDED_


#include "media/sluice_buf.h"


#define SLUICE_CUE_SCHEME_SCTE35_XML_BIN  "urn:scte:scte35:2014:xml+bin"
#define SLUICE_CUE_SCHEME_SCTE35_BIN      "urn:scte:scte35:2013:bin"
#define SLUICE_CUE_SCHEME_ADOBE_SIMPLE    "urn:com:adobe:dpi:simple:2015"
#define SLUICE_CUE_SCHEME_ID3             "https://aomedia.org/emsg/ID3"
#define SLUICE_CUE_SCTE35_NAMESPACE       "http://www.scte.org/schemas/35/2016"


typedef struct {
    sluice_str_t    id;
    sluice_str_t    class_name;     /* CLASS; empty: none */
    int64_t         start;          /* START-DATE, Unix ms */
    unsigned        has_duration:1;
    unsigned        has_planned_duration:1;
    uint64_t        duration;       /* ms */
    uint64_t        planned_duration;
    /* SLUICE_CUE_SPLICE_OUT, _IN, _CMD (sluice_adcue.h); 0: no SCTE35 */
    uint32_t        kind;
    sluice_str_t    section;        /* splice_info_section */
} sluice_cue_daterange_t;


typedef struct {
    sluice_str_t    id;
    unsigned        simple:1;       /* TYPE="SpliceOut", ID unquoted */
    unsigned        has_elapsed:1;
    uint32_t        timescale;      /* of the three times below */
    uint64_t        time;
    uint64_t        duration;
    uint64_t        elapsed;
    sluice_str_t    section;        /* CUE=, not in simple mode */
} sluice_cue_adobe_t;


typedef struct {
    uint64_t        presentation_time;  /* EventStream timescale units */
    unsigned        has_duration:1;
    uint64_t        duration;
    uint32_t        id;
    sluice_str_t    section;        /* empty: an empty Event */
} sluice_cue_dash_event_t;


void sluice_cue_hls_daterange(sluice_buf_t *b,
    const sluice_cue_daterange_t *d);
void sluice_cue_hls_cue(sluice_buf_t *b, const sluice_cue_adobe_t *c);

/* durations and elapsed in ms; 0 duration: not written */
void sluice_cue_hls_cue_out(sluice_buf_t *b, uint64_t duration);
void sluice_cue_hls_cue_out_cont(sluice_buf_t *b, uint64_t elapsed,
    uint64_t duration);
void sluice_cue_hls_cue_in(sluice_buf_t *b);

/* indent: spaces before each element, as the DASH writer nests them */
void sluice_cue_dash_event_stream_start(sluice_buf_t *b, size_t indent,
    const char *scheme, const sluice_str_t *value, uint32_t timescale);
void sluice_cue_dash_event(sluice_buf_t *b, size_t indent,
    const sluice_cue_dash_event_t *e);
void sluice_cue_dash_event_stream_end(sluice_buf_t *b, size_t indent);

/* base64 of p[0..n) appended, no allocation */
void sluice_cue_base64(sluice_buf_t *b, const uint8_t *p, size_t n);


#endif /* _SLUICE_CUE_TEXT_H_INCLUDED_ */
