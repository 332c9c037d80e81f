
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Live event telemetry in the zone (ngx_sluice_telemetry.c), what the
 * API's getStatus, getStreamEvents and getTrackIngestHeartbeats answer
 * (AMS 2022-11-01) and what a deliverer of notifications reads:
 *
 *   ngx_sluice_event_t.tel ---> ngx_sluice_tel_t (one slab block, made at
 *                               the event's first ingest, freed with it)
 *     ingestion: stream, begin, end, end reason, interruptions (ring)
 *     events:    ring of stream events (NGX_SLUICE_TEL_NEVENTS)
 *     tracks[NGX_SLUICE_MAX_TRACKS], by slot:
 *                counters (bytes, fragments, discontinuities, overlaps,
 *                non-increasing timestamps, last timestamp, last arrival),
 *                the heartbeat window in progress and a ring of
 *                heartbeats (NGX_SLUICE_TEL_NBEATS); the end of what it
 *                received and, for video, its newest fragments
 *                (NGX_SLUICE_TEL_NSYNC), for the out-of-sync checks
 *     presentation, keyframes: the out-of-sync episodes going on
 *   ngx_sluice_shctx_t.tel_seq: the last stream event's sequence number,
 *                               zone-wide, from 1
 *   ngx_sluice_shctx_t.tel_orphans ---> ring of refused connections whose
 *                               token names no live event
 *
 * Every function is called with the zone mutex held.  The ingest updates
 * a track once per fragment, under the lock it takes for the fragment
 * anyway; nothing is done per frame but a flag.
 */


#ifndef _NGX_SLUICE_TELEMETRY_H_INCLUDED_
#define _NGX_SLUICE_TELEMETRY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice.h"
#include "media/sluice_sync.h"


#define NGX_SLUICE_TEL_NEVENTS         64   /* stream events per event */
#define NGX_SLUICE_TEL_NORPHANS        16   /* refusals of no event */
#define NGX_SLUICE_TEL_NBEATS          16   /* heartbeats per track */
#define NGX_SLUICE_TEL_NBREAKS         8    /* ingest interruptions */
#define NGX_SLUICE_TEL_NSYNC           8    /* video fragments kept for
                                               the keyframe check */

#define NGX_SLUICE_TEL_HEARTBEAT_MS    20000    /* AMS: every 20 s */

#define NGX_SLUICE_TEL_CODE_LEN        47
#define NGX_SLUICE_TEL_IP_LEN          47
#define NGX_SLUICE_TEL_MSG_LEN         95


/* LiveEventStreamEvent.eventType: "StreamEvent/{name}" */
typedef enum {
    NGX_SLUICE_SE_BEGIN_INGEST = 0,
    NGX_SLUICE_SE_END_INGEST,
    NGX_SLUICE_SE_FIRST_CHUNK,
    NGX_SLUICE_SE_CHUNK_DROPPED,
    NGX_SLUICE_SE_UNALIGNED_KEYFRAMES,
    NGX_SLUICE_SE_UNALIGNED_PRESENTATION,
    NGX_SLUICE_SE_DISCONTINUITY,
    NGX_SLUICE_SE_INVALID_CONNECTION,
    NGX_SLUICE_SE_STATE             /* not AMS's: the event's state changed
                                       (prev_state -> state); for
                                       notifications and logs, not listed by
                                       getStreamEvents */
} ngx_sluice_tel_type_e;


/* eventLevel */
typedef enum {
    NGX_SLUICE_SE_CRITICAL = 0,
    NGX_SLUICE_SE_ERROR,
    NGX_SLUICE_SE_WARNING,
    NGX_SLUICE_SE_INFORMATION
} ngx_sluice_tel_level_e;


#define NGX_SLUICE_TEL_NO_TRACK        0xff


/*
 * One stream event.  Timestamps and durations are in the track's
 * timescale; what an event type does not use is 0 ("" for strings).
 */
typedef struct {
    uint64_t                    seq;            /* zone-wide, from 1 */
    uint64_t                    time_ms;        /* unix ms */
    uint8_t                     type;           /* ngx_sluice_tel_type_e */
    uint8_t                     level;          /* ngx_sluice_tel_level_e */
    uint8_t                     slot;           /* NGX_SLUICE_TEL_NO_TRACK */
    uint8_t                     media;          /* sluice_media_type_t */
    uint32_t                    bitrate;
    uint32_t                    timescale;
    uint32_t                    duration;       /* of the fragment */
    uint64_t                    ts;             /* mediaTimestamp, the
                                                   current fragment's */
    uint64_t                    prev_ts;        /* previous fragment */
    uint32_t                    prev_duration;
    uint16_t                    width;
    uint16_t                    height;
    int64_t                     gap;            /* discontinuityGap */
    uint64_t                    other_ts;       /* unaligned: the other
                                                   track's fragment or end
                                                   (keyframes: in this
                                                   event's timescale) */
    uint32_t                    other_duration;
    uint32_t                    other_timescale;
    uint8_t                     other_media;
    uint8_t                     other_slot;
    uint16_t                    port;           /* remotePort, 0: none */
    uint8_t                     state;          /* NGX_SLUICE_SE_STATE */
    uint8_t                     prev_state;
    u_char                      code[NGX_SLUICE_TEL_CODE_LEN + 1];
    u_char                      stream[NGX_SLUICE_STREAM_LEN + 1];
    u_char                      ip[NGX_SLUICE_TEL_IP_LEN + 1];
    u_char                      msg[NGX_SLUICE_TEL_MSG_LEN + 1];
} ngx_sluice_tel_event_t;


typedef struct ngx_sluice_tel_ring_s {
    ngx_uint_t                  cap;
    ngx_uint_t                  head;           /* oldest */
    ngx_uint_t                  n;
    ngx_sluice_tel_event_t     *ev;
} ngx_sluice_tel_ring_t;


/* one track heartbeat (LiveEventTrackEvent, TrackEvent/IngestHeartbeat) */
#define NGX_SLUICE_TEL_DRIFT_NA        INT32_MIN

typedef struct {
    uint64_t                    time_ms;        /* end of its window */
    uint64_t                    last_ts;        /* timescale */
    uint64_t                    arrival_ms;     /* last fragment, 0: none */
    uint32_t                    bitrate;        /* expected */
    uint32_t                    incoming;       /* measured, bps */
    uint32_t                    timescale;
    uint32_t                    overlaps;       /* in the window */
    uint32_t                    discontinuities;
    uint32_t                    nonincreasing;
    int32_t                     drift;          /* s per minute */
    uint8_t                     media;
    uint8_t                     state;          /* the event's */
    uint8_t                     healthy;
    uint8_t                     unexpected;     /* unexpectedBitrate */
} ngx_sluice_tel_beat_t;


typedef struct {
    uint32_t                    generation;     /* of the event; else
                                                   the slot is stale */
    ngx_uint_t                  used;
    uint8_t                     media;
    uint32_t                    bitrate;        /* expected */
    uint32_t                    timescale;
    uint16_t                    width;
    uint16_t                    height;

    /* since the track began */
    uint64_t                    bytes;
    uint64_t                    fragments;
    uint64_t                    discontinuities;
    uint64_t                    overlaps;
    uint64_t                    nonincreasing;
    uint64_t                    dropped;
    uint64_t                    last_ts;        /* newest fragment */
    uint32_t                    last_duration;
    uint64_t                    arrival_ms;     /* newest fragment's */

    /*
     * drift: wall time less media time since the first fragment of the
     * connection (ms), at the newest fragment and at the window's start
     */
    uint64_t                    first_ms;
    uint64_t                    first_ts;
    int64_t                     lag_ms;
    int64_t                     win_lag_ms;
    ngx_uint_t                  lagging;        /* lag_ms is known */

    /* the heartbeat window in progress */
    uint64_t                    win_ms;         /* its start */
    uint64_t                    win_bytes;
    uint64_t                    win_media;      /* timescale units */
    uint32_t                    win_overlaps;
    uint32_t                    win_discontinuities;
    uint32_t                    win_nonincreasing;

    uint32_t                    incoming;       /* last window, bps */
    int32_t                     drift;          /* last window */

    /* the out-of-sync checks (media/sluice_sync.h) */
    uint64_t                    received;       /* end of what the track
                                                   received */
    ngx_uint_t                  shead;          /* oldest of sync[] */
    ngx_uint_t                  nsync;
    sluice_sync_frag_t          sync[NGX_SLUICE_TEL_NSYNC];   /* video: the
                                                   newest fragments */

    ngx_uint_t                  bhead;
    ngx_uint_t                  nbeats;
    ngx_sluice_tel_beat_t       beats[NGX_SLUICE_TEL_NBEATS];
} ngx_sluice_tel_track_t;


typedef struct {
    uint64_t                    begin_ms;       /* disconnected */
    uint64_t                    end_ms;         /* reconnected, 0: not */
    u_char                      reason[NGX_SLUICE_TEL_CODE_LEN + 1];
} ngx_sluice_tel_break_t;


typedef struct ngx_sluice_tel_s {
    uint32_t                    generation;     /* of the ingestion */
    u_char                      stream[NGX_SLUICE_STREAM_LEN + 1];
    uint64_t                    begin_ms;       /* 0: no ingest yet */
    uint64_t                    end_ms;         /* 0: going on */
    u_char                      end_reason[NGX_SLUICE_TEL_CODE_LEN + 1];
    ngx_uint_t                  nbreaks;        /* ever, this generation */
    ngx_sluice_tel_break_t      breaks[NGX_SLUICE_TEL_NBREAKS];

    ngx_sluice_tel_ring_t       events;
    ngx_sluice_tel_track_t      tracks[NGX_SLUICE_MAX_TRACKS];

    /* UnalignedPresentation, UnalignedKeyFrames: one event an episode */
    sluice_sync_episode_t       presentation;
    sluice_sync_episode_t       keyframes;
} ngx_sluice_tel_t;


/* what the ingest hands over for a fragment it cut */
#define NGX_SLUICE_TEL_FRAG_DISC       0x01     /* discontinuity before */
#define NGX_SLUICE_TEL_FRAG_OVERLAP    0x02     /* a duplicate, dropped */
#define NGX_SLUICE_TEL_FRAG_BACKWARD   0x04     /* a frame's time stepped
                                                   back (clamped) */
#define NGX_SLUICE_TEL_FRAG_FIRST      0x08     /* the connection's first */
#define NGX_SLUICE_TEL_FRAG_DROPPED    0x10     /* not stored */

typedef struct {
    ngx_uint_t                  slot;
    ngx_uint_t                  flags;          /* NGX_SLUICE_TEL_FRAG_* */
    uint64_t                    time;           /* track timescale */
    uint64_t                    duration;
    uint64_t                    bytes;          /* media payload */
    int64_t                     pts_offset;     /* its first frame's
                                                   composition offset */
    uint64_t                    received;       /* the end of what the
                                                   track received so far
                                                   (audio held for the
                                                   video's cuts), 0: the
                                                   fragment's end */
    const char                 *drop_reason;    /* FRAG_DROPPED */
} ngx_sluice_tel_frag_t;


/* a stream event copied out with its live event's name (cursor API) */
typedef struct {
    u_char                      event[NGX_SLUICE_NAME_LEN + 1];  /* "" */
    ngx_sluice_tel_event_t      e;
} ngx_sluice_tel_record_t;


/* the event's block, made when first needed; NULL: no memory */
ngx_sluice_tel_t *ngx_sluice_tel_get(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev);
void ngx_sluice_tel_free(ngx_slab_pool_t *shpool, ngx_sluice_event_t *ev);

/*
 * A new stream event of ev (NULL: a refusal of no live event), its seq
 * and time set, the rest zero, to be filled by the caller under the
 * same lock; NULL: no memory
 */
ngx_sluice_tel_event_t *ngx_sluice_tel_event(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, ngx_uint_t type, ngx_uint_t level);

/*
 * A publisher admitted (code NULL: BeginIngest) or refused (code:
 * InvalidConnection with that result code; ev NULL when its token names
 * no event); sa: the encoder's address, message: resultMessage
 */
void ngx_sluice_tel_connect(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    u_char *stream, struct sockaddr *sa, const char *code,
    const char *message);

/* a publisher left (EndIngest); others: connections of the event left */
void ngx_sluice_tel_disconnect(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    u_char *stream, const char *code, ngx_uint_t others, uint64_t bytes);

/* ev's state changed from prev to ev->state (NGX_SLUICE_SE_STATE) */
void ngx_sluice_tel_state(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_uint_t prev);

/*
 * A fragment the ingest cut, of track tr = ev->tracks[f->slot]: the
 * counters, first-chunk, discontinuity and drop events, the heartbeats
 * that fell due (interval ms), the out-of-sync checks of the event's
 * tracks fed now (UnalignedPresentation, UnalignedKeyFrames, once an
 * episode).  Once per fragment.
 */
void ngx_sluice_tel_fragment(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_sluice_tel_frag_t *f, ngx_msec_t interval);

/*
 * Takes the heartbeats of ev's tracks that fell due by now (a track that
 * receives nothing has its windows closed here): readers call it before
 * they read, a deliverer from its timer
 */
void ngx_sluice_tel_tick(ngx_sluice_event_t *ev, ngx_msec_t interval);

/*
 * The track in slot stops being fed (its stream's last publisher left):
 * a last heartbeat for the window in progress, ending now, so that what
 * it counted is not lost
 */
void ngx_sluice_tel_track_end(ngx_sluice_event_t *ev, ngx_uint_t slot,
    ngx_msec_t interval);

/*
 * The cursor API (docs/architecture.md, "Telemetry"): the stream events
 * of the whole zone with a sequence number above *cursor, oldest first,
 * at most n copied to out; *cursor becomes the last one copied.  *lost:
 * how many between the old cursor and the first one copied are no
 * longer kept (the consumer fell behind a ring, or their event was
 * deleted).  A cursor above the zone's last number (a fresh zone after
 * a restart) starts again from 0.  Returns the number copied.
 */
ngx_uint_t ngx_sluice_tel_read(ngx_sluice_shctx_t *sh, uint64_t *cursor,
    ngx_sluice_tel_record_t *out, ngx_uint_t n, uint64_t *lost);

/* incoming bitrate of a track over the last window or so, bps */
uint32_t ngx_sluice_tel_incoming(ngx_sluice_tel_track_t *tt);


#endif /* _NGX_SLUICE_TELEMETRY_H_INCLUDED_ */
