
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Cues of a live event's timeline (issue 13): ad markers (SCTE-35,
 * AMS's simple mode) and timed metadata, whichever ingest brought them
 * (RTMP data messages, fMP4 sparse tracks, CMAF emsg, SCTE-35 in
 * MPEG-TS).  A cue is the pure sluice_cue_t of media/signal/sluice_adcue.h
 * with its time on the event's timeline (ms, has_time set).
 *
 *   shared memory   per event, the newest NGX_SLUICE_MAX_CUES cues in
 *                   time order (slab memory), so every worker and every
 *                   format sees them; copied out by ngx_sluice_snapshot()
 *                   (ngx_sluice_snapshot_t.cues) for a request
 *   store           {data}/live/{id}/{generation}/cues, appended records,
 *                   so a restart and the recorder see them; a live output
 *                   appends those of its recording to
 *                   {data}/assets/{assetId}/cues, which playback of the
 *                   asset reads (ngx_sluice_cue_read())
 *
 * A cue with the id and time of one already there replaces it (AMS: an
 * update or cancel repeats the id and presentation time; the last one
 * wins).
 */


#ifndef _NGX_SLUICE_CUE_H_INCLUDED_
#define _NGX_SLUICE_CUE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice.h"
#include "core/ngx_sluice_ingest.h"
#include "core/ngx_sluice_writer.h"
#include "media/signal/sluice_adcue.h"


#define NGX_SLUICE_MAX_CUES          256     /* per event in the zone */
#define NGX_SLUICE_CUE_MAX_SIZE      4096    /* id, section, scheme, value
                                                and data of one cue */


/*
 * Limits (docs/architecture.md, "Cues"): a cue is refused when it starts
 * more than NGX_SLUICE_CUE_AHEAD_MS after the live edge (SCTE 35
 * pre-rolls are seconds), or ends more than NGX_SLUICE_CUE_BEHIND_MS
 * before it; ad cues (splice out, in, commands) come at most
 * NGX_SLUICE_CUE_AD_BURST per NGX_SLUICE_CUE_AD_MS per event, timed
 * metadata at most one per NGX_SLUICE_CUE_META_MS (AMS's limits).
 */
#define NGX_SLUICE_CUE_AHEAD_MS      600000
#define NGX_SLUICE_CUE_BEHIND_MS     600000
#define NGX_SLUICE_CUE_AD_BURST      2
#define NGX_SLUICE_CUE_AD_MS         1000
#define NGX_SLUICE_CUE_META_MS       500


/*
 * A record of a cues file ({data}/live/{id}/{generation}/cues and
 * {data}/assets/{assetId}/cues), little-endian, appended by one write()
 * and fdatasync:
 *
 *    0  4  magic "SCUE"
 *    4  4  length of the whole record, magic and CRC included
 *    8  1  version (1)
 *    9  1  kind (SLUICE_CUE_SPLICE_OUT...)
 *   10  1  source (SLUICE_CUE_FROM_*)
 *   11  1  flags: 1 id made, 2 has elapsed, 4 section made
 *   12  4  event id (SCTE 35 splice or segmentation event id)
 *   16  8  time, ms of the event's timeline
 *   24  8  duration, ms (0: a point, or unknown)
 *   32  8  elapsed, ms
 *   40  2  id length            44  2  value length
 *   42  2  scheme length        46  2  0
 *   48  4  section length       52  4  data length
 *   56     id, section, scheme_id_uri, value, data
 *   end-4  4  CRC-32 (IEEE) of the record before it
 *
 * A reader takes the records whose magic, length and CRC hold and skips
 * anything else byte by byte up to the next magic (a torn record of a
 * crash, a record another writer tore); a valid record of an unknown
 * version is skipped whole.  The last record of an id and time wins.
 */
#define NGX_SLUICE_CUE_REC_HEADER    56
#define NGX_SLUICE_CUE_REC_VERSION   1


/*
 * A cue of the event with this id and generation, its time already on
 * the timeline (cue->time in ms, has_time set).  Copies it into the zone
 * (takes the mutex) and, when w is not NULL, queues its record to the
 * event's store and to the assets its running live outputs record.
 * NGX_OK (also when the same cue is there already: nothing queued);
 * NGX_DECLINED when refused (too big, out of the timeline, a flood, the
 * event gone), logged with the event's name; NGX_ERROR.
 */
ngx_int_t ngx_sluice_cue_add(ngx_sluice_zone_ctx_t *zctx, u_char *event_id,
    uint32_t generation, const sluice_cue_t *cue, ngx_sluice_writer_t *w,
    ngx_log_t *log);

/*
 * A cue an ingest read at input time ts (ms, 32-bit, wrapping: the
 * message's own timestamp), or at cue->time when has_time (ms of the
 * encoder's timeline, taken modulo 2^32 as frame times are), put on the
 * event's timeline as the stream's frames are: unwrapped against its
 * last frame, through its offset.  mode:
 *
 *   NGX_SLUICE_CUE_STREAM   a cue before the stream's first frame is
 *                           refused (RTMP: no offset yet)
 *   NGX_SLUICE_CUE_DIRECT   the input times are the timeline's (a live
 *                           encoding's contribution feed)
 *   NGX_SLUICE_CUE_SPARSE   a stream that may have no frames of its own
 *                           (a Smooth sparse track): then the time plus
 *                           the event's offset at its admission
 *
 * An id is made when the cue has none (its timeline time in ms, so two
 * origins agree).  Returns as ngx_sluice_cue_add(); a cue far from the
 * stream's position is refused.
 */
#define NGX_SLUICE_CUE_STREAM        0
#define NGX_SLUICE_CUE_DIRECT        1
#define NGX_SLUICE_CUE_SPARSE        2

ngx_int_t ngx_sluice_cue_ingest(ngx_sluice_ingest_t *in,
    const sluice_cue_t *cue, uint32_t ts, ngx_uint_t mode);

/* as ngx_sluice_cue_ingest(); NGX_OK: *time is its timeline time (ms) */
ngx_int_t ngx_sluice_cue_ingest_at(ngx_sluice_ingest_t *in,
    const sluice_cue_t *cue, uint32_t ts, ngx_uint_t mode, uint64_t *time);

/*
 * Mutex held: the event's cues ending after from_ms (a cue of duration 0
 * at from_ms or after), in time order, strings copied into pool.
 */
ngx_int_t ngx_sluice_cue_snapshot(ngx_pool_t *pool, ngx_sluice_event_t *ev,
    uint64_t from_ms, sluice_cue_t **cues, ngx_uint_t *ncues);

/*
 * Splice-point conditioning: the time (ms) of a splice point of the
 * event in (from, to], or 0: a splice out or in of the zone's cues, or
 * where a splice out with a duration ends (it takes the mutex); forced:
 * only the points the event's transcoder was told in time
 * (ngx_sluice_cue_force()), for its layers
 */
uint64_t ngx_sluice_cue_splice(ngx_sluice_zone_ctx_t *zctx, u_char *event_id,
    uint32_t generation, uint64_t from, uint64_t to, ngx_uint_t forced);

/*
 * A live encoding event: its transcoder makes an IDR on every layer at
 * the first frame at or after this splice point (ms), so its layers may
 * cut there (it takes the mutex)
 */
void ngx_sluice_cue_force(ngx_sluice_zone_ctx_t *zctx, u_char *event_id,
    uint32_t generation, uint64_t point);

/* mutex held: the event's cues freed (a new generation, a delete) */
void ngx_sluice_cue_free(ngx_slab_pool_t *shpool, ngx_sluice_event_t *ev);

/*
 * A fresh zone (master, at start, blocking reads; after
 * ngx_sluice_recorder_init_zone()): an event whose timeline continues
 * (record_end_ms) gets back the cues of its previous generation's store
 */
void ngx_sluice_cue_init_zone(ngx_sluice_zone_ctx_t *zctx, ngx_log_t *log);

/*
 * Playback of an asset: its cues that end after from_ms (a point: at or
 * after) and start before to_ms (to_ms 0: no end), in time order, copied
 * into pool; none when it has no cues file.  Reads the file (blocking:
 * a small file, as the asset's index).
 */
ngx_int_t ngx_sluice_cue_read(ngx_str_t *data_path, u_char *asset_id,
    uint64_t from_ms, uint64_t to_ms, ngx_pool_t *pool, sluice_cue_t **cues,
    ngx_uint_t *ncues, ngx_log_t *log);


#endif /* _NGX_SLUICE_CUE_H_INCLUDED_ */
