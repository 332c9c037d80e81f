
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/transcode/sluice_ladder.h"


/*
 * An input rate counts as over MAXFPS only when it is more than 5% over:
 * a rate measured from millisecond timestamps (33 and 34 ms deltas) is
 * not quite 30.
 */
#define SLUICE_LADDER_FPS_SLACK  105            /* percent */


static uint32_t sluice_ladder_even(uint64_t v, uint32_t max);
static void sluice_ladder_fit(uint32_t w, uint32_t h,
    const sluice_ladder_input_t *in, uint32_t *pw, uint32_t *ph);
static void sluice_ladder_layer(sluice_ladder_layer_t *l,
    const sluice_ladder_conf_t *c, int conf, sluice_stretch_e stretch,
    const sluice_ladder_input_t *in);
static const char *sluice_ladder_uint(const char *p, uint32_t max,
    uint32_t *v);
static int sluice_ladder_word(const char *p, size_t len, const char *word);


size_t
sluice_ladder_compute(const sluice_ladder_conf_t *conf, size_t n,
    sluice_stretch_e stretch, const sluice_ladder_input_t *in,
    sluice_ladder_layer_t *out)
{
    size_t                 i, k, small;
    sluice_ladder_conf_t   c;

    if (n == 0 || n > SLUICE_LADDER_MAX_LAYERS
        || in->width < 2 || in->height < 2)
    {
        return 0;
    }

    k = 0;
    small = 0;

    for (i = 0; i < n; i++) {
        if (conf[i].kbps < conf[small].kbps) {
            small = i;
        }

        /* no upscaling */

        if (conf[i].height > in->height) {
            continue;
        }

        sluice_ladder_layer(&out[k++], &conf[i], (int) i, stretch, in);
    }

    if (k > 0) {
        return k;
    }

    /* all taller than the input: one layer at the input's size */

    c = conf[small];
    c.width = in->width & ~1u;
    c.height = in->height & ~1u;

    if (in->kbps) {
        c.kbps = in->kbps;
    }

    sluice_ladder_layer(&out[0], &c, -1, stretch, in);

    return 1;
}


static void
sluice_ladder_layer(sluice_ladder_layer_t *l, const sluice_ladder_conf_t *c,
    int conf, sluice_stretch_e stretch, const sluice_ladder_input_t *in)
{
    uint32_t  max_fps;

    max_fps = c->max_fps ? c->max_fps : SLUICE_LADDER_MAX_FPS;

    l->kbps = c->kbps;
    l->profile = c->profile;
    l->conf = conf;
    l->frame_step = sluice_ladder_frame_step(in->fps_num, in->fps_den,
                                             max_fps);

    if (in->fps_num && in->fps_den) {
        l->fps_num = in->fps_num;
        l->fps_den = in->fps_den * l->frame_step;

    } else {
        l->fps_num = 0;
        l->fps_den = 0;
    }

    sluice_ladder_geometry(l, c->width, c->height, stretch, in);
}


void
sluice_ladder_geometry(sluice_ladder_layer_t *l, uint32_t w, uint32_t h,
    sluice_stretch_e stretch, const sluice_ladder_input_t *in)
{
    uint32_t  pw, ph;

    w &= ~1u;
    h &= ~1u;

    if (stretch == SLUICE_STRETCH_NONE || in->width == 0 || in->height == 0)
    {
        l->width = w;
        l->height = h;
        l->pic_x = 0;
        l->pic_y = 0;
        l->pic_w = w;
        l->pic_h = h;
        return;
    }

    sluice_ladder_fit(w, h, in, &pw, &ph);

    l->pic_w = pw;
    l->pic_h = ph;

    if (stretch == SLUICE_STRETCH_AUTOSIZE) {
        l->width = pw;
        l->height = ph;
        l->pic_x = 0;
        l->pic_y = 0;
        return;
    }

    /* autofit: the whole box, the picture in its middle */

    l->width = w;
    l->height = h;
    l->pic_x = ((w - pw) / 2) & ~1u;
    l->pic_y = ((h - ph) / 2) & ~1u;
}


/* the largest picture of the input's display aspect ratio inside w x h */

static void
sluice_ladder_fit(uint32_t w, uint32_t h, const sluice_ladder_input_t *in,
    uint32_t *pw, uint32_t *ph)
{
    uint64_t  dw, dh;

    dw = (uint64_t) in->width * (in->sar_num && in->sar_den
                                 ? in->sar_num : 1);
    dh = (uint64_t) in->height * (in->sar_num && in->sar_den
                                  ? in->sar_den : 1);

    if ((uint64_t) w * dh <= (uint64_t) h * dw) {
        /* as wide as the box */
        *pw = w;
        *ph = sluice_ladder_even(((uint64_t) w * dh + dw / 2) / dw, h);

    } else {
        /* as tall as the box */
        *ph = h;
        *pw = sluice_ladder_even(((uint64_t) h * dw + dh / 2) / dh, w);
    }
}


/* v to the nearest even number, in 2..max */

static uint32_t
sluice_ladder_even(uint64_t v, uint32_t max)
{
    v = (v + 1) & ~(uint64_t) 1;

    if (v > max) {
        v = max & ~1u;
    }

    return v < 2 ? 2 : (uint32_t) v;
}


void
sluice_ladder_snap_fps(uint32_t *num, uint32_t *den)
{
    size_t  i, best;
    double  fps, d, best_d;

    static const uint32_t  rates[][2] = {
        { 24000, 1001 }, { 24, 1 }, { 25, 1 }, { 30000, 1001 }, { 30, 1 },
        { 48, 1 }, { 50, 1 }, { 60000, 1001 }, { 60, 1 }
    };

    if (*num == 0 || *den == 0) {
        return;
    }

    fps = (double) *num / *den;
    best = 0;
    best_d = 1.0;

    for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
        d = fps * rates[i][1] / rates[i][0] - 1.0;
        d = d < 0 ? -d : d;

        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }

    if (best_d <= 0.01) {
        *num = rates[best][0];
        *den = rates[best][1];
    }
}


uint32_t
sluice_ladder_frame_step(uint32_t fps_num, uint32_t fps_den, uint32_t max_fps)
{
    uint32_t  step;

    if (fps_num == 0 || fps_den == 0 || max_fps == 0) {
        return 1;
    }

    /* the smallest step with fps / step <= max_fps (with the slack) */

    for (step = 1; step < 16; step++) {
        if ((uint64_t) fps_num * 100
            <= (uint64_t) max_fps * fps_den * step * SLUICE_LADDER_FPS_SLACK)
        {
            break;
        }
    }

    return step;
}


int64_t
sluice_ladder_gop_number(int64_t t, int64_t gop_ms)
{
    if (t >= 0) {
        return t / gop_ms;
    }

    return -((-t + gop_ms - 1) / gop_ms);
}


sluice_frame_e
sluice_ladder_cadence_next(sluice_ladder_cadence_t *c, int64_t t,
    int64_t gop_ms, uint32_t *index)
{
    uint32_t  n;

    if (c->started && t <= c->last_t) {
        *index = c->index;
        return SLUICE_FRAME_DROP;
    }

    /* the splice points this frame reaches: it is the first at or after */

    for (n = 0; n < c->nsplices && c->splice[n] <= t; n++) {
        /* void */
    }

    if (n) {
        c->nsplices -= n;
        memmove(&c->splice[0], &c->splice[n],
                c->nsplices * sizeof(int64_t));
    }

    if (!c->started
        || n > 0
        || sluice_ladder_gop_number(t, gop_ms)
           > sluice_ladder_gop_number(c->last_t, gop_ms))
    {
        c->started = 1;
        c->last_t = t;
        c->index = 0;
        *index = 0;
        return SLUICE_FRAME_GOP_START;
    }

    c->last_t = t;
    c->index++;
    *index = c->index;

    return SLUICE_FRAME_NEXT;
}


sluice_status_t
sluice_ladder_cadence_splice(sluice_ladder_cadence_t *c, int64_t t)
{
    uint32_t  i;

    if (c->started && t <= c->last_t) {
        return SLUICE_NOT_FOUND;
    }

    for (i = 0; i < c->nsplices && c->splice[i] < t; i++) {
        /* void */
    }

    if (i < c->nsplices && c->splice[i] == t) {
        return SLUICE_OK;
    }

    if (c->nsplices == SLUICE_LADDER_MAX_SPLICES) {
        if (i == c->nsplices) {
            return SLUICE_NO_MEMORY;
        }

        c->nsplices--;
    }

    memmove(&c->splice[i + 1], &c->splice[i],
            (c->nsplices - i) * sizeof(int64_t));
    c->splice[i] = t;
    c->nsplices++;

    return SLUICE_OK;
}


/* --- arguments ------------------------------------------------------------ */


sluice_status_t
sluice_ladder_parse_layer(const char *s, sluice_ladder_conf_t *conf)
{
    size_t       len;
    uint32_t     w, h, kbps, fps;
    const char  *p, *end;

    p = sluice_ladder_uint(s, 8192, &w);
    if (p == NULL || *p != 'x') {
        return SLUICE_BAD_REQUEST;
    }

    p = sluice_ladder_uint(p + 1, 8192, &h);
    if (p == NULL || *p != ':') {
        return SLUICE_BAD_REQUEST;
    }

    p = sluice_ladder_uint(p + 1, 200000, &kbps);
    if (p == NULL || *p != ':') {
        return SLUICE_BAD_REQUEST;
    }

    if (w < 16 || h < 16 || (w & 1) || (h & 1) || kbps < 16) {
        return SLUICE_BAD_REQUEST;
    }

    p++;
    end = strchr(p, ':');
    len = end ? (size_t) (end - p) : strlen(p);

    if (sluice_ladder_word(p, len, "baseline")) {
        conf->profile = SLUICE_PROFILE_BASELINE;

    } else if (sluice_ladder_word(p, len, "main")) {
        conf->profile = SLUICE_PROFILE_MAIN;

    } else if (sluice_ladder_word(p, len, "high")) {
        conf->profile = SLUICE_PROFILE_HIGH;

    } else {
        return SLUICE_BAD_REQUEST;
    }

    fps = SLUICE_LADDER_MAX_FPS;

    if (end) {
        p = sluice_ladder_uint(end + 1, 240, &fps);
        if (p == NULL || *p != '\0' || fps == 0) {
            return SLUICE_BAD_REQUEST;
        }
    }

    conf->width = w;
    conf->height = h;
    conf->kbps = kbps;
    conf->max_fps = fps;

    return SLUICE_OK;
}


sluice_status_t
sluice_ladder_parse_stretch(const char *s, sluice_stretch_e *stretch)
{
    size_t  len;

    len = strlen(s);

    if (sluice_ladder_word(s, len, "none")) {
        *stretch = SLUICE_STRETCH_NONE;

    } else if (sluice_ladder_word(s, len, "autosize")) {
        *stretch = SLUICE_STRETCH_AUTOSIZE;

    } else if (sluice_ladder_word(s, len, "autofit")) {
        *stretch = SLUICE_STRETCH_AUTOFIT;

    } else {
        return SLUICE_BAD_REQUEST;
    }

    return SLUICE_OK;
}


const char *
sluice_ladder_profile_name(sluice_profile_e profile)
{
    switch (profile) {
    case SLUICE_PROFILE_BASELINE:
        return "baseline";
    case SLUICE_PROFILE_MAIN:
        return "main";
    default:
        return "high";
    }
}


/* decimal digits up to max; NULL when none or too large */

static const char *
sluice_ladder_uint(const char *p, uint32_t max, uint32_t *v)
{
    uint64_t  n;

    if (*p < '0' || *p > '9') {
        return NULL;
    }

    n = 0;

    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (uint64_t) (*p - '0');
        if (n > max) {
            return NULL;
        }
        p++;
    }

    *v = (uint32_t) n;

    return p;
}


/* p[0..len) equals word, case-insensitive */

static int
sluice_ladder_word(const char *p, size_t len, const char *word)
{
    size_t  i;
    char    c;

    if (len != strlen(word)) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        c = p[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char) (c - 'A' + 'a');
        }

        if (c != word[i]) {
            return 0;
        }
    }

    return 1;
}
