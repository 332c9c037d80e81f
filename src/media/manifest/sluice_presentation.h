
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The input of the manifest writers (HLS, DASH, Smooth): what the
 * packager copies out of the shared-memory index for one request.
 *
 * Times: fragment times and durations are in the track timescale; the
 * presentation's clock values are unix milliseconds.
 *
 * sluice_presentation.c: comparisons of tracks the writers group, the
 * cues of the window.
 */


#ifndef _SLUICE_PRESENTATION_H_INCLUDED_
#define _SLUICE_PRESENTATION_H_INCLUDED_


#include "media/sluice_media.h"
#include "media/signal/sluice_adcue.h"


#define SLUICE_PFRAG_DISCONTINUITY  0x0001  /* gap or jump before it */


/* one fragment of a track's timeline */
typedef struct {
    uint64_t                     time;      /* track timescale */
    uint32_t                     duration;  /* track timescale */
    uint32_t                     seq;       /* round(start ms / frag ms) */
    uint32_t                     flags;     /* SLUICE_PFRAG_* */

    /*
     * the bytes of a TS segment starting with this fragment (m3u8-aapl,
     * video, clear) up to the end of its keyframe: PAT, PMT and the
     * keyframe's packets (HLS I-frame playlists); 0: unknown
     */
    uint32_t                     key_size;
} sluice_pfrag_t;


/*
 * Low latency (LowLatencyV2): one part of a fragment, a CMAF chunk (moof
 * and mdat) of the samples from "time" for "duration", stored on its own
 * as soon as it is cut.  A fragment's parts add up to the fragment.
 */
#define SLUICE_PPART_INDEPENDENT    0x0001  /* begins with a sync sample */
#define SLUICE_PPART_LAST           0x0002  /* the last of its fragment */

typedef struct {
    uint64_t                     time;      /* track timescale */
    uint32_t                     duration;  /* track timescale */
    uint32_t                     flags;     /* SLUICE_PPART_* */
    uint64_t                     frag_time; /* start of its fragment */
    uint32_t                     index;     /* in its fragment, from 0 */
    uint32_t                     size;      /* bytes of the part */
} sluice_ppart_t;


/*
 * Encryption of a track as manifests signal it (DASH ContentProtection,
 * the Smooth ProtectionHeader): strings ready to write, each empty when
 * not signalled
 */
typedef struct {
    uint32_t                     scheme;    /* 'cenc' or 'cbcs' FourCC */
    uint8_t                      kid[16];   /* big-endian UUID bytes */
    sluice_str_t                 clearkey_laurl;
    sluice_str_t                 widevine_pssh;  /* base64, whole box */
    sluice_str_t                 widevine_laurl;
    sluice_str_t                 playready_pssh; /* base64, whole box */
    sluice_str_t                 playready_pro;  /* base64 Header Object */

    /*
     * DASH AES-128 (ISO/IEC 23009-4 Segment Encryption, scheme 0): the
     * key URI and the IV of the one crypto period; used instead of the
     * Common Encryption fields when sea_key_uri is not empty
     */
    sluice_str_t                 sea_key_uri;
    uint8_t                      sea_iv[16];
} sluice_pprotect_t;


typedef struct {
    const sluice_track_info_t   *info;

    /* Common Encryption; NULL: clear */
    const sluice_pprotect_t     *protect;

    /* "video" or "audio": the {track} of the URLs */
    sluice_str_t                 name;

    /* QualityLevels(bitrate): unique among the tracks of one type */
    uint32_t                     bitrate;

    /* audio and video fed by the same encoder stream share a group */
    uint32_t                     group;

    /* RFC 5646 language, "und" when empty */
    sluice_str_t                 lang;

    /* the fragments of the window, in time order */
    const sluice_pfrag_t        *frags;
    uint32_t                     nfrags;

    /* discontinuities that left the window (EXT-X-DISCONTINUITY-SEQ) */
    uint32_t                     discontinuities_before;

    /*
     * the start (track timescale) of the DASH Period the window begins
     * in, steady while the window slides, when known (the ring holds more
     * than the window): the end of the fragment before the last
     * discontinuity at or before frags[0] (where the hole begins), or
     * that discontinuity's time; 0: none known (the Period starts at 0)
     */
    uint64_t                     period_start;
    /*
     * low latency (p->part_ms): the parts of the newest fragments of
     * frags and then those of the fragment in progress (the parts whose
     * frag_time is after the last of frags), in time order; the
     * fragment in progress follows the last of frags (its media sequence
     * number is one more)
     */
    const sluice_ppart_t        *parts;
    uint32_t                     nparts;
} sluice_ptrack_t;


typedef struct {
    const sluice_ptrack_t       *tracks;
    uint32_t                     ntracks;

    unsigned                     live:1;    /* a live event, not an asset */
    unsigned                     ended:1;   /* no more fragments: VOD */
    unsigned                     program_date_time:1;   /* HLS */

    /* HLS master: audio-only variants too (URL audio-only=true) */
    unsigned                     hls_audio_only:1;

    /* Smooth: the 2.0 manifest (URL format=fmp4-v20) */
    unsigned                     smooth_v20:1;

    /*
     * the CMAF segments of the video tracks (of the audio tracks when
     * there is no video) carry the cues as emsg boxes: DASH signals
     * InbandEventStream on their AdaptationSets
     */
    unsigned                     inband_cues:1;

    /* unix ms of timeline time 0 (DASH availabilityStartTime, HLS PDT) */
    int64_t                      epoch_ms;

    /* unix ms of the request (DASH publishTime, UTCTiming) */
    int64_t                      now_ms;

    /* DVR window (DVRWindowLength, timeShiftBufferDepth); 0: unbounded */
    uint64_t                     window_ms;

    /* target fragment duration (keyFrameIntervalDuration) */
    uint32_t                     fragment_ms;

    /* HLS TS: fragments grouped in one segment; 0 or 1: one */
    uint32_t                     fragments_per_segment;

    /*
     * what the URLs of DASH segments and Smooth fragments carry after
     * their format, e.g. ",encryption=cenc" (empty: nothing)
     */
    sluice_str_t                 url_tag;

    /*
     * cues (ad markers, timed metadata) of the window, in time order,
     * their time and duration in ms of the timeline (has_time set)
     */
    const sluice_cue_t          *cues;
    uint32_t                     ncues;
    /*
     * the event's streamOptions: SLUICE_LATENCY_*.  LowLatency: shorter
     * hold-back in HLS and DASH; LowLatencyV2 (part_ms set): LL-HLS
     * (m3u8-cmaf) and LL-DASH (mpd-time-cmaf) with the parts of the
     * tracks
     */
    uint32_t                     latency;
    /* the part target, ms (PART-TARGET); 0: no parts */
    uint32_t                     part_ms;
    /* HLS delta update asked for (_HLS_skip): SLUICE_HLS_SKIP_* */
    uint32_t                     hls_skip;
    /*
     * DASH UTCTiming: the URL of Sluice's time service (urn:mpeg:dash:
     * utc:http-iso:2014), empty: the direct scheme only
     */
    sluice_str_t                 utc_timing_url;
} sluice_presentation_t;


#define SLUICE_LATENCY_DEFAULT      0
#define SLUICE_LATENCY_LOW          1       /* LowLatency */
#define SLUICE_LATENCY_LOW_V2       2       /* LowLatencyV2 */

#define SLUICE_HLS_SKIP_NONE        0
#define SLUICE_HLS_SKIP_YES         1       /* _HLS_skip=YES */
#define SLUICE_HLS_SKIP_V2          2       /* _HLS_skip=v2: daterange too */


/* same media type, codec, timescale and language */
int sluice_ptrack_same_kind(const sluice_ptrack_t *a,
    const sluice_ptrack_t *b);

/* the same fragments: times and durations */
int sluice_ptrack_same_times(const sluice_ptrack_t *a,
    const sluice_ptrack_t *b);

/*
 * The renditions of one set, whose fragments line up (a Smooth
 * StreamIndex: its QualityLevels share one list of chunks).  One rule
 * for every writer, so that a manifest lists every track the others
 * list, with the tracks it lines up with: the same kind, the same
 * fragments (times and durations) over the span both timelines cover,
 * and ends at most one fragment apart.  Renditions pushed as separate
 * streams have their fragments indexed moments apart, so one may hold a
 * fragment the others do not have yet; one that joined later starts
 * later.  A track further behind, or with other fragment times, makes a
 * set of its own.
 */
#define SLUICE_PRESENTATION_MAX_TRACKS  64

int sluice_ptrack_aligned(const sluice_ptrack_t *a,
    const sluice_ptrack_t *b);

/*
 * set[i]: the first track of track i's set (set[i] == i: it opens one),
 * for the p->ntracks tracks; SLUICE_UNSUPPORTED when there are more than
 * SLUICE_PRESENTATION_MAX_TRACKS
 */
sluice_status_t sluice_presentation_sets(const sluice_presentation_t *p,
    uint32_t *set);

/*
 * The fragments of track set[first]'s set that every track of it holds:
 * those of track "first" from *from, *n of them
 */
void sluice_presentation_set_span(const sluice_presentation_t *p,
    const uint32_t *set, uint32_t first, uint32_t *from, uint32_t *n);

/*
 * A cue overlaps the media from start_ms: it ends after it, or, without a
 * duration, begins at or after it
 */
#define sluice_cue_after(c, start_ms)                                         \
    ((c)->time >= (start_ms) || (c)->time + (c)->duration > (start_ms))

/*
 * Narrows p->cues to the window of its tracks (after the filters): from
 * the first cue that overlaps the media (sluice_cue_after() the earliest
 * first fragment) to the last one that begins before the latest end of
 * the media; a live presentation also keeps the cues announced ahead of
 * its media.  A contiguous range: a short cue that ended inside a longer
 * one stays, the writers check each cue again.
 */
void sluice_presentation_cue_window(sluice_presentation_t *p);


#endif /* _SLUICE_PRESENTATION_H_INCLUDED_ */
