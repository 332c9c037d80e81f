
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_rtmp_sluice_fragmenter.c: from FLV tag bodies to stored CMAF
 * fragments (timeline, cuts, storage jobs, index appends).
 */


#ifndef _NGX_RTMP_SLUICE_FRAGMENTER_H_INCLUDED_
#define _NGX_RTMP_SLUICE_FRAGMENTER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ingest/rtmp/ngx_rtmp_sluice.h"


/* one FLV video or audio tag body at an input timestamp (ms) */
ngx_int_t ngx_rtmp_sluice_video(ngx_rtmp_sluice_ctx_t *ctx,
    uint32_t timestamp, u_char *p, size_t len);
ngx_int_t ngx_rtmp_sluice_audio(ngx_rtmp_sluice_ctx_t *ctx,
    uint32_t timestamp, u_char *p, size_t len);

/*
 * Input milliseconds of a track -> timeline milliseconds (wraps,
 * reconnects, jumps); a transcoder's layer keeps its timestamps, and
 * NGX_DECLINED: a frame of a reconnected layer before its stored end
 */
ngx_int_t ngx_rtmp_sluice_timeline(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_rtmp_sluice_track_t *t, uint32_t ts, int64_t *out);

/* write what is pending, mark the tracks IDLE */
void ngx_rtmp_sluice_finish(ngx_rtmp_sluice_ctx_t *ctx);

/* free buffers, release writers (pool cleanup) */
void ngx_rtmp_sluice_free(ngx_rtmp_sluice_ctx_t *ctx);


#endif /* _NGX_RTMP_SLUICE_FRAGMENTER_H_INCLUDED_ */
