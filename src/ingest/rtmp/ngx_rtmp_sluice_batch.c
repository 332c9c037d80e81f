
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Receive batching for publishing connections.
 *
 * An encoder writes each audio and video frame as it is produced: 70 to 80
 * small writes a second for a 30 fps stream.  Woken for each, a worker
 * spends more time in epoll_wait, recv and the acknowledgements recv sends
 * than in everything Sluice does with the media.  SO_RCVLOWAT tells the
 * kernel not to report the socket readable before that many bytes wait in
 * it, so the worker reads several frames per wake-up.
 *
 * The low mark is sized from the bitrate measured on the connection, so
 * that it holds about sluice_ingest_batch of media, and a watchdog timer
 * drops it when nothing has been read for a while (the encoder slowed
 * down): the delay a frame may wait in the kernel stays bounded.  FIN and
 * RST, and a nearly full receive window, wake the worker whatever the mark.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "ingest/rtmp/ngx_rtmp_sluice_batch.h"


/* the bitrate is measured over this, ms */
#define NGX_RTMP_SLUICE_BATCH_PERIOD   2000

/* below this a low mark is not worth a system call */
#define NGX_RTMP_SLUICE_BATCH_MIN      4096

/* the kernel caps the mark at half the receive buffer; we cap it lower */
#define NGX_RTMP_SLUICE_BATCH_MAX      (256 * 1024)


static void ngx_rtmp_sluice_batch_measure(ngx_rtmp_sluice_ctx_t *ctx);
static void ngx_rtmp_sluice_batch_set(ngx_rtmp_sluice_ctx_t *ctx,
    size_t lowat);
static void ngx_rtmp_sluice_batch_watchdog(ngx_event_t *ev);


void
ngx_rtmp_sluice_batch_start(ngx_rtmp_sluice_ctx_t *ctx, ngx_msec_t time)
{
    ngx_event_t               *ev;
    ngx_rtmp_sluice_batch_t   *b;

    b = &ctx->batch;

    b->time = time;
    b->start = ngx_current_msec;
    b->bytes = 0;
    b->reads = 0;

    if (time == 0 || b->failed) {
        return;
    }

    ev = &b->watchdog;

    ev->handler = ngx_rtmp_sluice_batch_watchdog;
    ev->data = ctx;
    ev->log = ctx->session->connection->log;
    ev->cancelable = 1;
}


void
ngx_rtmp_sluice_batch_account(ngx_rtmp_sluice_ctx_t *ctx, size_t len)
{
    ngx_rtmp_sluice_batch_t  *b;

    b = &ctx->batch;

    if (b->time == 0) {
        return;
    }

    b->bytes += len;
    b->reads++;

    if (ngx_current_msec - b->start >= NGX_RTMP_SLUICE_BATCH_PERIOD) {
        ngx_rtmp_sluice_batch_measure(ctx);
    }
}


/* the publisher stopped or the connection closes */

void
ngx_rtmp_sluice_batch_stop(ngx_rtmp_sluice_ctx_t *ctx)
{
    ngx_rtmp_sluice_batch_t  *b;

    b = &ctx->batch;

    if (b->watchdog.timer_set) {
        ngx_del_timer(&b->watchdog);
    }

    if (b->lowat && ctx->session->connection->fd != (ngx_socket_t) -1) {
        ngx_rtmp_sluice_batch_set(ctx, 0);
    }

    b->time = 0;
}


static void
ngx_rtmp_sluice_batch_measure(ngx_rtmp_sluice_ctx_t *ctx)
{
    size_t                    lowat;
    uint64_t                  rate;
    ngx_msec_t                elapsed;
    ngx_rtmp_sluice_batch_t  *b;

    b = &ctx->batch;

    elapsed = ngx_current_msec - b->start;

    /* bytes a second, then bytes per batch */

    rate = (uint64_t) b->bytes * 1000 / elapsed;
    lowat = (size_t) ngx_min(rate * b->time / 1000,
                             NGX_RTMP_SLUICE_BATCH_MAX);

    if (lowat < NGX_RTMP_SLUICE_BATCH_MIN) {
        lowat = 0;
    }

    b->start = ngx_current_msec;
    b->bytes = 0;

    /* a change of less than a quarter is not worth a system call */

    if (lowat == 0 ? b->lowat == 0
                   : (lowat > b->lowat - b->lowat / 4
                      && lowat < b->lowat + b->lowat / 4))
    {
        return;
    }

    ngx_rtmp_sluice_batch_set(ctx, lowat);
}


static void
ngx_rtmp_sluice_batch_set(ngx_rtmp_sluice_ctx_t *ctx, size_t lowat)
{
    int                       val;
    ngx_connection_t         *c;
    ngx_rtmp_sluice_batch_t  *b;

    b = &ctx->batch;
    c = ctx->session->connection;

    val = lowat ? (int) lowat : 1;

    if (setsockopt(c->fd, SOL_SOCKET, SO_RCVLOWAT, &val, sizeof(int)) == -1) {
        ngx_log_error(NGX_LOG_NOTICE, c->log, ngx_socket_errno,
                      "sluice: setsockopt(SO_RCVLOWAT) failed, receive "
                      "batching off for \"%s\"", ctx->in.stream);

        b->failed = 1;
        b->time = 0;
        b->lowat = 0;

        if (b->watchdog.timer_set) {
            ngx_del_timer(&b->watchdog);
        }

        return;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_RTMP, c->log, 0,
                   "sluice: \"%s\" receive low mark %uz",
                   ctx->in.stream, lowat);

    b->lowat = lowat;
    b->reads = 0;

    if (lowat == 0) {
        if (b->watchdog.timer_set) {
            ngx_del_timer(&b->watchdog);
        }

        return;
    }

    ngx_add_timer(&b->watchdog, 4 * b->time);
}


/*
 * Nothing read for four batches: the encoder sends less than it did, and
 * what it sends may wait in the kernel for the mark.  Drop the mark; it is
 * measured again from the new bitrate.
 */

static void
ngx_rtmp_sluice_batch_watchdog(ngx_event_t *ev)
{
    ngx_rtmp_sluice_ctx_t    *ctx;
    ngx_rtmp_sluice_batch_t  *b;

    ctx = ev->data;
    b = &ctx->batch;

    if (b->reads) {
        b->reads = 0;
        ngx_add_timer(ev, 4 * b->time);
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_RTMP, ev->log, 0,
                   "sluice: \"%s\" reads stalled, receive low mark dropped",
                   ctx->in.stream);

    b->start = ngx_current_msec;
    b->bytes = 0;

    ngx_rtmp_sluice_batch_set(ctx, 0);
}
