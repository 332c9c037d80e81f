
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The body of a fragmented-MP4 ingest request, box by box
 * (media/container/sluice_fmp4.h): Smooth push (ftyp, live server
 * manifest, moov, then moof + mdat per track) and CMAF ingest (ftyp,
 * moov, then [styp] moof + mdat).  The moov's tracks become streams of
 * the core's ingest (core/ngx_sluice_ingest.h); each fragment's samples
 * go there as frames, in milliseconds of the track's timescale, as RTMP
 * frames do.  Cues (core/ngx_sluice_cue.h): a Smooth sparse track (hdlr
 * meta, sample entry scte: each sample is version, id,
 * presentation_time_delta and a splice_info_section, AMS's form) and
 * emsg boxes before a moof (version 0 times count from the fragment's,
 * version 1 times are absolute; SCTE 35 or timed metadata).  Other boxes
 * (styp, sidx, prft, free, mfra...) are skipped.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ingest/http/ngx_http_sluice_ingest_fmp4.h"
#include "core/ngx_sluice_cue.h"
#include "media/signal/sluice_adcue.h"
#include "media/signal/sluice_emsg.h"


#define ngx_http_sluice_fourcc(a, b, c, d)                                   \
    ((uint32_t) (a) << 24 | (uint32_t) (b) << 16 | (uint32_t) (c) << 8      \
     | (uint32_t) (d))

#define NGX_HTTP_SLUICE_BOX_MOOV  ngx_http_sluice_fourcc('m', 'o', 'o', 'v')
#define NGX_HTTP_SLUICE_BOX_MOOF  ngx_http_sluice_fourcc('m', 'o', 'o', 'f')
#define NGX_HTTP_SLUICE_BOX_MDAT  ngx_http_sluice_fourcc('m', 'd', 'a', 't')
#define NGX_HTTP_SLUICE_BOX_UUID  ngx_http_sluice_fourcc('u', 'u', 'i', 'd')
#define NGX_HTTP_SLUICE_BOX_EMSG  ngx_http_sluice_fourcc('e', 'm', 's', 'g')
#define NGX_HTTP_SLUICE_HDLR_META ngx_http_sluice_fourcc('m', 'e', 't', 'a')

/* emsg boxes kept for the next fragment, bytes at most */
#define NGX_HTTP_SLUICE_EMSG_MAX  65536

#define NGX_HTTP_SLUICE_SCTE35_SCHEME  "urn:scte:scte35:2013:bin"

#define ngx_http_sluice_rb32(p)                                              \
    ((uint32_t) (p)[0] << 24 | (uint32_t) (p)[1] << 16                      \
     | (uint32_t) (p)[2] << 8 | (uint32_t) (p)[3])


static ngx_int_t ngx_http_sluice_ingest_boxes(
    ngx_http_sluice_ingest_ctx_t *ctx);
static ngx_int_t ngx_http_sluice_ingest_box(ngx_http_sluice_ingest_ctx_t *ctx,
    uint32_t type, u_char *p, size_t size, size_t *used);
static ngx_int_t ngx_http_sluice_ingest_manifest(
    ngx_http_sluice_ingest_ctx_t *ctx, u_char *p, size_t size);
static ngx_int_t ngx_http_sluice_ingest_moov(ngx_http_sluice_ingest_ctx_t *ctx,
    u_char *p, size_t size);
static ngx_int_t ngx_http_sluice_ingest_track(
    ngx_http_sluice_ingest_ctx_t *ctx, ngx_uint_t i);
static ngx_sluice_ingest_t *ngx_http_sluice_ingest_stream(
    ngx_http_sluice_ingest_ctx_t *ctx, sluice_fmp4_track_t *tr);
static ngx_int_t ngx_http_sluice_ingest_fragment(
    ngx_http_sluice_ingest_ctx_t *ctx, u_char *moof, size_t moof_len,
    u_char *mdat, size_t mdat_len);
static void *ngx_http_sluice_ingest_alloc(void *data, size_t size);
static ngx_int_t ngx_http_sluice_ingest_emsg_keep(
    ngx_http_sluice_ingest_ctx_t *ctx, u_char *p, size_t size);
static void ngx_http_sluice_ingest_sparse(ngx_http_sluice_ingest_ctx_t *ctx,
    sluice_fmp4_fragment_t *f);
static void ngx_http_sluice_ingest_emsgs(ngx_http_sluice_ingest_ctx_t *ctx,
    ngx_sluice_ingest_t *in, sluice_fmp4_fragment_t *f);
static void ngx_http_sluice_ingest_cue(ngx_sluice_ingest_t *in,
    sluice_cue_t *cue, const u_char *section, size_t len, uint32_t id);


static const char *
ngx_http_sluice_ingest_status(sluice_status_t rc)
{
    switch (rc) {
    case SLUICE_UNSUPPORTED:
        return "unsupported";
    case SLUICE_NO_MEMORY:
        return "out of memory";
    default:
        return "malformed";
    }
}


ngx_int_t
ngx_http_sluice_ingest_fmp4_feed(ngx_http_sluice_ingest_ctx_t *ctx,
    u_char *p, size_t len)
{
    size_t   cap;
    u_char  *buf;

    ctx->received += len;

    if (ctx->len + len > ctx->cap) {
        if (ctx->len + len > ctx->max_fragment + 65536) {
            ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                          "sluice: ingest of \"%V\": a box of more than %uz "
                          "bytes, closing", &ctx->name, ctx->max_fragment);
            return NGX_ERROR;
        }

        cap = ngx_max(ctx->cap * 2, ctx->len + len);
        cap = ngx_max(cap, 256 * 1024);

        buf = ngx_alloc(cap, ctx->log);
        if (buf == NULL) {
            return NGX_ERROR;
        }

        if (ctx->buf) {
            ngx_memcpy(buf, ctx->buf, ctx->len);
            ngx_free(ctx->buf);
        }

        ctx->buf = buf;
        ctx->cap = cap;
    }

    ngx_memcpy(ctx->buf + ctx->len, p, len);
    ctx->len += len;

    return ngx_http_sluice_ingest_boxes(ctx);
}


/* every whole box at the front of the buffer (a moof with its mdat) */

static ngx_int_t
ngx_http_sluice_ingest_boxes(ngx_http_sluice_ingest_ctx_t *ctx)
{
    size_t           pos, hlen, used;
    uint32_t         type;
    uint64_t         size;
    ngx_int_t        rc;
    sluice_status_t  src;

    pos = 0;
    rc = NGX_OK;

    while (pos < ctx->len) {
        src = sluice_fmp4_box_header(ctx->buf + pos, ctx->len - pos, &type,
                                     &size, &hlen);

        if (src == SLUICE_AGAIN) {
            break;
        }

        if (src != SLUICE_OK || size > ctx->max_fragment) {
            ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                          "sluice: ingest of \"%V\": %s box of %uL bytes "
                          "after %O bytes, closing", &ctx->name,
                          src != SLUICE_OK ? "malformed" : "oversized",
                          src != SLUICE_OK ? 0 : size,
                          ctx->received - (off_t) (ctx->len - pos));
            rc = NGX_ERROR;
            break;
        }

        if (size > ctx->len - pos) {
            break;
        }

        rc = ngx_http_sluice_ingest_box(ctx, type, ctx->buf + pos,
                                        (size_t) size, &used);
        if (rc == NGX_AGAIN) {
            rc = NGX_OK;
            break;
        }

        if (rc != NGX_OK) {
            break;
        }

        pos += used;
    }

    if (pos) {
        ngx_memmove(ctx->buf, ctx->buf + pos, ctx->len - pos);
        ctx->len -= pos;
    }

    return rc;
}


/*
 * One whole box at p: *used bytes consumed, or NGX_AGAIN (a moof waits
 * for its mdat)
 */

static ngx_int_t
ngx_http_sluice_ingest_box(ngx_http_sluice_ingest_ctx_t *ctx, uint32_t type,
    u_char *p, size_t size, size_t *used)
{
    size_t           hlen, rest;
    uint32_t         next;
    uint64_t         mdat;
    sluice_status_t  src;

    *used = size;

    switch (type) {

    case NGX_HTTP_SLUICE_BOX_UUID:
        if (sluice_fmp4_is_manifest(p, size)) {
            return ngx_http_sluice_ingest_manifest(ctx, p, size);
        }

        return NGX_OK;

    case NGX_HTTP_SLUICE_BOX_MOOV:
        return ngx_http_sluice_ingest_moov(ctx, p, size);

    case NGX_HTTP_SLUICE_BOX_EMSG:
        return ngx_http_sluice_ingest_emsg_keep(ctx, p, size);

    case NGX_HTTP_SLUICE_BOX_MOOF:
        break;

    default:
        return NGX_OK;      /* ftyp, styp, sidx, prft, free, mfra, mdat... */
    }

    /* a moof and the mdat after it */

    rest = ctx->buf + ctx->len - (p + size);

    src = sluice_fmp4_box_header(p + size, rest, &next, &mdat, &hlen);

    if (src == SLUICE_AGAIN) {
        return NGX_AGAIN;
    }

    if (src != SLUICE_OK || next != NGX_HTTP_SLUICE_BOX_MDAT
        || mdat > ctx->max_fragment)
    {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "sluice: ingest of \"%V\": a moof without its mdat, "
                      "closing", &ctx->name);
        return NGX_ERROR;
    }

    if (mdat > rest) {
        return NGX_AGAIN;
    }

    *used = size + (size_t) mdat;

    return ngx_http_sluice_ingest_fragment(ctx, p, size, p + size,
                                           (size_t) mdat);
}


/* the Smooth live server manifest: bitrates, languages, names */

static ngx_int_t
ngx_http_sluice_ingest_manifest(ngx_http_sluice_ingest_ctx_t *ctx, u_char *p,
    size_t size)
{
    if (ctx->header) {
        return NGX_OK;      /* only the one before the moov counts */
    }

    ctx->manifest = ngx_pnalloc(ctx->pool, size);
    if (ctx->manifest == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(ctx->manifest, p, size);
    ctx->manifest_len = size;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_ingest_moov(ngx_http_sluice_ingest_ctx_t *ctx, u_char *p,
    size_t size)
{
    ngx_uint_t       i, sparse;
    sluice_status_t  src;

    ctx->req_moov++;

    if (ctx->header) {
        /* CMAF ingest: a header again on the same connection */

        if (size == ctx->moov_len
            && ngx_memcmp(p, ctx->moov_bytes, size) == 0)
        {
            return NGX_OK;
        }

        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "sluice: ingest of \"%V\": another moov on the "
                      "same connection, closing", &ctx->name);
        return NGX_ERROR;
    }

    ctx->moov_bytes = ngx_pnalloc(ctx->pool, size);
    if (ctx->moov_bytes == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(ctx->moov_bytes, p, size);
    ctx->moov_len = size;

    src = sluice_fmp4_moov_parse(p, size, &ctx->moov);

    if (src == SLUICE_OK && ctx->manifest) {
        src = sluice_fmp4_manifest_apply(ctx->manifest, ctx->manifest_len,
                                         &ctx->moov);
    }

    if (src != SLUICE_OK) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "sluice: ingest of \"%V\": %s moov (%s), closing",
                      &ctx->name, ngx_http_sluice_ingest_status(src),
                      src == SLUICE_UNSUPPORTED ? "more than 8 tracks?"
                                                : "a box outside its parent, "
                                                  "or a timescale of 0");
        return NGX_ERROR;
    }

    ctx->header = 1;
    sparse = 0;

    for (i = 0; i < ctx->moov.ntracks; i++) {
        if (ngx_http_sluice_ingest_track(ctx, i) != NGX_OK) {
            return NGX_ERROR;
        }

        sparse += ctx->sparse[i];
    }

    if (ctx->nstreams == 0 && sparse) {
        /* a sparse track alone (AMS: a short POST of its own) */
        ctx->nstreams = 1;
    }

    if (ctx->nstreams == 0) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "sluice: ingest of \"%V\": no video or audio track, "
                      "closing", &ctx->name);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* track i of the moov: its stream, its configuration */

static ngx_int_t
ngx_http_sluice_ingest_track(ngx_http_sluice_ingest_ctx_t *ctx, ngx_uint_t i)
{
    sluice_fmp4_track_t        *tr;
    sluice_track_info_t         info;
    ngx_sluice_ingest_t        *in;
    ngx_sluice_ingest_track_t  *t;

    tr = &ctx->moov.tracks[i];

    if (tr->handler == NGX_HTTP_SLUICE_HDLR_META
        && ngx_strcmp(tr->info.codec_string, "scte") == 0)
    {
        ngx_log_error(NGX_LOG_INFO, ctx->log, 0,
                      "sluice: ingest of \"%V\": track %uD is a sparse "
                      "track of SCTE 35 cues", &ctx->name, tr->track_id);
        ctx->sparse[i] = 1;
        return NGX_OK;
    }

    if (tr->info.media_type != SLUICE_MEDIA_VIDEO
        && tr->info.media_type != SLUICE_MEDIA_AUDIO)
    {
        ngx_log_error(NGX_LOG_INFO, ctx->log, 0,
                      "sluice: ingest of \"%V\": track %uD is neither video "
                      "nor audio, skipped", &ctx->name, tr->track_id);
        return NGX_OK;
    }

    if (tr->info.codec == SLUICE_CODEC_NONE
        || (tr->info.media_type == SLUICE_MEDIA_AUDIO
            && tr->info.codec != SLUICE_CODEC_AAC)
        || (tr->info.media_type == SLUICE_MEDIA_VIDEO
            && tr->info.codec == SLUICE_CODEC_AAC))
    {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "sluice: ingest of \"%V\" refused: unsupported %s "
                      "codec \"%s\" in track %uD (H.264, H.265 and AAC are "
                      "taken), live event \"%s\"", &ctx->name,
                      tr->info.media_type == SLUICE_MEDIA_VIDEO ? "video"
                                                                : "audio",
                      tr->info.codec_string, tr->track_id,
                      ctx->streams[0]->event_name);
        return NGX_ERROR;
    }

    in = ngx_http_sluice_ingest_stream(ctx, tr);
    if (in == NULL) {
        return NGX_ERROR;
    }

    t = (tr->info.media_type == SLUICE_MEDIA_VIDEO) ? &in->video : &in->audio;

    /* the core's timescales: 90 kHz video, the sampling rate for audio */

    info = tr->info;

    if (info.media_type == SLUICE_MEDIA_VIDEO) {
        info.timescale = 90000;

    } else {
        info.timescale = info.sample_rate;
    }

    if (info.timescale == 0) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "sluice: ingest of \"%V\": track %uD has no sampling "
                      "rate, closing", &ctx->name, tr->track_id);
        return NGX_ERROR;
    }

    t->declared = info.bitrate;

    ctx->stream_of[i] = in;
    ctx->track_of[i] = t;

    return ngx_sluice_ingest_configure(in, t, &info);
}


/*
 * The stream a track joins: the first video and the first audio track
 * share the request's stream; every other track gets one of its own,
 * admitted as "{name}_{trackID}"
 */

static ngx_sluice_ingest_t *
ngx_http_sluice_ingest_stream(ngx_http_sluice_ingest_ctx_t *ctx,
    sluice_fmp4_track_t *tr)
{
    u_char                     *p;
    const char                 *reason;
    ngx_sluice_ingest_t        *in, *first;
    ngx_sluice_ingest_track_t  *t;

    first = ctx->streams[0];
    t = (tr->info.media_type == SLUICE_MEDIA_VIDEO) ? &first->video
                                                    : &first->audio;

    if (!t->configured) {
        if (ctx->nstreams == 0) {
            ctx->nstreams = 1;
        }

        return first;
    }

    if (ctx->nstreams == NGX_HTTP_SLUICE_INGEST_MAX_STREAMS) {
        return NULL;
    }

    in = ngx_pcalloc(ctx->pool, sizeof(ngx_sluice_ingest_t));
    if (in == NULL) {
        return NULL;
    }

    ngx_sluice_ingest_init(in);

    in->log = first->log;
    in->pool = first->pool;
    in->zone = first->zone;
    in->protocol = first->protocol;
    in->ring = first->ring;
    in->max_fragment = first->max_fragment;
    in->thread_pool = first->thread_pool;
    in->resend = first->resend;

    p = ngx_snprintf(in->stream, NGX_SLUICE_STREAM_LEN, "%V_%uD",
                     &ctx->name, tr->track_id);
    *p = '\0';
    in->stream_len = p - in->stream;

    ctx->streams[ctx->nstreams++] = in;

    if (ngx_sluice_ingest_attach(in, &ctx->token,
                                 ctx->sockaddr, NULL,
                                 NULL, &reason)
        != NGX_OK)
    {
        return NULL;
    }

    return in;
}


/* one moof + mdat: its samples, as frames of their track */

static ngx_int_t
ngx_http_sluice_ingest_fragment(ngx_http_sluice_ingest_ctx_t *ctx,
    u_char *moof, size_t moof_len, u_char *mdat, size_t mdat_len)
{
    int32_t                     cts;
    uint32_t                    i, timescale;
    uint64_t                    ms;
    ngx_int_t                   rc;
    sluice_alloc_t              a;
    sluice_sample_t            *s;
    sluice_status_t             src;
    ngx_sluice_ingest_t        *in;
    sluice_fmp4_fragment_t      f;
    ngx_sluice_ingest_track_t  *t;

    if (!ctx->header) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "sluice: ingest of \"%V\": a moof before the moov, "
                      "closing", &ctx->name);
        ctx->no_header = 1;
        return NGX_ERROR;
    }

    a.alloc = ngx_http_sluice_ingest_alloc;
    a.ctx = ctx;

    src = sluice_fmp4_fragment_parse(&ctx->moov, moof, moof_len, mdat,
                                     mdat_len, &a, &f);

    if (src != SLUICE_OK) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "sluice: ingest of \"%V\": %s fragment (moof of %uz, "
                      "mdat of %uz bytes), closing", &ctx->name,
                      ngx_http_sluice_ingest_status(src), moof_len, mdat_len);
        return NGX_ERROR;
    }

    ctx->fragments++;
    ctx->req_fragments++;

    if (ctx->sparse[f.track]) {
        ngx_http_sluice_ingest_sparse(ctx, &f);
        ngx_http_sluice_ingest_emsgs(ctx, ctx->streams[0], &f);
        return NGX_OK;
    }

    in = ctx->stream_of[f.track];
    t = ctx->track_of[f.track];

    if (in == NULL) {
        ngx_http_sluice_ingest_emsgs(ctx, ctx->streams[0], &f);
        return NGX_OK;      /* a track skipped */
    }

    timescale = ctx->moov.tracks[f.track].info.timescale;

    for (i = 0; i < f.frag.nsamples; i++) {
        s = &f.frag.samples[i];

        if ((int64_t) s->dts < 0) {
            continue;       /* before 0: AAC priming of ffmpeg */
        }

        ms = sluice_rescale(s->dts, timescale, 1000);
        cts = (int32_t) ((int64_t) s->cts * 1000 / (int64_t) timescale);

        rc = ngx_sluice_ingest_frame(in, t, (uint32_t) ms, cts,
                                     s->flags & SLUICE_SAMPLE_KEY,
                                     s->data, s->size);
        if (rc != NGX_OK) {
            return NGX_ERROR;
        }
    }

    /* the emsg boxes before it, now that its stream has frames */

    ngx_http_sluice_ingest_emsgs(ctx, in, &f);

    return NGX_OK;
}


/* an emsg box (whole): kept for the fragment that follows it */

static ngx_int_t
ngx_http_sluice_ingest_emsg_keep(ngx_http_sluice_ingest_ctx_t *ctx,
    u_char *p, size_t size)
{
    if (ctx->emsg_len + size > NGX_HTTP_SLUICE_EMSG_MAX) {
        ngx_log_error(NGX_LOG_WARN, ctx->log, 0,
                      "sluice: ingest of \"%V\": more than %d bytes of "
                      "emsg boxes before a fragment, one of %uz dropped",
                      &ctx->name, NGX_HTTP_SLUICE_EMSG_MAX, size);
        return NGX_OK;
    }

    if (ctx->emsg == NULL) {
        ctx->emsg = ngx_alloc(NGX_HTTP_SLUICE_EMSG_MAX, ctx->log);
        if (ctx->emsg == NULL) {
            return NGX_ERROR;
        }
    }

    ngx_memcpy(ctx->emsg + ctx->emsg_len, p, size);
    ctx->emsg_len += size;

    return NGX_OK;
}


/*
 * The samples of a sparse track (AMS): u32 version, u32 id,
 * u32 presentation_time_delta (track timescale, after the sample's
 * time), then a binary splice_info_section.  The sample's duration, when
 * not 0, is the event's.
 */

static void
ngx_http_sluice_ingest_sparse(ngx_http_sluice_ingest_ctx_t *ctx,
    sluice_fmp4_fragment_t *f)
{
    uint32_t          i, id, delta, timescale;
    sluice_cue_t      cue;
    sluice_sample_t  *s;

    timescale = ctx->moov.tracks[f->track].info.timescale;

    for (i = 0; i < f->frag.nsamples; i++) {
        s = &f->frag.samples[i];

        if (s->size < 12) {
            ngx_log_error(NGX_LOG_WARN, ctx->log, 0,
                          "sluice: live event \"%s\": a sample of %uD "
                          "bytes of the sparse track of \"%V\" is no "
                          "cue, dropped", ctx->streams[0]->event_name,
                          s->size, &ctx->name);
            continue;
        }

        id = ngx_http_sluice_rb32(s->data + 4);
        delta = ngx_http_sluice_rb32(s->data + 8);

        ngx_memzero(&cue, sizeof(sluice_cue_t));

        cue.source = SLUICE_CUE_FROM_SPARSE;
        cue.has_time = 1;
        cue.time = sluice_rescale(s->dts + delta, timescale, 1000);
        cue.duration = sluice_rescale(s->duration, timescale, 1000);

        ngx_http_sluice_ingest_cue(ctx->streams[0], &cue, s->data + 12,
                                   s->size - 12, id);
    }
}


/* the emsg boxes kept for fragment f of stream in */

static void
ngx_http_sluice_ingest_emsgs(ngx_http_sluice_ingest_ctx_t *ctx,
    ngx_sluice_ingest_t *in, sluice_fmp4_fragment_t *f)
{
    size_t            pos, used;
    uint64_t          start;
    uint32_t          timescale;
    const char       *reason;
    sluice_cue_t      cue;
    sluice_emsg_t     e;
    sluice_sample_t  *s;

    if (ctx->emsg_len == 0) {
        return;
    }

    /* version 0 times count from the fragment's earliest presentation */

    s = &f->frag.samples[0];
    timescale = ctx->moov.tracks[f->track].info.timescale;
    start = sluice_rescale(s->dts + (int64_t) s->cts, timescale, 1000);

    for (pos = 0; pos < ctx->emsg_len; pos += used) {
        reason = "";

        if (sluice_emsg_parse(&e, ctx->emsg + pos, ctx->emsg_len - pos,
                              &used, &reason)
            != SLUICE_OK)
        {
            ngx_log_error(NGX_LOG_WARN, ctx->log, 0,
                          "sluice: live event \"%s\": an emsg box of "
                          "\"%V\" dropped: %s", in->event_name, &ctx->name,
                          reason);
            break;
        }

        if (e.timescale == 0) {
            ngx_log_error(NGX_LOG_WARN, ctx->log, 0,
                          "sluice: live event \"%s\": an emsg box of "
                          "\"%V\" dropped: timescale 0", in->event_name,
                          &ctx->name);
            continue;
        }

        ngx_memzero(&cue, sizeof(sluice_cue_t));

        cue.source = SLUICE_CUE_FROM_EMSG;
        cue.has_time = 1;
        cue.time = (e.version == 1)
                   ? sluice_rescale(e.presentation_time, e.timescale, 1000)
                   : start + sluice_rescale(e.presentation_time, e.timescale,
                                            1000);

        if (e.event_duration != SLUICE_EMSG_DURATION_UNKNOWN) {
            cue.duration = sluice_rescale(e.event_duration, e.timescale,
                                          1000);
        }

        if (e.scheme_id_uri.len == sizeof(NGX_HTTP_SLUICE_SCTE35_SCHEME) - 1
            && ngx_strncmp(e.scheme_id_uri.data,
                           NGX_HTTP_SLUICE_SCTE35_SCHEME,
                           e.scheme_id_uri.len) == 0)
        {
            ngx_http_sluice_ingest_cue(in, &cue, e.message_data.data,
                                       e.message_data.len, e.id);
            continue;
        }

        /* anything else is timed metadata (ID3...) */

        cue.kind = SLUICE_CUE_METADATA;
        cue.scheme_id_uri = e.scheme_id_uri;
        cue.value = e.value;
        cue.data = e.message_data;

        ngx_http_sluice_ingest_cue(in, &cue, NULL, 0, e.id);
    }

    ctx->emsg_len = 0;
}


/*
 * cue, with its time, source and the rest set, to the event: its id
 * (decimal), and with a section its kind from it
 */

static void
ngx_http_sluice_ingest_cue(ngx_sluice_ingest_t *in, sluice_cue_t *cue,
    const u_char *section, size_t len, uint32_t id)
{
    u_char      *p, buf[NGX_INT32_LEN], made[32];
    const char  *reason;

    p = ngx_sprintf(buf, "%uD", id);
    cue->id.data = buf;
    cue->id.len = p - buf;

    if (section) {
        reason = "";

        if (sluice_adcue_from_section(cue, section, len, made, sizeof(made),
                                      &reason)
            != SLUICE_OK)
        {
            ngx_log_error(NGX_LOG_WARN, in->log, 0,
                          "sluice: live event \"%s\": a cue of stream "
                          "\"%s\" dropped: %s", in->event_name, in->stream,
                          reason);
            return;
        }
    }

    if (cue->duration > SLUICE_CUE_MAX_DURATION) {
        ngx_log_error(NGX_LOG_WARN, in->log, 0,
                      "sluice: live event \"%s\": a cue of stream \"%s\" "
                      "dropped: duration over 24 hours", in->event_name,
                      in->stream);
        return;
    }

    (void) ngx_sluice_cue_ingest(in, cue, 0, NGX_SLUICE_CUE_SPARSE);
}


/*
 * The samples array of a fragment (the parser's one allocation), in a
 * buffer reused by the next fragment: a 24x7 request does not grow
 */

static void *
ngx_http_sluice_ingest_alloc(void *data, size_t size)
{
    ngx_http_sluice_ingest_ctx_t  *ctx = data;

    if (size > ctx->scratch_cap) {
        if (ctx->scratch) {
            ngx_free(ctx->scratch);
        }

        ctx->scratch_cap = ngx_max(size, 4096);
        ctx->scratch = ngx_alloc(ctx->scratch_cap,
                                 ctx->log);

        if (ctx->scratch == NULL) {
            ctx->scratch_cap = 0;
        }
    }

    return ctx->scratch;
}


void
ngx_http_sluice_ingest_fmp4_finish(ngx_http_sluice_ingest_ctx_t *ctx)
{
    ngx_uint_t  i;

    ctx->done = 1;

    for (i = 0; i < NGX_HTTP_SLUICE_INGEST_MAX_STREAMS; i++) {
        if (ctx->streams[i] && ctx->streams[i]->publishing) {
            ngx_sluice_ingest_finish(ctx->streams[i]);
        }
    }
}


void
ngx_http_sluice_ingest_fmp4_free(ngx_http_sluice_ingest_ctx_t *ctx)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_HTTP_SLUICE_INGEST_MAX_STREAMS; i++) {
        if (ctx->streams[i]) {
            ngx_sluice_ingest_free(ctx->streams[i]);
        }
    }

    if (ctx->buf) {
        ngx_free(ctx->buf);
        ctx->buf = NULL;
    }

    if (ctx->scratch) {
        ngx_free(ctx->scratch);
        ctx->scratch = NULL;
    }

    if (ctx->emsg) {
        ngx_free(ctx->emsg);
        ctx->emsg = NULL;
    }
}
