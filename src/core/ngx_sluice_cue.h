
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
#include "media/signal/sluice_adcue.h"


#define NGX_SLUICE_MAX_CUES          256     /* per event in the zone */
#define NGX_SLUICE_CUE_MAX_SIZE      4096    /* id, section, scheme, value
                                                and data of one cue */


/*
 * A cue of event ev, its time already on the timeline (cue->time in ms,
 * has_time set), from the ingest of one of its streams.  Copies it into
 * the zone (the caller holds no lock) and queues its record to the
 * store.  NGX_OK; NGX_DECLINED when refused (too big, out of the
 * timeline, a flood), logged with the event's name; NGX_ERROR.
 */
ngx_int_t ngx_sluice_cue_add(ngx_sluice_zone_ctx_t *zctx,
    ngx_sluice_event_t *ev, const sluice_cue_t *cue, ngx_log_t *log);

/*
 * Playback of an asset: its cues that end after from_ms and start before
 * to_ms (to_ms 0: no end), in time order, copied into pool.
 */
ngx_int_t ngx_sluice_cue_read(ngx_str_t *data_path, u_char *asset_id,
    uint64_t from_ms, uint64_t to_ms, ngx_pool_t *pool, sluice_cue_t **cues,
    ngx_uint_t *ncues, ngx_log_t *log);


#endif /* _NGX_SLUICE_CUE_H_INCLUDED_ */
