
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The POST of a batch to a webhook: a connection made with
 * ngx_event_connect_peer(), the request written as the socket takes it,
 * the status line of the response read, the connection closed
 * ("Connection: close"; the body of the answer is not wanted).  Connect,
 * write and read each have the hook's timeout.  Every event is
 * cancelable, so a worker that is shutting down does not wait for a slow
 * receiver; the module's exit_process closes what is left.  Plain HTTP
 * only: no TLS.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_notify.h"


static void ngx_http_sluice_hook_write(ngx_event_t *wev);
static void ngx_http_sluice_hook_read(ngx_event_t *rev);
static void ngx_http_sluice_hook_idle(ngx_event_t *ev);
static ngx_int_t ngx_http_sluice_hook_status(ngx_http_sluice_hook_t *hook);
static void ngx_http_sluice_hook_finish(ngx_http_sluice_hook_t *hook,
    ngx_int_t status);


ngx_int_t
ngx_http_sluice_hook_post(ngx_http_sluice_hook_t *hook, ngx_str_t *body)
{
    size_t             len;
    ngx_int_t          rc;
    ngx_buf_t         *b;
    const char        *ct;
    ngx_connection_t  *c;

    ct = sluice_notice_content_type(hook->schema);

    len = sizeof("POST  HTTP/1.1" CRLF) - 1 + hook->uri.len
          + sizeof("Host: " CRLF) - 1 + hook->u.host.len + NGX_INT_T_LEN + 1
          + sizeof("Content-Type: " CRLF) - 1 + ngx_strlen(ct)
          + sizeof("Content-Length: " CRLF) - 1 + NGX_SIZE_T_LEN
          + sizeof("User-Agent: sluice" CRLF) - 1
          + sizeof("aeg-event-type: Notification" CRLF) - 1
          + sizeof("Connection: close" CRLF CRLF) - 1
          + body->len;

    b = ngx_create_temp_buf(hook->pool, len);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->last = ngx_sprintf(b->last, "POST %V HTTP/1.1" CRLF, &hook->uri);

    if (hook->u.no_port) {
        b->last = ngx_sprintf(b->last, "Host: %V" CRLF, &hook->u.host);

    } else {
        b->last = ngx_sprintf(b->last, "Host: %V:%d" CRLF, &hook->u.host,
                              (int) hook->u.port);
    }

    b->last = ngx_sprintf(b->last,
                          "Content-Type: %s" CRLF
                          "Content-Length: %uz" CRLF
                          "User-Agent: sluice" CRLF
                          "aeg-event-type: Notification" CRLF
                          "Connection: close" CRLF CRLF,
                          ct, body->len);
    b->last = ngx_cpymem(b->last, body->data, body->len);

    hook->request = b;
    hook->response_len = 0;

    ngx_memzero(&hook->peer, sizeof(ngx_peer_connection_t));

    hook->peer.sockaddr = hook->u.addrs[0].sockaddr;
    hook->peer.socklen = hook->u.addrs[0].socklen;
    hook->peer.name = &hook->u.addrs[0].name;
    hook->peer.get = ngx_event_get_peer;
    hook->peer.log = hook->log;
    hook->peer.log_error = NGX_ERROR_INFO;     /* the caller says it */

    rc = ngx_event_connect_peer(&hook->peer);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        if (hook->peer.connection) {
            ngx_close_connection(hook->peer.connection);
            hook->peer.connection = NULL;
        }

        /* refused at once: done, from the event loop as promised */
        hook->request = NULL;
        return NGX_DECLINED;
    }

    c = hook->peer.connection;

    c->data = hook;
    c->pool = hook->pool;
    c->log = hook->log;
    c->read->log = hook->log;
    c->write->log = hook->log;
    c->read->cancelable = 1;
    c->write->cancelable = 1;
    c->read->handler = ngx_http_sluice_hook_read;
    c->write->handler = ngx_http_sluice_hook_write;

    ngx_add_timer(c->write, hook->timeout);

    if (rc == NGX_OK) {
        ngx_post_event(c->write, &ngx_posted_events);
    }

    return NGX_OK;
}


void
ngx_http_sluice_hook_close(ngx_http_sluice_hook_t *hook)
{
    if (hook->peer.connection) {
        ngx_close_connection(hook->peer.connection);
        hook->peer.connection = NULL;
    }

    hook->request = NULL;
}


static void
ngx_http_sluice_hook_write(ngx_event_t *wev)
{
    ssize_t                  n;
    ngx_buf_t               *b;
    ngx_connection_t        *c;
    ngx_http_sluice_hook_t  *hook;

    c = wev->data;
    hook = c->data;
    b = hook->request;

    if (wev->timedout) {
        ngx_log_error(NGX_LOG_WARN, hook->log, NGX_ETIMEDOUT,
                      "sluice: webhook \"%V\": connect or send timed out",
                      &hook->url);
        ngx_http_sluice_hook_finish(hook, 0);
        return;
    }

    while (b->pos < b->last) {
        n = c->send(c, b->pos, b->last - b->pos);

        if (n == NGX_AGAIN) {
            if (ngx_handle_write_event(wev, 0) != NGX_OK) {
                ngx_http_sluice_hook_finish(hook, 0);
            }

            return;
        }

        if (n == NGX_ERROR || n == 0) {
            ngx_http_sluice_hook_finish(hook, 0);
            return;
        }

        b->pos += n;
    }

    /* all sent: the answer */

    if (wev->timer_set) {
        ngx_del_timer(wev);
    }

    wev->handler = ngx_http_sluice_hook_idle;

    ngx_add_timer(c->read, hook->timeout);

    if (c->read->ready) {
        ngx_post_event(c->read, &ngx_posted_events);
        return;
    }

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_http_sluice_hook_finish(hook, 0);
    }
}


static void
ngx_http_sluice_hook_read(ngx_event_t *rev)
{
    ssize_t                  n;
    ngx_int_t                status;
    ngx_connection_t        *c;
    ngx_http_sluice_hook_t  *hook;

    c = rev->data;
    hook = c->data;

    if (rev->timedout) {
        ngx_log_error(NGX_LOG_WARN, hook->log, NGX_ETIMEDOUT,
                      "sluice: webhook \"%V\": no answer", &hook->url);
        ngx_http_sluice_hook_finish(hook, 0);
        return;
    }

    for ( ;; ) {
        if (hook->response_len == sizeof(hook->response)) {
            break;
        }

        n = c->recv(c, hook->response + hook->response_len,
                    sizeof(hook->response) - hook->response_len);

        if (n == NGX_AGAIN) {
            status = ngx_http_sluice_hook_status(hook);

            if (status != NGX_AGAIN) {
                ngx_http_sluice_hook_finish(hook, status);
                return;
            }

            if (ngx_handle_read_event(rev, 0) != NGX_OK) {
                ngx_http_sluice_hook_finish(hook, 0);
            }

            return;
        }

        if (n == NGX_ERROR || n == 0) {
            break;
        }

        hook->response_len += n;
    }

    status = ngx_http_sluice_hook_status(hook);

    ngx_http_sluice_hook_finish(hook, status == NGX_AGAIN ? 0 : status);
}


static void
ngx_http_sluice_hook_idle(ngx_event_t *ev)
{
    /* the request is sent: nothing more to write */
}


/*
 * The status of "HTTP/1.x NNN ...\r\n"; NGX_AGAIN: not all there yet;
 * 0: not an HTTP response
 */

static ngx_int_t
ngx_http_sluice_hook_status(ngx_http_sluice_hook_t *hook)
{
    u_char  *p, *last;

    p = hook->response;
    last = p + hook->response_len;

    if (ngx_strlchr(p, last, LF) == NULL) {
        return NGX_AGAIN;
    }

    if (last - p < 12 || ngx_strncmp(p, "HTTP/1.", 7) != 0 || p[8] != ' '
        || p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9'
        || p[11] < '0' || p[11] > '9')
    {
        ngx_log_error(NGX_LOG_WARN, hook->log, 0,
                      "sluice: webhook \"%V\": not an HTTP response",
                      &hook->url);
        return 0;
    }

    return (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
}


static void
ngx_http_sluice_hook_finish(ngx_http_sluice_hook_t *hook, ngx_int_t status)
{
    ngx_http_sluice_hook_close(hook);

    hook->done(hook, status);
}
