
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * SRT ingest (an extension of Sluice: AMS had none), Sluice's own SRT
 * live-mode receiver in the event loop of worker 0: one UDP socket
 * (ngx_http_sluice_srt_module.c), the listener's handshake with its
 * admission and each connection's protocol (ngx_http_sluice_srt_conn.c:
 * ACK, NAK, the receive window of src/util/sluice_srt_rcv.c, keys), and
 * the MPEG-TS of each connection demuxed into the ingest core
 * (ngx_http_sluice_srt_session.c).  The packets are parsed and built by
 * src/util/sluice_srt_packet.c, decrypted by src/util/sluice_srt_crypto.c.
 *
 * While connections exist, the socket is read every
 * NGX_HTTP_SLUICE_SRT_POLL ms (recvmmsg batches, the socket's buffer
 * holding what came between), not on each datagram; with none, on its
 * read event.  Nothing waits: a send that would block is dropped, as a
 * lost datagram, and SRT sends it again.
 */


#ifndef _NGX_HTTP_SLUICE_SRT_H_INCLUDED_
#define _NGX_HTTP_SLUICE_SRT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "util/sluice_srt_streamid.h"
#include "util/sluice_srt_packet.h"
#include "util/sluice_srt_rcv.h"
#include "util/sluice_srt_crypto.h"


#define NGX_HTTP_SLUICE_SRT_POLL      20        /* ms: reads, NAKs */
#define NGX_HTTP_SLUICE_SRT_ACK       100       /* ms: full ACKs */
#define NGX_HTTP_SLUICE_SRT_HASH      256
#define NGX_HTTP_SLUICE_SRT_ACKS      16        /* ACKs awaiting ACKACK */

/* the stream of a stream id without one */
#define NGX_HTTP_SLUICE_SRT_STREAM    "stream"


typedef struct ngx_http_sluice_srt_s       ngx_http_sluice_srt_t;
typedef struct ngx_http_sluice_srt_conn_s  ngx_http_sluice_srt_conn_t;


struct ngx_http_sluice_srt_conn_s {
    ngx_http_sluice_srt_conn_t   *next;             /* all of them */
    ngx_http_sluice_srt_conn_t   *hnext;            /* same hash */
    ngx_http_sluice_srt_t        *srt;

    uint32_t                      id;               /* ours */
    uint32_t                      peer_id;
    struct sockaddr_storage       sockaddr;
    socklen_t                     socklen;

    ngx_str_t                     token;
    ngx_str_t                     stream;
    u_char                        token_buf[SLUICE_SRT_TOKEN_MAX];
    u_char                        stream_buf[SLUICE_SRT_STREAM_MAX];

    sluice_srt_rcv_t             *rcv;
    sluice_srt_crypto_t          *crypto;
    uint32_t                      latency;          /* ms, agreed */

    uint64_t                      start;            /* us: our clock's 0 */
    ngx_msec_t                    last_recv;
    ngx_msec_t                    last_sent;
    ngx_msec_t                    last_ack;

    uint32_t                      ackno;
    uint32_t                      acked;            /* seq in last ACK */
    uint32_t                      since_ack;        /* packets */
    uint32_t                      ack_no[NGX_HTTP_SLUICE_SRT_ACKS];
    uint64_t                      ack_time[NGX_HTTP_SLUICE_SRT_ACKS];
    uint32_t                      rtt;              /* us */
    uint32_t                      rttvar;

    ngx_msec_t                    rate_start;
    uint32_t                      rate_pkts;
    uint32_t                      rate_bytes;
    uint32_t                      pkt_rate;         /* per second */
    uint32_t                      byte_rate;

    uint64_t                      undecryptable;
    u_char                        response[SLUICE_SRT_HEADER
                                           + SLUICE_SRT_HS_CIF + 16 + 4
                                           + SLUICE_SRT_KM_MAX];
    size_t                        response_len;     /* conclusion's */

    void                         *session;
    const char                   *ended;            /* why it closes */
};


typedef struct {
    ngx_addr_t                    listen;
    ngx_str_t                     passphrase;
    ngx_msec_t                    latency;
    size_t                        max_queue;
    ngx_str_t                     thread_pool_name;
} ngx_http_sluice_srt_conf_t;


struct ngx_http_sluice_srt_s {
    ngx_http_sluice_srt_conf_t   *conf;
    ngx_log_t                    *log;
    ngx_shm_zone_t               *zone;
    ngx_thread_pool_t            *thread_pool;

    ngx_connection_t             *udp;              /* the socket */
    ngx_event_t                   poll;
    ngx_uint_t                    bind_tries;
    unsigned                      polling:1;

    ngx_http_sluice_srt_conn_t   *conns;
    ngx_uint_t                    nconns;
    ngx_http_sluice_srt_conn_t   *hash[NGX_HTTP_SLUICE_SRT_HASH];
    uint32_t                      next_id;
    u_char                        secret[16];       /* of SYN cookies */

    uint64_t                      now;              /* us, monotonic */
};


/* ngx_http_sluice_srt_conn.c: the socket's packets, the connections */
ngx_int_t ngx_http_sluice_srt_open(ngx_http_sluice_srt_t *srt);
void ngx_http_sluice_srt_close(ngx_http_sluice_srt_t *srt);

/* ngx_http_sluice_srt_session.c: the MPEG-TS into the ingest core */
void *ngx_http_sluice_srt_session_start(ngx_http_sluice_srt_t *srt,
    ngx_http_sluice_srt_conn_t *c);
void ngx_http_sluice_srt_session_feed(void *data, const uint8_t *p,
    size_t len);
const char *ngx_http_sluice_srt_session_failed(void *data);
void ngx_http_sluice_srt_session_stop(void *data, const char *why);


#endif /* _NGX_HTTP_SLUICE_SRT_H_INCLUDED_ */
