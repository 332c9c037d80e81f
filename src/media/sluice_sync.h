
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Are the tracks of a live event in step?  The two checks behind AMS's
 * stream events StreamEvent/UnalignedPresentation and
 * StreamEvent/UnalignedKeyFrames (the telemetry of the ingest,
 * core/ngx_sluice_telemetry.c, calls them once per fragment), and the
 * episodes that make one event of a lasting condition:
 *
 *   - presentation: the ends of what the tracks received are further
 *     apart than a threshold (SLUICE_SYNC_PRESENTATION_MS): an encoder
 *     whose audio runs ahead of its video, renditions from encoders that
 *     do not share a clock, a track that stopped coming;
 *   - keyframes: two fragments of two video tracks that overlap in time
 *     do not start at the same presentation time (within
 *     SLUICE_SYNC_KEYFRAME_US): the renditions' keyframes are not
 *     aligned, so players cannot switch between them at fragment
 *     boundaries.
 */


#ifndef _SLUICE_SYNC_H_INCLUDED_
#define _SLUICE_SYNC_H_INCLUDED_


#include "media/sluice_media.h"


/*
 * Out of sync beyond 10 s: the gap beyond which the ingest calls a
 * forward step within one track a jump; what interleaving and network
 * jitter give between the tracks of one encoder is well under 1 s.  An
 * episode ends once the spread is back under half of it.
 */
#define SLUICE_SYNC_PRESENTATION_MS    10000

/*
 * Keyframes aligned within 10 ms: the renditions of one encoder carry the
 * same millisecond timestamps (a 1 ms rounding at most); a keyframe one
 * frame off, even at 60 fps (16.7 ms), is caught.
 */
#define SLUICE_SYNC_KEYFRAME_US        10000


/* a fragment of a video track as the keyframe check sees it */
typedef struct {
    uint64_t                 time;          /* its first sample's decode
                                               time, as stored */
    uint64_t                 start;         /* its first frame's
                                               presentation time */
    uint32_t                 duration;
    uint32_t                 flags;         /* SLUICE_SYNC_EDGE */
} sluice_sync_frag_t;

/*
 * the first fragment of a connection or after a discontinuity: it starts
 * at the first keyframe that came, not at a cut, so it is not compared
 */
#define SLUICE_SYNC_EDGE               0x01


/* what sluice_sync_keyframes() finds */
#define SLUICE_SYNC_APART              0    /* nothing to compare */
#define SLUICE_SYNC_ALIGNED            1
#define SLUICE_SYNC_UNALIGNED          2


/* the end of what a track received, for the presentation check */
typedef struct {
    uint64_t                 end;
    uint32_t                 timescale;
} sluice_sync_end_t;


/* a condition that lasts: one event when it begins */
typedef struct {
    uint32_t                 out;           /* going on */
    uint32_t                 good;          /* good checks in a row */
} sluice_sync_episode_t;


/*
 * Fragments a (timescale ascale) and b (bscale) of two video tracks:
 * SLUICE_SYNC_APART when they do not overlap by more than tolerance_us
 * or either is an edge; else SLUICE_SYNC_UNALIGNED when their starts
 * differ by more than tolerance_us, SLUICE_SYNC_ALIGNED when not.  Only
 * the starts are compared: each end is the next fragment's start, and the
 * last fragment before a disconnection ends where its track's media
 * ended.
 */
int sluice_sync_keyframes(const sluice_sync_frag_t *a, uint32_t ascale,
    const sluice_sync_frag_t *b, uint32_t bscale, uint64_t tolerance_us);

/*
 * The time between the earliest and the latest of the n (>= 1) ends, in
 * milliseconds; *lo and *hi: the index of the earliest and of the latest
 */
uint64_t sluice_sync_spread(const sluice_sync_end_t *ends, size_t n,
    size_t *lo, size_t *hi);

/*
 * One check of an episode: bad (out of sync now), good (clearly in sync
 * now; neither: no verdict, as a check that compared nothing).  Returns
 * 1 when an episode begins, the one time its event is raised; it ends
 * after "need" good checks in a row, and a bad check after that begins
 * the next one.
 */
int sluice_sync_episode(sluice_sync_episode_t *ep, int bad, int good,
    uint32_t need);

/* the presentation check's episode: a spread in ms against threshold_ms */
int sluice_sync_presentation(sluice_sync_episode_t *ep, uint64_t spread_ms,
    uint64_t threshold_ms);


#endif /* _SLUICE_SYNC_H_INCLUDED_ */
