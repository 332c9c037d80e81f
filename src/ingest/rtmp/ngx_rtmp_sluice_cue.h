
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_rtmp_sluice_cue.c: cues from a publisher's RTMP data messages
 * (onAdCue, onCuePoint, onUserDataEvent; media/signal/sluice_adcue.h)
 * into the live event (core/ngx_sluice_cue.h).
 */


#ifndef _NGX_RTMP_SLUICE_CUE_H_INCLUDED_
#define _NGX_RTMP_SLUICE_CUE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/* postconfiguration: the data message handlers */
ngx_int_t ngx_rtmp_sluice_cue_init(ngx_conf_t *cf);


#endif /* _NGX_RTMP_SLUICE_CUE_H_INCLUDED_ */
