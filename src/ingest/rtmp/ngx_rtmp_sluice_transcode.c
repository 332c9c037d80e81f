
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Live encoding in the worker of the contribution feed; see
 * ngx_rtmp_sluice_transcode.h.
 *
 *   feed --RTMP--> worker: timeline ms (as pass-through), FLV tags
 *     queue (bounded; full: dropped up to the next keyframe)
 *     --pipe--> sluice_transcoder (stdin)          one per event,
 *     <--pipe-- status lines (stdout, stderr)      restarted when it dies
 *   sluice_transcoder --RTMP--> any worker: "{token}/sluice-v{n}",
 *     "sluice-a{n}" with ?sluice_key={key}: layers, fragmented as usual
 *
 * The process is the worker's child: it dies with the worker
 * (PR_SET_PDEATHSIG) and with its feed (stdin EOF); nginx's SIGCHLD
 * handler reaps it; its end is seen as EOF on its output.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_rtmp.h>

#if (NGX_LINUX)
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#endif

#include "core/ngx_sluice_cue.h"
#include "core/ngx_sluice_index.h"
#include "core/ngx_sluice_ladder.h"
#include "ingest/rtmp/ngx_rtmp_sluice_module.h"
#include "ingest/rtmp/ngx_rtmp_sluice_transcode.h"
#include "ingest/rtmp/ngx_rtmp_sluice_ssl.h"


#define NGX_RTMP_SLUICE_XC_QUEUE      (8 * 1024 * 1024)
#define NGX_RTMP_SLUICE_XC_LINE       1024
#define NGX_RTMP_SLUICE_XC_MAX_ARGS   40
#define NGX_RTMP_SLUICE_XC_DELAY      250       /* first restart, ms */
#define NGX_RTMP_SLUICE_XC_MAX_DELAY  10000
#define NGX_RTMP_SLUICE_XC_KILL       15000     /* after the feed ended */
#define NGX_RTMP_SLUICE_XC_NOTICE     10000     /* progress lines, ms */
#define NGX_RTMP_SLUICE_XC_HANG       20000     /* silent this long: hung */
#define NGX_RTMP_SLUICE_XC_SPLICES    16        /* splice points ahead */


typedef struct ngx_rtmp_sluice_xtag_s  ngx_rtmp_sluice_xtag_t;

struct ngx_rtmp_sluice_xtag_s {
    ngx_rtmp_sluice_xtag_t     *next;
    size_t                      len;
    u_char                      data[1];
};


typedef struct ngx_rtmp_sluice_xc_s {
    ngx_queue_t                 queue;          /* the worker's */
    ngx_rtmp_sluice_ctx_t      *ctx;            /* NULL: the feed ended */

    u_char                      event_id[NGX_SLUICE_ID_LEN + 1];
    u_char                      event_name[NGX_SLUICE_NAME_LEN + 1];
    uint32_t                    generation;

    /* the command line, made at the first message */
    char                       *argv[NGX_RTMP_SLUICE_XC_MAX_ARGS];
    u_char                     *args;

    ngx_pid_t                   pid;
    ngx_connection_t           *in;             /* its stdin */
    ngx_connection_t           *out;            /* its stdout and stderr */
    ngx_event_t                 respawn;
    ngx_event_t                 kill;
    ngx_event_t                 watchdog;
    ngx_msec_t                  heard;          /* its last line */
    ngx_msec_t                  started;
    ngx_msec_t                  delay;

    /* FLV tags to write; the head may be partly written */
    ngx_rtmp_sluice_xtag_t     *head;
    ngx_rtmp_sluice_xtag_t    **tail;
    size_t                      queued;
    size_t                      sent;           /* of the head */

    /*
     * the feed since its last video keyframe: a restarted transcoder
     * begins there, not at the next one (NULL: none, or too large)
     */
    ngx_rtmp_sluice_xtag_t     *gop;
    ngx_rtmp_sluice_xtag_t    **gop_tail;
    size_t                      gop_size;

    /* onMetaData, the last sequence headers: sent again at each start */
    ngx_rtmp_sluice_xtag_t     *meta;
    ngx_rtmp_sluice_xtag_t     *avc;
    ngx_rtmp_sluice_xtag_t     *aac;

    u_char                      line[NGX_RTMP_SLUICE_XC_LINE];
    size_t                      line_len;

    ngx_msec_t                  checked;        /* the event, last */
    ngx_msec_t                  noticed;        /* progress, last logged */
    ngx_msec_t                  warned;         /* skips, last logged */
    ngx_uint_t                  skips;          /* since warned */

    /*
     * splice points ahead of the feed (sluice_splice_conditioning), in
     * time order, told again to a transcoder that starts again
     */
    int64_t                     splice[NGX_RTMP_SLUICE_XC_SPLICES];
    ngx_uint_t                  nsplices;

    unsigned                    need_key:1;     /* start at a keyframe */
    unsigned                    header:1;       /* FLV header written */
} ngx_rtmp_sluice_xc_t;


static ngx_rtmp_sluice_xc_t *ngx_rtmp_sluice_xc_create(
    ngx_rtmp_sluice_ctx_t *ctx, ngx_sluice_event_t *ev);
static ngx_int_t ngx_rtmp_sluice_xc_args(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_rtmp_sluice_xc_t *xc);
static ngx_int_t ngx_rtmp_sluice_xc_address(ngx_rtmp_session_t *s,
    ngx_str_t *addr);
static ngx_int_t ngx_rtmp_sluice_xc_spawn(ngx_rtmp_sluice_xc_t *xc);
static void ngx_rtmp_sluice_xc_child(ngx_rtmp_sluice_xc_t *xc, int in,
    int out);
static ngx_int_t ngx_rtmp_sluice_xc_check(ngx_rtmp_sluice_ctx_t *ctx);
static ngx_int_t ngx_rtmp_sluice_xc_queue(ngx_rtmp_sluice_xc_t *xc,
    ngx_uint_t type, int64_t time, u_char *p, size_t len);
static ngx_rtmp_sluice_xtag_t *ngx_rtmp_sluice_xc_tag(ngx_uint_t type,
    int64_t time, u_char *p, size_t len);
static void ngx_rtmp_sluice_xc_push(ngx_rtmp_sluice_xc_t *xc,
    ngx_rtmp_sluice_xtag_t *tag);
static ngx_int_t ngx_rtmp_sluice_xc_resend(ngx_rtmp_sluice_xc_t *xc,
    ngx_rtmp_sluice_xtag_t *seq, int64_t time);
static void ngx_rtmp_sluice_xc_overflow(ngx_rtmp_sluice_xc_t *xc);
static void ngx_rtmp_sluice_xc_keep(ngx_rtmp_sluice_xc_t *xc,
    ngx_uint_t type, int64_t time, ngx_uint_t key, u_char *p, size_t len);
static ngx_int_t ngx_rtmp_sluice_xc_replay(ngx_rtmp_sluice_xc_t *xc);
static ngx_int_t ngx_rtmp_sluice_xc_splice_add(ngx_rtmp_sluice_xc_t *xc,
    int64_t time);
static ngx_uint_t ngx_rtmp_sluice_xc_splice_known(ngx_rtmp_sluice_xc_t *xc,
    int64_t time);
static void ngx_rtmp_sluice_xc_splice_past(ngx_rtmp_sluice_xc_t *xc,
    int64_t time);
static ngx_int_t ngx_rtmp_sluice_xc_splice_tag(ngx_rtmp_sluice_xc_t *xc,
    int64_t now, int64_t time);
static ngx_int_t ngx_rtmp_sluice_xc_splices(ngx_rtmp_sluice_xc_t *xc,
    int64_t now);
static void ngx_rtmp_sluice_xc_free_gop(ngx_rtmp_sluice_xc_t *xc);
static void ngx_rtmp_sluice_xc_flush(ngx_rtmp_sluice_xc_t *xc);
static void ngx_rtmp_sluice_xc_write_handler(ngx_event_t *wev);
static void ngx_rtmp_sluice_xc_read_handler(ngx_event_t *rev);
static void ngx_rtmp_sluice_xc_line(ngx_rtmp_sluice_xc_t *xc, u_char *p,
    size_t len);
static void ngx_rtmp_sluice_xc_progress(ngx_rtmp_sluice_xc_t *xc,
    u_char *p, u_char *last);
static void ngx_rtmp_sluice_xc_gone(ngx_rtmp_sluice_xc_t *xc);
static void ngx_rtmp_sluice_xc_respawn_handler(ngx_event_t *ev);
static void ngx_rtmp_sluice_xc_kill_handler(ngx_event_t *ev);
static void ngx_rtmp_sluice_xc_watchdog_handler(ngx_event_t *ev);
static void ngx_rtmp_sluice_xc_drop(ngx_rtmp_sluice_xc_t *xc,
    ngx_uint_t keep_head);
static void ngx_rtmp_sluice_xc_close_in(ngx_rtmp_sluice_xc_t *xc);
static void ngx_rtmp_sluice_xc_free(ngx_rtmp_sluice_xc_t *xc);
static void ngx_rtmp_sluice_xc_status(ngx_rtmp_sluice_xc_t *xc,
    ngx_uint_t owner_gone);
static void ngx_rtmp_sluice_xc_new_key(u_char *key);


/* the transcoders of this worker, running or not */
static ngx_queue_t  ngx_rtmp_sluice_xcs;
static ngx_uint_t   ngx_rtmp_sluice_xcs_init;


static const char  *ngx_rtmp_sluice_xc_stretch[] = {
    "none", "autosize", "autofit"
};


/* admission (zone mutex held) */

const char *
ngx_rtmp_sluice_transcode_admit(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_sluice_event_t *ev)
{
    uint64_t                      end;
    ngx_uint_t                    i;
    ngx_sluice_track_t           *tr;
    ngx_sluice_zone_ctx_t        *zctx;
    ngx_sluice_transcode_t       *xt;
    ngx_sluice_transcode_conf_t  *tc;

    xt = &ev->transcode;

    if (ngx_strncmp(ctx->in.stream, NGX_RTMP_SLUICE_LAYER_PREFIX,
                    sizeof(NGX_RTMP_SLUICE_LAYER_PREFIX) - 1) == 0)
    {
        if (xt->key[0] == '\0' || ngx_strcmp(ctx->xkey, xt->key) != 0) {
            return "stream names \"" NGX_RTMP_SLUICE_LAYER_PREFIX "...\" "
                   "are the transcoder's, and the key is not the live "
                   "event's";
        }

        /* its timestamps are the timeline already */

        ctx->in.layer = 1;
        ctx->in.offset = 0;

        return NULL;
    }

    zctx = ngx_rtmp_sluice_zone->data;
    tc = zctx->transcode;

    if (tc == NULL || tc->path.len == 0) {
        return "live encoding needs \"sluice_transcoder\" in nginx.conf";
    }

    if (ngx_sluice_ladder_find(tc, ev->preset, ngx_strlen(ev->preset))
        == NULL)
    {
        return "the live event's presetName is not a ladder of nginx.conf";
    }

    if (xt->owner != 0
        && (xt->owner == ngx_pid || kill(xt->owner, 0) == 0
            || ngx_errno == NGX_EPERM))
    {
        return "a live encoding event takes one contribution stream, and "
               "one is publishing";
    }

    ctx->xc = ngx_rtmp_sluice_xc_create(ctx, ev);
    if (ctx->xc == NULL) {
        return "out of memory";
    }

    ngx_memzero(xt, sizeof(ngx_sluice_transcode_t));
    xt->owner = ngx_pid;
    ngx_rtmp_sluice_xc_new_key(xt->key);

    ctx->source = 1;

    /* the timeline goes on after what the layers stored */

    ctx->in.reconnect = 0;
    ctx->in.stored_end = 0;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &ev->tracks[i];

        if (tr->state == NGX_SLUICE_TRACK_FREE || !tr->appended) {
            continue;
        }

        ctx->in.reconnect = 1;

        end = ngx_sluice_track_end_ms(tr);
        if (end > ctx->in.stored_end) {
            ctx->in.stored_end = end;
        }
    }

    if (ev->record_end_ms > ctx->in.stored_end) {
        ctx->in.reconnect = 1;
        ctx->in.stored_end = ev->record_end_ms;
    }

    return NULL;
}


static ngx_rtmp_sluice_xc_t *
ngx_rtmp_sluice_xc_create(ngx_rtmp_sluice_ctx_t *ctx, ngx_sluice_event_t *ev)
{
    ngx_rtmp_sluice_xc_t  *xc;

    xc = ngx_calloc(sizeof(ngx_rtmp_sluice_xc_t), ngx_cycle->log);
    if (xc == NULL) {
        return NULL;
    }

    if (!ngx_rtmp_sluice_xcs_init) {
        ngx_queue_init(&ngx_rtmp_sluice_xcs);
        ngx_rtmp_sluice_xcs_init = 1;
    }

    ngx_queue_insert_tail(&ngx_rtmp_sluice_xcs, &xc->queue);

    xc->ctx = ctx;
    ngx_memcpy(xc->event_id, ev->id, sizeof(xc->event_id));
    ngx_memcpy(xc->event_name, ev->name, sizeof(xc->event_name));
    xc->generation = ev->generation;
    xc->tail = &xc->head;
    xc->gop_tail = &xc->gop;
    xc->delay = NGX_RTMP_SLUICE_XC_DELAY;
    xc->need_key = 1;

    xc->respawn.handler = ngx_rtmp_sluice_xc_respawn_handler;
    xc->respawn.data = xc;
    xc->respawn.log = ngx_cycle->log;
    xc->respawn.cancelable = 1;

    xc->kill.handler = ngx_rtmp_sluice_xc_kill_handler;
    xc->kill.data = xc;
    xc->kill.log = ngx_cycle->log;
    xc->kill.cancelable = 1;

    xc->watchdog.handler = ngx_rtmp_sluice_xc_watchdog_handler;
    xc->watchdog.data = xc;
    xc->watchdog.log = ngx_cycle->log;
    xc->watchdog.cancelable = 1;

    return xc;
}


/* one message of the feed: to the transcoder, on the timeline */

ngx_int_t
ngx_rtmp_sluice_transcode_av(ngx_rtmp_sluice_ctx_t *ctx, ngx_uint_t type,
    uint32_t timestamp, u_char *p, size_t len)
{
    int64_t                   tl;
    ngx_uint_t                video, seq, key;
    ngx_rtmp_sluice_xc_t     *xc;
    ngx_rtmp_sluice_xtag_t  **saved;

    xc = ctx->xc;

    if (xc == NULL || len < 2) {
        return NGX_OK;
    }

    if (ngx_rtmp_sluice_xc_check(ctx) != NGX_OK) {
        return NGX_ERROR;
    }

    video = (type == NGX_RTMP_MSG_VIDEO);

    /*
     * FFmpeg's FLV demuxer (5.1) reads codec 7 only: Enhanced RTMP's
     * ex-header (H.265, AV1, VP9) and the other codec ids are refused
     */

    if (video && ((p[0] & 0x80) || (p[0] & 0x0f) != 7)) {
        ngx_log_error(NGX_LOG_ERR, ctx->in.log, 0,
                      "sluice: live event \"%s\", stream \"%s\": live "
                      "encoding takes H.264 video (FLV codec 7), not %s; "
                      "connection closed", ctx->in.event_name,
                      ctx->in.stream,
                      (p[0] & 0x80) ? "Enhanced RTMP (H.265, AV1, VP9)"
                                    : "this FLV codec");
        return NGX_ERROR;
    }

    if (ngx_sluice_ingest_timeline(&ctx->in,
                                   video ? &ctx->in.video : &ctx->in.audio,
                                   timestamp, &tl)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (video) {
        seq = ((p[0] & 0x0f) == 7 && p[1] == 0);    /* AVC, sequence hdr */
        key = ((p[0] >> 4) == 1 && !seq);
        saved = &xc->avc;

    } else {
        seq = ((p[0] >> 4) == 10 && p[1] == 0);     /* AAC, sequence hdr */
        key = 0;
        saved = &xc->aac;
    }

    if (seq) {
        if (*saved) {
            ngx_free(*saved);
        }

        *saved = ngx_rtmp_sluice_xc_tag(video ? 9 : 8, 0, p, len);
        if (*saved == NULL) {
            return NGX_ERROR;
        }
    }

    if (!seq) {
        ngx_rtmp_sluice_xc_keep(xc, video ? 9 : 8, tl, key, p, len);
    }

    if (key) {
        /* a transcoder started again begins here at the earliest */
        ngx_rtmp_sluice_xc_splice_past(xc, tl);
    }

    if (xc->args == NULL) {
        if (ngx_rtmp_sluice_xc_args(ctx, xc) != NGX_OK
            || ngx_rtmp_sluice_xc_spawn(xc) != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (xc->in == NULL) {
        return NGX_OK;          /* not running: what comes is dropped */
    }

    if (xc->need_key) {
        /* begin at a video keyframe (at once without video) */

        if (seq || (xc->avc && !key) || (xc->avc == NULL && video)) {
            return NGX_OK;
        }

        if (ngx_rtmp_sluice_xc_resend(xc, xc->meta, tl) != NGX_OK
            || ngx_rtmp_sluice_xc_resend(xc, xc->avc, tl) != NGX_OK
            || ngx_rtmp_sluice_xc_resend(xc, xc->aac, tl) != NGX_OK
            || ngx_rtmp_sluice_xc_splices(xc, tl) != NGX_OK)
        {
            return NGX_ERROR;
        }

        xc->need_key = 0;
    }

    if (ngx_rtmp_sluice_xc_queue(xc, video ? 9 : 8, tl, p, len) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_rtmp_sluice_xc_flush(xc);

    return NGX_OK;
}


void
ngx_rtmp_sluice_transcode_meta(ngx_rtmp_sluice_ctx_t *ctx, u_char *p,
    size_t len, ngx_uint_t named)
{
    u_char                  *body;
    ngx_rtmp_sluice_xc_t    *xc;
    ngx_rtmp_sluice_xtag_t  *tag;

    static u_char  name[] = {
        0x02, 0x00, 0x0a, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a'
    };

    xc = ctx->xc;

    if (xc == NULL) {
        return;
    }

    body = ngx_alloc(sizeof(name) + len, ngx_cycle->log);
    if (body == NULL) {
        return;
    }

    if (named) {
        ngx_memcpy(body, p, len);

    } else {
        ngx_memcpy(ngx_cpymem(body, name, sizeof(name)), p, len);
        len += sizeof(name);
    }

    tag = ngx_rtmp_sluice_xc_tag(18, 0, body, len);
    ngx_free(body);

    if (tag == NULL) {
        return;
    }

    if (xc->meta) {
        ngx_free(xc->meta);
    }

    xc->meta = tag;

    if (xc->in && !xc->need_key) {
        (void) ngx_rtmp_sluice_xc_resend(xc, xc->meta, 0);
        ngx_rtmp_sluice_xc_flush(xc);
    }
}


/*
 * Splice-point conditioning (sluice_splice_conditioning) on a live
 * encoding event: a splice out or in of the feed, or the end of a splice
 * out with a duration, still ahead of the feed's last frame, is told to
 * the transcoder in the FLV stream itself, in its place among the tags:
 * a script-data tag "onSluiceSplice" with the time (AMF0 number, ms of
 * the timeline).  The transcoder makes the first frame at or after it
 * an IDR on every layer, which the layers' fragmenter cuts at
 * (ngx_sluice_ingest_splice()).  Writing it is queueing a tag: the
 * worker never waits.  A point the feed has passed is too late.
 */

void
ngx_rtmp_sluice_transcode_splice(ngx_rtmp_sluice_ctx_t *ctx,
    const sluice_cue_t *cue, uint64_t time)
{
    int64_t                 now, at[2];
    ngx_int_t               rc;
    ngx_uint_t              i, n;
    ngx_rtmp_sluice_xc_t   *xc;
    ngx_sluice_zone_ctx_t  *zctx;

    xc = ctx->xc;
    zctx = ngx_rtmp_sluice_zone->data;

    if (xc == NULL || !zctx->splice_conditioning
        || (cue->kind != SLUICE_CUE_SPLICE_OUT
            && cue->kind != SLUICE_CUE_SPLICE_IN))
    {
        return;
    }

    n = 0;
    at[n++] = (int64_t) time;

    if (cue->kind == SLUICE_CUE_SPLICE_OUT && cue->duration) {
        at[n++] = (int64_t) (time + cue->duration);
    }

    now = ctx->in.video.ts_started ? ctx->in.video.last_t
          : ctx->in.audio.ts_started ? ctx->in.audio.last_t : -1;

    for (i = 0; i < n; i++) {

        if (at[i] <= now) {
            /* passed: forced only when the transcoder was told before */
            rc = ngx_rtmp_sluice_xc_splice_known(xc, at[i]) ? NGX_DONE
                                                             : NGX_ABORT;
        } else {
            rc = ngx_rtmp_sluice_xc_splice_add(xc, at[i]);
        }

        if (rc == NGX_ABORT) {
            ngx_log_error(NGX_LOG_INFO, ctx->in.log, 0,
                          "sluice: live event \"%s\": the splice point at "
                          "%L ms comes after the feed passed it (%L ms): "
                          "no IDR forced there", ctx->in.event_name, at[i],
                          now);
            continue;
        }

        if (rc == NGX_DECLINED) {
            ngx_log_error(NGX_LOG_WARN, ctx->in.log, 0,
                          "sluice: live event \"%s\": %d splice points "
                          "wait already, none forced at %L ms",
                          ctx->in.event_name, NGX_RTMP_SLUICE_XC_SPLICES,
                          at[i]);
            continue;
        }

        if (rc == NGX_OK && xc->in && !xc->need_key
            && ngx_rtmp_sluice_xc_splice_tag(xc, now < 0 ? 0 : now, at[i])
               != NGX_OK)
        {
            break;
        }

        /* the layers may cut there (an update of the cue: again) */
        ngx_sluice_cue_force(zctx, ctx->in.event_id, ctx->in.generation,
                             (uint64_t) at[i]);
    }

    ngx_rtmp_sluice_xc_flush(xc);
}


/*
 * A splice point kept (time order, at most XC_SPLICES): NGX_OK, new;
 * NGX_DONE, known already; NGX_DECLINED, too many
 */

static ngx_int_t
ngx_rtmp_sluice_xc_splice_add(ngx_rtmp_sluice_xc_t *xc, int64_t time)
{
    ngx_uint_t  i;

    for (i = 0; i < xc->nsplices && xc->splice[i] < time; i++) {
        /* void */
    }

    if (i < xc->nsplices && xc->splice[i] == time) {
        return NGX_DONE;
    }

    if (xc->nsplices == NGX_RTMP_SLUICE_XC_SPLICES) {
        return NGX_DECLINED;
    }

    ngx_memmove(&xc->splice[i + 1], &xc->splice[i],
                (xc->nsplices - i) * sizeof(int64_t));
    xc->splice[i] = time;
    xc->nsplices++;

    return NGX_OK;
}


static ngx_uint_t
ngx_rtmp_sluice_xc_splice_known(ngx_rtmp_sluice_xc_t *xc, int64_t time)
{
    ngx_uint_t  i;

    for (i = 0; i < xc->nsplices; i++) {
        if (xc->splice[i] == time) {
            return 1;
        }
    }

    return 0;
}


/* the points at or before a keyframe of the feed are behind it */

static void
ngx_rtmp_sluice_xc_splice_past(ngx_rtmp_sluice_xc_t *xc, int64_t time)
{
    ngx_uint_t  n;

    for (n = 0; n < xc->nsplices && xc->splice[n] <= time; n++) {
        /* void */
    }

    if (n) {
        xc->nsplices -= n;
        ngx_memmove(&xc->splice[0], &xc->splice[n],
                    xc->nsplices * sizeof(int64_t));
    }
}


/* the splice points kept, to a transcoder that starts (at time now) */

static ngx_int_t
ngx_rtmp_sluice_xc_splices(ngx_rtmp_sluice_xc_t *xc, int64_t now)
{
    ngx_uint_t  i;

    for (i = 0; i < xc->nsplices; i++) {
        if (ngx_rtmp_sluice_xc_splice_tag(xc, now, xc->splice[i]) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* "onSluiceSplice" and the point's time, a script-data tag at time now */

static ngx_int_t
ngx_rtmp_sluice_xc_splice_tag(ngx_rtmp_sluice_xc_t *xc, int64_t now,
    int64_t time)
{
    u_char    *p, body[sizeof("onSluiceSplice") + 3 + 9];
    double     ms;
    uint64_t   bits;
    ngx_int_t  i;

    p = body;
    *p++ = 0x02;                                /* AMF0 string */
    *p++ = 0;
    *p++ = sizeof("onSluiceSplice") - 1;
    p = ngx_cpymem(p, "onSluiceSplice", sizeof("onSluiceSplice") - 1);
    *p++ = 0x00;                                /* AMF0 number */

    ms = (double) time;
    ngx_memcpy(&bits, &ms, sizeof(bits));

    for (i = 7; i >= 0; i--) {
        *p++ = (u_char) (bits >> (i * 8));
    }

    return ngx_rtmp_sluice_xc_queue(xc, 18, now, body, p - body);
}


/* the feed's current GOP, kept (bounded like the queue) */

static void
ngx_rtmp_sluice_xc_keep(ngx_rtmp_sluice_xc_t *xc, ngx_uint_t type,
    int64_t time, ngx_uint_t key, u_char *p, size_t len)
{
    ngx_rtmp_sluice_xtag_t  *tag;

    if (key) {
        ngx_rtmp_sluice_xc_free_gop(xc);

    } else if (xc->gop == NULL && xc->avc) {
        return;                 /* video: only from a keyframe */
    }

    if (xc->gop_size + len > NGX_RTMP_SLUICE_XC_QUEUE) {
        ngx_rtmp_sluice_xc_free_gop(xc);
        return;
    }

    tag = ngx_rtmp_sluice_xc_tag(type, time, p, len);
    if (tag == NULL) {
        ngx_rtmp_sluice_xc_free_gop(xc);
        return;
    }

    *xc->gop_tail = tag;
    xc->gop_tail = &tag->next;
    xc->gop_size += tag->len;
}


/*
 * A new transcoder starts with the kept GOP (headers first): it begins at
 * the feed's last keyframe.  NGX_DECLINED: nothing kept, it waits for the
 * next keyframe.
 */

static ngx_int_t
ngx_rtmp_sluice_xc_replay(ngx_rtmp_sluice_xc_t *xc)
{
    int64_t                  time;
    ngx_rtmp_sluice_xtag_t  *g, *copy;

    if (xc->gop == NULL || xc->avc == NULL) {
        return NGX_DECLINED;
    }

    g = xc->gop;
    time = ((int64_t) g->data[7] << 24) | ((int64_t) g->data[4] << 16)
           | ((int64_t) g->data[5] << 8) | g->data[6];

    if (ngx_rtmp_sluice_xc_resend(xc, xc->meta, time) != NGX_OK
        || ngx_rtmp_sluice_xc_resend(xc, xc->avc, time) != NGX_OK
        || ngx_rtmp_sluice_xc_resend(xc, xc->aac, time) != NGX_OK
        || ngx_rtmp_sluice_xc_splices(xc, time) != NGX_OK)
    {
        return NGX_ERROR;
    }

    for ( /* void */ ; g; g = g->next) {
        copy = ngx_alloc(sizeof(ngx_rtmp_sluice_xtag_t) + g->len,
                         ngx_cycle->log);
        if (copy == NULL) {
            return NGX_ERROR;
        }

        copy->len = g->len;
        ngx_memcpy(copy->data, g->data, g->len);    /* its own time */
        ngx_rtmp_sluice_xc_push(xc, copy);
    }

    xc->need_key = 0;

    return NGX_OK;
}


static void
ngx_rtmp_sluice_xc_free_gop(ngx_rtmp_sluice_xc_t *xc)
{
    ngx_rtmp_sluice_xtag_t  *tag, *next;

    for (tag = xc->gop; tag; tag = next) {
        next = tag->next;
        ngx_free(tag);
    }

    xc->gop = NULL;
    xc->gop_tail = &xc->gop;
    xc->gop_size = 0;
}


/* the feed stops when its event is stopped, reset or deleted */

static ngx_int_t
ngx_rtmp_sluice_xc_check(ngx_rtmp_sluice_ctx_t *ctx)
{
    ngx_uint_t              running;
    ngx_sluice_event_t     *ev;
    ngx_sluice_zone_ctx_t  *zctx;

    if (ngx_current_msec - ctx->xc->checked < 1000) {
        return NGX_OK;
    }

    ctx->xc->checked = ngx_current_msec;
    zctx = ngx_rtmp_sluice_zone->data;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, ctx->in.event_id, ctx->in.generation);
    running = (ev && ev->state == NGX_SLUICE_RUNNING);

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (running) {
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                  "sluice: live event \"%s\" stopped, its contribution "
                  "stream \"%s\" is closed", ctx->in.event_name,
                  ctx->in.stream);

    ctx->in.stopped = 1;

    return NGX_ERROR;
}


/* the command line of the event's transcoder */

static ngx_int_t
ngx_rtmp_sluice_xc_args(ngx_rtmp_sluice_ctx_t *ctx, ngx_rtmp_sluice_xc_t *xc)
{
    u_char                       *p, *last;
    u_char                        addr[NGX_SOCKADDR_STRLEN];
    ngx_str_t                     local;
    ngx_uint_t                    i, n;
    ngx_msec_t                    gop;
    ngx_uint_t                    stretch;
    ngx_sluice_event_t           *ev;
    ngx_rtmp_session_t           *s;
    ngx_sluice_zone_ctx_t        *zctx;
    const ngx_sluice_layer_t     *l;
    const ngx_sluice_ladder_t    *ld;
    ngx_sluice_transcode_conf_t  *tc;
    u_char                        token[NGX_SLUICE_TOKEN_LEN + 1];
    u_char                        key[NGX_SLUICE_XKEY_LEN + 1];
    u_char                        preset[NGX_SLUICE_PRESET_LEN + 1];

    s = ctx->session;
    zctx = ngx_rtmp_sluice_zone->data;
    tc = zctx->transcode;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, ctx->in.event_id, ctx->in.generation);

    if (ev) {
        ngx_memcpy(token, ev->token, sizeof(token));
        ngx_memcpy(key, ev->transcode.key, sizeof(key));
        ngx_memcpy(preset, ev->preset, sizeof(preset));
        gop = ev->fragment_ms ? ev->fragment_ms : 2000;
        stretch = ev->stretch < 3 ? ev->stretch : 0;
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (ev == NULL) {
        return NGX_ERROR;
    }

    ld = ngx_sluice_ladder_find(tc, preset, ngx_strlen(preset));
    if (ld == NULL) {
        return NGX_ERROR;
    }

    local.len = NGX_SOCKADDR_STRLEN;
    local.data = addr;

    if (ngx_rtmp_sluice_xc_address(s, &local) != NGX_OK) {
        return NGX_ERROR;
    }

    xc->args = ngx_alloc(4096, ngx_cycle->log);
    if (xc->args == NULL) {
        return NGX_ERROR;
    }

    p = xc->args;
    last = p + 4096;
    n = 0;

#define ngx_rtmp_sluice_xc_arg(...)                                          \
    xc->argv[n++] = (char *) p;                                             \
    p = ngx_slprintf(p, last - 1, __VA_ARGS__);                             \
    *p++ = '\0'

    ngx_rtmp_sluice_xc_arg("%V", &tc->path);
    ngx_rtmp_sluice_xc_arg("--output");
    ngx_rtmp_sluice_xc_arg("rtmp://%V/%V/%s", &local, &s->app, token);
    ngx_rtmp_sluice_xc_arg("--key");
    ngx_rtmp_sluice_xc_arg("%s", key);
    ngx_rtmp_sluice_xc_arg("--gop");
    ngx_rtmp_sluice_xc_arg("%M", gop);
    ngx_rtmp_sluice_xc_arg("--stretch");
    ngx_rtmp_sluice_xc_arg("%s", ngx_rtmp_sluice_xc_stretch[stretch]);

    for (i = 0; i < ld->nlayers; i++) {
        l = &ld->layers[i];
        ngx_rtmp_sluice_xc_arg("--layer");
        ngx_rtmp_sluice_xc_arg("%uix%ui:%ui:%s:%ui", l->width, l->height,
                               l->kbps, ngx_sluice_profile_name(l->profile),
                               l->fps);
    }

    for (i = 0; i < ld->naudio; i++) {
        ngx_rtmp_sluice_xc_arg("--audio");
        ngx_rtmp_sluice_xc_arg("%ui", ld->audio[i]);
    }

    ngx_rtmp_sluice_xc_arg("--encoder");
    ngx_rtmp_sluice_xc_arg("%V", &tc->encoder);
    ngx_rtmp_sluice_xc_arg("--preset");
    ngx_rtmp_sluice_xc_arg("%V", &tc->preset);
    ngx_rtmp_sluice_xc_arg("--name");
    ngx_rtmp_sluice_xc_arg("%s", xc->event_name);

#undef ngx_rtmp_sluice_xc_arg

    xc->argv[n] = NULL;

    if (p >= last - 1) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "sluice: the transcoder's command line is too long");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * Where the transcoder publishes its layers: the address the feed came
 * in on, unless that listener takes the PROXY protocol (RTMPS, TLS ended
 * by nginx's stream module), which would close a connection without the
 * header: then a plain "listen" of the same rtmp server, its wildcard
 * address made loopback; or unless the feed came over TLS
 * (sluice_ssl_certificate: every listener of that server is TLS): then a
 * plain "listen" of any rtmp server.  nginx-rtmp keeps the listener's
 * addr_conf of a session only as s->addr_text, a field of it
 * (ngx_rtmp_init_session).
 */

static ngx_int_t
ngx_rtmp_sluice_xc_address(ngx_rtmp_session_t *s, ngx_str_t *addr)
{
    ngx_uint_t                  i, tls;
    ngx_sockaddr_t              sa;
    ngx_rtmp_listen_t          *ls;
    ngx_rtmp_addr_conf_t       *addr_conf;
    ngx_rtmp_core_main_conf_t  *cmcf;

    addr_conf = (ngx_rtmp_addr_conf_t *)
                ((u_char *) s->addr_text
                 - offsetof(ngx_rtmp_addr_conf_t, addr_text));

    tls = 0;

#if (NGX_SSL)
    tls = (s->connection->ssl != NULL);
#endif

    if (!addr_conf->proxy_protocol && !tls) {
        return ngx_connection_local_sockaddr(s->connection, addr, 1);
    }

    cmcf = ngx_rtmp_get_module_main_conf(s, ngx_rtmp_core_module);

    ls = cmcf->listen.elts;

    for (i = 0; i < cmcf->listen.nelts; i++) {

        if (ls[i].proxy_protocol
            || ngx_rtmp_sluice_ssl_server(ls[i].ctx->srv_conf)
            || (!tls && ls[i].ctx->srv_conf != s->srv_conf))
        {
            continue;
        }

        ngx_memcpy(&sa, ls[i].sockaddr, ls[i].socklen);

        switch (sa.sockaddr.sa_family) {

#if (NGX_HAVE_INET6)
        case AF_INET6:
            if (ls[i].wildcard) {
                sa.sockaddr_in6.sin6_addr = in6addr_loopback;
            }

            break;
#endif

        case AF_INET:
            if (ls[i].wildcard) {
                sa.sockaddr_in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            }

            break;

        default:
            continue;
        }

        addr->len = ngx_sock_ntop(&sa.sockaddr, ls[i].socklen, addr->data,
                                  addr->len, 1);
        return NGX_OK;
    }

    if (tls) {
        ngx_log_error(NGX_LOG_ERR, s->connection->log, 0,
                      "sluice: live encoding of a feed received over TLS "
                      "needs an rtmp server with a plain \"listen\": the "
                      "transcoder publishes there");
        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_ERR, s->connection->log, 0,
                  "sluice: live encoding of a feed received through "
                  "\"proxy_protocol\" needs a \"listen\" without it in "
                  "the same rtmp server: the transcoder publishes there");

    return NGX_ERROR;
}


static ngx_int_t
ngx_rtmp_sluice_xc_spawn(ngx_rtmp_sluice_xc_t *xc)
{
    int                in[2], out[2];
    ngx_pid_t          pid;
    ngx_connection_t  *ci, *co;

    if (pipe2(in, O_CLOEXEC) == -1) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, ngx_errno,
                      "sluice: pipe() for the transcoder failed");
        return NGX_ERROR;
    }

    if (pipe2(out, O_CLOEXEC) == -1) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, ngx_errno,
                      "sluice: pipe() for the transcoder failed");
        close(in[0]);
        close(in[1]);
        return NGX_ERROR;
    }

    pid = fork();

    if (pid == 0) {
        ngx_rtmp_sluice_xc_child(xc, in[0], out[1]);
        /* unreachable */
    }

    close(in[0]);
    close(out[1]);

    if (pid == -1) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, ngx_errno,
                      "sluice: fork() of the transcoder failed");
        close(in[1]);
        close(out[0]);
        return NGX_ERROR;
    }

    if (ngx_nonblocking(in[1]) == -1 || ngx_nonblocking(out[0]) == -1) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, ngx_errno,
                      ngx_nonblocking_n " failed");
    }

    ci = ngx_get_connection(in[1], ngx_cycle->log);
    co = ci ? ngx_get_connection(out[0], ngx_cycle->log) : NULL;

    if (co == NULL) {
        if (ci) {
            ngx_close_connection(ci);
        } else {
            close(in[1]);
        }

        close(out[0]);
        kill(pid, SIGKILL);
        return NGX_ERROR;
    }

    ci->data = xc;
    ci->write->handler = ngx_rtmp_sluice_xc_write_handler;
    ci->write->log = ngx_cycle->log;
    ci->read->log = ngx_cycle->log;

    co->data = xc;
    co->read->handler = ngx_rtmp_sluice_xc_read_handler;
    co->read->log = ngx_cycle->log;
    co->write->log = ngx_cycle->log;

    xc->in = ci;
    xc->out = co;
    xc->pid = pid;
    xc->started = ngx_current_msec;
    xc->heard = ngx_current_msec;

    ngx_add_timer(&xc->watchdog, NGX_RTMP_SLUICE_XC_HANG / 4);
    xc->need_key = 1;
    xc->header = 0;
    xc->line_len = 0;

    if (ngx_handle_read_event(co->read, 0) != NGX_OK) {
        ngx_rtmp_sluice_xc_close_in(xc);
    }

    ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                  "sluice: live event \"%s\": transcoder %P started",
                  xc->event_name, pid);

    ngx_rtmp_sluice_xc_status(xc, 0);

    return NGX_OK;
}


/* in the child: stdin, stdout, stderr are the pipes; nothing else open */

static void
ngx_rtmp_sluice_xc_child(ngx_rtmp_sluice_xc_t *xc, int in, int out)
{
    int       fd;
    sigset_t  set;

    if (dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(out, 2) == -1) {
        _exit(126);
    }

#if (NGX_LINUX)
    (void) prctl(PR_SET_PDEATHSIG, SIGTERM);

    if (getppid() == 1) {
        _exit(0);               /* the worker is already gone */
    }
#endif

#if (NGX_LINUX) && defined(SYS_close_range)
    if (syscall(SYS_close_range, 3, ~0U, 0) == -1)
#endif
    {
        for (fd = 3; fd < 65536; fd++) {
            (void) close(fd);
        }
    }

    sigemptyset(&set);
    (void) sigprocmask(SIG_SETMASK, &set, NULL);

    (void) signal(SIGPIPE, SIG_DFL);

    execv(xc->argv[0], xc->argv);

    (void) dprintf(2, "sluice-transcoder: cannot run \"%s\": %s\n",
                   xc->argv[0], strerror(errno));
    _exit(127);
}


/* an FLV tag queued (the file header first) */

static ngx_int_t
ngx_rtmp_sluice_xc_queue(ngx_rtmp_sluice_xc_t *xc, ngx_uint_t type,
    int64_t time, u_char *p, size_t len)
{
    ngx_rtmp_sluice_xtag_t  *tag;

    static u_char  flv_header[] = {
        'F', 'L', 'V', 1, 5, 0, 0, 0, 9,   0, 0, 0, 0
    };

    if (!xc->header) {
        tag = ngx_alloc(sizeof(ngx_rtmp_sluice_xtag_t) + sizeof(flv_header),
                        ngx_cycle->log);
        if (tag == NULL) {
            return NGX_ERROR;
        }

        tag->len = sizeof(flv_header);
        ngx_memcpy(tag->data, flv_header, sizeof(flv_header));

        ngx_rtmp_sluice_xc_push(xc, tag);
        xc->header = 1;
    }

    if (xc->queued + len > NGX_RTMP_SLUICE_XC_QUEUE) {
        ngx_rtmp_sluice_xc_overflow(xc);
        return NGX_OK;
    }

    tag = ngx_rtmp_sluice_xc_tag(type, time, p, len);
    if (tag == NULL) {
        return NGX_ERROR;
    }

    ngx_rtmp_sluice_xc_push(xc, tag);

    return NGX_OK;
}


/* tag header (11 bytes), body, previous tag size (4 bytes) */

static ngx_rtmp_sluice_xtag_t *
ngx_rtmp_sluice_xc_tag(ngx_uint_t type, int64_t time, u_char *p, size_t len)
{
    u_char                  *d;
    uint32_t                 ts, size;
    ngx_rtmp_sluice_xtag_t  *tag;

    tag = ngx_alloc(sizeof(ngx_rtmp_sluice_xtag_t) + 11 + len + 4,
                    ngx_cycle->log);
    if (tag == NULL) {
        return NULL;
    }

    ts = (uint32_t) time;
    size = (uint32_t) (11 + len);

    d = tag->data;
    *d++ = (u_char) type;
    *d++ = (u_char) (len >> 16);
    *d++ = (u_char) (len >> 8);
    *d++ = (u_char) len;
    *d++ = (u_char) (ts >> 16);
    *d++ = (u_char) (ts >> 8);
    *d++ = (u_char) ts;
    *d++ = (u_char) (ts >> 24);
    *d++ = 0;
    *d++ = 0;
    *d++ = 0;
    d = ngx_cpymem(d, p, len);
    *d++ = (u_char) (size >> 24);
    *d++ = (u_char) (size >> 16);
    *d++ = (u_char) (size >> 8);
    *d++ = (u_char) size;

    tag->len = d - tag->data;
    tag->next = NULL;

    return tag;
}


static void
ngx_rtmp_sluice_xc_push(ngx_rtmp_sluice_xc_t *xc, ngx_rtmp_sluice_xtag_t *tag)
{
    tag->next = NULL;
    *xc->tail = tag;
    xc->tail = &tag->next;
    xc->queued += tag->len;
}


/* a saved sequence header again, at the time of the keyframe */

static ngx_int_t
ngx_rtmp_sluice_xc_resend(ngx_rtmp_sluice_xc_t *xc,
    ngx_rtmp_sluice_xtag_t *seq, int64_t time)
{
    if (seq == NULL) {
        return NGX_OK;
    }

    /* the saved tag's body: after the 11-byte header, before the size */

    return ngx_rtmp_sluice_xc_queue(xc, seq->data[0], time, seq->data + 11,
                                    seq->len - 15);
}


/*
 * The transcoder does not keep up: what waits is dropped (but the tag
 * being written) and the feed starts again at the next keyframe
 */

static void
ngx_rtmp_sluice_xc_overflow(ngx_rtmp_sluice_xc_t *xc)
{
    ngx_sluice_event_t     *ev;
    ngx_sluice_zone_ctx_t  *zctx;

    ngx_rtmp_sluice_xc_drop(xc, 1);
    xc->need_key = 1;
    xc->skips++;

    zctx = ngx_rtmp_sluice_zone->data;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, xc->event_id, xc->generation);
    if (ev) {
        ev->transcode.skipped++;
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (ngx_current_msec - xc->warned >= 10000) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "sluice: live event \"%s\": the transcoder is behind "
                      "by more than %uz bytes of input, %ui time(s): the "
                      "input waiting for it dropped up to the next keyframe",
                      xc->event_name, (size_t) NGX_RTMP_SLUICE_XC_QUEUE,
                      xc->skips);
        xc->warned = ngx_current_msec;
        xc->skips = 0;
    }
}


static void
ngx_rtmp_sluice_xc_flush(ngx_rtmp_sluice_xc_t *xc)
{
    ssize_t                  n;
    ngx_err_t                err;
    ngx_rtmp_sluice_xtag_t  *tag;

    while (xc->in && xc->head) {
        tag = xc->head;

        n = write(xc->in->fd, tag->data + xc->sent, tag->len - xc->sent);

        if (n == -1) {
            err = ngx_errno;

            if (err == NGX_EAGAIN) {
                if (ngx_handle_write_event(xc->in->write, 0) != NGX_OK) {
                    ngx_rtmp_sluice_xc_close_in(xc);
                }

                return;
            }

            if (err == NGX_EINTR) {
                continue;
            }

            /* EPIPE: it is gone; its output ends too */

            ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, err,
                          "sluice: live event \"%s\": write to the "
                          "transcoder failed", xc->event_name);
            ngx_rtmp_sluice_xc_close_in(xc);
            return;
        }

        xc->sent += n;

        if (xc->sent == tag->len) {
            xc->head = tag->next;
            if (xc->head == NULL) {
                xc->tail = &xc->head;
            }

            xc->queued -= tag->len;
            xc->sent = 0;
            ngx_free(tag);
        }
    }
}


static void
ngx_rtmp_sluice_xc_write_handler(ngx_event_t *wev)
{
    ngx_connection_t  *c = wev->data;

    ngx_rtmp_sluice_xc_flush(c->data);
}


static void
ngx_rtmp_sluice_xc_read_handler(ngx_event_t *rev)
{
    u_char                *p, *nl, *last;
    ssize_t                n;
    ngx_connection_t      *c;
    ngx_rtmp_sluice_xc_t  *xc;

    c = rev->data;
    xc = c->data;

    for ( ;; ) {
        n = read(c->fd, xc->line + xc->line_len,
                 NGX_RTMP_SLUICE_XC_LINE - xc->line_len);

        if (n == -1 && ngx_errno == NGX_EAGAIN) {
            if (ngx_handle_read_event(rev, 0) != NGX_OK) {
                ngx_rtmp_sluice_xc_gone(xc);
            }

            return;
        }

        if (n == -1 && ngx_errno == NGX_EINTR) {
            continue;
        }

        if (n <= 0) {
            if (xc->line_len) {
                ngx_rtmp_sluice_xc_line(xc, xc->line, xc->line_len);
            }

            ngx_rtmp_sluice_xc_gone(xc);
            return;
        }

        xc->line_len += n;
        p = xc->line;
        last = xc->line + xc->line_len;

        while ((nl = ngx_strlchr(p, last, '\n')) != NULL) {
            ngx_rtmp_sluice_xc_line(xc, p, nl - p);
            p = nl + 1;
        }

        if (p == xc->line && last == xc->line + NGX_RTMP_SLUICE_XC_LINE) {
            ngx_rtmp_sluice_xc_line(xc, p, last - p);   /* too long */
            p = last;
        }

        xc->line_len = last - p;
        ngx_memmove(xc->line, p, xc->line_len);
    }
}


/* a line of the transcoder: status, or something to log */

static void
ngx_rtmp_sluice_xc_line(ngx_rtmp_sluice_xc_t *xc, u_char *p, size_t len)
{
    xc->heard = ngx_current_msec;

    if (len && p[len - 1] == '\r') {
        len--;
    }

    if (len == 0) {
        return;
    }

    if (len > 9 && ngx_strncmp(p, "progress ", 9) == 0) {
        ngx_rtmp_sluice_xc_progress(xc, p + 9, p + len);

        if (ngx_current_msec - xc->noticed < NGX_RTMP_SLUICE_XC_NOTICE) {
            return;
        }

        xc->noticed = ngx_current_msec;
    }

    ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                  "sluice: live event \"%s\": transcoder %P: %*s",
                  xc->event_name, xc->pid, len, p);
}


/* "frames=N fps=F lag_ms=L dropped=D layers=K" into the event */

static void
ngx_rtmp_sluice_xc_progress(ngx_rtmp_sluice_xc_t *xc, u_char *p,
    u_char *last)
{
    u_char                  *eq, *end;
    ngx_int_t                v;
    ngx_time_t              *tp;
    ngx_sluice_event_t      *ev;
    ngx_sluice_zone_ctx_t   *zctx;
    ngx_sluice_transcode_t   st;

    ngx_memzero(&st, sizeof(st));
    st.lag_ms = -1;

    while (p < last) {
        end = ngx_strlchr(p, last, ' ');
        if (end == NULL) {
            end = last;
        }

        eq = ngx_strlchr(p, end, '=');

        if (eq) {
            v = (eq + 1 < end) ? ngx_atofp(eq + 1, end - eq - 1, 2)
                               : NGX_ERROR;

            if (v != NGX_ERROR) {
                if (eq - p == 3 && ngx_strncmp(p, "fps", 3) == 0) {
                    st.fps100 = v;

                } else if (eq - p == 6 && ngx_strncmp(p, "lag_ms", 6) == 0) {
                    st.lag_ms = v / 100;

                } else if (eq - p == 7 && ngx_strncmp(p, "dropped", 7) == 0)
                {
                    st.dropped = v / 100;

                } else if (eq - p == 6 && ngx_strncmp(p, "layers", 6) == 0) {
                    st.layers = v / 100;
                }
            }
        }

        p = end + 1;
    }

    zctx = ngx_rtmp_sluice_zone->data;
    tp = ngx_timeofday();

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, xc->event_id, xc->generation);

    if (ev && ev->transcode.owner == ngx_pid) {
        ev->transcode.fps100 = st.fps100;
        ev->transcode.lag_ms = st.lag_ms;
        ev->transcode.dropped = st.dropped;
        ev->transcode.layers = st.layers;
        ev->transcode.updated_ms = (uint64_t) tp->sec * 1000 + tp->msec;
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);
}


/* its output ended: the process is gone (nginx reaps it) */

static void
ngx_rtmp_sluice_xc_gone(ngx_rtmp_sluice_xc_t *xc)
{
    ngx_msec_t  ran, wait;

    ngx_rtmp_sluice_xc_close_in(xc);

    if (xc->out) {
        ngx_close_connection(xc->out);
        xc->out = NULL;
    }

    if (xc->kill.timer_set) {
        ngx_del_timer(&xc->kill);
    }

    if (xc->watchdog.timer_set) {
        ngx_del_timer(&xc->watchdog);
    }

    ran = ngx_current_msec - xc->started;

    if (xc->ctx == NULL) {
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "sluice: live event \"%s\": transcoder %P ended",
                      xc->event_name, xc->pid);
        ngx_rtmp_sluice_xc_free(xc);
        return;
    }

    /* the feed goes on: start it again, later when it keeps dying */

    wait = (ran < 10000) ? xc->delay : NGX_RTMP_SLUICE_XC_DELAY;
    xc->delay = ngx_min(wait * 2, NGX_RTMP_SLUICE_XC_MAX_DELAY);

    ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                  "sluice: live event \"%s\": transcoder %P exited after "
                  "%M ms, restarting in %M ms", xc->event_name, xc->pid,
                  ran, wait);

    xc->pid = 0;
    ngx_rtmp_sluice_xc_status(xc, 0);

    ngx_add_timer(&xc->respawn, wait);
}


static void
ngx_rtmp_sluice_xc_respawn_handler(ngx_event_t *ev)
{
    ngx_rtmp_sluice_xc_t  *xc = ev->data;

    if (xc->ctx == NULL) {
        ngx_rtmp_sluice_xc_free(xc);
        return;
    }

    ngx_rtmp_sluice_xc_drop(xc, 0);

    if (ngx_rtmp_sluice_xc_spawn(xc) != NGX_OK) {
        ngx_add_timer(&xc->respawn, NGX_RTMP_SLUICE_XC_MAX_DELAY);
        return;
    }

    if (ngx_rtmp_sluice_xc_replay(xc) == NGX_OK) {
        ngx_rtmp_sluice_xc_flush(xc);
    }
}


static void
ngx_rtmp_sluice_xc_kill_handler(ngx_event_t *ev)
{
    ngx_rtmp_sluice_xc_t  *xc = ev->data;

    if (xc->pid) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "sluice: live event \"%s\": transcoder %P did not "
                      "end after its input did, killed", xc->event_name,
                      xc->pid);
        (void) kill(xc->pid, SIGKILL);
    }
}


/*
 * A transcoder that says nothing (it prints progress every 2 s) while
 * its feed goes on is hung: killed, so that it is started again
 */

static void
ngx_rtmp_sluice_xc_watchdog_handler(ngx_event_t *ev)
{
    ngx_rtmp_sluice_xc_t  *xc = ev->data;

    if (xc->pid == 0 || xc->out == NULL) {
        return;
    }

    if (xc->ctx && ngx_current_msec - xc->heard >= NGX_RTMP_SLUICE_XC_HANG) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "sluice: live event \"%s\": transcoder %P said "
                      "nothing for %M ms, killed as hung", xc->event_name,
                      xc->pid, ngx_current_msec - xc->heard);
        (void) kill(xc->pid, SIGKILL);
        return;                 /* its output ends: restarted */
    }

    ngx_add_timer(&xc->watchdog, NGX_RTMP_SLUICE_XC_HANG / 4);
}


/* the feed ended */

void
ngx_rtmp_sluice_transcode_stop(ngx_rtmp_sluice_ctx_t *ctx)
{
    ngx_rtmp_sluice_xc_t  *xc;

    xc = ctx->xc;

    if (xc == NULL) {
        return;
    }

    ctx->xc = NULL;
    xc->ctx = NULL;

    ngx_rtmp_sluice_xc_status(xc, 1);

    if (xc->respawn.timer_set) {
        ngx_del_timer(&xc->respawn);
    }

    if (xc->out == NULL) {
        ngx_rtmp_sluice_xc_free(xc);
        return;
    }

    /* what is queued is dropped; EOF: it finishes and exits */

    ngx_rtmp_sluice_xc_drop(xc, 0);
    ngx_rtmp_sluice_xc_close_in(xc);

    ngx_add_timer(&xc->kill, NGX_RTMP_SLUICE_XC_KILL);
}


static void
ngx_rtmp_sluice_xc_drop(ngx_rtmp_sluice_xc_t *xc, ngx_uint_t keep_head)
{
    ngx_rtmp_sluice_xtag_t  *tag, *next;

    tag = xc->head;

    if (keep_head && tag && xc->sent) {
        next = tag->next;
        tag->next = NULL;
        xc->tail = &tag->next;
        xc->queued = tag->len;
        tag = next;

    } else {
        xc->head = NULL;
        xc->tail = &xc->head;
        xc->queued = 0;
        xc->sent = 0;
    }

    while (tag) {
        next = tag->next;
        ngx_free(tag);
        tag = next;
    }
}


static void
ngx_rtmp_sluice_xc_close_in(ngx_rtmp_sluice_xc_t *xc)
{
    if (xc->in) {
        ngx_close_connection(xc->in);
        xc->in = NULL;
    }
}


void
ngx_rtmp_sluice_transcode_exit(ngx_cycle_t *cycle)
{
    ngx_queue_t           *q;
    ngx_rtmp_sluice_xc_t  *xc;

    if (!ngx_rtmp_sluice_xcs_init) {
        return;
    }

    while (!ngx_queue_empty(&ngx_rtmp_sluice_xcs)) {
        q = ngx_queue_head(&ngx_rtmp_sluice_xcs);
        xc = ngx_queue_data(q, ngx_rtmp_sluice_xc_t, queue);

        if (xc->ctx) {
            xc->ctx->xc = NULL;
            xc->ctx = NULL;
        }

        if (xc->pid) {
            ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                          "sluice: live event \"%s\": transcoder %P "
                          "ended by the worker's exit", xc->event_name,
                          xc->pid);
            (void) kill(xc->pid, SIGTERM);
        }

        ngx_rtmp_sluice_xc_close_in(xc);

        if (xc->out) {
            ngx_close_connection(xc->out);
            xc->out = NULL;
        }

        ngx_rtmp_sluice_xc_free(xc);
    }
}


static void
ngx_rtmp_sluice_xc_free(ngx_rtmp_sluice_xc_t *xc)
{
    ngx_queue_remove(&xc->queue);

    if (xc->watchdog.timer_set) {
        ngx_del_timer(&xc->watchdog);
    }

    if (xc->respawn.timer_set) {
        ngx_del_timer(&xc->respawn);
    }

    if (xc->kill.timer_set) {
        ngx_del_timer(&xc->kill);
    }

    ngx_rtmp_sluice_xc_drop(xc, 0);

    ngx_rtmp_sluice_xc_free_gop(xc);

    if (xc->meta) {
        ngx_free(xc->meta);
    }

    if (xc->avc) {
        ngx_free(xc->avc);
    }

    if (xc->aac) {
        ngx_free(xc->aac);
    }

    if (xc->args) {
        ngx_free(xc->args);
    }

    ngx_free(xc);
}


/* the process and the feed as the event shows them */

static void
ngx_rtmp_sluice_xc_status(ngx_rtmp_sluice_xc_t *xc, ngx_uint_t owner_gone)
{
    ngx_sluice_event_t     *ev;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = ngx_rtmp_sluice_zone->data;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, xc->event_id, xc->generation);

    if (ev && ev->transcode.owner == ngx_pid) {
        ev->transcode.pid = xc->pid;

        if (xc->pid == 0) {
            /* what it said is no more */
            ev->transcode.layers = 0;
            ev->transcode.fps100 = 0;
            ev->transcode.lag_ms = -1;
        }

        if (xc->pid && !owner_gone) {
            ev->transcode.starts++;
        }

        if (owner_gone) {
            ev->transcode.owner = 0;
            ev->transcode.pid = 0;
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);
}


static void
ngx_rtmp_sluice_xc_new_key(u_char *key)
{
    u_char      raw[NGX_SLUICE_XKEY_LEN / 2];
    ngx_uint_t  i;

#if (NGX_LINUX)
    if (getrandom(raw, sizeof(raw), GRND_NONBLOCK) != (ssize_t) sizeof(raw))
#endif
    {
        for (i = 0; i < sizeof(raw); i++) {
            raw[i] = (u_char) ngx_random();
        }
    }

    *ngx_hex_dump(key, raw, sizeof(raw)) = '\0';
}
