
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Ordered file writes off the event loop.  A writer is one FIFO of jobs
 * (one per track being ingested): at most one job of a writer runs at a
 * time, in an nginx thread pool, so completions come back in order.  A
 * job writes its bytes to "{path}.{pid}.{writer}.tmp" (a name of its
 * writer's own), syncs it (fdatasync), renames it to path (creating
 * missing directories) and syncs the directory (fsync; also three
 * directories above when it created some), so that path is on stable
 * storage before the handler runs; then it unlinks an optional file, or
 * runs its own "run" function instead; its handler then runs in the event
 * loop and the job's pool is destroyed.  Without a thread pool the same
 * work runs synchronously.
 *
 * A writer may carry memory of its owner (ngx_sluice_writer_data()),
 * freed with it: only the running job (in its thread) and handlers in
 * the event loop touch it, one at a time.
 *
 * A writer outlives the session that created it: the session calls
 * ngx_sluice_writer_release() and the writer frees itself once its queue
 * is empty.
 */


#ifndef _NGX_SLUICE_WRITER_H_INCLUDED_
#define _NGX_SLUICE_WRITER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#if (NGX_THREADS)
#include <ngx_thread_pool.h>
#else
typedef struct ngx_thread_pool_s  ngx_thread_pool_t;
#endif


typedef struct ngx_sluice_writer_s  ngx_sluice_writer_t;
typedef struct ngx_sluice_wjob_s    ngx_sluice_wjob_t;

typedef void (*ngx_sluice_wjob_done_pt)(ngx_sluice_wjob_t *job);
typedef void (*ngx_sluice_wjob_run_pt)(ngx_sluice_wjob_t *job,
    ngx_log_t *log);


struct ngx_sluice_wjob_s {
    ngx_sluice_wjob_t          *next;
    ngx_sluice_writer_t        *writer;
    ngx_pool_t                 *pool;       /* the job's own */

    /* NUL-terminated paths, or NULL: nothing to write or remove */
    u_char                     *path;
    u_char                     *unlink;

    u_char                     *data;       /* len bytes from pool */
    size_t                      len;
    /*
     * then more_len bytes at more, or NULL: memory handed over by the
     * job's creator, who frees it with a cleanup of the job's pool
     */
    u_char                     *more;
    size_t                      more_len;

    /* result of the write, set before done runs */
    ngx_err_t                   err;
    const char                 *failed;     /* system call that failed */

    ngx_sluice_wjob_done_pt     done;       /* event loop; may be NULL */
    ngx_sluice_wjob_run_pt      run;        /* thread: instead of the
                                               write and unlink above */
    void                       *ctx;        /* ctx_size bytes, zeroed */
};


/* tp NULL: synchronous writes */
ngx_sluice_writer_t *ngx_sluice_writer_create(ngx_thread_pool_t *tp,
    ngx_log_t *log);

/* a job with its own pool, len bytes of data and ctx_size bytes of ctx */
ngx_sluice_wjob_t *ngx_sluice_wjob_create(size_t len, size_t ctx_size,
    ngx_log_t *log);

/* queue a job; it runs after every job queued before on this writer */
void ngx_sluice_writer_post(ngx_sluice_writer_t *w, ngx_sluice_wjob_t *job);

/*
 * queue a job before every job waiting (from a done handler: it runs
 * next, before the jobs queued earlier)
 */
void ngx_sluice_writer_post_first(ngx_sluice_writer_t *w,
    ngx_sluice_wjob_t *job);

/* size bytes (zeroed at the first call) living as long as the writer */
void *ngx_sluice_writer_data(ngx_sluice_writer_t *w, size_t size);

/* the owner is gone: free the writer once its queue is empty */
void ngx_sluice_writer_release(ngx_sluice_writer_t *w);

/*
 * fsync() of the directory holding path (NUL-terminated), then of the
 * directories above it, levels in all: a new or renamed name reaches
 * stable storage.  Blocks: in a thread.  NGX_ERROR with errno set.
 */
ngx_int_t ngx_sluice_sync_dirs(u_char *path, ngx_uint_t levels);


#endif /* _NGX_SLUICE_WRITER_H_INCLUDED_ */
