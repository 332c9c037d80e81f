
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Cues from RTMP data messages: AMF0 (type 18) and AMF3 data messages
 * (type 15, an AMF0 body after a 0 byte) of a publisher are read whole
 * by sluice_adcue_parse(); onAdCue (both AMS modes), onCuePoint
 * (Elemental) and onUserDataEvent become cues of the live event at
 * their time (the cue's own "time" on the encoder's RTMP timeline, else
 * the message's timestamp) through the stream's offset
 * (ngx_sluice_cue_ingest()).
 *
 * The handler runs before nginx-rtmp's AMF dispatcher (it is added to
 * the event in postconfiguration, the dispatcher after it), reads the
 * chain without moving it and always returns NGX_OK: onMetaData and
 * every other message go on to the modules that want them, and a bad
 * cue is dropped with one line naming the event, the stream goes on.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_rtmp.h>

#include "media/signal/sluice_adcue.h"
#include "core/ngx_sluice_cue.h"
#include "ingest/rtmp/ngx_rtmp_sluice.h"
#include "ingest/rtmp/ngx_rtmp_sluice_cue.h"
#include "ingest/rtmp/ngx_rtmp_sluice_module.h"
#include "ingest/rtmp/ngx_rtmp_sluice_transcode.h"


/* AMS takes timed metadata bodies of at most 256 KB */
#define NGX_RTMP_SLUICE_CUE_MAX_MSG  (256 * 1024)


static ngx_int_t ngx_rtmp_sluice_cue_message(ngx_rtmp_session_t *s,
    ngx_rtmp_header_t *h, ngx_chain_t *in);


ngx_int_t
ngx_rtmp_sluice_cue_init(ngx_conf_t *cf)
{
    ngx_rtmp_handler_pt        *h;
    ngx_rtmp_core_main_conf_t  *cmcf;

    cmcf = ngx_rtmp_conf_get_module_main_conf(cf, ngx_rtmp_core_module);

    h = ngx_array_push(&cmcf->events[NGX_RTMP_MSG_AMF_META]);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_rtmp_sluice_cue_message;

    h = ngx_array_push(&cmcf->events[NGX_RTMP_MSG_AMF3_META]);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_rtmp_sluice_cue_message;

    return NGX_OK;
}


static ngx_int_t
ngx_rtmp_sluice_cue_message(ngx_rtmp_session_t *s, ngx_rtmp_header_t *h,
    ngx_chain_t *in)
{
    size_t                  len, size;
    u_char                 *msg, *out, *p;
    uint64_t                time;
    ngx_chain_t            *cl;
    const char             *reason;
    sluice_cue_t            cue;
    sluice_status_t         rc;
    ngx_rtmp_sluice_ctx_t  *ctx;

    ctx = ngx_rtmp_get_module_ctx(s, ngx_rtmp_sluice_module);

    if (ctx == NULL || !ctx->in.publishing || ctx->in.layer) {
        return NGX_OK;
    }

    len = 0;

    for (cl = in; cl; cl = cl->next) {
        len += cl->buf->last - cl->buf->pos;
    }

    if (len == 0) {
        return NGX_OK;
    }

    if (len > NGX_RTMP_SLUICE_CUE_MAX_MSG) {
        ngx_log_error(NGX_LOG_INFO, s->connection->log, 0,
                      "sluice: live event \"%s\": a data message of %uz "
                      "bytes of stream \"%s\" is not read for cues",
                      ctx->in.event_name, len, ctx->in.stream);
        return NGX_OK;
    }

    size = SLUICE_CUE_BUF_SIZE(len);

    msg = ngx_alloc(len + size, s->connection->log);
    if (msg == NULL) {
        return NGX_OK;
    }

    out = msg + len;
    p = msg;

    for (cl = in; cl; cl = cl->next) {
        p = ngx_cpymem(p, cl->buf->pos, cl->buf->last - cl->buf->pos);
    }

    p = msg;

    if (h->type == NGX_RTMP_MSG_AMF3_META) {
        /* an AMF0 body after a 0 byte; real AMF3 is none of ours */

        if (p[0] != 0) {
            goto done;
        }

        p++;
        len--;
    }

    reason = "";

    rc = sluice_adcue_parse(&cue, p, len, out, size, &reason);

    switch (rc) {

    case SLUICE_OK:
        if (!ctx->source) {
            (void) ngx_sluice_cue_ingest(&ctx->in, &cue, h->timestamp,
                                         NGX_SLUICE_CUE_STREAM);
            break;
        }

        /* a live encoding's feed: its splice points to the transcoder */

        if (ngx_sluice_cue_ingest_at(&ctx->in, &cue, h->timestamp,
                                     NGX_SLUICE_CUE_DIRECT, &time)
            == NGX_OK)
        {
            ngx_rtmp_sluice_transcode_splice(ctx, &cue, time);
        }

        break;

    case SLUICE_NOT_FOUND:
        break;

    case SLUICE_UNSUPPORTED:
        ngx_log_error(NGX_LOG_INFO, s->connection->log, 0,
                      "sluice: live event \"%s\": a data message of "
                      "stream \"%s\" at %uD is not a cue Sluice takes: %s",
                      ctx->in.event_name, ctx->in.stream, h->timestamp,
                      reason);
        break;

    default:
        ngx_log_error(NGX_LOG_WARN, s->connection->log, 0,
                      "sluice: live event \"%s\": a cue of stream \"%s\" "
                      "at %uD dropped: %s", ctx->in.event_name,
                      ctx->in.stream, h->timestamp, reason);
        break;
    }

done:

    ngx_free(msg);

    return NGX_OK;
}
