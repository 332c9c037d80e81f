
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The language of a publisher's tracks, from onMetaData "language" (for
 * FFmpeg: -metadata language=fra), an RFC 5646 tag (sluice_lang_valid()).
 * It is taken when a track's first decoder configuration arrives: the
 * metadata comes before the media.  A later change applies to the next
 * publish; a tag Sluice does not take is logged and ignored.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_rtmp.h>

#include "media/sluice_lang.h"
#include "media/container/sluice_amf.h"
#include "ingest/rtmp/ngx_rtmp_sluice.h"
#include "ingest/rtmp/ngx_rtmp_sluice_meta.h"
#include "ingest/rtmp/ngx_rtmp_sluice_transcode.h"
#include "ingest/rtmp/ngx_rtmp_sluice_module.h"


/* metadata messages read at most; longer ones are not looked at */
#define NGX_RTMP_SLUICE_META_MAX  65536


static ngx_int_t ngx_rtmp_sluice_meta(ngx_rtmp_session_t *s,
    ngx_rtmp_header_t *h, ngx_chain_t *in);
static void ngx_rtmp_sluice_meta_lang(ngx_rtmp_sluice_ctx_t *ctx,
    sluice_amf_metadata_t *md);


ngx_int_t
ngx_rtmp_sluice_meta_init(ngx_conf_t *cf)
{
    ngx_rtmp_amf_handler_t     *ch;
    ngx_rtmp_core_main_conf_t  *cmcf;

    cmcf = ngx_rtmp_conf_get_module_main_conf(cf, ngx_rtmp_core_module);

    ch = ngx_array_push(&cmcf->amf);
    if (ch == NULL) {
        return NGX_ERROR;
    }

    ngx_str_set(&ch->name, "@setDataFrame");
    ch->handler = ngx_rtmp_sluice_meta;

    ch = ngx_array_push(&cmcf->amf);
    if (ch == NULL) {
        return NGX_ERROR;
    }

    ngx_str_set(&ch->name, "onMetaData");
    ch->handler = ngx_rtmp_sluice_meta;

    return NGX_OK;
}


/* in: the message after its name; never fails the connection */

static ngx_int_t
ngx_rtmp_sluice_meta(ngx_rtmp_session_t *s, ngx_rtmp_header_t *h,
    ngx_chain_t *in)
{
    size_t                  len;
    u_char                 *buf, *p;
    ngx_chain_t            *cl;
    sluice_status_t         rc;
    sluice_amf_metadata_t   md;
    ngx_rtmp_sluice_ctx_t  *ctx;

    ctx = ngx_rtmp_get_module_ctx(s, ngx_rtmp_sluice_module);

    if (ctx == NULL || !ctx->in.publishing) {
        return NGX_OK;
    }

    len = 0;

    for (cl = in; cl; cl = cl->next) {
        len += cl->buf->last - cl->buf->pos;
    }

    if (len == 0 || len > NGX_RTMP_SLUICE_META_MAX) {
        return NGX_OK;
    }

    buf = ngx_alloc(len, s->connection->log);
    if (buf == NULL) {
        return NGX_OK;
    }

    p = buf;

    for (cl = in; cl; cl = cl->next) {
        p = ngx_cpymem(p, cl->buf->pos, cl->buf->last - cl->buf->pos);
    }

    /* "@setDataFrame": "onMetaData" and the properties follow */

    rc = (buf[0] == SLUICE_AMF_STRING)
         ? sluice_amf_parse_metadata(buf, len, &md)
         : sluice_amf_parse_properties(buf, len, &md);

    if (ctx->source) {
        /* the transcoder's demuxer takes the frame rate from it */
        ngx_rtmp_sluice_transcode_meta(ctx, buf, len,
                                       buf[0] == SLUICE_AMF_STRING);
    }

    ngx_free(buf);

    if (rc == SLUICE_OK && (md.have & SLUICE_AMF_HAVE_LANGUAGE)) {
        ngx_rtmp_sluice_meta_lang(ctx, &md);
    }

    return NGX_OK;
}


static void
ngx_rtmp_sluice_meta_lang(ngx_rtmp_sluice_ctx_t *ctx,
    sluice_amf_metadata_t *md)
{
    size_t  len;

    len = ngx_min(md->language_len, sizeof(md->language) - 1);

    if (md->language_len >= sizeof(md->language)
        || !sluice_lang_valid((uint8_t *) md->language, len))
    {
        ngx_log_error(NGX_LOG_WARN, ctx->session->connection->log, 0,
                      "sluice: onMetaData language \"%*s\" of stream \"%s\" "
                      "is not a language tag Sluice takes, ignored",
                      len, md->language, ctx->in.stream);
        return;
    }

    if (ngx_strcmp(ctx->in.lang, md->language) == 0) {
        return;
    }

    if (ctx->in.video.configured || ctx->in.audio.configured) {
        ngx_log_error(NGX_LOG_WARN, ctx->session->connection->log, 0,
                      "sluice: onMetaData language \"%s\" of stream \"%s\" "
                      "came after its media, it applies to the next "
                      "publish", md->language, ctx->in.stream);
        return;
    }

    ngx_memcpy(ctx->in.lang, md->language, len + 1);
}
