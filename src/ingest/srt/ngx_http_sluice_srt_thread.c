
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The SRT thread of worker 0 (ngx_http_sluice_srt.h): the listener, its
 * admission in the listen callback, and the reading of each connection
 * into its queue.  What it shares with the event loop is under
 * srt->mutex; it never blocks on the event loop: a connection whose queue
 * passes sluice_srt_max_queue is closed.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <srt/srt.h>
#include <srt/access_control.h>

#include "core/ngx_sluice.h"
#include "core/ngx_sluice_ingest.h"
#include "ingest/srt/ngx_http_sluice_srt.h"


#define NGX_HTTP_SLUICE_SRT_WAIT      100   /* ms: stop and close checks */
#define NGX_HTTP_SLUICE_SRT_ROUND     20    /* ms: a turn at most that often */
#define NGX_HTTP_SLUICE_SRT_EVENTS    64
#define NGX_HTTP_SLUICE_SRT_BACKLOG   16


static void *ngx_http_sluice_srt_thread(void *data);
static int ngx_http_sluice_srt_listen_cb(void *opaque, SRTSOCKET ns,
    int hsversion, const struct sockaddr *peer, const char *streamid);
static void ngx_http_sluice_srt_accept(ngx_http_sluice_srt_t *srt);
static void ngx_http_sluice_srt_read(ngx_http_sluice_srt_t *srt,
    SRTSOCKET sock, int events);
static void ngx_http_sluice_srt_end(ngx_http_sluice_srt_t *srt,
    ngx_http_sluice_srt_conn_t *c, const char *why);
static void ngx_http_sluice_srt_sweep(ngx_http_sluice_srt_t *srt,
    ngx_uint_t all);
static void ngx_http_sluice_srt_notify(ngx_http_sluice_srt_t *srt);
static void ngx_http_sluice_srt_log(void *opaque, int level,
    const char *file, int line, const char *area, const char *message);
static ngx_int_t ngx_http_sluice_srt_set(ngx_http_sluice_srt_t *srt,
    SRT_SOCKOPT opt, const void *value, int len, const char *name);


ngx_int_t
ngx_http_sluice_srt_thread_start(ngx_http_sluice_srt_t *srt)
{
    int                          no, events, latency, err;
    ngx_http_sluice_srt_conf_t  *conf;

    conf = srt->conf;

    if (!srt->srt_started) {
        if (srt_startup() < 0) {
            ngx_log_error(NGX_LOG_EMERG, srt->log, 0,
                          "sluice: srt_startup() failed: %s",
                          srt_getlasterror_str());
            return NGX_ERROR;
        }

        srt->srt_started = 1;

        /* LOG_CRIT: LOG_ERR has the non-blocking calls' EAGAIN */
        srt_setloglevel(2);
        srt_setloghandler(srt, ngx_http_sluice_srt_log);
        srt_setlogflags(SRT_LOGF_DISABLE_TIME | SRT_LOGF_DISABLE_THREADNAME
                        | SRT_LOGF_DISABLE_SEVERITY | SRT_LOGF_DISABLE_EOL);
    }

    srt->listener = srt_create_socket();
    if (srt->listener == SRT_INVALID_SOCK) {
        ngx_log_error(NGX_LOG_EMERG, srt->log, 0,
                      "sluice: srt_create_socket() failed: %s",
                      srt_getlasterror_str());
        return NGX_ERROR;
    }

    no = 0;
    latency = (int) conf->latency;

    if (ngx_http_sluice_srt_set(srt, SRTO_RCVSYN, &no, sizeof(int),
                                "SRTO_RCVSYN") != NGX_OK
        || ngx_http_sluice_srt_set(srt, SRTO_SNDSYN, &no, sizeof(int),
                                   "SRTO_SNDSYN") != NGX_OK
        || ngx_http_sluice_srt_set(srt, SRTO_TSBPDMODE, &no, sizeof(int),
                                   "SRTO_TSBPDMODE") != NGX_OK
        || ngx_http_sluice_srt_set(srt, SRTO_RCVLATENCY, &latency,
                                   sizeof(int), "SRTO_RCVLATENCY") != NGX_OK
        || (conf->passphrase.len
            && ngx_http_sluice_srt_set(srt, SRTO_PASSPHRASE,
                                       conf->passphrase.data,
                                       (int) conf->passphrase.len,
                                       "SRTO_PASSPHRASE") != NGX_OK))
    {
        goto failed;
    }

    if (srt_listen_callback(srt->listener, ngx_http_sluice_srt_listen_cb,
                            srt) < 0)
    {
        ngx_log_error(NGX_LOG_EMERG, srt->log, 0,
                      "sluice: srt_listen_callback() failed: %s",
                      srt_getlasterror_str());
        goto failed;
    }

    if (srt_bind(srt->listener, conf->listen.sockaddr,
                 (int) conf->listen.socklen) < 0)
    {
        /* a reload: the old worker 0 may hold it still, tried again */
        ngx_log_error(NGX_LOG_INFO, srt->log, 0,
                      "sluice: SRT bind() to %V failed: %s",
                      &conf->listen.name, srt_getlasterror_str());
        srt_close(srt->listener);
        srt->listener = SRT_INVALID_SOCK;
        return NGX_AGAIN;
    }

    if (srt_listen(srt->listener, NGX_HTTP_SLUICE_SRT_BACKLOG) < 0) {
        ngx_log_error(NGX_LOG_EMERG, srt->log, 0,
                      "sluice: SRT listen() on %V failed: %s",
                      &conf->listen.name, srt_getlasterror_str());
        goto failed;
    }

    srt->eid = srt_epoll_create();
    events = SRT_EPOLL_IN | SRT_EPOLL_ERR;

    if (srt->eid < 0
        || srt_epoll_add_usock(srt->eid, srt->listener, &events) < 0)
    {
        ngx_log_error(NGX_LOG_EMERG, srt->log, 0,
                      "sluice: SRT epoll failed: %s", srt_getlasterror_str());
        goto failed;
    }

    srt->stop = 0;

    err = pthread_create(&srt->tid, NULL, ngx_http_sluice_srt_thread, srt);
    if (err) {
        ngx_log_error(NGX_LOG_EMERG, srt->log, err,
                      "sluice: SRT pthread_create() failed");
        goto failed;
    }

    srt->running = 1;

    ngx_log_error(NGX_LOG_NOTICE, srt->log, 0,
                  "sluice: SRT listening on %V", &conf->listen.name);

    return NGX_OK;

failed:

    if (srt->eid >= 0) {
        srt_epoll_release(srt->eid);
        srt->eid = -1;
    }

    srt_close(srt->listener);
    srt->listener = SRT_INVALID_SOCK;

    return NGX_ERROR;
}


/*
 * The thread stops (at most NGX_HTTP_SLUICE_SRT_WAIT ms): every socket is
 * closed, every connection ended; the event loop still owns the sessions
 */

void
ngx_http_sluice_srt_thread_stop(ngx_http_sluice_srt_t *srt)
{
    if (srt->running) {
        srt->stop = 1;
        (void) pthread_join(srt->tid, NULL);
        srt->running = 0;
    }

    if (srt->srt_started) {
        srt_cleanup();
        srt->srt_started = 0;
    }
}


static void *
ngx_http_sluice_srt_thread(void *data)
{
    ngx_http_sluice_srt_t  *srt = data;

    int              i, n;
    sigset_t         set;
    ngx_msec_int_t   spent;
    struct timeval   tv0, tv1;
    SRT_EPOLL_EVENT  ev[NGX_HTTP_SLUICE_SRT_EVENTS];

    /* signals are the event loop's */
    sigfillset(&set);
    (void) pthread_sigmask(SIG_BLOCK, &set, NULL);

    while (!srt->stop) {

        n = srt_epoll_uwait(srt->eid, ev, NGX_HTTP_SLUICE_SRT_EVENTS,
                            NGX_HTTP_SLUICE_SRT_WAIT);

        /*
         * what came within a round is read at once: one chunk per
         * connection and one wake-up of the event loop per round, not
         * one per datagram (SRT's latency buffer holds the rest)
         */

        ngx_gettimeofday(&tv0);

        for (i = 0; i < n; i++) {
            if (ev[i].fd == srt->listener) {
                ngx_http_sluice_srt_accept(srt);

            } else {
                ngx_http_sluice_srt_read(srt, ev[i].fd, ev[i].events);
            }
        }

        ngx_http_sluice_srt_sweep(srt, 0);

        if (n > 0) {
            ngx_gettimeofday(&tv1);
            spent = (tv1.tv_sec - tv0.tv_sec) * 1000
                    + (tv1.tv_usec - tv0.tv_usec) / 1000;

            if (spent < NGX_HTTP_SLUICE_SRT_ROUND) {
                ngx_msleep((NGX_HTTP_SLUICE_SRT_ROUND - spent));
            }
        }
    }

    ngx_http_sluice_srt_sweep(srt, 1);

    srt_epoll_release(srt->eid);
    srt->eid = -1;
    srt_close(srt->listener);
    srt->listener = SRT_INVALID_SOCK;

    return NULL;
}


/*
 * libsrt's thread, before the handshake ends: 0 admits, -1 rejects with
 * the reason set (SRT_REJX_*: 1000 + the HTTP status of the same sense)
 */

static int
ngx_http_sluice_srt_listen_cb(void *opaque, SRTSOCKET ns, int hsversion,
    const struct sockaddr *peer, const char *streamid)
{
    ngx_http_sluice_srt_t  *srt = opaque;

    int                     code;
    u_char                  text[NGX_SOCKADDR_STRLEN];
    size_t                  len;
    ngx_str_t               token, stream;
    ngx_uint_t              found;
    const char             *why;
    sluice_srt_streamid_t   sid;

    len = ngx_sock_ntop((struct sockaddr *) peer,
                        peer->sa_family == AF_INET6
                        ? sizeof(struct sockaddr_in6)
                        : sizeof(struct sockaddr_in),
                        text, NGX_SOCKADDR_STRLEN, 1);

    if (hsversion < 5 || streamid == NULL) {
        why = "no stream id (an SRT version before 1.3)";
        code = SRT_REJX_BAD_REQUEST;
        goto refused;
    }

    switch (sluice_srt_streamid_parse(&sid, (const uint8_t *) streamid,
                                      ngx_strlen(streamid), &why))
    {
    case SLUICE_SRT_SID_OK:
        break;

    case SLUICE_SRT_SID_MODE:
        code = SRT_REJX_BAD_MODE;
        goto refused;

    case SLUICE_SRT_SID_TYPE:
        code = SRT_REJX_NOTSUP_MEDIA;
        goto refused;

    case SLUICE_SRT_SID_KEY:
        code = SRT_REJX_KEY_NOTSUP;
        goto refused;

    default:
        code = SRT_REJX_BAD_REQUEST;
        goto refused;
    }

    token.data = (u_char *) sid.token.data;
    token.len = sid.token.len;

    if (sid.stream.len) {
        stream.data = (u_char *) sid.stream.data;
        stream.len = sid.stream.len;

    } else {
        ngx_str_set(&stream, NGX_HTTP_SLUICE_SRT_STREAM);
    }

    why = ngx_sluice_ingest_precheck(srt->zone, NGX_SLUICE_PROTO_SRT, &token,
                                     &stream, (struct sockaddr *) peer,
                                     &found);
    if (why == NULL) {
        return 0;
    }

    if (!found) {
        code = SRT_REJX_NOTFOUND;

    } else if (ngx_strstr(why, "not running")) {
        code = SRT_REJX_NOTFOUND;

    } else if (ngx_strstr(why, "already")) {
        code = SRT_REJX_CONFLICT;

    } else if (ngx_strstr(why, "streamingProtocol")) {
        code = SRT_REJX_UNACCEPTABLE;

    } else {
        code = SRT_REJX_FORBIDDEN;
    }

refused:

    ngx_log_error(NGX_LOG_ERR, srt->log, 0,
                  "sluice: SRT publish refused (%d): %s, stream id \"%s\", "
                  "client %*s", code, why, streamid ? streamid : "",
                  len, text);

    srt_setrejectreason(ns, code);

    return -1;
}


static void
ngx_http_sluice_srt_accept(ngx_http_sluice_srt_t *srt)
{
    int                          len, events;
    char                         sid_text[SLUICE_SRT_STREAMID_MAX + 1];
    SRTSOCKET                    s;
    const char                  *why;
    sluice_srt_streamid_t        sid;
    ngx_http_sluice_srt_conn_t  *c;

    for ( ;; ) {
        c = ngx_calloc(sizeof(ngx_http_sluice_srt_conn_t), srt->log);
        if (c == NULL) {
            return;
        }

        c->socklen = sizeof(c->sockaddr);
        s = srt_accept(srt->listener, (struct sockaddr *) &c->sockaddr,
                       (int *) &c->socklen);

        if (s == SRT_INVALID_SOCK) {
            ngx_free(c);
            return;
        }

        c->sock = s;

        len = SLUICE_SRT_STREAMID_MAX;
        ngx_memzero(sid_text, sizeof(sid_text));

        if (srt_getsockflag(s, SRTO_STREAMID, sid_text, &len) < 0
            || sluice_srt_streamid_parse(&sid, (uint8_t *) sid_text,
                                         ngx_strlen(sid_text), &why)
               != SLUICE_SRT_SID_OK)
        {
            /* the listen callback took it: not seen */
            srt_close(s);
            ngx_free(c);
            continue;
        }

        ngx_memcpy(c->token_buf, sid.token.data, sid.token.len);
        c->token.data = c->token_buf;
        c->token.len = sid.token.len;

        if (sid.stream.len) {
            ngx_memcpy(c->stream_buf, sid.stream.data, sid.stream.len);
            c->stream.len = sid.stream.len;

        } else {
            c->stream.len = sizeof(NGX_HTTP_SLUICE_SRT_STREAM) - 1;
            ngx_memcpy(c->stream_buf, NGX_HTTP_SLUICE_SRT_STREAM,
                       c->stream.len);
        }

        c->stream.data = c->stream_buf;

        events = SRT_EPOLL_IN | SRT_EPOLL_ERR;

        if (srt_epoll_add_usock(srt->eid, s, &events) < 0) {
            ngx_log_error(NGX_LOG_ALERT, srt->log, 0,
                          "sluice: SRT epoll add failed: %s",
                          srt_getlasterror_str());
            srt_close(s);
            ngx_free(c);
            continue;
        }

        pthread_mutex_lock(&srt->mutex);
        c->next = srt->conns;
        srt->conns = c;
        pthread_mutex_unlock(&srt->mutex);

        ngx_http_sluice_srt_notify(srt);
    }
}


/* what a connection has to read, a chunk at a time, into its queue */

static void
ngx_http_sluice_srt_read(ngx_http_sluice_srt_t *srt, SRTSOCKET sock,
    int events)
{
    int                           n;
    ngx_uint_t                    full;
    const char                   *why;
    ngx_http_sluice_srt_chunk_t  *ch;
    ngx_http_sluice_srt_conn_t   *c;

    pthread_mutex_lock(&srt->mutex);

    for (c = srt->conns; c; c = c->next) {
        if (c->sock == sock && !c->thread_done) {
            break;
        }
    }

    pthread_mutex_unlock(&srt->mutex);

    if (c == NULL) {
        (void) srt_epoll_remove_usock(srt->eid, sock);
        srt_close(sock);
        return;
    }

    why = NULL;

    for ( ;; ) {
        ch = ngx_alloc(sizeof(ngx_http_sluice_srt_chunk_t), srt->log);
        if (ch == NULL) {
            why = "out of memory";
            break;
        }

        ch->next = NULL;
        ch->len = 0;

        /* SRT live mode: messages of 1316 bytes (7 TS packets) or less */

        while (NGX_HTTP_SLUICE_SRT_CHUNK - ch->len >= 1500) {
            n = srt_recvmsg(sock, (char *) ch->data + ch->len, 1500);

            if (n > 0) {
                ch->len += n;
                continue;
            }

            if (n == SRT_ERROR && srt_getlasterror(NULL) != SRT_EASYNCRCV) {
                why = "the connection ended";
            }

            break;
        }

        if (ch->len == 0) {
            ngx_free(ch);
            break;
        }

        pthread_mutex_lock(&srt->mutex);

        if (c->tail) {
            c->tail->next = ch;

        } else {
            c->head = ch;
        }

        c->tail = ch;
        c->queued += ch->len;
        full = (NGX_HTTP_SLUICE_SRT_CHUNK - ch->len < 1500);

        if (c->queued > srt->conf->max_queue) {
            why = "its queue passed \"sluice_srt_max_queue\": nginx is "
                  "too slow for the stream";
        }

        pthread_mutex_unlock(&srt->mutex);

        if (why || !full) {
            break;
        }
    }

    if (why == NULL && (events & SRT_EPOLL_ERR)) {
        why = "the connection ended";
    }

    if (why) {
        ngx_http_sluice_srt_end(srt, c, why);
    }

    ngx_http_sluice_srt_notify(srt);
}


/* the socket closed: the event loop reads what is queued, then ends */

static void
ngx_http_sluice_srt_end(ngx_http_sluice_srt_t *srt,
    ngx_http_sluice_srt_conn_t *c, const char *why)
{
    (void) srt_epoll_remove_usock(srt->eid, c->sock);
    srt_close(c->sock);

    pthread_mutex_lock(&srt->mutex);

    if (c->ended == NULL) {
        c->ended = why;
    }

    c->thread_done = 1;

    pthread_mutex_unlock(&srt->mutex);
}


/*
 * Connections the event loop asked to close are closed, those both sides
 * are done with freed; all: every socket closed (the thread stops)
 */

static void
ngx_http_sluice_srt_sweep(ngx_http_sluice_srt_t *srt, ngx_uint_t all)
{
    ngx_uint_t                     ended;
    ngx_http_sluice_srt_conn_t    *c, **pc, *close;
    ngx_http_sluice_srt_chunk_t   *ch, *next;

    ended = 0;

    for ( ;; ) {
        close = NULL;

        pthread_mutex_lock(&srt->mutex);

        pc = &srt->conns;

        while (*pc) {
            c = *pc;

            if (c->thread_done && c->loop_done) {
                *pc = c->next;

                for (ch = c->head; ch; ch = next) {
                    next = ch->next;
                    ngx_free(ch);
                }

                ngx_free(c);
                continue;
            }

            if (!c->thread_done && (c->close || all) && close == NULL) {
                close = c;
            }

            pc = &c->next;
        }

        pthread_mutex_unlock(&srt->mutex);

        if (close == NULL) {
            break;
        }

        ngx_http_sluice_srt_end(srt, close, close->close
                                ? "closed by nginx" : "nginx stops SRT");
        ended = 1;
    }

    if (ended) {
        ngx_http_sluice_srt_notify(srt);
    }
}


/* a byte in the pipe, unless one is there already */

static void
ngx_http_sluice_srt_notify(ngx_http_sluice_srt_t *srt)
{
    u_char      b;
    ngx_uint_t  wake;

    pthread_mutex_lock(&srt->mutex);
    wake = !srt->notified;
    srt->notified = 1;
    pthread_mutex_unlock(&srt->mutex);

    if (wake) {
        b = 1;
        (void) !write(srt->pipe[1], &b, 1);
    }
}


/* libsrt's log lines, at LOG_ERR and above: of a peer, mostly */

static void
ngx_http_sluice_srt_log(void *opaque, int level, const char *file, int line,
    const char *area, const char *message)
{
    ngx_http_sluice_srt_t  *srt = opaque;

    ngx_uint_t  lvl;

    lvl = (level <= 2) ? NGX_LOG_ERR : NGX_LOG_INFO;

    ngx_log_error(lvl, srt->log, 0, "sluice: libsrt: %s", message);
}


static ngx_int_t
ngx_http_sluice_srt_set(ngx_http_sluice_srt_t *srt, SRT_SOCKOPT opt,
    const void *value, int len, const char *name)
{
    if (srt_setsockflag(srt->listener, opt, value, len) < 0) {
        ngx_log_error(NGX_LOG_EMERG, srt->log, 0,
                      "sluice: SRT %s failed: %s", name,
                      srt_getlasterror_str());
        return NGX_ERROR;
    }

    return NGX_OK;
}
