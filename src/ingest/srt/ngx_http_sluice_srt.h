
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * SRT ingest (an extension of Sluice: AMS had none).  libsrt has no file
 * descriptor nginx could wait on, so one thread of worker 0 runs SRT:
 * ngx_http_sluice_srt_thread.c listens, admits or rejects in the listen
 * callback (access token, event state, IP allow-list, before the
 * handshake ends), accepts, and reads each connection's MPEG-TS into a
 * queue of chunks.  It wakes the event loop through a pipe;
 * ngx_http_sluice_srt_session.c demuxes the chunks there and feeds the
 * ingest core, as every other protocol does.  Neither side waits for the
 * other: the thread never calls into nginx beyond logging and the zone's
 * mutex, the event loop never calls libsrt.
 */


#ifndef _NGX_HTTP_SLUICE_SRT_H_INCLUDED_
#define _NGX_HTTP_SLUICE_SRT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <pthread.h>

#include "util/sluice_srt_streamid.h"


#define NGX_HTTP_SLUICE_SRT_CHUNK     (64 * 1024)

/* the stream of a stream id without one */
#define NGX_HTTP_SLUICE_SRT_STREAM    "stream"


typedef struct ngx_http_sluice_srt_chunk_s  ngx_http_sluice_srt_chunk_t;

struct ngx_http_sluice_srt_chunk_s {
    ngx_http_sluice_srt_chunk_t  *next;
    size_t                        len;
    u_char                        data[NGX_HTTP_SLUICE_SRT_CHUNK];
};


typedef struct ngx_http_sluice_srt_conn_s  ngx_http_sluice_srt_conn_t;

struct ngx_http_sluice_srt_conn_s {
    ngx_http_sluice_srt_conn_t   *next;

    int                           sock;             /* SRTSOCKET */

    /* set at accept, read-only after */
    ngx_str_t                     token;
    ngx_str_t                     stream;
    u_char                        token_buf[SLUICE_SRT_TOKEN_MAX];
    u_char                        stream_buf[SLUICE_SRT_STREAM_MAX];
    struct sockaddr_storage       sockaddr;
    socklen_t                     socklen;

    /* under the mutex */
    ngx_http_sluice_srt_chunk_t  *head;
    ngx_http_sluice_srt_chunk_t  *tail;
    size_t                        queued;
    const char                   *ended;            /* why no more data */
    unsigned                      close:1;          /* loop: close it */
    unsigned                      thread_done:1;    /* thread forgot it */
    unsigned                      loop_done:1;      /* loop forgot it */

    /* the event loop's */
    void                         *session;
};


typedef struct {
    ngx_addr_t                    listen;
    ngx_str_t                     passphrase;
    ngx_msec_t                    latency;
    size_t                        max_queue;
    ngx_str_t                     thread_pool_name;
} ngx_http_sluice_srt_conf_t;


typedef struct {
    ngx_http_sluice_srt_conf_t   *conf;
    ngx_log_t                    *log;
    ngx_shm_zone_t               *zone;
    ngx_thread_pool_t            *thread_pool;

    pthread_mutex_t               mutex;
    ngx_http_sluice_srt_conn_t   *conns;
    ngx_uint_t                    notified;         /* a byte in the pipe */

    int                           pipe[2];
    ngx_connection_t             *notify;

    ngx_uint_t                    bind_tries;
    pthread_t                     tid;
    volatile sig_atomic_t         stop;
    unsigned                      running:1;        /* the thread runs */
    unsigned                      srt_started:1;    /* srt_startup() */

    int                           listener;         /* SRTSOCKET */
    int                           eid;              /* SRT epoll */
} ngx_http_sluice_srt_t;


/* ngx_http_sluice_srt_thread.c: libsrt and its thread */
ngx_int_t ngx_http_sluice_srt_thread_start(ngx_http_sluice_srt_t *srt);
void ngx_http_sluice_srt_thread_stop(ngx_http_sluice_srt_t *srt);

/* ngx_http_sluice_srt_session.c: the event loop's side */
void ngx_http_sluice_srt_notified(ngx_event_t *rev);
void ngx_http_sluice_srt_sessions_end(ngx_http_sluice_srt_t *srt);


#endif /* _NGX_HTTP_SLUICE_SRT_H_INCLUDED_ */
