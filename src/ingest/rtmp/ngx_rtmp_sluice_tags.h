
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_rtmp_sluice_tags.c: FLV tag bodies of a publisher to the ingest of
 * the core (core/ngx_sluice_ingest.h).
 */


#ifndef _NGX_RTMP_SLUICE_TAGS_H_INCLUDED_
#define _NGX_RTMP_SLUICE_TAGS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ingest/rtmp/ngx_rtmp_sluice.h"


/* one FLV video or audio tag body at an input timestamp (ms) */
ngx_int_t ngx_rtmp_sluice_video(ngx_rtmp_sluice_ctx_t *ctx,
    uint32_t timestamp, u_char *p, size_t len);
ngx_int_t ngx_rtmp_sluice_audio(ngx_rtmp_sluice_ctx_t *ctx,
    uint32_t timestamp, u_char *p, size_t len);


#endif /* _NGX_RTMP_SLUICE_TAGS_H_INCLUDED_ */
