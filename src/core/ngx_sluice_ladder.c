
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Ladders of live encoding; see ngx_sluice_ladder.h.
 */


#include "core/ngx_sluice_ladder.h"


static char *ngx_sluice_ladder_line(ngx_conf_t *cf, ngx_command_t *dummy,
    void *conf);
static char *ngx_sluice_ladder_video(ngx_conf_t *cf,
    ngx_sluice_ladder_t *ld);
static char *ngx_sluice_ladder_audio(ngx_conf_t *cf,
    ngx_sluice_ladder_t *ld);
static ngx_int_t ngx_sluice_ladder_rate(ngx_str_t *value);
static char *ngx_sluice_ladder_check(ngx_conf_t *cf,
    ngx_sluice_ladder_t *ld);


/* AMS's presets (live-event-types-comparison-reference) */

static ngx_sluice_ladder_t  ngx_sluice_ladder_720p = {
    ngx_string("Default720p"), 6, {
        { 1280, 720, 3500, NGX_SLUICE_PROFILE_HIGH, 30 },
        { 960, 540, 2200, NGX_SLUICE_PROFILE_HIGH, 30 },
        { 704, 396, 1350, NGX_SLUICE_PROFILE_HIGH, 30 },
        { 512, 288, 850, NGX_SLUICE_PROFILE_HIGH, 30 },
        { 384, 216, 550, NGX_SLUICE_PROFILE_HIGH, 30 },
        { 340, 192, 200, NGX_SLUICE_PROFILE_HIGH, 30 } },
    1, { 128 }
};

static ngx_sluice_ladder_t  ngx_sluice_ladder_1080p = {
    ngx_string("Default1080p"), 6, {
        { 1920, 1080, 5500, NGX_SLUICE_PROFILE_HIGH, 30 },
        { 1280, 720, 3000, NGX_SLUICE_PROFILE_HIGH, 30 },
        { 960, 540, 1600, NGX_SLUICE_PROFILE_HIGH, 30 },
        { 640, 360, 800, NGX_SLUICE_PROFILE_HIGH, 30 },
        { 480, 270, 400, NGX_SLUICE_PROFILE_HIGH, 30 },
        { 320, 180, 200, NGX_SLUICE_PROFILE_HIGH, 30 } },
    1, { 128 }
};


/* AMS's audio bitrates of custom presets, kbps */

static ngx_uint_t  ngx_sluice_ladder_audio_rates[] = {
    96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512
};


static const char  *ngx_sluice_profiles[] = { "baseline", "main", "high" };


const ngx_sluice_ladder_t *
ngx_sluice_ladder_find(ngx_sluice_transcode_conf_t *tc, u_char *name,
    size_t len)
{
    ngx_uint_t            i;
    ngx_sluice_ladder_t  *ld;

    if (tc && tc->ladders) {
        ld = tc->ladders->elts;

        for (i = 0; i < tc->ladders->nelts; i++) {
            if (ld[i].name.len == len
                && ngx_strncasecmp(ld[i].name.data, name, len) == 0)
            {
                return &ld[i];
            }
        }
    }

    if (len == ngx_sluice_ladder_720p.name.len
        && ngx_strncasecmp(ngx_sluice_ladder_720p.name.data, name, len) == 0)
    {
        return &ngx_sluice_ladder_720p;
    }

    if (len == ngx_sluice_ladder_1080p.name.len
        && ngx_strncasecmp(ngx_sluice_ladder_1080p.name.data, name, len)
           == 0)
    {
        return &ngx_sluice_ladder_1080p;
    }

    return NULL;
}


const char *
ngx_sluice_ladder_default(ngx_uint_t encoding)
{
    return (encoding == NGX_SLUICE_ENC_PREMIUM_1080P) ? "Default1080p"
                                                      : "Default720p";
}


const char *
ngx_sluice_profile_name(ngx_uint_t profile)
{
    return ngx_sluice_profiles[profile < 3 ? profile : 2];
}


char *
ngx_sluice_ladder_block(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char                         *rv;
    u_char                       *p;
    ngx_str_t                    *value;
    ngx_conf_t                    save;
    ngx_sluice_ladder_t          *ld;
    ngx_sluice_transcode_conf_t  *tc;

    tc = (ngx_sluice_transcode_conf_t *) ((char *) conf + cmd->offset);
    value = cf->args->elts;

    if (value[1].len == 0 || value[1].len > NGX_SLUICE_PRESET_LEN) {
        return "needs a name of 1 to 32 characters";
    }

    for (p = value[1].data; p < value[1].data + value[1].len; p++) {
        if (!(isalnum(*p) || *p == '-' || *p == '_')) {
            return "needs a name of letters, digits, \"-\" and \"_\"";
        }
    }

    if (ngx_sluice_ladder_find(tc, value[1].data, value[1].len)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "ladder \"%V\" is already defined (Default720p "
                           "and Default1080p are AMS's)", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (tc->ladders == NULL) {
        tc->ladders = ngx_array_create(cf->pool, 2,
                                       sizeof(ngx_sluice_ladder_t));
        if (tc->ladders == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    ld = ngx_array_push(tc->ladders);
    if (ld == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(ld, sizeof(ngx_sluice_ladder_t));
    ld->name = value[1];

    save = *cf;
    cf->handler = ngx_sluice_ladder_line;
    cf->handler_conf = (void *) ld;

    rv = ngx_conf_parse(cf, NULL);

    *cf = save;

    if (rv != NGX_CONF_OK) {
        return rv;
    }

    return ngx_sluice_ladder_check(cf, ld);
}


static char *
ngx_sluice_ladder_line(ngx_conf_t *cf, ngx_command_t *dummy, void *conf)
{
    ngx_str_t            *value;
    ngx_sluice_ladder_t  *ld = conf;

    value = cf->args->elts;

    if (value[0].len == 5 && ngx_strncmp(value[0].data, "video", 5) == 0) {
        return ngx_sluice_ladder_video(cf, ld);
    }

    if (value[0].len == 5 && ngx_strncmp(value[0].data, "audio", 5) == 0) {
        return ngx_sluice_ladder_audio(cf, ld);
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "unknown \"%V\" in sluice_ladder: \"video\" or "
                       "\"audio\" expected", &value[0]);

    return NGX_CONF_ERROR;
}


/* video WxH RATE [baseline|main|high] [fps=N] */

static char *
ngx_sluice_ladder_video(ngx_conf_t *cf, ngx_sluice_ladder_t *ld)
{
    u_char              *x;
    ngx_int_t            w, h, rate, fps;
    ngx_str_t           *value;
    ngx_uint_t           i, j;
    ngx_sluice_layer_t  *l;

    value = cf->args->elts;

    if (cf->args->nelts < 3 || cf->args->nelts > 5) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"video\" needs a size, a bitrate and "
                           "optionally a profile and fps=N");
        return NGX_CONF_ERROR;
    }

    if (ld->nlayers == NGX_SLUICE_MAX_LAYERS) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "ladder \"%V\" has more than 6 video layers",
                           &ld->name);
        return NGX_CONF_ERROR;
    }

    x = ngx_strlchr(value[1].data, value[1].data + value[1].len, 'x');
    w = x ? ngx_atoi(value[1].data, x - value[1].data) : NGX_ERROR;
    h = x ? ngx_atoi(x + 1, value[1].data + value[1].len - x - 1)
          : NGX_ERROR;

    if (w < 32 || h < 32 || w > 4096 || h > 2304 || (w & 1) || (h & 1)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid video size \"%V\": WxH, even, from "
                           "32x32 to 4096x2304", &value[1]);
        return NGX_CONF_ERROR;
    }

    rate = ngx_sluice_ladder_rate(&value[2]);

    if (rate < 100 || rate > 20000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid video bitrate \"%V\": 100k to 20000k",
                           &value[2]);
        return NGX_CONF_ERROR;
    }

    l = &ld->layers[ld->nlayers];
    l->width = w;
    l->height = h;
    l->kbps = rate;
    l->profile = NGX_SLUICE_PROFILE_HIGH;
    l->fps = 30;

    for (i = 3; i < cf->args->nelts; i++) {

        if (value[i].len > 4 && ngx_strncmp(value[i].data, "fps=", 4) == 0) {
            fps = ngx_atoi(value[i].data + 4, value[i].len - 4);

            if (fps < 1 || fps > 30) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid \"%V\": fps=1 to fps=30 (AMS "
                                   "encodes at most 30 frames/s)",
                                   &value[i]);
                return NGX_CONF_ERROR;
            }

            l->fps = fps;
            continue;
        }

        for (j = 0; j < 3; j++) {
            if (value[i].len == ngx_strlen(ngx_sluice_profiles[j])
                && ngx_strncmp(value[i].data, ngx_sluice_profiles[j],
                               value[i].len) == 0)
            {
                break;
            }
        }

        if (j == 3) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid \"%V\": baseline, main, high or "
                               "fps=N", &value[i]);
            return NGX_CONF_ERROR;
        }

        l->profile = j;
    }

    ld->nlayers++;

    return NGX_CONF_OK;
}


/* audio RATE */

static char *
ngx_sluice_ladder_audio(ngx_conf_t *cf, ngx_sluice_ladder_t *ld)
{
    ngx_int_t   rate;
    ngx_str_t  *value;
    ngx_uint_t  i;

    value = cf->args->elts;

    if (cf->args->nelts != 2) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"audio\" needs one bitrate");
        return NGX_CONF_ERROR;
    }

    if (ld->naudio == NGX_SLUICE_MAX_AUDIO) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "ladder \"%V\" has more than 4 audio bitrates",
                           &ld->name);
        return NGX_CONF_ERROR;
    }

    rate = ngx_sluice_ladder_rate(&value[1]);

    for (i = 0; i < sizeof(ngx_sluice_ladder_audio_rates)
                    / sizeof(ngx_uint_t); i++)
    {
        if (rate > 0 && (ngx_uint_t) rate == ngx_sluice_ladder_audio_rates[i])
        {
            ld->audio[ld->naudio++] = rate;
            return NGX_CONF_OK;
        }
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid audio bitrate \"%V\": one of AMS's 96k, "
                       "112k, 128k, 160k, 192k, 224k, 256k, 320k, 384k, "
                       "448k, 512k", &value[1]);

    return NGX_CONF_ERROR;
}


/* "3500k", "3500000" or "3.5m" -> kbps; NGX_ERROR */

static ngx_int_t
ngx_sluice_ladder_rate(ngx_str_t *value)
{
    size_t     len;
    u_char     last;
    ngx_int_t  n;

    len = value->len;

    if (len == 0) {
        return NGX_ERROR;
    }

    last = value->data[len - 1];

    if (last == 'k' || last == 'K') {
        return ngx_atoi(value->data, len - 1);
    }

    if (last == 'm' || last == 'M') {
        n = ngx_atofp(value->data, len - 1, 3);
        return n;
    }

    n = ngx_atoi(value->data, len);

    return (n == NGX_ERROR || n % 1000) ? NGX_ERROR : n / 1000;
}


/* AMS's rules of custom presets */

static char *
ngx_sluice_ladder_check(ngx_conf_t *cf, ngx_sluice_ladder_t *ld)
{
    ngx_uint_t           i, top;
    ngx_sluice_layer_t  *l;

    if (ld->nlayers == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "ladder \"%V\" has no video layer", &ld->name);
        return NGX_CONF_ERROR;
    }

    if (ld->naudio == 0) {
        ld->audio[ld->naudio++] = 128;
    }

    /* the top layer: the largest, alone at its size, listed first */

    l = ld->layers;
    top = 0;

    for (i = 1; i < ld->nlayers; i++) {
        if (l[i].width * l[i].height > l[top].width * l[top].height) {
            top = i;
        }
    }

    for (i = 0; i < ld->nlayers; i++) {
        if (i != top && l[i].width * l[i].height
                        == l[top].width * l[top].height)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "ladder \"%V\" has more than one top layer "
                               "(%uix%ui)", &ld->name, l[top].width,
                               l[top].height);
            return NGX_CONF_ERROR;
        }
    }

    if (top != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "ladder \"%V\": list the top layer (%uix%ui) "
                           "first", &ld->name, l[top].width, l[top].height);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
