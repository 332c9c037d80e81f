
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Live encoding configuration: the transcoder program, its encoder, and
 * the ladders a live event's presetName names: AMS's Default720p and
 * Default1080p, and the sluice_ladder blocks of nginx.conf.  The http
 * module parses the directives; the RTMP ingest turns the ladder of an
 * event into the transcoder's command line.
 */


#ifndef _NGX_SLUICE_LADDER_H_INCLUDED_
#define _NGX_SLUICE_LADDER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice.h"


#define NGX_SLUICE_MAX_LAYERS      6    /* AMS: at most 6 video layers */
#define NGX_SLUICE_MAX_AUDIO       4


typedef enum {
    NGX_SLUICE_PROFILE_BASELINE = 0,
    NGX_SLUICE_PROFILE_MAIN,
    NGX_SLUICE_PROFILE_HIGH
} ngx_sluice_profile_e;


typedef struct {
    ngx_uint_t                  width;
    ngx_uint_t                  height;
    ngx_uint_t                  kbps;
    ngx_uint_t                  profile;        /* ngx_sluice_profile_e */
    ngx_uint_t                  fps;            /* at most, 1..30 */
} ngx_sluice_layer_t;


typedef struct {
    ngx_str_t                   name;
    ngx_uint_t                  nlayers;
    ngx_sluice_layer_t          layers[NGX_SLUICE_MAX_LAYERS];
    ngx_uint_t                  naudio;
    ngx_uint_t                  audio[NGX_SLUICE_MAX_AUDIO];    /* kbps */
} ngx_sluice_ladder_t;


typedef struct ngx_sluice_transcode_conf_s {
    ngx_str_t                   path;           /* "": no live encoding */
    ngx_str_t                   encoder;        /* FFmpeg encoder name */
    ngx_str_t                   preset;         /* its speed preset */
    ngx_array_t                *ladders;        /* ngx_sluice_ladder_t */
} ngx_sluice_transcode_conf_t;


/*
 * The ladder named name (ASCII case-insensitive): a sluice_ladder block,
 * else Default720p or Default1080p; NULL if none.
 */
const ngx_sluice_ladder_t *ngx_sluice_ladder_find(
    ngx_sluice_transcode_conf_t *tc, u_char *name, size_t len);

/* the default presetName of an encodingType (NGX_SLUICE_ENC_*) */
const char *ngx_sluice_ladder_default(ngx_uint_t encoding);

/* "sluice_ladder name { video WxH RATE [profile] [fps=N]; audio RATE; }" */
char *ngx_sluice_ladder_block(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

const char *ngx_sluice_profile_name(ngx_uint_t profile);


#endif /* _NGX_SLUICE_LADDER_H_INCLUDED_ */
