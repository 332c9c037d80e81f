
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Low latency: part rings and the wake-up of parked requests across
 * workers (ngx_sluice_ll.h).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include <sys/un.h>

#include "core/ngx_sluice_ll.h"


static ngx_int_t ngx_sluice_ll_socket(ngx_cycle_t *cycle,
    ngx_event_handler_pt handler);
static void ngx_sluice_ll_read(ngx_event_t *rev);
static socklen_t ngx_sluice_ll_addr(struct sockaddr_un *sa, ngx_pid_t pid);
static ngx_int_t ngx_sluice_ll_slot(ngx_sluice_zone_ctx_t *zctx);


/* this process: its socket, and the event that runs the handler */
static ngx_connection_t      *ngx_sluice_ll_conn;
static ngx_event_t            ngx_sluice_ll_event;


ngx_int_t
ngx_sluice_ll_part_append(ngx_slab_pool_t *shpool, ngx_sluice_event_t *ev,
    ngx_uint_t slot, ngx_sluice_part_t *part, ngx_sluice_part_t *evicted)
{
    uint64_t              end;
    ngx_int_t             rc;
    ngx_sluice_frag_t    *f;
    ngx_sluice_part_t    *last;
    ngx_sluice_track_t   *tr;

    tr = &ev->tracks[slot];

    if (tr->nfrags) {
        f = &tr->frags[(tr->head + tr->nfrags - 1) % tr->capacity];
        end = f->time + f->duration;

        if (part->frag_time < end) {
            return NGX_DECLINED;
        }
    }

    if (tr->parts == NULL) {
        tr->parts = ngx_slab_alloc_locked(shpool, NGX_SLUICE_LL_PARTS
                                                  * sizeof(ngx_sluice_part_t));
        if (tr->parts == NULL) {
            return NGX_ERROR;
        }

        tr->parts_head = 0;
        tr->nparts = 0;
    }

    if (tr->nparts) {
        last = &tr->parts[(tr->parts_head + tr->nparts - 1)
                          % NGX_SLUICE_LL_PARTS];

        if (part->frag_time < last->frag_time
            || (part->frag_time == last->frag_time
                && part->index != last->index + 1)
            || part->time < last->time + last->duration)
        {
            return NGX_DECLINED;
        }
    }

    rc = NGX_OK;

    if (tr->nparts == NGX_SLUICE_LL_PARTS) {
        *evicted = tr->parts[tr->parts_head];
        tr->parts_head = (tr->parts_head + 1) % NGX_SLUICE_LL_PARTS;
        tr->nparts--;
        rc = NGX_DONE;
    }

    tr->parts[(tr->parts_head + tr->nparts) % NGX_SLUICE_LL_PARTS] = *part;
    tr->nparts++;
    tr->parts_total++;

    return rc;
}


ngx_uint_t
ngx_sluice_ll_parts_copy(ngx_sluice_track_t *tr, uint64_t from,
    ngx_sluice_part_t *out, ngx_uint_t max)
{
    ngx_uint_t          i, n;
    ngx_sluice_part_t  *pt;

    if (tr->parts == NULL) {
        return 0;
    }

    n = 0;

    for (i = 0; i < tr->nparts && n < max; i++) {
        pt = &tr->parts[(tr->parts_head + i) % NGX_SLUICE_LL_PARTS];

        if (pt->frag_time >= from) {
            out[n++] = *pt;
        }
    }

    return n;
}


void
ngx_sluice_ll_parts_free(ngx_slab_pool_t *shpool, ngx_sluice_track_t *tr)
{
    if (tr->parts) {
        ngx_slab_free_locked(shpool, tr->parts);
        tr->parts = NULL;
    }

    tr->parts_head = 0;
    tr->nparts = 0;
}


u_char *
ngx_sluice_ll_part_path(u_char *p, ngx_str_t *dir, uint64_t frag_time)
{
    return ngx_sprintf(p, "%V/%uL.m4p%Z", dir, frag_time);
}


void
ngx_sluice_ll_changed(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_sluice_ll_wake_t *w)
{
    ngx_uint_t  i;

    ev->changes++;
    w->n = 0;

    if (ev->waiting == 0) {
        return;
    }

    for (i = 0; i < NGX_SLUICE_LL_WAITERS; i++) {
        if ((ev->waiting & ((uint64_t) 1 << i)) && sh->waiters[i]) {
            w->pids[w->n++] = sh->waiters[i];
        }
    }

    ev->waiting = 0;
}


void
ngx_sluice_ll_wake(ngx_sluice_ll_wake_t *w, ngx_log_t *log)
{
    u_char              b;
    ngx_uint_t          i;
    socklen_t           len;
    ngx_socket_t        s;
    struct sockaddr_un  sa;

    for (i = 0; i < w->n; i++) {

        if (w->pids[i] == ngx_pid) {
            if (ngx_sluice_ll_event.handler && !ngx_sluice_ll_event.posted) {
                ngx_post_event(&ngx_sluice_ll_event, &ngx_posted_events);
            }

            continue;
        }

        if (ngx_sluice_ll_conn) {
            s = ngx_sluice_ll_conn->fd;

        } else {
            /* a process without parked requests of its own (none yet) */
            continue;
        }

        len = ngx_sluice_ll_addr(&sa, w->pids[i]);
        b = 1;

        if (sendto(s, &b, 1, MSG_DONTWAIT, (struct sockaddr *) &sa, len)
            == -1)
        {
            /*
             * EAGAIN: its queue is full, it has wake-ups enough;
             * ECONNREFUSED: the process is gone
             */
            ngx_log_debug2(NGX_LOG_DEBUG_CORE, log, ngx_socket_errno,
                           "sluice ll: wake of %P failed, %d",
                           w->pids[i], (int) ngx_socket_errno);
        }
    }
}


ngx_int_t
ngx_sluice_ll_park(ngx_sluice_zone_ctx_t *zctx, ngx_sluice_event_t *ev)
{
    if (zctx->waiter < 0 || zctx->sh->waiters[zctx->waiter] != ngx_pid) {
        if (ngx_sluice_ll_slot(zctx) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    ev->waiting |= (uint64_t) 1 << zctx->waiter;

    return NGX_OK;
}


ngx_int_t
ngx_sluice_ll_init_process(ngx_cycle_t *cycle, ngx_sluice_zone_ctx_t *zctx,
    ngx_event_handler_pt handler)
{
    ngx_int_t  rc;

    if (ngx_sluice_ll_conn == NULL
        && ngx_sluice_ll_socket(cycle, handler) != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_shmtx_lock(&zctx->shpool->mutex);
    rc = ngx_sluice_ll_slot(zctx);
    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, cycle->log, 0,
                      "sluice: no waiter slot free in the zone: blocking "
                      "requests of this worker wait for their deadline");
    }

    return NGX_OK;
}


void
ngx_sluice_ll_exit_process(ngx_sluice_zone_ctx_t *zctx)
{
    if (ngx_sluice_ll_conn) {
        ngx_close_connection(ngx_sluice_ll_conn);
        ngx_sluice_ll_conn = NULL;
        ngx_sluice_ll_event.handler = NULL;
    }

    if (zctx->waiter < 0 || zctx->sh == NULL) {
        return;
    }

    ngx_shmtx_lock(&zctx->shpool->mutex);

    if (zctx->sh->waiters[zctx->waiter] == ngx_pid) {
        zctx->sh->waiters[zctx->waiter] = 0;
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    zctx->waiter = -1;
}


/*
 * A slot of the zone's table for this process (mutex held): its own, a
 * free one, or one of a process that is gone (killed: its exit handler
 * did not run)
 */

static ngx_int_t
ngx_sluice_ll_slot(ngx_sluice_zone_ctx_t *zctx)
{
    ngx_int_t            i, found;
    ngx_sluice_shctx_t  *sh;

    sh = zctx->sh;
    found = -1;

    for (i = 0; i < NGX_SLUICE_LL_WAITERS; i++) {
        if (sh->waiters[i] == ngx_pid) {
            zctx->waiter = i;
            return NGX_OK;
        }

        if (found < 0
            && (sh->waiters[i] == 0
                || (kill(sh->waiters[i], 0) == -1 && ngx_errno == NGX_ESRCH)))
        {
            found = i;
        }
    }

    if (found < 0) {
        return NGX_ERROR;
    }

    sh->waiters[found] = ngx_pid;
    zctx->waiter = found;

    return NGX_OK;
}


static ngx_int_t
ngx_sluice_ll_socket(ngx_cycle_t *cycle, ngx_event_handler_pt handler)
{
    socklen_t           len;
    ngx_socket_t        s;
    ngx_connection_t   *c;
    struct sockaddr_un  sa;

    s = ngx_socket(AF_UNIX, SOCK_DGRAM, 0);
    if (s == (ngx_socket_t) -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_socket_errno,
                      "sluice: socket(AF_UNIX) for blocking requests failed");
        return NGX_ERROR;
    }

    len = ngx_sluice_ll_addr(&sa, ngx_pid);

    if (bind(s, (struct sockaddr *) &sa, len) == -1
        || ngx_nonblocking(s) == -1)
    {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_socket_errno,
                      "sluice: the socket for blocking requests failed");
        ngx_close_socket(s);
        return NGX_ERROR;
    }

    c = ngx_get_connection(s, cycle->log);
    if (c == NULL) {
        ngx_close_socket(s);
        return NGX_ERROR;
    }

    c->read->handler = ngx_sluice_ll_read;
    c->read->log = cycle->log;
    c->write->log = cycle->log;
    c->log = cycle->log;

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_close_connection(c);
        return NGX_ERROR;
    }

    ngx_sluice_ll_event.handler = handler;
    ngx_sluice_ll_event.log = cycle->log;
    ngx_sluice_ll_event.data = c;
    ngx_sluice_ll_conn = c;

    return NGX_OK;
}


/* wake-ups arrived: drain them, then run the handler once */

static void
ngx_sluice_ll_read(ngx_event_t *rev)
{
    u_char             buf[64];
    ssize_t            n;
    ngx_connection_t  *c;

    c = rev->data;

    for ( ;; ) {
        n = recv(c->fd, buf, sizeof(buf), 0);

        if (n == -1) {
            break;
        }
    }

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        ngx_log_error(NGX_LOG_ALERT, rev->log, 0,
                      "sluice: the socket for blocking requests failed");
    }

    if (ngx_sluice_ll_event.handler) {
        ngx_sluice_ll_event.handler(&ngx_sluice_ll_event);
    }
}


/* the abstract address "\0sluice-ll-{pid}" */

static socklen_t
ngx_sluice_ll_addr(struct sockaddr_un *sa, ngx_pid_t pid)
{
    u_char  *p;

    ngx_memzero(sa, sizeof(struct sockaddr_un));
    sa->sun_family = AF_UNIX;

    p = (u_char *) sa->sun_path;
    *p++ = '\0';
    p = ngx_sprintf(p, "sluice-ll-%P", pid);

    return (socklen_t) (offsetof(struct sockaddr_un, sun_path)
                        + (p - (u_char *) sa->sun_path));
}
