
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The SRT socket of worker 0 and its connections (ngx_http_sluice_srt.h):
 * the listener's handshake (induction with a SYN cookie, conclusion with
 * the admission: stream id, access token, event, IP allow-list,
 * passphrase; a refusal is a rejection handshake with SRT_REJX_* codes,
 * 1000 + the HTTP status), then per connection the data into the receive
 * window, a full ACK each poll when something new came (a light one each
 * 64 packets between), ACKACKs for the RTT, NAKs at once for a new gap
 * and again after the NAK interval, drop requests, key refreshes,
 * keepalives, shutdown, and the end of a silent peer.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_md5.h>
#include <openssl/rand.h>

#include "core/ngx_sluice.h"
#include "core/ngx_sluice_ingest.h"
#include "ingest/srt/ngx_http_sluice_srt.h"


#define NGX_HTTP_SLUICE_SRT_BATCH     64        /* datagrams a recvmmsg */
#define NGX_HTTP_SLUICE_SRT_ROUNDS    16        /* recvmmsg a poll, most */
#define NGX_HTTP_SLUICE_SRT_LIGHT     64        /* packets: light ACK */
#define NGX_HTTP_SLUICE_SRT_IDLE      5000      /* ms: peer idle timeout */
#define NGX_HTTP_SLUICE_SRT_KEEPALIVE 1000      /* ms */
#define NGX_HTTP_SLUICE_SRT_NAK_MIN   20        /* ms: NAK interval */
#define NGX_HTTP_SLUICE_SRT_CONNS     1024
#define NGX_HTTP_SLUICE_SRT_VERSION   0x010501
#define NGX_HTTP_SLUICE_SRT_RCVBUF    (4 * 1024 * 1024)


static void ngx_http_sluice_srt_read_handler(ngx_event_t *rev);
static void ngx_http_sluice_srt_poll_handler(ngx_event_t *ev);
static void ngx_http_sluice_srt_schedule(ngx_http_sluice_srt_t *srt);
static ngx_uint_t ngx_http_sluice_srt_drain(ngx_http_sluice_srt_t *srt,
    ngx_uint_t rounds);
static void ngx_http_sluice_srt_packet(ngx_http_sluice_srt_t *srt,
    u_char *buf, size_t len, struct sockaddr *sa, socklen_t socklen);
static void ngx_http_sluice_srt_handshake(ngx_http_sluice_srt_t *srt,
    sluice_srt_packet_t *pk, struct sockaddr *sa, socklen_t socklen);
static ngx_int_t ngx_http_sluice_srt_admit(ngx_http_sluice_srt_t *srt,
    sluice_srt_hs_t *hs, struct sockaddr *sa, socklen_t socklen,
    ngx_http_sluice_srt_conn_t **cp, const char **why);
static void ngx_http_sluice_srt_reject(ngx_http_sluice_srt_t *srt,
    sluice_srt_hs_t *hs, struct sockaddr *sa, socklen_t socklen, int code,
    const char *why);
static uint32_t ngx_http_sluice_srt_cookie(ngx_http_sluice_srt_t *srt,
    struct sockaddr *sa, socklen_t socklen, time_t minute);
static void ngx_http_sluice_srt_input(ngx_http_sluice_srt_conn_t *c,
    sluice_srt_packet_t *pk, u_char *buf);
static void ngx_http_sluice_srt_control(ngx_http_sluice_srt_conn_t *c,
    sluice_srt_packet_t *pk);
static void ngx_http_sluice_srt_kmreq(ngx_http_sluice_srt_conn_t *c,
    sluice_srt_packet_t *pk);
static void ngx_http_sluice_srt_timers(ngx_http_sluice_srt_conn_t *c);
static void ngx_http_sluice_srt_ack(ngx_http_sluice_srt_conn_t *c,
    ngx_uint_t light);
static void ngx_http_sluice_srt_nak(ngx_http_sluice_srt_conn_t *c,
    sluice_srt_range_t *r, size_t n);
static u_char *ngx_http_sluice_srt_out(ngx_http_sluice_srt_conn_t *c);
static void ngx_http_sluice_srt_send(ngx_http_sluice_srt_conn_t *c,
    size_t len);
static void ngx_http_sluice_srt_flush(ngx_http_sluice_srt_t *srt);
static void ngx_http_sluice_srt_end(ngx_http_sluice_srt_conn_t *c,
    const char *why, ngx_uint_t shutdown);
static ngx_http_sluice_srt_conn_t *ngx_http_sluice_srt_find(
    ngx_http_sluice_srt_t *srt, uint32_t id);
static uint32_t ngx_http_sluice_srt_ts(ngx_http_sluice_srt_conn_t *c);
static uint64_t ngx_http_sluice_srt_clock(void);
static uint32_t ngx_http_sluice_srt_rd32(const u_char *p);


/* the datagrams of one recvmmsg */
static u_char                   ngx_http_sluice_srt_bufs
    [NGX_HTTP_SLUICE_SRT_BATCH][SLUICE_SRT_MTU];
static struct sockaddr_storage  ngx_http_sluice_srt_addrs
    [NGX_HTTP_SLUICE_SRT_BATCH];

/* the datagrams to send, one sendmmsg at the end of a turn */
static u_char                   ngx_http_sluice_srt_obufs
    [NGX_HTTP_SLUICE_SRT_BATCH][SLUICE_SRT_MTU];
static struct sockaddr_storage  ngx_http_sluice_srt_oaddrs
    [NGX_HTTP_SLUICE_SRT_BATCH];
static struct iovec             ngx_http_sluice_srt_oiov
    [NGX_HTTP_SLUICE_SRT_BATCH];
static struct mmsghdr           ngx_http_sluice_srt_omsgs
    [NGX_HTTP_SLUICE_SRT_BATCH];
static ngx_uint_t               ngx_http_sluice_srt_nout;


ngx_int_t
ngx_http_sluice_srt_open(ngx_http_sluice_srt_t *srt)
{
    int                          size, one;
    ngx_socket_t                 s;
    ngx_connection_t            *c;
    ngx_http_sluice_srt_conf_t  *conf;

    conf = srt->conf;

    s = ngx_socket(conf->listen.sockaddr->sa_family, SOCK_DGRAM, 0);
    if (s == (ngx_socket_t) -1) {
        ngx_log_error(NGX_LOG_EMERG, srt->log, ngx_socket_errno,
                      "sluice: SRT socket() failed");
        return NGX_ERROR;
    }

    if (ngx_nonblocking(s) == -1) {
        ngx_log_error(NGX_LOG_EMERG, srt->log, ngx_socket_errno,
                      ngx_nonblocking_n " of the SRT socket failed");
        goto failed;
    }

    /* what comes between two polls waits in the socket */

    size = NGX_HTTP_SLUICE_SRT_RCVBUF;

    if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(int)) == -1
        && setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, sizeof(int)) == -1)
    {
        ngx_log_error(NGX_LOG_WARN, srt->log, ngx_socket_errno,
                      "sluice: SRT setsockopt(SO_RCVBUF) failed, ignored");
    }

    if (conf->listen.sockaddr->sa_family == AF_INET6) {
        one = 1;
        (void) setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(int));
    }

    if (bind(s, conf->listen.sockaddr, conf->listen.socklen) == -1) {
        /* a reload: the old worker 0 may hold it still, tried again */
        ngx_log_error(NGX_LOG_INFO, srt->log, ngx_socket_errno,
                      "sluice: SRT bind() to %V failed", &conf->listen.name);
        (void) ngx_close_socket(s);
        return NGX_AGAIN;
    }

    c = ngx_get_connection(s, srt->log);
    if (c == NULL) {
        goto failed;
    }

    c->data = srt;
    c->type = SOCK_DGRAM;
    c->read->handler = ngx_http_sluice_srt_read_handler;
    c->read->log = srt->log;

    /* not an idle connection: it must not keep an exiting worker alive */
    c->read->channel = 1;

    srt->udp = c;

    if (ngx_add_event(c->read, NGX_READ_EVENT, NGX_CLEAR_EVENT)
        == NGX_ERROR)
    {
        srt->udp = NULL;
        ngx_free_connection(c);
        goto failed;
    }

    /*
     * not cancelable: it re-arms itself; the module's 1 s tick stops SRT
     * (and it) when the worker exits
     */

    srt->poll.handler = ngx_http_sluice_srt_poll_handler;
    srt->poll.data = srt;
    srt->poll.log = srt->log;

    if (RAND_bytes(srt->secret, sizeof(srt->secret)) != 1) {
        ngx_log_error(NGX_LOG_EMERG, srt->log, 0,
                      "sluice: SRT RAND_bytes() failed");
        ngx_http_sluice_srt_close(srt);
        return NGX_ERROR;
    }

    srt->next_id = ((uint32_t) ngx_random() & 0x3fffffff) | 1;

    ngx_log_error(NGX_LOG_NOTICE, srt->log, 0,
                  "sluice: SRT listening on %V", &conf->listen.name);

    return NGX_OK;

failed:

    (void) ngx_close_socket(s);

    return NGX_ERROR;
}


/* the worker stops SRT: each connection ends, its peer told */

void
ngx_http_sluice_srt_close(ngx_http_sluice_srt_t *srt)
{
    while (srt->conns) {
        ngx_http_sluice_srt_end(srt->conns, "nginx stops SRT", 1);
    }

    ngx_http_sluice_srt_flush(srt);

    if (srt->poll.timer_set) {
        ngx_del_timer(&srt->poll);
    }

    if (srt->udp) {
        ngx_close_connection(srt->udp);
        srt->udp = NULL;
    }

    srt->polling = 0;
}


/* no connection: each datagram wakes the loop (handshakes only) */

static void
ngx_http_sluice_srt_read_handler(ngx_event_t *rev)
{
    ngx_connection_t       *uc = rev->data;
    ngx_http_sluice_srt_t  *srt = uc->data;

    (void) ngx_http_sluice_srt_drain(srt, (ngx_uint_t) -1);

    ngx_http_sluice_srt_flush(srt);
    ngx_http_sluice_srt_schedule(srt);
}


/*
 * Connections: the socket read every NGX_HTTP_SLUICE_SRT_POLL ms, then
 * each connection's timers
 */

static void
ngx_http_sluice_srt_poll_handler(ngx_event_t *ev)
{
    ngx_http_sluice_srt_t  *srt = ev->data;

    ngx_http_sluice_srt_conn_t  *c, *next;

    (void) ngx_http_sluice_srt_drain(srt, NGX_HTTP_SLUICE_SRT_ROUNDS);

    for (c = srt->conns; c; c = next) {
        next = c->next;
        ngx_http_sluice_srt_timers(c);
    }

    ngx_http_sluice_srt_flush(srt);
    ngx_http_sluice_srt_schedule(srt);
}


/* the read event with no connection, the poll timer with some */

static void
ngx_http_sluice_srt_schedule(ngx_http_sluice_srt_t *srt)
{
    ngx_event_t  *rev;

    if (srt->udp == NULL) {
        return;
    }

    rev = srt->udp->read;

    if (srt->conns) {
        if (!srt->polling) {
            if (rev->active) {
                (void) ngx_del_event(rev, NGX_READ_EVENT, 0);
            }

            srt->polling = 1;
        }

        if (!srt->poll.timer_set) {
            ngx_add_timer(&srt->poll, NGX_HTTP_SLUICE_SRT_POLL);
        }

        return;
    }

    if (srt->polling) {
        srt->polling = 0;

        if (srt->poll.timer_set) {
            ngx_del_timer(&srt->poll);
        }

        if (ngx_add_event(rev, NGX_READ_EVENT, NGX_CLEAR_EVENT)
            == NGX_ERROR)
        {
            ngx_log_error(NGX_LOG_ALERT, srt->log, 0,
                          "sluice: SRT read event failed");
        }

        /* what came since the last poll: an edge may not come for it */
        (void) ngx_http_sluice_srt_drain(srt, (ngx_uint_t) -1);
        ngx_http_sluice_srt_flush(srt);

        if (srt->conns) {
            ngx_http_sluice_srt_schedule(srt);
        }
    }
}


/* what the socket holds, BATCH datagrams a call, at most rounds calls */

static ngx_uint_t
ngx_http_sluice_srt_drain(ngx_http_sluice_srt_t *srt, ngx_uint_t rounds)
{
    int              i, n;
    ngx_err_t        err;
    ngx_uint_t       total;
    struct iovec     iov[NGX_HTTP_SLUICE_SRT_BATCH];
    struct mmsghdr   msgs[NGX_HTTP_SLUICE_SRT_BATCH];

    total = 0;

    if (srt->udp == NULL) {
        return 0;
    }

    srt->now = ngx_http_sluice_srt_clock();

    for (i = 0; i < NGX_HTTP_SLUICE_SRT_BATCH; i++) {
        iov[i].iov_base = ngx_http_sluice_srt_bufs[i];
        iov[i].iov_len = SLUICE_SRT_MTU;
        ngx_memzero(&msgs[i].msg_hdr, sizeof(struct msghdr));
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &ngx_http_sluice_srt_addrs[i];
    }

    while (rounds--) {

        for (i = 0; i < NGX_HTTP_SLUICE_SRT_BATCH; i++) {
            msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        }

        n = recvmmsg(srt->udp->fd, msgs, NGX_HTTP_SLUICE_SRT_BATCH,
                     MSG_DONTWAIT, NULL);

        if (n == -1) {
            err = ngx_socket_errno;

            if (err != NGX_EAGAIN && err != NGX_EINTR
                && err != NGX_ECONNREFUSED)
            {
                ngx_log_error(NGX_LOG_ERR, srt->log, err,
                              "sluice: SRT recvmmsg() failed");
            }

            if (err == NGX_EINTR || err == NGX_ECONNREFUSED) {
                continue;
            }

            break;
        }

        for (i = 0; i < n; i++) {
            ngx_http_sluice_srt_packet(srt, ngx_http_sluice_srt_bufs[i],
                                       msgs[i].msg_len,
                                       (struct sockaddr *)
                                           &ngx_http_sluice_srt_addrs[i],
                                       msgs[i].msg_hdr.msg_namelen);
        }

        total += n;

        if (n < NGX_HTTP_SLUICE_SRT_BATCH || srt->udp == NULL) {
            break;
        }
    }

    return total;
}


static void
ngx_http_sluice_srt_packet(ngx_http_sluice_srt_t *srt, u_char *buf,
    size_t len, struct sockaddr *sa, socklen_t socklen)
{
    sluice_srt_packet_t          pk;
    ngx_http_sluice_srt_conn_t  *c;

    if (sluice_srt_packet_parse(&pk, buf, len) != SLUICE_OK) {
        return;
    }

    if (pk.dst == 0) {
        if (pk.control && pk.type == SLUICE_SRT_HANDSHAKE) {
            ngx_http_sluice_srt_handshake(srt, &pk, sa, socklen);
        }

        return;
    }

    c = ngx_http_sluice_srt_find(srt, pk.dst);

    if (c == NULL
        || ngx_cmp_sockaddr(sa, socklen, (struct sockaddr *) &c->sockaddr,
                            c->socklen, 1) != NGX_OK)
    {
        return;
    }

    ngx_http_sluice_srt_input(c, &pk, buf);
}


/* the listener's side of a handshake (dst 0) */

static void
ngx_http_sluice_srt_handshake(ngx_http_sluice_srt_t *srt,
    sluice_srt_packet_t *pk, struct sockaddr *sa, socklen_t socklen)
{
    int                          code;
    u_char                       out[SLUICE_SRT_HEADER + SLUICE_SRT_HS_CIF];
    size_t                       n;
    time_t                       minute;
    const char                  *why;
    sluice_srt_hs_t              hs;
    ngx_http_sluice_srt_conn_t  *c;

    if (sluice_srt_hs_parse(&hs, pk->body, pk->body_len) != SLUICE_OK) {
        return;
    }

    minute = ngx_time() / 60;

    if (hs.type == SLUICE_SRT_HS_INDUCTION) {
        hs.version = 5;
        hs.encryption = 0;
        hs.extension = SLUICE_SRT_MAGIC;
        hs.cookie = ngx_http_sluice_srt_cookie(srt, sa, socklen, minute);

        n = sluice_srt_hs_write(out, sizeof(out), &hs, 0, hs.id, 0, 0,
                                NULL, 0);
        if (n) {
            (void) sendto(srt->udp->fd, out, n, 0, sa, socklen);
        }

        return;
    }

    if (hs.type != SLUICE_SRT_HS_CONCLUSION) {
        return;
    }

    if (hs.cookie != ngx_http_sluice_srt_cookie(srt, sa, socklen, minute)
        && hs.cookie != ngx_http_sluice_srt_cookie(srt, sa, socklen,
                                                   minute - 1))
    {
        return;
    }

    /* a conclusion again: our response was lost */

    for (c = srt->conns; c; c = c->next) {
        if (c->peer_id == hs.id
            && ngx_cmp_sockaddr(sa, socklen, (struct sockaddr *) &c->sockaddr,
                                c->socklen, 1) == NGX_OK)
        {
            (void) sendto(srt->udp->fd, c->response, c->response_len, 0, sa,
                          socklen);
            return;
        }
    }

    why = NULL;
    c = NULL;

    code = ngx_http_sluice_srt_admit(srt, &hs, sa, socklen, &c, &why);

    if (code) {
        ngx_http_sluice_srt_reject(srt, &hs, sa, socklen, code, why);
        return;
    }

    (void) sendto(srt->udp->fd, c->response, c->response_len, 0, sa,
                  socklen);
    c->last_sent = ngx_current_msec;

    ngx_http_sluice_srt_schedule(srt);
}


/*
 * A conclusion's admission: 0 and *cp, the connection, its session and
 * its response; or the reject reason and *why
 */

static ngx_int_t
ngx_http_sluice_srt_admit(ngx_http_sluice_srt_t *srt, sluice_srt_hs_t *hs,
    struct sockaddr *sa, socklen_t socklen, ngx_http_sluice_srt_conn_t **cp,
    const char **why)
{
    int                          code;
    uint32_t                     flags, window;
    ngx_str_t                    token, stream;
    ngx_uint_t                   found;
    ngx_uint_t                   i;
    sluice_srt_km_t              km;
    sluice_srt_hs_t              rsp;
    sluice_status_t              rc;
    sluice_srt_streamid_t        sid;
    ngx_http_sluice_srt_conn_t  *c;
    ngx_http_sluice_srt_conf_t  *conf;

    conf = srt->conf;

    if (hs->version < 5 || !hs->has_sid) {
        *why = "no stream id (an SRT version before 1.3)";
        return SLUICE_SRT_REJX_BAD_REQUEST;
    }

    if (!hs->has_hsreq) {
        *why = "no SRT handshake extension";
        return SLUICE_SRT_REJ_ROGUE;
    }

    if (hs->srt_flags & SLUICE_SRT_OPT_STREAM) {
        *why = "stream mode (transtype file): live mode only";
        return SLUICE_SRT_REJ_MESSAGEAPI;
    }

    if (hs->congestion_other) {
        *why = "a congestion control other than live";
        return SLUICE_SRT_REJ_CONGESTION;
    }

    if (hs->has_filter) {
        *why = "a packet filter (FEC): not supported";
        return SLUICE_SRT_REJ_FILTER;
    }

    if (hs->has_group) {
        *why = "a socket group (bonding): not supported";
        return SLUICE_SRT_REJ_GROUP;
    }

    switch (sluice_srt_streamid_parse(&sid, hs->sid, hs->sid_len, why)) {

    case SLUICE_SRT_SID_OK:
        break;

    case SLUICE_SRT_SID_MODE:
        return SLUICE_SRT_REJX_BAD_MODE;

    case SLUICE_SRT_SID_TYPE:
        return SLUICE_SRT_REJX_NOTSUP_MEDIA;

    case SLUICE_SRT_SID_KEY:
        return SLUICE_SRT_REJX_KEY_NOTSUP;

    default:
        return SLUICE_SRT_REJX_BAD_REQUEST;
    }

    token.data = (u_char *) sid.token.data;
    token.len = sid.token.len;

    if (sid.stream.len) {
        stream.data = (u_char *) sid.stream.data;
        stream.len = sid.stream.len;

    } else {
        ngx_str_set(&stream, NGX_HTTP_SLUICE_SRT_STREAM);
    }

    *why = ngx_sluice_ingest_precheck(srt->zone, NGX_SLUICE_PROTO_SRT,
                                      &token, &stream, sa, &found);
    if (*why) {
        if (!found || ngx_strstr(*why, "not running")) {
            return SLUICE_SRT_REJX_NOTFOUND;
        }

        if (ngx_strstr(*why, "already")) {
            return SLUICE_SRT_REJX_CONFLICT;
        }

        if (ngx_strstr(*why, "streamingProtocol")) {
            return SLUICE_SRT_REJX_UNACCEPTABLE;
        }

        return SLUICE_SRT_REJX_FORBIDDEN;
    }

    if (conf->passphrase.len && !hs->has_km) {
        *why = "the sender has no passphrase (sluice_srt_passphrase is set)";
        return SLUICE_SRT_REJ_UNSECURE;
    }

    if (conf->passphrase.len == 0 && hs->has_km) {
        *why = "the sender encrypts, no sluice_srt_passphrase is set";
        return SLUICE_SRT_REJ_UNSECURE;
    }

    if (srt->nconns >= NGX_HTTP_SLUICE_SRT_CONNS) {
        *why = "too many SRT connections";
        return SLUICE_SRT_REJ_BACKLOG;
    }

    /* the connection */

    c = ngx_calloc(sizeof(ngx_http_sluice_srt_conn_t), srt->log);
    if (c == NULL) {
        *why = "out of memory";
        return SLUICE_SRT_REJ_RESOURCE;
    }

    c->srt = srt;
    c->peer_id = hs->id;
    ngx_memcpy(&c->sockaddr, sa, socklen);
    c->socklen = socklen;

    ngx_memcpy(c->token_buf, token.data, token.len);
    c->token.data = c->token_buf;
    c->token.len = token.len;
    ngx_memcpy(c->stream_buf, stream.data, stream.len);
    c->stream.data = c->stream_buf;
    c->stream.len = stream.len;

    c->latency = ngx_max((uint32_t) conf->latency, hs->snd_latency);
    c->start = srt->now;
    c->last_recv = ngx_current_msec;
    c->last_sent = ngx_current_msec;
    c->last_ack = ngx_current_msec;
    c->rate_start = ngx_current_msec;
    c->acked = hs->isn;
    c->rtt = 100000;
    c->rttvar = 50000;

    code = SLUICE_SRT_REJ_RESOURCE;
    *why = "out of memory";

    if (hs->has_km) {
        rc = sluice_srt_km_parse(&km, hs->km, hs->km_len);

        if (rc != SLUICE_OK) {
            *why = (rc == SLUICE_UNSUPPORTED) ? "a cipher other than AES-CTR"
                                              : "bad key material";
            code = SLUICE_SRT_REJ_ROGUE;
            goto failed;
        }

        c->crypto = sluice_srt_crypto_create();
        if (c->crypto == NULL) {
            goto failed;
        }

        rc = sluice_srt_crypto_set(c->crypto, &km, conf->passphrase.data,
                                   conf->passphrase.len);
        if (rc != SLUICE_OK) {
            if (rc == SLUICE_BAD_DATA) {
                *why = "wrong passphrase";
                code = SLUICE_SRT_REJ_BADSECRET;
            }

            goto failed;
        }
    }

    /* an id of ours not in use */

    for (i = 0; i < 16; i++) {
        c->id = srt->next_id;
        srt->next_id = (srt->next_id + 7919) & 0x3fffffff;

        if (c->id && ngx_http_sluice_srt_find(srt, c->id) == NULL) {
            break;
        }
    }

    /* the ingest: the stream attached, or refused (logged) */

    c->session = ngx_http_sluice_srt_session_start(srt, c);

    if (c->session == NULL
        || ngx_http_sluice_srt_session_failed(c->session))
    {
        *why = "the ingest refused it";
        code = SLUICE_SRT_REJX_FORBIDDEN;
        goto failed;
    }

    window = (uint32_t) ngx_min(conf->max_queue / 1316, 1u << 20);

    c->rcv = sluice_srt_rcv_create(hs->isn, window,
                                   ngx_http_sluice_srt_session_feed,
                                   c->session);
    if (c->rcv == NULL) {
        goto failed;
    }

    /* the response */

    rsp = *hs;
    rsp.version = 5;
    rsp.encryption = c->crypto ? (uint16_t) (km.key_len / 8) : 0;
    rsp.extension = SLUICE_SRT_EXT_HSREQ
                    | (c->crypto ? SLUICE_SRT_EXT_KMREQ : 0);
    rsp.mtu = ngx_min(hs->mtu, SLUICE_SRT_MTU);
    rsp.flow_window = sluice_srt_rcv_size(c->rcv);
    rsp.type = SLUICE_SRT_HS_CONCLUSION;
    rsp.id = c->id;
    rsp.srt_version = NGX_HTTP_SLUICE_SRT_VERSION;
    ngx_memzero(rsp.peer_ip, 16);

    if (sa->sa_family == AF_INET) {
        /* libsrt's order: the address's bytes reversed */
        for (i = 0; i < 4; i++) {
            rsp.peer_ip[i] = ((u_char *) &((struct sockaddr_in *) sa)
                                  ->sin_addr)[3 - i];
        }
    }

    flags = SLUICE_SRT_OPT_TSBPDSND | SLUICE_SRT_OPT_TSBPDRCV
            | SLUICE_SRT_OPT_CRYPT | SLUICE_SRT_OPT_TLPKTDROP
            | SLUICE_SRT_OPT_NAKREPORT | SLUICE_SRT_OPT_REXMITFLG;

    c->response_len = sluice_srt_hs_write(c->response, sizeof(c->response),
                                          &rsp, 0, c->peer_id, flags,
                                          (uint16_t) c->latency,
                                          c->crypto ? hs->km : NULL,
                                          c->crypto ? hs->km_len : 0);
    if (c->response_len == 0) {
        *why = "key material too long";
        code = SLUICE_SRT_REJ_ROGUE;
        goto failed;
    }

    c->next = srt->conns;
    srt->conns = c;
    c->hnext = srt->hash[c->id % NGX_HTTP_SLUICE_SRT_HASH];
    srt->hash[c->id % NGX_HTTP_SLUICE_SRT_HASH] = c;
    srt->nconns++;

    *cp = c;

    return 0;

failed:

    if (c->session) {
        ngx_http_sluice_srt_session_stop(c->session, *why);
    }

    sluice_srt_rcv_free(c->rcv);
    sluice_srt_crypto_free(c->crypto);
    ngx_free(c);

    return code;
}


static void
ngx_http_sluice_srt_reject(ngx_http_sluice_srt_t *srt, sluice_srt_hs_t *hs,
    struct sockaddr *sa, socklen_t socklen, int code, const char *why)
{
    u_char  out[SLUICE_SRT_HEADER + SLUICE_SRT_HS_CIF];
    u_char  text[NGX_SOCKADDR_STRLEN];
    size_t  len, n;

    len = ngx_sock_ntop(sa, socklen, text, NGX_SOCKADDR_STRLEN, 1);

    ngx_log_error(NGX_LOG_ERR, srt->log, 0,
                  "sluice: SRT publish refused (%d): %s, stream id \"%*s\", "
                  "client %*s", code, why, hs->sid_len, hs->sid, len, text);

    hs->type = SLUICE_SRT_HS_REJECT + (uint32_t) code;
    hs->extension = 0;

    n = sluice_srt_hs_write(out, sizeof(out), hs, 0, hs->id, 0, 0, NULL, 0);
    if (n) {
        (void) sendto(srt->udp->fd, out, n, 0, sa, socklen);
    }
}


/* the SYN cookie of a peer in a minute */

static uint32_t
ngx_http_sluice_srt_cookie(ngx_http_sluice_srt_t *srt, struct sockaddr *sa,
    socklen_t socklen, time_t minute)
{
    u_char     hash[16];
    ngx_md5_t  md5;

    ngx_md5_init(&md5);
    ngx_md5_update(&md5, srt->secret, sizeof(srt->secret));
    ngx_md5_update(&md5, sa, socklen);
    ngx_md5_update(&md5, &minute, sizeof(time_t));
    ngx_md5_final(hash, &md5);

    return ngx_http_sluice_srt_rd32(hash);
}


/* a packet of a connection */

static void
ngx_http_sluice_srt_input(ngx_http_sluice_srt_conn_t *c,
    sluice_srt_packet_t *pk, u_char *buf)
{
    int                 rc;
    u_char             *p;
    sluice_srt_range_t  gap;

    c->last_recv = ngx_current_msec;

    if (pk->control) {
        ngx_http_sluice_srt_control(c, pk);
        return;
    }

    if (c->ended) {
        return;
    }

    p = buf + SLUICE_SRT_HEADER;

    if (c->crypto) {
        if (sluice_srt_crypto_decrypt(c->crypto, pk->kk, pk->seq, p,
                                      pk->body_len)
            != SLUICE_OK)
        {
            c->undecryptable++;
            return;
        }

    } else if (pk->kk) {
        c->undecryptable++;
        return;
    }

    c->rate_pkts++;
    c->rate_bytes += (uint32_t) pk->body_len;

    rc = sluice_srt_rcv_packet(c->rcv, pk->seq, p, pk->body_len,
                               (uint32_t) ngx_current_msec, &gap);

    if (rc == -1) {
        c->ended = "out of memory";
        return;
    }

    if (rc == 1) {
        ngx_http_sluice_srt_nak(c, &gap, 1);
    }

    if (++c->since_ack >= NGX_HTTP_SLUICE_SRT_LIGHT) {
        ngx_http_sluice_srt_ack(c, 1);
    }
}


static void
ngx_http_sluice_srt_control(ngx_http_sluice_srt_conn_t *c,
    sluice_srt_packet_t *pk)
{
    int32_t     sample, d;
    uint32_t    from, to;
    ngx_uint_t  i;

    switch (pk->type) {

    case SLUICE_SRT_ACKACK:
        for (i = 0; i < NGX_HTTP_SLUICE_SRT_ACKS; i++) {
            if (c->ack_no[i] == pk->info && pk->info) {
                break;
            }
        }

        if (i == NGX_HTTP_SLUICE_SRT_ACKS) {
            return;
        }

        c->ack_no[i] = 0;
        sample = (int32_t) (c->srt->now - c->ack_time[i]);

        if (sample <= 0) {
            sample = 1;
        }

        d = sample - (int32_t) c->rtt;
        c->rttvar = (3 * c->rttvar + (uint32_t) (d < 0 ? -d : d)) / 4;
        c->rtt = (7 * c->rtt + (uint32_t) sample) / 8;
        return;

    case SLUICE_SRT_DROPREQ:
        if (pk->body_len >= 8 && !c->ended) {
            from = ngx_http_sluice_srt_rd32(pk->body);
            to = ngx_http_sluice_srt_rd32(pk->body + 4);
            sluice_srt_rcv_drop(c->rcv, from, to);
        }

        return;

    case SLUICE_SRT_SHUTDOWN:
        ngx_http_sluice_srt_end(c, "the sender closed the connection", 0);
        return;

    case SLUICE_SRT_PEERERROR:
        ngx_http_sluice_srt_end(c, "the sender reported an error", 0);
        return;

    case SLUICE_SRT_USER:
        if (pk->subtype == SLUICE_SRT_CMD_KMREQ) {
            ngx_http_sluice_srt_kmreq(c, pk);
        }

        return;

    default:
        /* keepalive (the peer lives), ACK, NAK: nothing we send data */
        return;
    }
}


/* a key refresh: the new keys installed, the message echoed (KMRSP) */

static void
ngx_http_sluice_srt_kmreq(ngx_http_sluice_srt_conn_t *c,
    sluice_srt_packet_t *pk)
{
    u_char                      *out;
    size_t                       len;
    sluice_srt_km_t              km;
    ngx_http_sluice_srt_conf_t  *conf;

    conf = c->srt->conf;

    len = ngx_min(pk->body_len, (size_t) SLUICE_SRT_KM_MAX);

    if (c->crypto == NULL
        || sluice_srt_km_parse(&km, pk->body, len) != SLUICE_OK
        || sluice_srt_crypto_set(c->crypto, &km, conf->passphrase.data,
                                 conf->passphrase.len)
           != SLUICE_OK)
    {
        ngx_log_error(NGX_LOG_WARN, c->srt->log, 0,
                      "sluice: SRT stream \"%V\": a key refresh failed",
                      &c->stream);
        return;
    }

    out = ngx_http_sluice_srt_out(c);

    (void) sluice_srt_ctrl_write(out, SLUICE_SRT_USER, SLUICE_SRT_CMD_KMRSP,
                                 0, ngx_http_sluice_srt_ts(c), c->peer_id);
    ngx_memcpy(out + SLUICE_SRT_HEADER, pk->body, len);

    ngx_http_sluice_srt_send(c, SLUICE_SRT_HEADER + len);
}


/* each poll: ACK, NAKs, too-late drops, keepalive, idle peer, end */

static void
ngx_http_sluice_srt_timers(ngx_http_sluice_srt_conn_t *c)
{
    size_t              n;
    u_char             *out;
    uint32_t            interval, now;
    const char         *failed;
    ngx_msec_int_t      span;
    sluice_srt_range_t  r[160];

    if (c->session) {
        failed = ngx_http_sluice_srt_session_failed(c->session);

        if (failed && c->ended == NULL) {
            c->ended = failed;
        }
    }

    if (c->ended) {
        ngx_http_sluice_srt_end(c, c->ended, 1);
        return;
    }

    if (ngx_current_msec - c->last_recv >= NGX_HTTP_SLUICE_SRT_IDLE) {
        ngx_http_sluice_srt_end(c, "no packet for 5 s (peer idle timeout)",
                                1);
        return;
    }

    now = (uint32_t) ngx_current_msec;

    span = ngx_current_msec - c->rate_start;

    if (span >= 1000) {
        c->pkt_rate = (uint32_t) (c->rate_pkts * 1000 / span);
        c->byte_rate = (uint32_t) (c->rate_bytes * 1000 / span);
        c->rate_pkts = 0;
        c->rate_bytes = 0;
        c->rate_start = ngx_current_msec;
    }

    if (sluice_srt_rcv_late(c->rcv, now, c->latency)) {
        ngx_log_debug1(NGX_LOG_DEBUG_EVENT, c->srt->log, 0,
                       "sluice: SRT stream \"%V\": packets too late, "
                       "skipped", &c->stream);
    }

    if (sluice_srt_rcv_ack(c->rcv) != c->acked
        && ngx_current_msec - c->last_ack >= NGX_HTTP_SLUICE_SRT_ACK - 1)
    {
        ngx_http_sluice_srt_ack(c, 0);
    }

    interval = ngx_max(NGX_HTTP_SLUICE_SRT_NAK_MIN,
                       (c->rtt + 4 * c->rttvar) / 1000);

    n = sluice_srt_rcv_nak(c->rcv, now, interval, r, 160);

    if (n) {
        ngx_http_sluice_srt_nak(c, r, n);
    }

    if (ngx_current_msec - c->last_sent >= NGX_HTTP_SLUICE_SRT_KEEPALIVE) {
        out = ngx_http_sluice_srt_out(c);

        (void) sluice_srt_ctrl_write(out, SLUICE_SRT_KEEPALIVE, 0, 0,
                                     ngx_http_sluice_srt_ts(c), c->peer_id);
        ngx_memzero(out + SLUICE_SRT_HEADER, 4);
        ngx_http_sluice_srt_send(c, SLUICE_SRT_HEADER + 4);
    }
}


static void
ngx_http_sluice_srt_ack(ngx_http_sluice_srt_conn_t *c, ngx_uint_t light)
{
    size_t      n;
    uint32_t    seq, ackno;
    ngx_uint_t  i;

    seq = sluice_srt_rcv_ack(c->rcv);
    ackno = 0;

    if (!light) {
        if (++c->ackno == 0) {
            c->ackno = 1;
        }

        ackno = c->ackno;
        i = ackno % NGX_HTTP_SLUICE_SRT_ACKS;
        c->ack_no[i] = ackno;
        c->ack_time[i] = c->srt->now;
        c->acked = seq;
        c->last_ack = ngx_current_msec;
    }

    c->since_ack = 0;

    n = sluice_srt_ack_write(ngx_http_sluice_srt_out(c), ackno,
                             ngx_http_sluice_srt_ts(c), c->peer_id, seq,
                             c->rtt, c->rttvar, sluice_srt_rcv_avail(c->rcv),
                             c->pkt_rate, c->byte_rate);

    ngx_http_sluice_srt_send(c, n);
}


static void
ngx_http_sluice_srt_nak(ngx_http_sluice_srt_conn_t *c, sluice_srt_range_t *r,
    size_t n)
{
    size_t  len;

    len = sluice_srt_nak_write(ngx_http_sluice_srt_out(c),
                               SLUICE_SRT_PAYLOAD_MAX + SLUICE_SRT_HEADER,
                               ngx_http_sluice_srt_ts(c), c->peer_id, r, n);
    if (len) {
        ngx_http_sluice_srt_send(c, len);
    }
}


/* the buffer of the next datagram to c (sent by the turn's flush) */

static u_char *
ngx_http_sluice_srt_out(ngx_http_sluice_srt_conn_t *c)
{
    if (ngx_http_sluice_srt_nout == NGX_HTTP_SLUICE_SRT_BATCH) {
        ngx_http_sluice_srt_flush(c->srt);
    }

    return ngx_http_sluice_srt_obufs[ngx_http_sluice_srt_nout];
}


static void
ngx_http_sluice_srt_send(ngx_http_sluice_srt_conn_t *c, size_t len)
{
    ngx_uint_t  i;

    i = ngx_http_sluice_srt_nout++;

    ngx_memcpy(&ngx_http_sluice_srt_oaddrs[i], &c->sockaddr, c->socklen);
    ngx_http_sluice_srt_oiov[i].iov_base = ngx_http_sluice_srt_obufs[i];
    ngx_http_sluice_srt_oiov[i].iov_len = len;

    ngx_memzero(&ngx_http_sluice_srt_omsgs[i], sizeof(struct mmsghdr));
    ngx_http_sluice_srt_omsgs[i].msg_hdr.msg_iov =
                                               &ngx_http_sluice_srt_oiov[i];
    ngx_http_sluice_srt_omsgs[i].msg_hdr.msg_iovlen = 1;
    ngx_http_sluice_srt_omsgs[i].msg_hdr.msg_name =
                                             &ngx_http_sluice_srt_oaddrs[i];
    ngx_http_sluice_srt_omsgs[i].msg_hdr.msg_namelen = c->socklen;

    c->last_sent = ngx_current_msec;
}


/* not waiting: what the socket cannot take now is lost, as on the way */

static void
ngx_http_sluice_srt_flush(ngx_http_sluice_srt_t *srt)
{
    int         n;
    ngx_uint_t  done;

    done = 0;

    while (srt->udp && done < ngx_http_sluice_srt_nout) {
        n = sendmmsg(srt->udp->fd, &ngx_http_sluice_srt_omsgs[done],
                     ngx_http_sluice_srt_nout - done, MSG_DONTWAIT);

        if (n == -1) {
            if (ngx_socket_errno == NGX_EINTR) {
                continue;
            }

            done++;                     /* that one dropped */
            continue;
        }

        done += n;
    }

    ngx_http_sluice_srt_nout = 0;
}


/* the connection ends: its session stops, its peer told when shutdown */

static void
ngx_http_sluice_srt_end(ngx_http_sluice_srt_conn_t *c, const char *why,
    ngx_uint_t shutdown)
{
    u_char                        *out;
    ngx_http_sluice_srt_t         *srt;
    ngx_http_sluice_srt_conn_t   **pc;
    const sluice_srt_rcv_stats_t  *st;

    srt = c->srt;

    if (shutdown && srt->udp) {
        out = ngx_http_sluice_srt_out(c);
        (void) sluice_srt_ctrl_write(out, SLUICE_SRT_SHUTDOWN, 0, 0,
                                     ngx_http_sluice_srt_ts(c), c->peer_id);
        ngx_memzero(out + SLUICE_SRT_HEADER, 4);
        ngx_http_sluice_srt_send(c, SLUICE_SRT_HEADER + 4);
    }

    for (pc = &srt->conns; *pc; pc = &(*pc)->next) {
        if (*pc == c) {
            *pc = c->next;
            srt->nconns--;
            break;
        }
    }

    for (pc = &srt->hash[c->id % NGX_HTTP_SLUICE_SRT_HASH]; *pc;
         pc = &(*pc)->hnext)
    {
        if (*pc == c) {
            *pc = c->hnext;
            break;
        }
    }

    if (c->session && c->rcv) {
        st = sluice_srt_rcv_stats(c->rcv);

        ngx_log_error(NGX_LOG_INFO, srt->log, 0,
                      "sluice: SRT stream \"%V\": %uL packets, %uL found "
                      "missing, %uL never came (skipped), %uL duplicate, "
                      "RTT %uD us", &c->stream, st->received, st->lost,
                      st->dropped, st->duplicates, c->rtt);
    }

    if (c->session) {
        if (c->undecryptable) {
            ngx_log_error(NGX_LOG_WARN, srt->log, 0,
                          "sluice: SRT stream \"%V\": %uL packets could "
                          "not be decrypted", &c->stream, c->undecryptable);
        }

        ngx_http_sluice_srt_session_stop(c->session, why);
        c->session = NULL;
    }

    sluice_srt_rcv_free(c->rcv);
    sluice_srt_crypto_free(c->crypto);
    ngx_free(c);
}


static ngx_http_sluice_srt_conn_t *
ngx_http_sluice_srt_find(ngx_http_sluice_srt_t *srt, uint32_t id)
{
    ngx_http_sluice_srt_conn_t  *c;

    for (c = srt->hash[id % NGX_HTTP_SLUICE_SRT_HASH]; c; c = c->hnext) {
        if (c->id == id) {
            return c;
        }
    }

    return NULL;
}


/* our packets' timestamp: microseconds since the connection began */

static uint32_t
ngx_http_sluice_srt_ts(ngx_http_sluice_srt_conn_t *c)
{
    return (uint32_t) (c->srt->now - c->start);
}


static uint64_t
ngx_http_sluice_srt_clock(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}


static uint32_t
ngx_http_sluice_srt_rd32(const u_char *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}
