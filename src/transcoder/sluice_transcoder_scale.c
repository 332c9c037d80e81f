
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Scaling, in the main thread, right after each frame is decoded (while
 * it is still in the cache), for every layer that keeps the frame; the
 * layers' threads only encode.
 *
 * Each layer is scaled from the smallest picture already made for this
 * frame that is at least as large as its own (a cascade: 704x396 from
 * 960x540, not from the 1280x720 input), which reads far fewer source
 * lines for the small layers; the source is a larger layer that keeps
 * every frame this one keeps (its frame step divides this one's), so it
 * does not change from frame to frame.  A layer of the input's own size
 * and format (no boxes) takes the decoded frame itself: no copy.
 * Scaled pictures come from a buffer pool per layer (no allocation per
 * frame); AutoFit layers get their black boxes around the picture.
 */


#include <libavutil/imgutils.h>

#include "transcoder/sluice_transcoder.h"


#define SLUICE_TC_SCALE_ALIGN    32
#define SLUICE_TC_SCALE_PADDING  256        /* SIMD reads past the end */


static void sluice_tc_scale_geometry(sluice_tc_t *tc, const AVFrame *in);
static void sluice_tc_scale_picture(sluice_tc_layer_t *layer,
    const sluice_ladder_input_t *input, sluice_stretch_e stretch);
static int sluice_tc_scale_source(sluice_tc_t *tc, size_t i);
static AVFrame *sluice_tc_scale_frame(sluice_tc_layer_t *layer);
static int sluice_tc_scale_context(sluice_tc_layer_t *layer, int w, int h,
    int fmt);


/*
 * A frame begins: sluice_tc_scale_begin(), then sluice_tc_scale() for
 * each layer that keeps it, in order (largest first), then
 * sluice_tc_scale_done().
 */

void
sluice_tc_scale_begin(sluice_tc_t *tc, const AVFrame *in)
{
    if (in->width != tc->vin_w || in->height != tc->vin_h
        || in->format != tc->vin_fmt)
    {
        sluice_tc_scale_geometry(tc, in);
    }
}


/*
 * The picture of layer i for the input frame "in": a new frame (its
 * reference owned by the caller), or NULL when this layer cannot have
 * it (logged).
 */

AVFrame *
sluice_tc_scale(sluice_tc_t *tc, size_t i, AVFrame *in)
{
    int                 h;
    uint8_t            *src[4], *dst[4];
    const AVFrame      *from;
    sluice_tc_layer_t  *layer, *s;
    AVFrame            *f;

    layer = &tc->layers[i];

    if (layer->identity) {
        f = av_frame_clone(in);

    } else {
        s = (layer->src >= 0) ? &tc->layers[layer->src] : NULL;
        from = s ? s->cur : in;

        if (from == NULL) {
            /* its source could not be made either */
            return NULL;
        }

        if (layer->sws == NULL) {
            /* no scaler for this input (logged when it came) */
            return NULL;
        }

        h = s ? (int) s->l.pic_h : in->height;

        f = sluice_tc_scale_frame(layer);
        if (f == NULL) {
            return NULL;
        }

        src[0] = from->data[0];
        src[1] = from->data[1];
        src[2] = from->data[2];
        src[3] = NULL;

        if (s) {
            src[0] += s->l.pic_y * from->linesize[0] + s->l.pic_x;
            src[1] += s->l.pic_y / 2 * from->linesize[1] + s->l.pic_x / 2;
            src[2] += s->l.pic_y / 2 * from->linesize[2] + s->l.pic_x / 2;
        }

        dst[0] = f->data[0] + layer->l.pic_y * f->linesize[0]
                 + layer->l.pic_x;
        dst[1] = f->data[1] + layer->l.pic_y / 2 * f->linesize[1]
                 + layer->l.pic_x / 2;
        dst[2] = f->data[2] + layer->l.pic_y / 2 * f->linesize[2]
                 + layer->l.pic_x / 2;
        dst[3] = NULL;

        sws_scale(layer->sws, (const uint8_t * const *) src, from->linesize,
                  0, h, dst, f->linesize);
    }

    if (f == NULL) {
        return NULL;
    }

    if (layer->is_src) {
        /* kept until the frame is done: a smaller layer reads it */
        layer->cur = av_frame_clone(f);
    }

    return f;
}


/* the frame is done: the pictures kept as sources are let go */

void
sluice_tc_scale_done(sluice_tc_t *tc)
{
    size_t  i;

    for (i = 0; i < tc->nlayers; i++) {
        av_frame_free(&tc->layers[i].cur);
    }
}


void
sluice_tc_scale_free(sluice_tc_layer_t *layer)
{
    av_frame_free(&layer->cur);
    sws_freeContext(layer->sws);
    layer->sws = NULL;
    av_buffer_pool_uninit(&layer->pool);
}


/* a new input size or format: every layer's picture and source again */

static void
sluice_tc_scale_geometry(sluice_tc_t *tc, const AVFrame *in)
{
    size_t                 i;
    sluice_tc_layer_t     *layer, *s;
    sluice_ladder_input_t  input;

    if (tc->vin_w) {
        sluice_tc_warn(SLUICE_TC_LOG_VIDEO_SIZE, "video: the input is now"
                       " %dx%d, scaled to the same layers", in->width,
                       in->height);
    }

    memset(&input, 0, sizeof(input));
    input.width = (uint32_t) in->width;
    input.height = (uint32_t) in->height;

    if (in->sample_aspect_ratio.num > 0 && in->sample_aspect_ratio.den > 0) {
        input.sar_num = (uint32_t) in->sample_aspect_ratio.num;
        input.sar_den = (uint32_t) in->sample_aspect_ratio.den;
    }

    for (i = 0; i < tc->nlayers; i++) {
        layer = &tc->layers[i];

        sluice_tc_scale_picture(layer, &input, tc->stretch);
        layer->is_src = 0;
        layer->src = sluice_tc_scale_source(tc, i);

        if (layer->src >= 0) {
            tc->layers[layer->src].is_src = 1;
        }

        layer->identity = (layer->src < 0
                           && in->format == AV_PIX_FMT_YUV420P
                           && layer->l.width == input.width
                           && layer->l.height == input.height
                           && layer->l.pic_w == input.width
                           && layer->l.pic_h == input.height);

        if (!layer->identity) {
            /* the source is fixed until the input changes: its scaler */
            s = (layer->src >= 0) ? &tc->layers[layer->src] : NULL;
            sluice_tc_scale_context(layer,
                                    s ? (int) s->l.pic_w : in->width,
                                    s ? (int) s->l.pic_h : in->height,
                                    s ? AV_PIX_FMT_YUV420P : in->format);
        }
    }

    tc->vin_w = in->width;
    tc->vin_h = in->height;
    tc->vin_fmt = in->format;
}


/* AutoFit boxes the picture; the others fill the frame */

static void
sluice_tc_scale_picture(sluice_tc_layer_t *layer,
    const sluice_ladder_input_t *input, sluice_stretch_e stretch)
{
    if (stretch == SLUICE_STRETCH_AUTOFIT) {
        sluice_ladder_geometry(&layer->l, layer->l.width, layer->l.height,
                               SLUICE_STRETCH_AUTOFIT, input);
        return;
    }

    layer->l.pic_x = 0;
    layer->l.pic_y = 0;
    layer->l.pic_w = layer->l.width;
    layer->l.pic_h = layer->l.height;
}


/*
 * The smallest larger layer that has this frame whenever layer i has
 * it, and whose picture covers layer i's; -1: the input.  Every layer's
 * picture is the whole input picture, so any of them is a source.
 */

static int
sluice_tc_scale_source(sluice_tc_t *tc, size_t i)
{
    int                 best;
    size_t              j;
    uint64_t            area, best_area;
    sluice_tc_layer_t  *l, *c;

    l = &tc->layers[i];
    best = -1;
    best_area = UINT64_MAX;

    for (j = 0; j < i; j++) {
        c = &tc->layers[j];

        if (c->identity
            || c->l.pic_w < l->l.pic_w || c->l.pic_h < l->l.pic_h
            || l->l.frame_step % c->l.frame_step != 0)
        {
            continue;
        }

        area = (uint64_t) c->l.pic_w * c->l.pic_h;

        if (area < best_area) {
            best_area = area;
            best = (int) j;
        }
    }

    return best;
}


/* a frame of the layer's size from its pool, black around the picture */

static AVFrame *
sluice_tc_scale_frame(sluice_tc_layer_t *layer)
{
    int       size, w, h;
    AVFrame  *f;

    w = (int) layer->l.width;
    h = (int) layer->l.height;

    if (layer->pool == NULL) {
        size = av_image_get_buffer_size(AV_PIX_FMT_YUV420P, w, h,
                                        SLUICE_TC_SCALE_ALIGN);
        if (size < 0) {
            return NULL;
        }

        layer->pool = av_buffer_pool_init(size + SLUICE_TC_SCALE_PADDING,
                                          NULL);
        if (layer->pool == NULL) {
            return NULL;
        }
    }

    f = av_frame_alloc();
    if (f == NULL) {
        return NULL;
    }

    f->format = AV_PIX_FMT_YUV420P;
    f->width = w;
    f->height = h;
    f->buf[0] = av_buffer_pool_get(layer->pool);

    if (f->buf[0] == NULL
        || av_image_fill_arrays(f->data, f->linesize, f->buf[0]->data,
                                AV_PIX_FMT_YUV420P, w, h,
                                SLUICE_TC_SCALE_ALIGN) < 0)
    {
        av_frame_free(&f);
        return NULL;
    }

    if (layer->l.pic_w != layer->l.width || layer->l.pic_h != layer->l.height)
    {
        ptrdiff_t  ls[4] = { f->linesize[0], f->linesize[1],
                             f->linesize[2], 0 };

        av_image_fill_black(f->data, ls, AV_PIX_FMT_YUV420P,
                            AVCOL_RANGE_MPEG, w, h);
    }

    return f;
}


static int
sluice_tc_scale_context(sluice_tc_layer_t *layer, int w, int h, int fmt)
{
    layer->sws = sws_getCachedContext(layer->sws, w, h, fmt,
                                      (int) layer->l.pic_w,
                                      (int) layer->l.pic_h,
                                      AV_PIX_FMT_YUV420P, SWS_BILINEAR,
                                      NULL, NULL, NULL);
    if (layer->sws == NULL) {
        sluice_tc_warn(SLUICE_TC_LOG_VIDEO_DECODE, "%s: cannot scale %dx%d"
                       " %s", layer->name, w, h, av_get_pix_fmt_name(fmt));
        return -1;
    }

    return 0;
}
