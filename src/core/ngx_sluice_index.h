
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The fragment index in shared memory (ngx_sluice_index.c): tracks of a
 * live event, their fragment rings, snapshots for readers, storage paths.
 */


#ifndef _NGX_SLUICE_INDEX_H_INCLUDED_
#define _NGX_SLUICE_INDEX_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice.h"
#include "media/signal/sluice_adcue.h"


/*
 * Fragment index (ngx_sluice_index.c).
 *
 * Writer side, used by the ingest worker owning a track.  The caller
 * holds shpool->mutex for every call.
 *
 * ngx_sluice_track_open() finds the slot of an event for the RTMP stream
 * "stream" and the media type of info: the slot already used by the same
 * stream and media type (a reconnect: data, bitrate and init version are
 * kept, the slot becomes ACTIVE again) or else a FREE slot, which gets a
 * ring of "capacity" entries from the slab pool, a copy of info (bitrate
 * made unique among the event's tracks of the same media type by adding
 * 1000 while equal) and init version 0.  Returns the slot index, or
 * NGX_DECLINED when no slot is free, NGX_ERROR when out of shared memory.
 */
ngx_int_t ngx_sluice_track_open(ngx_slab_pool_t *shpool,
    ngx_sluice_event_t *ev, u_char *stream, size_t len,
    sluice_track_info_t *info, ngx_uint_t capacity);

/* the publisher left or the event stopped: ACTIVE becomes IDLE */
void ngx_sluice_track_close(ngx_sluice_event_t *ev, ngx_uint_t index);

/*
 * Append one entry (called once its file is complete on disk).  If info
 * is not NULL it replaces the track's info (bitrate kept, captions added
 * to those the track had) and frag->init becomes the track's
 * init_version, in the same critical section.  When the ring is full,
 * the oldest entry is removed first and copied to *evicted, and NGX_DONE
 * is returned (the caller removes its file); otherwise NGX_OK.
 * NGX_DECLINED: the entry starts more than half a fragment before the
 * end of the last one (redundant ingest, a late write), not appended.
 */
ngx_int_t ngx_sluice_track_append(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, ngx_uint_t index, ngx_sluice_frag_t *frag,
    sluice_track_info_t *info, ngx_sluice_frag_t *evicted);

/* end of the last entry of a track, in ms of the timeline; 0 if none */
uint64_t ngx_sluice_track_end_ms(ngx_sluice_track_t *tr);

/*
 * Free the rings of all tracks, mark them FREE and set ts_offset to 0
 * (a new generation: reset or start; or delete; called by the API under
 * the mutex).  Files are not touched.
 */
void ngx_sluice_event_free_tracks(ngx_slab_pool_t *shpool,
    ngx_sluice_event_t *ev);

/*
 * The publishers of a stream (ngx_sluice_stream_t; redundant ingest),
 * mutex held.  ngx_sluice_stream_find(): the record of the stream, or
 * NULL when none of its publishers is alive (those of dead workers are
 * forgotten).  ngx_sluice_stream_others(): how many of its publishers
 * other than this worker's number "id" are alive.
 * ngx_sluice_stream_add(): this worker's publisher "id" added to the
 * record of the stream, made if needed; NULL when no record is free or
 * the stream has its NGX_SLUICE_MAX_REDUNDANT publishers.
 * ngx_sluice_stream_remove(): the publisher removed (the record freed
 * with its last one); returns how many others remain.
 */
ngx_sluice_stream_t *ngx_sluice_stream_find(ngx_sluice_event_t *ev,
    u_char *stream);
ngx_uint_t ngx_sluice_stream_others(ngx_sluice_stream_t *st, ngx_uint_t id);
ngx_sluice_stream_t *ngx_sluice_stream_add(ngx_sluice_event_t *ev,
    u_char *stream, ngx_uint_t id);
ngx_uint_t ngx_sluice_stream_remove(ngx_sluice_event_t *ev, u_char *stream,
    ngx_uint_t id);

/* the event with this id, if its generation is still "generation" */
ngx_sluice_event_t *ngx_sluice_index_event(ngx_sluice_shctx_t *sh,
    u_char *id, uint32_t generation);


/*
 * Reader side (packager).  ngx_sluice_snapshot() copies, from an event
 * found under the mutex (the caller holds shpool->mutex), everything a
 * request needs: event fields and, per used track (state != FREE and at
 * least one entry), its info and the entries of the window, oldest
 * first.  window_ms == 0 copies all entries; otherwise a track keeps the
 * entries that end after (its last end - window_ms).  Memory comes from
 * pool.  Returns NGX_OK or NGX_ERROR (no memory).
 */
typedef struct {
    ngx_uint_t                  index;          /* slot: path component */
    ngx_uint_t                  state;          /* ngx_sluice_track_state_e */
    u_char                      stream[NGX_SLUICE_STREAM_LEN + 1];
    sluice_track_info_t         info;
    uint32_t                    init_version;   /* current init{v}.mp4 */
    uint64_t                    appended;       /* entries ever appended */
    uint64_t                    ll_count;       /* and parts: a version */
    ngx_msec_t                  updated;
    ngx_uint_t                  nfrags;
    ngx_sluice_frag_t          *frags;          /* oldest first */
    /* low latency: the parts of fragments from frags[0] on, oldest first */
    ngx_uint_t                  nparts;
    ngx_sluice_part_t          *parts;
} ngx_sluice_track_snap_t;


typedef struct {
    u_char                      id[NGX_SLUICE_ID_LEN + 1];
    u_char                      name[NGX_SLUICE_NAME_LEN + 1];
    ngx_uint_t                  state;
    uint32_t                    generation;
    ngx_msec_t                  fragment_ms;
    ngx_uint_t                  latency;        /* NGX_SLUICE_LATENCY_* */
    ngx_msec_t                  part_ms;        /* 0: no parts */
    uint64_t                    changes;        /* ev->changes */
    ngx_uint_t                  ntracks;
    ngx_sluice_track_snap_t    *tracks;         /* ntracks, by slot order */

    /*
     * the event's cues (ngx_sluice_cue.h) that end after the start of the
     * window's oldest fragment, in time order, strings in pool
     */
    ngx_uint_t                  ncues;
    sluice_cue_t               *cues;
} ngx_sluice_snapshot_t;


ngx_int_t ngx_sluice_snapshot(ngx_pool_t *pool, ngx_sluice_event_t *ev,
    ngx_msec_t window_ms, ngx_sluice_snapshot_t *snap);

/*
 * Storage paths.  ngx_sluice_track_dir() writes
 * "{data_path}/live/{id}/{generation}/{track}" (no trailing slash, not
 * NUL-terminated) and returns the end; at most
 * data_path->len + NGX_SLUICE_TRACK_DIR_LEN bytes.  Files inside:
 * "/init{version}.mp4" and "/{time}.m4s".
 */
#define NGX_SLUICE_TRACK_DIR_LEN                                              \
    (sizeof("/live/") - 1 + NGX_SLUICE_ID_LEN + 1 + NGX_INT32_LEN + 1         \
     + NGX_INT_T_LEN)
#define NGX_SLUICE_FILE_LEN    (sizeof("/init.mp4") - 1 + NGX_INT64_LEN)

u_char *ngx_sluice_track_dir(u_char *p, ngx_str_t *data_path, u_char *id,
    uint32_t generation, ngx_uint_t track);



#endif /* _NGX_SLUICE_INDEX_H_INCLUDED_ */
