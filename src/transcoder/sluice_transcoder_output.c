
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Publishing one layer back into nginx's RTMP ingest: libavformat's flv
 * muxer over its rtmp protocol, to {output}/{name}?sluice_key={key}.
 * One stream per publication (video-only or audio-only).  Timestamps are
 * the input's timeline milliseconds as they are: no rebasing
 * (avoid_negative_ts disabled; no B-frames, so DTS = PTS and never goes
 * below the first packet's, which the flv muxer would refuse).
 */


#include <stdio.h>

#include "transcoder/sluice_transcoder.h"


static int sluice_tc_output_interrupt(void *data);


int
sluice_tc_output_open(sluice_tc_t *tc, sluice_tc_output_t *o,
    const char *name, const AVCodecContext *enc)
{
    int                    rc;
    char                   err[AV_ERROR_MAX_STRING_SIZE];
    size_t                 len;
    AVDictionary          *opts;
    AVIOInterruptCB        cb;
    const AVOutputFormat  *flv;

    len = strlen(tc->output) + strlen(name) + strlen(tc->key) + 32;
    o->url = av_malloc(len);
    if (o->url == NULL) {
        return -1;
    }

    snprintf(o->url, len, "%s/%s?sluice_key=%s", tc->output, name, tc->key);
    o->name = name;

    flv = av_guess_format("flv", NULL, NULL);

    rc = avformat_alloc_output_context2(&o->oc, flv, NULL, o->url);
    if (rc < 0) {
        goto failed;
    }

    o->st = avformat_new_stream(o->oc, NULL);
    if (o->st == NULL) {
        rc = AVERROR(ENOMEM);
        goto failed;
    }

    rc = avcodec_parameters_from_context(o->st->codecpar, enc);
    if (rc < 0) {
        goto failed;
    }

    o->st->time_base = (AVRational) { 1, 1000 };
    if (enc->codec_type == AVMEDIA_TYPE_VIDEO) {
        o->st->avg_frame_rate = enc->framerate;
    }

    o->oc->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;
    o->oc->flags |= AVFMT_FLAG_FLUSH_PACKETS;

    cb.callback = sluice_tc_output_interrupt;
    cb.opaque = tc;
    o->oc->interrupt_callback = cb;

    opts = NULL;
    av_dict_set(&opts, "rtmp_live", "live", 0);
    av_dict_set(&opts, "tcp_nodelay", "1", 0);

    rc = avio_open2(&o->oc->pb, o->url, AVIO_FLAG_WRITE, &cb, &opts);
    av_dict_free(&opts);

    if (rc < 0) {
        goto failed;
    }

    opts = NULL;
    av_dict_set(&opts, "flvflags", "no_duration_filesize", 0);
    rc = avformat_write_header(o->oc, &opts);
    av_dict_free(&opts);

    if (rc < 0) {
        goto failed;
    }

    return 0;

failed:

    sluice_tc_error("%s: cannot publish to %s/%s: %s", name, tc->output,
                    name, sluice_tc_av_err(rc, err, sizeof(err)));

    if (o->oc) {
        avio_closep(&o->oc->pb);
        avformat_free_context(o->oc);
        o->oc = NULL;
    }

    return -1;
}


/* pkt in time base tb; the packet is consumed */

int
sluice_tc_output_write(sluice_tc_output_t *o, AVPacket *pkt, AVRational tb)
{
    int   rc, size;
    char  err[AV_ERROR_MAX_STRING_SIZE];

    if (o->oc == NULL) {
        av_packet_unref(pkt);
        return -1;
    }

    av_packet_rescale_ts(pkt, tb, o->st->time_base);
    pkt->stream_index = 0;
    size = pkt->size;

    rc = av_write_frame(o->oc, pkt);
    av_packet_unref(pkt);

    if (rc < 0) {
        sluice_tc_error("%s: publishing failed: %s", o->name,
                        sluice_tc_av_err(rc, err, sizeof(err)));
        return -1;
    }

    o->packets++;
    o->bytes += size;

    return 0;
}


void
sluice_tc_output_close(sluice_tc_output_t *o)
{
    if (o->oc) {
        av_write_trailer(o->oc);
        avio_closep(&o->oc->pb);
        avformat_free_context(o->oc);
        o->oc = NULL;
    }

    av_freep(&o->url);
}


/*
 * Blocking network calls give up only when the program must end now:
 * an output failed, or the grace time after SIGTERM ran out.
 */

static int
sluice_tc_output_interrupt(void *data)
{
    sluice_tc_t  *tc;

    tc = data;

    return sluice_tc_load(&tc->failed) || sluice_tc_stopping > 1;
}
