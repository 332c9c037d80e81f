
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_rtmp_sluice_transcode.c: live encoding.  The worker holding the
 * contribution feed of a live encoding event runs the event's transcoder
 * (sluice_transcoder), feeds it the stream as FLV on its stdin, reads its
 * status lines, restarts it when it dies; the transcoder publishes its
 * layers back as streams "sluice-v{n}" and "sluice-a{n}" with the
 * event's key, and they are fragmented like any pass-through rendition.
 */


#ifndef _NGX_RTMP_SLUICE_TRANSCODE_H_INCLUDED_
#define _NGX_RTMP_SLUICE_TRANSCODE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "media/signal/sluice_adcue.h"
#include "ingest/rtmp/ngx_rtmp_sluice.h"


/* streams of the transcoder's layers begin with this */
#define NGX_RTMP_SLUICE_LAYER_PREFIX  "sluice-"


/*
 * At publish to a live encoding event (zone mutex held): admits the
 * contribution feed (one at a time) or a layer with the event's key;
 * NULL, or why the publisher is refused.
 */
const char *ngx_rtmp_sluice_transcode_admit(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_sluice_event_t *ev);

/* one audio or video message of the contribution feed */
ngx_int_t ngx_rtmp_sluice_transcode_av(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_uint_t type, uint32_t timestamp, u_char *p, size_t len);

/*
 * The feed's onMetaData (p: the AMF after "@setDataFrame", named: it
 * begins with the "onMetaData" string), kept and sent first
 */
void ngx_rtmp_sluice_transcode_meta(ngx_rtmp_sluice_ctx_t *ctx, u_char *p,
    size_t len, ngx_uint_t named);

/*
 * A cue of the feed taken at time (ms of the timeline): with
 * sluice_splice_conditioning, its splice points still ahead of the feed
 * are told to the transcoder (an IDR on every layer there)
 */
void ngx_rtmp_sluice_transcode_splice(ngx_rtmp_sluice_ctx_t *ctx,
    const sluice_cue_t *cue, uint64_t time);

/* the worker exits: every transcoder of this worker is told to end */
void ngx_rtmp_sluice_transcode_exit(ngx_cycle_t *cycle);

/* the feed ends: the transcoder gets EOF, finishes and exits */
void ngx_rtmp_sluice_transcode_stop(ngx_rtmp_sluice_ctx_t *ctx);


#endif /* _NGX_RTMP_SLUICE_TRANSCODE_H_INCLUDED_ */
