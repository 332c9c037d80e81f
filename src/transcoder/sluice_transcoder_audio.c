
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Audio: one decoder, one resampler to stereo float planar at the
 * input's sample rate (the first one met: a later change is resampled to
 * it), a FIFO cutting 1024-sample frames, and one AAC-LC encoder
 * (FFmpeg's native "aac") and publication per --audio bitrate.  All in
 * the main thread: audio costs little.
 *
 * Times: the samples are counted from the first frame's input time, so
 * frame durations are exact; an input time more than 50 ms ahead of the
 * count (a gap, a skip) restarts the count there, one more than 50 ms
 * behind it is dropped.  Output packets carry the encoder's times (the
 * input time of their first sample, less the encoder's 1024 samples of
 * priming for the first), in timeline milliseconds.
 */


#include <libavutil/channel_layout.h>

#include "transcoder/sluice_transcoder.h"


#define SLUICE_TC_AUDIO_SLACK_MS  50


static int sluice_tc_audio_decode(sluice_tc_t *tc, const AVPacket *pkt);
static int sluice_tc_audio_frame(sluice_tc_t *tc, AVFrame *frame);
static int sluice_tc_audio_open(sluice_tc_t *tc, int rate);
static int sluice_tc_audio_encoder(sluice_tc_t *tc,
    sluice_tc_audio_out_t *a);
static int sluice_tc_audio_resampler(sluice_tc_t *tc, AVFrame *frame);
static int sluice_tc_audio_fifo(sluice_tc_t *tc, AVFrame *frame);
static int sluice_tc_audio_encode(sluice_tc_t *tc, int last);
static int sluice_tc_audio_drain(sluice_tc_t *tc, sluice_tc_audio_out_t *a);


static const AVChannelLayout  sluice_tc_stereo = AV_CHANNEL_LAYOUT_STEREO;


int
sluice_tc_audio_params(sluice_tc_t *tc, const AVCodecParameters *par)
{
    int             rc, again;
    char            err[AV_ERROR_MAX_STRING_SIZE];
    const AVCodec  *codec;

    again = (tc->adec != NULL);

    if (tc->adec) {
        sluice_tc_audio_decode(tc, NULL);
        avcodec_free_context(&tc->adec);
    }

    codec = avcodec_find_decoder(par->codec_id);
    if (codec == NULL) {
        sluice_tc_warn(SLUICE_TC_LOG_AUDIO_CHANGE, "audio: no decoder for"
                       " codec \"%s\": audio ignored until it changes",
                       avcodec_get_name(par->codec_id));
        return 0;
    }

    tc->adec = avcodec_alloc_context3(codec);
    if (tc->adec == NULL) {
        return -1;
    }

    rc = avcodec_parameters_to_context(tc->adec, par);
    if (rc >= 0) {
        tc->adec->pkt_timebase = (AVRational) { 1, 1000 };
        tc->adec->thread_count = 1;
        rc = avcodec_open2(tc->adec, codec, NULL);
    }

    if (rc < 0) {
        sluice_tc_warn(SLUICE_TC_LOG_AUDIO_CHANGE, "audio: decoder %s cannot"
                       " be opened: %s", codec->name,
                       sluice_tc_av_err(rc, err, sizeof(err)));
        avcodec_free_context(&tc->adec);
        return 0;
    }

    if (again) {
        sluice_tc_warn(SLUICE_TC_LOG_AUDIO_CHANGE, "audio: new codec or"
                       " sequence header (%s), decoder restarted",
                       codec->name);
    }

    return 0;
}


int
sluice_tc_audio_packet(sluice_tc_t *tc, const AVPacket *pkt)
{
    if (tc->adec == NULL) {
        return 0;
    }

    return sluice_tc_audio_decode(tc, pkt);
}


void
sluice_tc_audio_finish(sluice_tc_t *tc)
{
    size_t  i;

    if (tc->adec) {
        sluice_tc_audio_decode(tc, NULL);
        avcodec_free_context(&tc->adec);
    }

    if (tc->naudio_open && !sluice_tc_load(&tc->failed)) {
        sluice_tc_audio_encode(tc, 1);

        for (i = 0; i < tc->naudio_open; i++) {
            avcodec_send_frame(tc->audio[i].enc, NULL);
            sluice_tc_audio_drain(tc, &tc->audio[i]);
        }
    }

    for (i = 0; i < tc->naudio; i++) {
        sluice_tc_output_close(&tc->audio[i].out);
        avcodec_free_context(&tc->audio[i].enc);
    }

    swr_free(&tc->swr);
    av_audio_fifo_free(tc->fifo);
    tc->fifo = NULL;
    av_frame_free(&tc->aframe);
    av_channel_layout_uninit(&tc->in_layout);
}


/* pkt NULL: drain */

static int
sluice_tc_audio_decode(sluice_tc_t *tc, const AVPacket *pkt)
{
    int       rc;
    char      err[AV_ERROR_MAX_STRING_SIZE];
    AVFrame  *frame;

    rc = avcodec_send_packet(tc->adec, pkt);

    if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_EOF) {
        sluice_tc_warn(SLUICE_TC_LOG_AUDIO_DECODE, "audio: undecodable frame"
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
        rc = avcodec_receive_frame(tc->adec, frame);

        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) {
            break;
        }

        if (rc < 0) {
            sluice_tc_warn(SLUICE_TC_LOG_AUDIO_DECODE, "audio: undecodable"
                           " frame skipped: %s",
                           sluice_tc_av_err(rc, err, sizeof(err)));
            break;
        }

        rc = sluice_tc_audio_frame(tc, frame);
        av_frame_unref(frame);

        if (rc < 0) {
            break;
        }
    }

    av_frame_free(&frame);

    return 0;
}


static int
sluice_tc_audio_frame(sluice_tc_t *tc, AVFrame *frame)
{
    int64_t  t, expected;

    t = frame->best_effort_timestamp;
    if (t == AV_NOPTS_VALUE) {
        t = frame->pts;
    }

    if (t == AV_NOPTS_VALUE || frame->sample_rate <= 0
        || frame->nb_samples <= 0 || sluice_tc_load(&tc->failed))
    {
        return 0;
    }

    if (tc->naudio_open == 0) {
        if (sluice_tc_audio_open(tc, frame->sample_rate) != 0) {
            sluice_tc_stop(tc, 1);
            return -1;
        }

        tc->fifo_pos = av_rescale(t, tc->rate, 1000);
    }

    if (sluice_tc_audio_resampler(tc, frame) != 0) {
        return 0;
    }

    expected = av_rescale(tc->fifo_pos + av_audio_fifo_size(tc->fifo), 1000,
                          tc->rate);

    if (t < expected - SLUICE_TC_AUDIO_SLACK_MS) {
        sluice_tc_warn(SLUICE_TC_LOG_AUDIO_BACKWARDS, "audio: frame at %lld"
                       " ms behind the audio already taken (%lld ms):"
                       " dropped", (long long) t, (long long) expected);
        return 0;
    }

    if (t > expected + SLUICE_TC_AUDIO_SLACK_MS) {
        /* a gap: the less than one frame waiting is dropped */
        av_audio_fifo_reset(tc->fifo);
        tc->fifo_pos = av_rescale(t, tc->rate, 1000);
    }

    if (sluice_tc_audio_fifo(tc, frame) != 0) {
        return 0;
    }

    return sluice_tc_audio_encode(tc, 0);
}


/* the first audio frame: the encoders and their publications */

static int
sluice_tc_audio_open(sluice_tc_t *tc, int rate)
{
    size_t                  i;
    sluice_tc_audio_out_t  *a;

    tc->rate = rate;
    tc->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, 2, 4096);
    tc->aframe = av_frame_alloc();

    if (tc->fifo == NULL || tc->aframe == NULL) {
        return -1;
    }

    for (i = 0; i < tc->naudio; i++) {
        a = &tc->audio[i];
        a->tc = tc;
        a->kbps = tc->audio_kbps[i];
        snprintf(a->name, sizeof(a->name), "sluice-a%u", a->kbps);

        if (sluice_tc_audio_encoder(tc, a) != 0) {
            return -1;
        }

        if (sluice_tc_output_open(tc, &a->out, a->name, a->enc) != 0) {
            return -1;
        }
    }

    tc->naudio_open = tc->naudio;

    return 0;
}


static int
sluice_tc_audio_encoder(sluice_tc_t *tc, sluice_tc_audio_out_t *a)
{
    int             rc;
    char            err[AV_ERROR_MAX_STRING_SIZE];
    const AVCodec  *codec;

    codec = avcodec_find_encoder_by_name("aac");
    if (codec == NULL) {
        sluice_tc_error("audio: no \"aac\" encoder in this FFmpeg");
        return -1;
    }

    a->enc = avcodec_alloc_context3(codec);
    if (a->enc == NULL) {
        return -1;
    }

    a->enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
    a->enc->sample_rate = tc->rate;
    a->enc->bit_rate = (int64_t) a->kbps * 1000;
    a->enc->profile = FF_PROFILE_AAC_LOW;
    a->enc->time_base = (AVRational) { 1, tc->rate };
    a->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    rc = av_channel_layout_copy(&a->enc->ch_layout, &sluice_tc_stereo);
    if (rc >= 0) {
        rc = avcodec_open2(a->enc, codec, NULL);
    }

    if (rc < 0) {
        sluice_tc_error("%s: the aac encoder cannot be opened at %d Hz,"
                        " %u kb/s: %s", a->name, tc->rate, a->kbps,
                        sluice_tc_av_err(rc, err, sizeof(err)));
        return -1;
    }

    return 0;
}


/* a resampler for the frame's format, made again when it changes */

static int
sluice_tc_audio_resampler(sluice_tc_t *tc, AVFrame *frame)
{
    int              rc;
    char             err[AV_ERROR_MAX_STRING_SIZE];
    AVChannelLayout  layout, stereo;

    memset(&layout, 0, sizeof(layout));
    stereo = sluice_tc_stereo;      /* swr wants a pointer to non-const */

    if (frame->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC
        || frame->ch_layout.nb_channels == 0)
    {
        av_channel_layout_default(&layout, frame->ch_layout.nb_channels
                                           ? frame->ch_layout.nb_channels
                                           : 2);

    } else if (av_channel_layout_copy(&layout, &frame->ch_layout) < 0) {
        return -1;
    }

    if (tc->swr && frame->format == tc->in_fmt
        && frame->sample_rate == tc->in_rate
        && av_channel_layout_compare(&layout, &tc->in_layout) == 0)
    {
        av_channel_layout_uninit(&layout);
        return 0;
    }

    if (tc->swr) {
        sluice_tc_warn(SLUICE_TC_LOG_AUDIO_CHANGE, "audio: the input is now"
                       " %d Hz, %d channels: resampled to %d Hz stereo",
                       frame->sample_rate, layout.nb_channels, tc->rate);
        swr_free(&tc->swr);
    }

    rc = swr_alloc_set_opts2(&tc->swr, &stereo, AV_SAMPLE_FMT_FLTP,
                             tc->rate, &layout, frame->format,
                             frame->sample_rate, 0, NULL);
    if (rc >= 0) {
        rc = swr_init(tc->swr);
    }

    if (rc < 0) {
        sluice_tc_warn(SLUICE_TC_LOG_AUDIO_DECODE, "audio: cannot resample"
                       " %d Hz %d channels: %s", frame->sample_rate,
                       layout.nb_channels,
                       sluice_tc_av_err(rc, err, sizeof(err)));
        swr_free(&tc->swr);
        av_channel_layout_uninit(&layout);
        return -1;
    }

    tc->in_fmt = frame->format;
    tc->in_rate = frame->sample_rate;
    av_channel_layout_uninit(&tc->in_layout);
    tc->in_layout = layout;

    return 0;
}


static int
sluice_tc_audio_fifo(sluice_tc_t *tc, AVFrame *frame)
{
    int       n, rc;
    uint8_t  *data[2];

    n = swr_get_out_samples(tc->swr, frame->nb_samples);
    if (n <= 0) {
        return -1;
    }

    if (av_samples_alloc(data, NULL, 2, n, AV_SAMPLE_FMT_FLTP, 0) < 0) {
        return -1;
    }

    n = swr_convert(tc->swr, data, n, (const uint8_t **) frame->extended_data,
                    frame->nb_samples);

    rc = 0;

    if (n > 0 && av_audio_fifo_write(tc->fifo, (void **) data, n) < n) {
        rc = -1;
    }

    av_freep(&data[0]);

    return rc;
}


/* whole frames out of the FIFO into every encoder (last: the rest too) */

static int
sluice_tc_audio_encode(sluice_tc_t *tc, int last)
{
    int       n, size;
    size_t    i;
    AVFrame  *f;

    f = tc->aframe;
    size = tc->audio[0].enc->frame_size;

    for ( ;; ) {
        n = av_audio_fifo_size(tc->fifo);

        if (n == 0 || (n < size && !last)) {
            return 0;
        }

        if (n > size) {
            n = size;
        }

        av_frame_unref(f);
        f->nb_samples = n;
        f->format = AV_SAMPLE_FMT_FLTP;
        f->sample_rate = tc->rate;

        if (av_channel_layout_copy(&f->ch_layout, &sluice_tc_stereo) < 0
            || av_frame_get_buffer(f, 0) < 0
            || av_audio_fifo_read(tc->fifo, (void **) f->data, n) < n)
        {
            return -1;
        }

        f->pts = tc->fifo_pos;
        tc->fifo_pos += n;

        for (i = 0; i < tc->naudio_open; i++) {
            if (avcodec_send_frame(tc->audio[i].enc, f) < 0
                || sluice_tc_audio_drain(tc, &tc->audio[i]) != 0)
            {
                sluice_tc_stop(tc, 1);
                return -1;
            }
        }
    }
}


static int
sluice_tc_audio_drain(sluice_tc_t *tc, sluice_tc_audio_out_t *a)
{
    int        rc;
    int64_t    t;
    AVPacket  *pkt;

    pkt = av_packet_alloc();
    if (pkt == NULL) {
        return -1;
    }

    for ( ;; ) {
        rc = avcodec_receive_packet(a->enc, pkt);

        if (rc < 0) {
            rc = (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) ? 0 : -1;
            break;
        }

        t = av_rescale_q(pkt->pts, a->enc->time_base, (AVRational) { 1, 1000 });

        if (sluice_tc_output_write(&a->out, pkt, a->enc->time_base) != 0) {
            rc = -1;
            break;
        }

        if (a == &tc->audio[0]) {
            sluice_tc_store(&tc->newest_audio_out, t);
        }
    }

    av_packet_free(&pkt);

    return rc;
}
