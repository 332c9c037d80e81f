
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * AMS streaming URL tags: the part of a streaming URL after
 * "/{locator}/{manifestName}.ism/", e.g.
 *
 *   manifest
 *   manifest(format=m3u8-aapl).m3u8
 *   QualityLevels(128000)/Manifest(audio,format=m3u8-aapl)
 *   QualityLevels(3000000)/Fragments(video=900000,format=m3u8-cmaf)
 *   QualityLevels(3000000)/Fragments(video=900000,format=m3u8-cmaf,part=2)
 *   QualityLevels(3000000)/Fragments(video=i,format=mpd-time-csf)
 *   QualityLevels(3000000)/Manifest(video,format=m3u8-aapl,type=keyframes)
 *   manifest(format=fmp4-v20)
 *
 * Keywords are matched case-insensitively.  The parser does not allocate:
 * the strings of the result point into the input.
 */


#ifndef _SLUICE_URL_H_INCLUDED_
#define _SLUICE_URL_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_URL_MAX_NAME    64       /* track name bytes */
#define SLUICE_URL_MAX_PART    65535    /* part=: index in a fragment */


typedef enum {
    SLUICE_URL_MANIFEST = 0,    /* Smooth manifest, HLS master or MPD */
    SLUICE_URL_PLAYLIST,        /* HLS media playlist of one track */
    SLUICE_URL_SEGMENT,         /* media segment (fragment) */
    SLUICE_URL_INIT             /* initialization segment (CMAF only) */
} sluice_url_kind_t;


typedef enum {
    SLUICE_FORMAT_SMOOTH = 0,   /* no format: Smooth Streaming */
    SLUICE_FORMAT_HLS_TS,       /* m3u8-aapl: TS, audio group */
    SLUICE_FORMAT_HLS_TS_V3,    /* m3u8-aapl-v3: TS, audio muxed */
    SLUICE_FORMAT_HLS_CMAF,     /* m3u8-cmaf: fMP4 */
    SLUICE_FORMAT_DASH_CSF,     /* mpd-time-csf */
    SLUICE_FORMAT_DASH_CMAF     /* mpd-time-cmaf */
} sluice_format_t;


/* encryption=...: the AMS dynamic encryption tags */
typedef enum {
    SLUICE_ENCRYPTION_NONE = 0, /* absent */
    SLUICE_ENCRYPTION_CBC,      /* cbc: AES-128 envelope, whole segment */
    SLUICE_ENCRYPTION_CENC,     /* cenc: CENC AES-CTR */
    SLUICE_ENCRYPTION_CBCS_AAPL,/* cbcs-aapl: HLS SAMPLE-AES / fMP4 cbcs */
    SLUICE_ENCRYPTION_CBCS,     /* cbcs: CMAF cbcs (DASH, HLS fMP4) */
    SLUICE_ENCRYPTION_PIFF      /* piff: Smooth PIFF 1.1 */
} sluice_encryption_t;


#define sluice_format_is_hls(f)                                              \
    ((f) >= SLUICE_FORMAT_HLS_TS && (f) <= SLUICE_FORMAT_HLS_CMAF)
#define sluice_format_is_dash(f)                                             \
    ((f) == SLUICE_FORMAT_DASH_CSF || (f) == SLUICE_FORMAT_DASH_CMAF)
#define sluice_format_is_ts(f)                                               \
    ((f) == SLUICE_FORMAT_HLS_TS || (f) == SLUICE_FORMAT_HLS_TS_V3)
/* segments served as the stored CMAF fragments */
#define sluice_format_is_cmaf(f)                                             \
    ((f) == SLUICE_FORMAT_HLS_CMAF || sluice_format_is_dash(f))


typedef struct {
    uint32_t        kind;           /* sluice_url_kind_t */
    uint32_t        format;         /* sluice_format_t */

    /* QualityLevels(bitrate); PLAYLIST, SEGMENT and INIT only */
    uint32_t        bitrate;

    /* Manifest(track,...) or Fragments(track=...), raw name */
    sluice_str_t    track;

    /* Fragments(track=time): track timescale; SEGMENT only */
    uint64_t        time;

    /*
     * part=N (has_part): the low-latency part N, from 0, of the fragment
     * at "time" (LL-HLS EXT-X-PART); m3u8-cmaf segments only
     */
    uint32_t        part;

    /* options: filter=a;b (empty when absent), audio-only=true|false */
    sluice_str_t    filter;
    int             audio_only;     /* -1 absent, 0 false, 1 true */
    uint32_t        encryption;     /* sluice_encryption_t */

    /* ".m3u8", ".mpd", ".ts", ".m4s" or ".mp4" was given */
    unsigned        has_extension:1;

    /* type=keyframes: the I-frame playlist of a video track (PLAYLIST) */
    unsigned        keyframes:1;

    /* format=fmp4-v20: the Smooth 2.0 manifest (format stays SMOOTH) */
    unsigned        smooth_v20:1;

    /* part=N was given */
    unsigned        has_part:1;
} sluice_url_t;


/*
 * Parses the URL tag p[0..len).  On SLUICE_BAD_REQUEST, *reason (when not
 * NULL) is set to a static string explaining the failure.
 */
sluice_status_t sluice_url_parse(sluice_url_t *url, const uint8_t *p,
    size_t len, const char **reason);

/* "m3u8-aapl" etc.; "" for Smooth */
const char *sluice_format_name(sluice_format_t format);

/*
 * The extension HLS playlists give a segment URL of the format: ".ts"
 * (TS), ".m4s" (CMAF media), ".mp4" (CMAF init); "" where none is
 * written.  The parser accepts exactly that one after Fragments(...).
 */
const char *sluice_url_segment_ext(sluice_format_t format,
    sluice_url_kind_t kind);

/* "cbc" etc.; "" for none */
const char *sluice_encryption_name(sluice_encryption_t encryption);

/*
 * The media type of a track name: SLUICE_MEDIA_VIDEO for "video",
 * SLUICE_MEDIA_AUDIO for "audio" (in any case), -1 for any other name.
 */
int sluice_url_media_type(const sluice_str_t *track);


#endif /* _SLUICE_URL_H_INCLUDED_ */
