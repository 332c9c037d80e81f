
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Ordered file writes in an nginx thread pool; see ngx_sluice_writer.h.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "core/ngx_sluice_writer.h"


struct ngx_sluice_writer_s {
    ngx_thread_pool_t          *tp;
    ngx_log_t                  *log;

    ngx_sluice_wjob_t          *head;       /* running or next to run */
    ngx_sluice_wjob_t          *tail;
    ngx_uint_t                  njobs;

    void                       *data;       /* ngx_sluice_writer_data() */

    unsigned                    busy:1;
    unsigned                    completing:1;   /* in a done handler */
    unsigned                    released:1;
};


static void ngx_sluice_writer_run(ngx_sluice_writer_t *w);
static void ngx_sluice_writer_free(ngx_sluice_writer_t *w);
static void ngx_sluice_writer_complete(ngx_sluice_writer_t *w);
static void ngx_sluice_wjob_handler(void *data, ngx_log_t *log);
static ngx_int_t ngx_sluice_wjob_write_all(ngx_fd_t fd, u_char *p,
    size_t len);
static ngx_int_t ngx_sluice_wjob_write(ngx_sluice_wjob_t *job,
    ngx_log_t *log);
#if (NGX_THREADS)
static void ngx_sluice_wjob_event_handler(ngx_event_t *ev);
#endif


ngx_sluice_writer_t *
ngx_sluice_writer_create(ngx_thread_pool_t *tp, ngx_log_t *log)
{
    ngx_sluice_writer_t  *w;

    w = ngx_calloc(sizeof(ngx_sluice_writer_t), log);
    if (w == NULL) {
        return NULL;
    }

    w->tp = tp;
    w->log = ngx_cycle->log;

    return w;
}


ngx_sluice_wjob_t *
ngx_sluice_wjob_create(size_t len, size_t ctx_size, ngx_log_t *log)
{
    ngx_pool_t         *pool;
    ngx_sluice_wjob_t  *job;

    /* the data, when large, is a separate allocation of the pool */

    pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, ngx_cycle->log);
    if (pool == NULL) {
        return NULL;
    }

    job = ngx_pcalloc(pool, sizeof(ngx_sluice_wjob_t));
    if (job == NULL) {
        goto failed;
    }

    job->pool = pool;
    job->len = len;

    if (len) {
        job->data = ngx_palloc(pool, len);
        if (job->data == NULL) {
            goto failed;
        }
    }

    if (ctx_size) {
        job->ctx = ngx_pcalloc(pool, ctx_size);
        if (job->ctx == NULL) {
            goto failed;
        }
    }

    return job;

failed:

    ngx_log_error(NGX_LOG_ERR, log, 0, "sluice: no memory for a write job");
    ngx_destroy_pool(pool);

    return NULL;
}


void
ngx_sluice_writer_post(ngx_sluice_writer_t *w, ngx_sluice_wjob_t *job)
{
    job->writer = w;
    job->next = NULL;

    if (w->tail) {
        w->tail->next = job;

    } else {
        w->head = job;
    }

    w->tail = job;
    w->njobs++;

    if (!w->busy) {
        ngx_sluice_writer_run(w);
    }
}


void
ngx_sluice_writer_post_first(ngx_sluice_writer_t *w, ngx_sluice_wjob_t *job)
{
    ngx_sluice_wjob_t  **pp;

    job->writer = w;

    /* a running job stays at the head until its done handler runs */

    pp = (w->busy && !w->completing && w->head) ? &w->head->next : &w->head;

    job->next = *pp;
    *pp = job;

    if (job->next == NULL) {
        w->tail = job;
    }

    w->njobs++;

    if (!w->busy) {
        ngx_sluice_writer_run(w);
    }
}


void *
ngx_sluice_writer_data(ngx_sluice_writer_t *w, size_t size)
{
    if (w->data == NULL) {
        w->data = ngx_calloc(size, w->log);
    }

    return w->data;
}


void
ngx_sluice_writer_release(ngx_sluice_writer_t *w)
{
    w->released = 1;

    if (w->njobs == 0 && !w->busy) {
        ngx_sluice_writer_free(w);
    }
}


static void
ngx_sluice_writer_free(ngx_sluice_writer_t *w)
{
    if (w->data) {
        ngx_free(w->data);
    }

    ngx_free(w);
}


/* start the head job; synchronous jobs run to completion here */

static void
ngx_sluice_writer_run(ngx_sluice_writer_t *w)
{
#if (NGX_THREADS)
    ngx_thread_task_t  *task;
#endif
    ngx_sluice_wjob_t  *job;

    while (w->head && !w->busy) {
        job = w->head;
        w->busy = 1;

#if (NGX_THREADS)
        if (w->tp) {
            task = ngx_thread_task_alloc(job->pool, 0);

            if (task) {
                task->ctx = job;
                task->handler = ngx_sluice_wjob_handler;
                task->event.data = job;
                task->event.handler = ngx_sluice_wjob_event_handler;

                if (ngx_thread_task_post(w->tp, task) == NGX_OK) {
                    return;
                }
            }

            /* the pool refused: write here rather than lose the data */
        }
#endif

        ngx_sluice_wjob_handler(job, w->log);
        ngx_sluice_writer_complete(w);
    }

    if (w->released && w->head == NULL && !w->busy) {
        ngx_sluice_writer_free(w);
    }
}


#if (NGX_THREADS)

static void
ngx_sluice_wjob_event_handler(ngx_event_t *ev)
{
    ngx_sluice_wjob_t    *job;
    ngx_sluice_writer_t  *w;

    job = ev->data;
    w = job->writer;

    ngx_sluice_writer_complete(w);
    ngx_sluice_writer_run(w);
}

#endif


/* the head job is done: run its handler, free it */

static void
ngx_sluice_writer_complete(ngx_sluice_writer_t *w)
{
    ngx_sluice_wjob_t  *job;

    job = w->head;

    w->head = job->next;
    if (w->head == NULL) {
        w->tail = NULL;
    }

    w->njobs--;

    /* the handler may post new jobs: they queue behind */

    if (job->done) {
        w->completing = 1;
        job->done(job);
        w->completing = 0;
    }

    ngx_destroy_pool(job->pool);

    w->busy = 0;
}


/* in a thread (or inline): no nginx state but the log is touched */

static void
ngx_sluice_wjob_handler(void *data, ngx_log_t *log)
{
    ngx_sluice_wjob_t  *job = data;

    if (job->run) {
        job->run(job, log);
        return;
    }

    if (job->path) {
        if (ngx_sluice_wjob_write(job, log) != NGX_OK) {
            return;
        }
    }

    if (job->unlink) {
        if (ngx_delete_file(job->unlink) == NGX_FILE_ERROR) {
            if (ngx_errno != NGX_ENOENT) {
                ngx_log_error(NGX_LOG_WARN, log, ngx_errno,
                              ngx_delete_file_n " \"%s\" failed",
                              job->unlink);
            }
        }
    }
}


/* len bytes at p, written whole (errno set on NGX_ERROR) */

static ngx_int_t
ngx_sluice_wjob_write_all(ngx_fd_t fd, u_char *p, size_t len)
{
    ssize_t  n;

    while (len) {
        n = write(fd, p, len);

        if (n == -1) {
            if (ngx_errno == NGX_EINTR) {
                continue;
            }

            return NGX_ERROR;
        }

        p += n;
        len -= n;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_sluice_wjob_write(ngx_sluice_wjob_t *job, ngx_log_t *log)
{
    size_t      plen;
    u_char     *tmp;
    ngx_fd_t    fd;
    ngx_err_t   err;
    ngx_uint_t  made;

    plen = ngx_strlen(job->path);

    /*
     * a name of this writer's own: two connections of a stream (redundant
     * ingest), in one worker or two, may write the same init segment
     */

    tmp = ngx_pnalloc(job->pool, plen + sizeof("...tmp") + NGX_INT64_LEN
                                 + 2 * NGX_PTR_SIZE);
    if (tmp == NULL) {
        job->failed = "alloc";
        job->err = NGX_ENOMEM;
        return NGX_ERROR;
    }

    ngx_sprintf(tmp, "%s.%P.%p.tmp%Z", job->path, ngx_pid, job->writer);

    fd = ngx_open_file(tmp, NGX_FILE_WRONLY, NGX_FILE_TRUNCATE,
                       NGX_FILE_DEFAULT_ACCESS);

    made = 0;

    if (fd == NGX_INVALID_FILE && ngx_errno == NGX_ENOENT) {
        made = 1;
        err = ngx_create_full_path(tmp, 0755);
        if (err) {
            job->failed = "mkdir()";
            job->err = err;
            return NGX_ERROR;
        }

        fd = ngx_open_file(tmp, NGX_FILE_WRONLY, NGX_FILE_TRUNCATE,
                           NGX_FILE_DEFAULT_ACCESS);
    }

    if (fd == NGX_INVALID_FILE) {
        job->failed = ngx_open_file_n;
        job->err = ngx_errno;
        return NGX_ERROR;
    }

    if (ngx_sluice_wjob_write_all(fd, job->data, job->len) != NGX_OK
        || ngx_sluice_wjob_write_all(fd, job->more, job->more_len) != NGX_OK)
    {
        job->failed = "write()";
        job->err = ngx_errno;
        goto failed;
    }

    if (fdatasync(fd) == -1) {
        job->failed = "fdatasync()";
        job->err = ngx_errno;
        goto failed;
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        job->failed = ngx_close_file_n;
        job->err = ngx_errno;
        (void) ngx_delete_file(tmp);
        return NGX_ERROR;
    }

    if (ngx_rename_file(tmp, job->path) == NGX_FILE_ERROR) {
        job->failed = ngx_rename_file_n;
        job->err = ngx_errno;
        (void) ngx_delete_file(tmp);
        return NGX_ERROR;
    }

    /* the new name on stable storage, and new directories up to live/ */

    if (ngx_sluice_sync_dirs(job->path, made ? 4 : 1) != NGX_OK) {
        job->failed = "fsync() of the directory of";
        job->err = ngx_errno;
        return NGX_ERROR;
    }

    return NGX_OK;

failed:

    (void) ngx_close_file(fd);
    (void) ngx_delete_file(tmp);

    return NGX_ERROR;
}


ngx_int_t
ngx_sluice_sync_dirs(u_char *path, ngx_uint_t levels)
{
    u_char     *p, dir[NGX_MAX_PATH];
    size_t      len;
    ngx_fd_t    fd;
    ngx_err_t   err;

    /* in a thread: no log, no nginx state */

    len = ngx_strlen(path);

    if (len >= sizeof(dir)) {
        ngx_set_errno(NGX_ENAMETOOLONG);
        return NGX_ERROR;
    }

    ngx_memcpy(dir, path, len + 1);

    while (levels--) {
        /* the last '/' */

        for (p = dir + len; p > dir && *p != '/'; p--) {
            /* void */
        }

        if (p == dir) {
            return NGX_OK;
        }

        *p = '\0';
        len = p - dir;

        fd = open((char *) dir, O_RDONLY|O_DIRECTORY);
        if (fd == NGX_INVALID_FILE) {
            return NGX_ERROR;
        }

        if (fsync(fd) == -1) {
            err = ngx_errno;
            (void) ngx_close_file(fd);
            ngx_set_errno(err);
            return NGX_ERROR;
        }

        (void) ngx_close_file(fd);
    }

    return NGX_OK;
}
