
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Video: one decoder, the ladder (src/media/transcode/sluice_ladder.c)
 * computed from the first frames, the layers' pictures scaled in the
 * main thread right after decoding (sluice_transcoder_scale.c), and one
 * thread per layer that encodes.  The main thread decides, from the
 * input times alone, which frames each layer keeps and which are
 * keyframes (sluice_ladder_cadence_next()), so every layer cuts its
 * GOPs at the same frames.
 *
 * Encoder settings (libx264 by default; see also docs/architecture.md):
 *
 *   preset veryfast            (--preset): the 720p ladder at real time
 *                              on two cores
 *   keyint=infinite,           keyframes only where forced: the frame
 *   scenecut=0, forced-idr=1   starting each GOP, made an IDR on every
 *                              layer (AVFrame.pict_type I)
 *   bframes=0                  no reordering delay, DTS = PTS (the flv
 *                              muxer's rule, the ingest's simplicity)
 *   rc-lookahead=10,           a third of a second of lookahead for
 *   sync-lookahead=0           mbtree and VBV; no extra frames queued
 *   bitrate = maxrate = KBPS,  VBV, CBR-like: a layer stays near its
 *   bufsize = 2 x KBPS         nominal rate (t/089 checks +-25%)
 *   threads from the size      1 up to 540p, 2 for 720p, 4 for 1080p
 *                              (frame threads: one frame of delay each;
 *                              the layers run in parallel anyway)
 *   force-cfr=1                rate control and the SPS timing at the
 *                              layer's frame rate (the input's, snapped,
 *                              divided by the step); timestamps still go
 *                              through as they are (ms)
 *   global header              SPS/PPS in the FLV sequence header
 */


#include <math.h>
#include <unistd.h>

#include <libavutil/opt.h>

#include "transcoder/sluice_transcoder.h"


/* frames gathered before the ladder is computed (the input frame rate) */
#define SLUICE_TC_PROBE_FRAMES  8
#define SLUICE_TC_PROBE_MS      1000


static AVCodecContext *sluice_tc_encoder_open(sluice_tc_t *tc,
    const sluice_ladder_layer_t *l);
static int sluice_tc_encoder_threads(const sluice_ladder_layer_t *l);
static int sluice_tc_video_decode(sluice_tc_t *tc, const AVPacket *pkt);
static int sluice_tc_video_frame(sluice_tc_t *tc, AVFrame *frame);
static int sluice_tc_video_dispatch(sluice_tc_t *tc, AVFrame *frame);
static int sluice_tc_video_ladder(sluice_tc_t *tc);
static int sluice_tc_layer_open(sluice_tc_t *tc, sluice_tc_layer_t *layer);
static void *sluice_tc_layer_thread(void *arg);
static int sluice_tc_layer_encode(sluice_tc_layer_t *layer, AVFrame *f);
static int sluice_tc_layer_drain(sluice_tc_layer_t *layer);
static void sluice_tc_layer_free(sluice_tc_layer_t *layer);


/* at start: the encoder exists and opens with the top layer's settings */

int
sluice_tc_video_check(sluice_tc_t *tc)
{
    AVCodecContext         *enc;
    sluice_ladder_layer_t   l;

    memset(&l, 0, sizeof(l));
    l.width = tc->conf[0].width;
    l.height = tc->conf[0].height;
    l.pic_w = l.width;
    l.pic_h = l.height;
    l.kbps = tc->conf[0].kbps;
    l.profile = tc->conf[0].profile;
    l.frame_step = 1;

    enc = sluice_tc_encoder_open(tc, &l);
    if (enc == NULL) {
        return -1;
    }

    avcodec_free_context(&enc);

    return 0;
}


static AVCodecContext *
sluice_tc_encoder_open(sluice_tc_t *tc, const sluice_ladder_layer_t *l)
{
    int              rc;
    char             err[AV_ERROR_MAX_STRING_SIZE], params[256];
    AVDictionary    *opts;
    AVCodecContext  *c;
    const AVCodec   *codec;

    codec = avcodec_find_encoder_by_name(tc->encoder);
    if (codec == NULL || codec->type != AVMEDIA_TYPE_VIDEO) {
        sluice_tc_error("encoder \"%s\": no such video encoder in this"
                        " FFmpeg", tc->encoder);
        return NULL;
    }

    c = avcodec_alloc_context3(codec);
    if (c == NULL) {
        return NULL;
    }

    c->width = (int) l->width;
    c->height = (int) l->height;
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->sample_aspect_ratio = (AVRational) { 1, 1 };
    c->time_base = (AVRational) { 1, 1000 };
    c->framerate = l->fps_num ? (AVRational) { l->fps_num, l->fps_den }
                              : (AVRational) { 30, 1 };
    c->bit_rate = (int64_t) l->kbps * 1000;
    c->rc_max_rate = c->bit_rate;
    c->rc_buffer_size = (int) (c->bit_rate * 2);
    c->gop_size = 32767;                /* keyframes only when forced */
    c->max_b_frames = 0;
    c->thread_count = sluice_tc_encoder_threads(l);
    c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    opts = NULL;
    av_dict_set(&opts, "profile", sluice_ladder_profile_name(l->profile), 0);
    av_dict_set(&opts, "forced-idr", "1", 0);

    if (tc->preset) {
        av_dict_set(&opts, "preset", tc->preset, 0);
    }

    if (strncmp(tc->encoder, "libx264", 7) == 0) {
        if (tc->preset == NULL) {
            av_dict_set(&opts, "preset", "veryfast", 0);
        }

        snprintf(params, sizeof(params),
                 "keyint=infinite:scenecut=0:bframes=0:rc-lookahead=10:"
                 "sync-lookahead=0:sliced-threads=0:force-cfr=1:threads=%d",
                 c->thread_count);
        av_dict_set(&opts, "x264-params", params, 0);
    }

    rc = avcodec_open2(c, codec, &opts);
    av_dict_free(&opts);

    if (rc < 0) {
        sluice_tc_error("encoder \"%s\" cannot be opened for %ux%u %s: %s",
                        tc->encoder, l->width, l->height,
                        sluice_ladder_profile_name(l->profile),
                        sluice_tc_av_err(rc, err, sizeof(err)));
        avcodec_free_context(&c);
        return NULL;
    }

    return c;
}


static int
sluice_tc_encoder_threads(const sluice_ladder_layer_t *l)
{
    long      cpus;
    uint64_t  pixels;
    int       n;

    pixels = (uint64_t) l->width * l->height;
    n = 1 + (int) (pixels / 600000);         /* 540p 1, 720p 2, 1080p 4 */

    cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus > 0 && n > cpus) {
        n = (int) cpus;
    }

    return n > 4 ? 4 : n;
}


/* --- decoding ------------------------------------------------------------ */


int
sluice_tc_video_params(sluice_tc_t *tc, const AVCodecParameters *par)
{
    int             rc, again;
    char            err[AV_ERROR_MAX_STRING_SIZE];
    const AVCodec  *codec;

    again = (tc->vdec != NULL);

    if (tc->vdec) {
        /* the frames the old decoder holds go out first */
        sluice_tc_video_decode(tc, NULL);
        avcodec_free_context(&tc->vdec);
    }

    if (par->bit_rate > 0) {
        tc->in_kbps = (uint32_t) (par->bit_rate / 1000);
    }

    codec = avcodec_find_decoder(par->codec_id);
    if (codec == NULL) {
        sluice_tc_warn(SLUICE_TC_LOG_VIDEO_CHANGE, "video: no decoder for"
                       " codec \"%s\": video ignored until it changes",
                       avcodec_get_name(par->codec_id));
        return 0;
    }

    tc->vdec = avcodec_alloc_context3(codec);
    if (tc->vdec == NULL) {
        return -1;
    }

    rc = avcodec_parameters_to_context(tc->vdec, par);
    if (rc >= 0) {
        tc->vdec->pkt_timebase = (AVRational) { 1, 1000 };
        tc->vdec->thread_count = 1;
        rc = avcodec_open2(tc->vdec, codec, NULL);
    }

    if (rc < 0) {
        sluice_tc_warn(SLUICE_TC_LOG_VIDEO_CHANGE, "video: decoder %s cannot"
                       " be opened: %s", codec->name,
                       sluice_tc_av_err(rc, err, sizeof(err)));
        avcodec_free_context(&tc->vdec);
        return 0;
    }

    if (again) {
        sluice_tc_warn(SLUICE_TC_LOG_VIDEO_CHANGE, "video: new codec or"
                       " sequence header (%s), decoder restarted",
                       codec->name);
    }

    return 0;
}


int
sluice_tc_video_packet(sluice_tc_t *tc, const AVPacket *pkt)
{
    if (tc->vdec == NULL) {
        return 0;
    }

    return sluice_tc_video_decode(tc, pkt);
}


/* after input was skipped: start clean at the keyframe that follows */

void
sluice_tc_video_reset(sluice_tc_t *tc)
{
    if (tc->vdec) {
        avcodec_flush_buffers(tc->vdec);
    }
}


/*
 * A splice point (the worker's onSluiceSplice, sluice_splice_conditioning):
 * the first frame at or after t starts a GOP, an IDR on every layer,
 * which the ingest cuts at.  It comes before the frames it concerns (the
 * worker sends it ahead of the feed); one they passed already is late.
 */

void
sluice_tc_video_splice(sluice_tc_t *tc, int64_t t)
{
    sluice_status_t  rc;

    rc = sluice_ladder_cadence_splice(&tc->cadence, t);

    switch (rc) {

    case SLUICE_OK:
        sluice_tc_error("splice point at %lld ms: an IDR on every layer at"
                        " the first frame at or after it", (long long) t);
        break;

    case SLUICE_NOT_FOUND:
        sluice_tc_error("splice point at %lld ms: too late, the frames there"
                        " are encoded already (the last at %lld ms)",
                        (long long) t, (long long) tc->cadence.last_t);
        break;

    default:
        sluice_tc_error("splice point at %lld ms: %d splice points wait"
                        " already, not taken", (long long) t,
                        SLUICE_LADDER_MAX_SPLICES);
        break;
    }
}


/* pkt NULL: drain the decoder */

static int
sluice_tc_video_decode(sluice_tc_t *tc, const AVPacket *pkt)
{
    int       rc;
    char      err[AV_ERROR_MAX_STRING_SIZE];
    AVFrame  *frame;

    rc = avcodec_send_packet(tc->vdec, pkt);

    if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_EOF) {
        sluice_tc_warn(SLUICE_TC_LOG_VIDEO_DECODE, "video: undecodable frame"
                       " at %lld ms skipped: %s",
                       pkt ? (long long) pkt->pts : -1LL,
                       sluice_tc_av_err(rc, err, sizeof(err)));
        return 0;
    }

    frame = av_frame_alloc();
    if (frame == NULL) {
        return -1;
    }

    for ( ;; ) {
        rc = avcodec_receive_frame(tc->vdec, frame);

        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) {
            break;
        }

        if (rc < 0) {
            sluice_tc_warn(SLUICE_TC_LOG_VIDEO_DECODE, "video: undecodable"
                           " frame skipped: %s",
                           sluice_tc_av_err(rc, err, sizeof(err)));
            break;
        }

        rc = sluice_tc_video_frame(tc, frame);
        av_frame_unref(frame);

        if (rc < 0) {
            break;
        }
    }

    av_frame_free(&frame);

    return 0;
}


static int
sluice_tc_video_frame(sluice_tc_t *tc, AVFrame *frame)
{
    int64_t   t;
    AVFrame  *first;

    t = frame->best_effort_timestamp;
    if (t == AV_NOPTS_VALUE) {
        t = frame->pts;
    }

    if (t == AV_NOPTS_VALUE) {
        sluice_tc_warn(SLUICE_TC_LOG_VIDEO_DECODE, "video: a frame without"
                       " a timestamp dropped");
        return 0;
    }

    frame->pts = t;

    if (tc->nlayers) {
        return sluice_tc_video_dispatch(tc, frame);
    }

    if (sluice_tc_load(&tc->failed)) {
        return -1;
    }

    /* the first frames: wait for enough of them to know the frame rate */

    tc->pending[tc->npending] = av_frame_clone(frame);
    if (tc->pending[tc->npending] == NULL) {
        return -1;
    }

    tc->npending++;
    first = tc->pending[0];

    if (tc->npending < SLUICE_TC_PROBE_FRAMES
        && t - first->pts < SLUICE_TC_PROBE_MS)
    {
        return 0;
    }

    return sluice_tc_video_ladder(tc);
}


/* a decoded frame to the layers that keep it, a keyframe if a GOP starts */

static int
sluice_tc_video_dispatch(sluice_tc_t *tc, AVFrame *frame)
{
    size_t           i;
    uint32_t         index;
    AVFrame         *f;
    sluice_frame_e   kind;

    kind = sluice_ladder_cadence_next(&tc->cadence, frame->pts, tc->gop_ms,
                                      &index);

    if (kind == SLUICE_FRAME_DROP) {
        sluice_tc_warn(SLUICE_TC_LOG_VIDEO_BACKWARDS, "video: frame at %lld"
                       " ms not after the previous one (%lld ms): dropped",
                       (long long) frame->pts, (long long) tc->last_video);
        return 0;
    }

    /* a jump forward: the frame after it counts as caught up */
    if (tc->last_video != SLUICE_TC_NO_TS
        && frame->pts - tc->last_video > SLUICE_TC_JUMP_MS)
    {
        sluice_tc_store(&tc->resume, frame->pts);
    }

    sluice_tc_store(&tc->last_video, frame->pts);

    /* scaled here, each layer's picture to its thread to be encoded */

    sluice_tc_scale_begin(tc, frame);

    for (i = 0; i < tc->nlayers; i++) {
        if (index % tc->layers[i].l.frame_step) {
            continue;
        }

        f = sluice_tc_scale(tc, i, frame);
        if (f == NULL) {
            continue;
        }

        f->pts = frame->pts;
        f->pict_type = (kind == SLUICE_FRAME_GOP_START)
                       ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
        f->key_frame = (kind == SLUICE_FRAME_GOP_START);

        if (sluice_tc_queue_push(&tc->layers[i].queue, f,
                                 SLUICE_TC_LAYER_QUEUE) != 0)
        {
            av_frame_free(&f);
        }
    }

    sluice_tc_scale_done(tc);

    return 0;
}


/* --- the ladder ---------------------------------------------------------- */


static int
sluice_tc_video_ladder(sluice_tc_t *tc)
{
    int                    rc;
    size_t                 i, n;
    int64_t                span;
    AVFrame               *first;
    sluice_ladder_input_t  in;
    sluice_ladder_layer_t  out[SLUICE_LADDER_MAX_LAYERS];

    first = tc->pending[0];
    span = tc->pending[tc->npending - 1]->pts - first->pts;

    memset(&in, 0, sizeof(in));
    in.width = (uint32_t) first->width;
    in.height = (uint32_t) first->height;
    in.kbps = tc->in_kbps;

    if (first->sample_aspect_ratio.num > 0
        && first->sample_aspect_ratio.den > 0)
    {
        in.sar_num = (uint32_t) first->sample_aspect_ratio.num;
        in.sar_den = (uint32_t) first->sample_aspect_ratio.den;
    }

    /*
     * The input frame rate: measured on the first frames' times, the
     * metadata's when it agrees (within 5%: it is the more precise),
     * then snapped to the usual rate it is (29.97, not 30.04).
     */

    if (tc->npending > 1 && span > 0) {
        in.fps_num = (uint32_t) (tc->npending - 1) * 1000;
        in.fps_den = (uint32_t) span;
    }

    if (tc->in_fps.num > 0 && tc->in_fps.den > 0
        && (in.fps_num == 0
            || fabs(av_q2d(tc->in_fps) * in.fps_den / in.fps_num - 1.0)
               < 0.05))
    {
        in.fps_num = (uint32_t) tc->in_fps.num;
        in.fps_den = (uint32_t) tc->in_fps.den;
    }

    sluice_ladder_snap_fps(&in.fps_num, &in.fps_den);

    n = sluice_ladder_compute(tc->conf, tc->nconf, tc->stretch, &in, out);
    if (n == 0) {
        sluice_tc_error("video: no layer for a %ux%u input", in.width,
                        in.height);
        sluice_tc_stop(tc, 1);
        return -1;
    }

    for (i = 0; i < n; i++) {
        tc->layers[i].l = out[i];

        if (sluice_tc_layer_open(tc, &tc->layers[i]) != 0) {
            while (i--) {
                sluice_tc_queue_close(&tc->layers[i].queue);
                pthread_join(tc->layers[i].thread, NULL);
                sluice_tc_layer_free(&tc->layers[i]);
            }

            sluice_tc_stop(tc, 1);
            return -1;
        }
    }

    sluice_tc_store(&tc->resume, first->pts);
    sluice_tc_store(&tc->nlayers, n);
    sluice_tc_status_layers(tc);

    /* the frames gathered go through as any other */

    rc = 0;

    for (i = 0; i < tc->npending; i++) {
        if (rc == 0) {
            rc = sluice_tc_video_dispatch(tc, tc->pending[i]);
        }

        av_frame_free(&tc->pending[i]);
    }

    tc->npending = 0;

    return rc;
}


static int
sluice_tc_layer_open(sluice_tc_t *tc, sluice_tc_layer_t *layer)
{
    layer->tc = tc;
    layer->index = (int) (layer - tc->layers);
    layer->newest_out = SLUICE_TC_NO_TS;
    snprintf(layer->name, sizeof(layer->name), "sluice-v%d", layer->index);

    layer->enc = sluice_tc_encoder_open(tc, &layer->l);
    if (layer->enc == NULL) {
        return -1;
    }

    if (sluice_tc_output_open(tc, &layer->out, layer->name, layer->enc)
        != 0)
    {
        goto failed;
    }

    if (sluice_tc_queue_init(&layer->queue, SLUICE_TC_LAYER_QUEUE) != 0) {
        goto failed;
    }

    if (pthread_create(&layer->thread, NULL, sluice_tc_layer_thread, layer)
        != 0)
    {
        goto failed;
    }

    return 0;

failed:

    sluice_tc_layer_free(layer);
    return -1;
}


/* the end: the decoder drained, the layers flushed and closed */

void
sluice_tc_video_finish(sluice_tc_t *tc)
{
    size_t  i;

    if (tc->vdec) {
        sluice_tc_video_decode(tc, NULL);
        avcodec_free_context(&tc->vdec);
    }

    if (tc->nlayers == 0 && tc->npending && !sluice_tc_load(&tc->failed)) {
        /* a short input: the ladder from what there is */
        sluice_tc_video_ladder(tc);
    }

    for (i = 0; i < tc->npending; i++) {
        av_frame_free(&tc->pending[i]);
    }

    tc->npending = 0;

    for (i = 0; i < tc->nlayers; i++) {
        sluice_tc_queue_close(&tc->layers[i].queue);
    }

    for (i = 0; i < tc->nlayers; i++) {
        pthread_join(tc->layers[i].thread, NULL);
        sluice_tc_layer_free(&tc->layers[i]);
    }
}


/* --- one layer, in its thread -------------------------------------------- */


static void *
sluice_tc_layer_thread(void *arg)
{
    AVFrame            *frame;
    sluice_tc_layer_t  *layer;

    layer = arg;

    while ((frame = sluice_tc_queue_pop(&layer->queue)) != NULL) {
        if (!sluice_tc_load(&layer->tc->failed)) {
            if (sluice_tc_layer_encode(layer, frame) != 0) {
                sluice_tc_stop(layer->tc, 1);
            }
        }

        av_frame_free(&frame);
    }

    /* closed: what the encoder holds, then the end of the publication */

    if (!sluice_tc_load(&layer->tc->failed)) {
        avcodec_send_frame(layer->enc, NULL);
        sluice_tc_layer_drain(layer);
    }

    sluice_tc_output_close(&layer->out);

    return NULL;
}


static int
sluice_tc_layer_encode(sluice_tc_layer_t *layer, AVFrame *f)
{
    int   rc;
    char  err[AV_ERROR_MAX_STRING_SIZE];

    rc = avcodec_send_frame(layer->enc, f);
    if (rc < 0) {
        sluice_tc_error("%s: encoding failed: %s", layer->name,
                        sluice_tc_av_err(rc, err, sizeof(err)));
        return -1;
    }

    return sluice_tc_layer_drain(layer);
}


static int
sluice_tc_layer_drain(sluice_tc_layer_t *layer)
{
    int        rc;
    int64_t    t;
    AVPacket  *pkt;

    pkt = av_packet_alloc();
    if (pkt == NULL) {
        return -1;
    }

    for ( ;; ) {
        rc = avcodec_receive_packet(layer->enc, pkt);

        if (rc < 0) {
            rc = (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) ? 0 : -1;
            break;
        }

        t = pkt->pts;

        if (sluice_tc_output_write(&layer->out, pkt, layer->enc->time_base)
            != 0)
        {
            rc = -1;
            break;
        }

        sluice_tc_store(&layer->newest_out, t);
        sluice_tc_add(&layer->encoded, 1);
    }

    av_packet_free(&pkt);

    return rc;
}


static void
sluice_tc_layer_free(sluice_tc_layer_t *layer)
{
    sluice_tc_output_close(&layer->out);
    avcodec_free_context(&layer->enc);
    sluice_tc_scale_free(layer);
    sluice_tc_queue_free(&layer->queue);
}
