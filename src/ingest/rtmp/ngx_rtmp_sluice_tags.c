
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * FLV tag bodies of a publishing connection to the ingest of the core
 * (core/ngx_sluice_ingest.h): codec checks, decoder configurations
 * (AVCDecoderConfigurationRecord, HEVCDecoderConfigurationRecord,
 * AudioSpecificConfig) and frames.  Video is H.264 or H.265, in legacy
 * tags (CodecID 7; 12 for H.265, a common extension) or in Enhanced RTMP
 * ones (FourCC 'avc1', 'hvc1'): sluice_flv_parse_video() makes them alike.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_rtmp.h>
#include <ngx_rtmp_codec_module.h>

#include "ingest/rtmp/ngx_rtmp_sluice_tags.h"
#include "media/container/sluice_flv.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_hevc.h"
#include "media/codec/sluice_aac.h"
#include "core/ngx_sluice_ingest.h"


/* an FLV audio or video tag body, parsed */
typedef struct {
    ngx_uint_t                  codec;          /* sluice_codec_t */
    ngx_uint_t                  packet_type;    /* SLUICE_FLV_* */
    ngx_uint_t                  key;            /* video: a keyframe */
    int32_t                     cts;            /* video: ms */
    const uint8_t              *data;
    size_t                      len;
} ngx_rtmp_sluice_tag_t;


static ngx_int_t ngx_rtmp_sluice_tag(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_sluice_ingest_track_t *t, uint32_t timestamp,
    ngx_rtmp_sluice_tag_t *tag);
static ngx_int_t ngx_rtmp_sluice_video_config(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_sluice_ingest_track_t *t, ngx_uint_t codec, const uint8_t *p,
    size_t len);
static sluice_status_t ngx_rtmp_sluice_video_info(ngx_uint_t codec,
    const uint8_t *p, size_t len, sluice_track_info_t *info);
static ngx_int_t ngx_rtmp_sluice_audio_config(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_sluice_ingest_track_t *t, const uint8_t *p, size_t len);
static void ngx_rtmp_sluice_declared(ngx_rtmp_sluice_ctx_t *ctx);


static ngx_inline ngx_log_t *
ngx_rtmp_sluice_log(ngx_rtmp_sluice_ctx_t *ctx)
{
    return ctx->session->connection->log;
}


ngx_int_t
ngx_rtmp_sluice_video(ngx_rtmp_sluice_ctx_t *ctx, uint32_t timestamp,
    u_char *p, size_t len)
{
    sluice_flv_video_t     v;
    ngx_rtmp_sluice_tag_t  tag;

    if (sluice_flv_parse_video(p, len, &v) != SLUICE_OK) {
        ngx_log_error(NGX_LOG_WARN, ngx_rtmp_sluice_log(ctx), 0,
                      "sluice: malformed video tag of %uz bytes ignored",
                      len);
        return NGX_OK;
    }

    if (v.codec != SLUICE_CODEC_AVC && v.codec != SLUICE_CODEC_HEVC) {
        ngx_log_error(NGX_LOG_ERR, ngx_rtmp_sluice_log(ctx), 0,
                      "sluice: publish refused: unsupported video codec "
                      "(FLV codec id %uD, FourCC 0x%08xD), only H.264 "
                      "and H.265, "
                      "live event \"%s\", stream \"%s\"",
                      v.codec_id, v.fourcc, ctx->in.event_name,
                      ctx->in.stream);
        ctx->in.stopped = 1;     /* refused: store nothing */
        return NGX_ERROR;
    }

    tag.codec = v.codec;
    tag.packet_type = v.packet_type;
    tag.key = v.key;
    tag.cts = v.cts;
    tag.data = v.data;
    tag.len = v.len;

    return ngx_rtmp_sluice_tag(ctx, &ctx->in.video, timestamp, &tag);
}


ngx_int_t
ngx_rtmp_sluice_audio(ngx_rtmp_sluice_ctx_t *ctx, uint32_t timestamp,
    u_char *p, size_t len)
{
    sluice_flv_audio_t     a;
    ngx_rtmp_sluice_tag_t  tag;

    if (sluice_flv_parse_audio(p, len, &a) != SLUICE_OK) {
        ngx_log_error(NGX_LOG_WARN, ngx_rtmp_sluice_log(ctx), 0,
                      "sluice: malformed audio tag of %uz bytes ignored",
                      len);
        return NGX_OK;
    }

    if (a.codec != SLUICE_CODEC_AAC) {
        ngx_log_error(NGX_LOG_ERR, ngx_rtmp_sluice_log(ctx), 0,
                      "sluice: publish refused: unsupported audio codec "
                      "(FLV sound format %uD), only AAC, "
                      "live event \"%s\", stream \"%s\"",
                      a.sound_format, ctx->in.event_name, ctx->in.stream);
        ctx->in.stopped = 1;     /* refused: store nothing */
        return NGX_ERROR;
    }

    tag.codec = a.codec;
    tag.packet_type = a.packet_type;
    tag.key = 1;
    tag.cts = 0;
    tag.data = a.data;
    tag.len = a.len;

    return ngx_rtmp_sluice_tag(ctx, &ctx->in.audio, timestamp, &tag);
}


/* a tag of track t: a decoder configuration, or a frame for the timeline */

static ngx_int_t
ngx_rtmp_sluice_tag(ngx_rtmp_sluice_ctx_t *ctx, ngx_sluice_ingest_track_t *t,
    uint32_t timestamp, ngx_rtmp_sluice_tag_t *tag)
{
    ngx_int_t  rc;

    switch (tag->packet_type) {

    case SLUICE_FLV_SEQUENCE_HEADER:
        if (t == &ctx->in.video) {
            rc = ngx_rtmp_sluice_video_config(ctx, t, tag->codec, tag->data,
                                              tag->len);

        } else {
            rc = ngx_rtmp_sluice_audio_config(ctx, t, tag->data, tag->len);
        }

        break;

    case SLUICE_FLV_FRAME:
        ngx_rtmp_sluice_declared(ctx);

        return ngx_sluice_ingest_frame(&ctx->in, t, timestamp, tag->cts,
                                       tag->key, tag->data, tag->len);

    default:
        return NGX_OK;
    }

    if (rc == NGX_ERROR || ctx->in.stopped) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_rtmp_sluice_video_config(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_sluice_ingest_track_t *t, ngx_uint_t codec, const uint8_t *p,
    size_t len)
{
    const char           *name;
    sluice_track_info_t   info;

    name = (codec == SLUICE_CODEC_HEVC) ? "H.265" : "H.264";

    if (ngx_rtmp_sluice_video_info(codec, p, len, &info) != SLUICE_OK) {
        if (t->configured) {
            ngx_log_error(NGX_LOG_WARN, ngx_rtmp_sluice_log(ctx), 0,
                          "sluice: bad %s sequence header ignored, "
                          "stream \"%s\"", name, ctx->in.stream);
            return NGX_OK;
        }

        ngx_log_error(NGX_LOG_ERR, ngx_rtmp_sluice_log(ctx), 0,
                      "sluice: publish refused: bad %s sequence header, "
                      "live event \"%s\", stream \"%s\"",
                      name, ctx->in.event_name, ctx->in.stream);
        ctx->in.stopped = 1;
        return NGX_ERROR;
    }

    return ngx_sluice_ingest_configure(&ctx->in, t, &info);
}


/*
 * the track of a video sequence header: an AVCDecoderConfigurationRecord,
 * or an HEVCDecoderConfigurationRecord (Enhanced RTMP's 'hvc1'
 * SequenceStart, or a legacy tag of CodecID 12)
 */

static sluice_status_t
ngx_rtmp_sluice_video_info(ngx_uint_t codec, const uint8_t *p, size_t len,
    sluice_track_info_t *info)
{
    sluice_status_t       rc;
    sluice_avc_config_t   avc;
    sluice_hevc_config_t  hevc;

    ngx_memzero(info, sizeof(sluice_track_info_t));

    if (codec == SLUICE_CODEC_HEVC) {
        rc = sluice_hevc_parse_config(p, len, &hevc);

        if (rc == SLUICE_OK) {
            rc = sluice_hevc_fill_info(&hevc, info);
        }

        return rc;
    }

    rc = sluice_avc_parse_config(p, len, &avc);

    if (rc == SLUICE_OK) {
        rc = sluice_avc_fill_info(&avc, info);
    }

    return rc;
}


static ngx_int_t
ngx_rtmp_sluice_audio_config(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_sluice_ingest_track_t *t, const uint8_t *p, size_t len)
{
    sluice_status_t      src;
    sluice_aac_config_t  c;
    sluice_track_info_t  info;

    ngx_memzero(&info, sizeof(sluice_track_info_t));

    src = sluice_aac_parse_config(p, len, &c);

    if (src == SLUICE_OK) {
        src = sluice_aac_fill_info(&c, &info);
    }

    if (src != SLUICE_OK || info.timescale == 0 || c.sample_rate == 0) {
        if (t->configured) {
            ngx_log_error(NGX_LOG_WARN, ngx_rtmp_sluice_log(ctx), 0,
                          "sluice: bad AAC sequence header ignored, "
                          "stream \"%s\"", ctx->in.stream);
            return NGX_OK;
        }

        ngx_log_error(NGX_LOG_ERR, ngx_rtmp_sluice_log(ctx), 0,
                      "sluice: publish refused: bad AAC sequence header, "
                      "live event \"%s\", stream \"%s\"",
                      ctx->in.event_name, ctx->in.stream);
        ctx->in.stopped = 1;
        return NGX_ERROR;
    }

    return ngx_sluice_ingest_configure(&ctx->in, t, &info);
}




/*
 * onMetaData videodatarate/audiodatarate (kbit/s, or the "?videodatarate="
 * of the publish), the bitrates the tracks are listed with
 */

static void
ngx_rtmp_sluice_declared(ngx_rtmp_sluice_ctx_t *ctx)
{
    ngx_rtmp_codec_ctx_t  *cctx;

    cctx = ngx_rtmp_get_module_ctx(ctx->session, ngx_rtmp_codec_module);

    if (cctx == NULL) {
        return;
    }

    ctx->in.video.declared = (uint32_t) (cctx->video_data_rate * 1000);
    ctx->in.audio.declared = (uint32_t) (cctx->audio_data_rate * 1000);
}
