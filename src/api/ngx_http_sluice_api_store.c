
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Durable API changes (docs/architecture.md, "Durability").  A write
 * request is answered once what it changed is on stable storage:
 *
 *   event loop  the record changed in the zone (mutex held), the name
 *               of its temporary file chosen (kind->write, no content)
 *   thread      the temporary file written and fsync()ed
 *   event loop  mutex held: renamed over the record's file if still the
 *               newest version (serial, persisted < version: the order
 *               between workers), persisted = version
 *   thread      the directory fsync()ed (a removal: every API directory)
 *   event loop  the answer sent, or an error in AMS's shape (a creation
 *               that could not be stored is undone)
 *
 * The jobs of a request run one at a time, in order, on a writer of its
 * own (ngx_sluice_writer_t) in the thread pool "sluice" (thread_pool
 * sluice ...; the pool the ingest uses by default); without one they run
 * in the worker itself, and a [warn] line says so once.  The request is
 * held (r->main->count) while jobs run; if it dies first (the client
 * went away and nginx terminated it), the jobs finish without it.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_store.h"
#include "core/ngx_sluice_metrics.h"
#include "core/ngx_sluice_store.h"
#include "core/ngx_sluice_writer.h"


#define NGX_HTTP_SLUICE_STORE_UNDO  2       /* creations per request */


/* a request's jobs; the memory of its writer (ngx_sluice_writer_data()) */
typedef struct {
    ngx_http_request_t         *request;        /* NULL: it died */
    ngx_pool_cleanup_t         *cleanup;
    ngx_sluice_writer_t        *writer;
    ngx_sluice_zone_ctx_t      *zctx;
    ngx_uint_t                  jobs;           /* posted, not done */

    /* the answer, once the handler gave it */
    ngx_uint_t                  answered;
    ngx_uint_t                  status;
    sluice_json_t              *body;

    /* the first failure */
    const char                 *call;
    ngx_err_t                   err;
    const char                 *what;
    u_char                      name[NGX_SLUICE_RES_NAME_LEN + 1];
    ngx_uint_t                  removal;

    /* creations, undone when something could not be stored */
    ngx_uint_t                  ncreated;
    ngx_http_sluice_res_snap_t  created[NGX_HTTP_SLUICE_STORE_UNDO];
} ngx_http_sluice_store_t;


typedef struct {
    ngx_http_sluice_store_t    *st;
    ngx_http_sluice_res_snap_t  snap;
    ngx_str_t                   content;
    ngx_str_t                   tmp;            /* or a file of the dir */
    ngx_uint_t                  all;            /* every API directory */
    const char                 *call;           /* failed */
    ngx_err_t                   err;
} ngx_http_sluice_store_job_t;


static ngx_http_sluice_store_t *ngx_http_sluice_store_get(
    ngx_http_request_t *r, ngx_sluice_zone_ctx_t *zctx);
static void ngx_http_sluice_store_cleanup(void *data);
static ngx_sluice_wjob_t *ngx_http_sluice_store_job(
    ngx_http_sluice_store_t *st);
static void ngx_http_sluice_store_write_run(ngx_sluice_wjob_t *job,
    ngx_log_t *log);
static void ngx_http_sluice_store_write_done(ngx_sluice_wjob_t *job);
static ngx_int_t ngx_http_sluice_store_rename(
    ngx_http_sluice_store_job_t *sj, ngx_pool_t *pool);
static ngx_int_t ngx_http_sluice_store_post_sync(ngx_http_sluice_store_t *st,
    u_char *path, ngx_uint_t all);
static void ngx_http_sluice_store_sync_run(ngx_sluice_wjob_t *job,
    ngx_log_t *log);
static void ngx_http_sluice_store_sync_done(ngx_sluice_wjob_t *job);
static void ngx_http_sluice_store_failed(ngx_http_sluice_store_t *st,
    const char *call, ngx_err_t err, u_char *path);
static void ngx_http_sluice_store_job_end(ngx_http_sluice_store_t *st);
static ngx_int_t ngx_http_sluice_store_result(ngx_http_request_t *r,
    ngx_http_sluice_store_t *st, ngx_uint_t status, sluice_json_t *body);
static void ngx_http_sluice_store_undo(ngx_http_sluice_store_t *st);
static void ngx_http_sluice_store_release(ngx_http_sluice_store_t *st);


static ngx_str_t  ngx_http_sluice_store_pool_name = ngx_string("sluice");


ngx_int_t
ngx_http_sluice_store(ngx_http_request_t *r, ngx_sluice_zone_ctx_t *zctx,
    ngx_http_sluice_res_snap_t *snap, ngx_uint_t created)
{
    ngx_sluice_wjob_t            *job;
    ngx_http_sluice_rt_t         *rt;
    ngx_http_sluice_store_t      *st;
    ngx_http_sluice_store_job_t  *sj;

    if (snap->f.builtin || zctx->data_path.len == 0) {
        return NGX_OK;
    }

    st = ngx_http_sluice_store_get(r, zctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    rt = ngx_http_sluice_res_type(snap->type);

    if (st->what == NULL) {
        st->what = rt->what;
        ngx_cpystrn(st->name, snap->name, sizeof(st->name));
    }

    job = ngx_http_sluice_store_job(st);
    if (job == NULL) {
        return NGX_ERROR;
    }

    sj = job->ctx;
    sj->snap = *snap;

    /* the content and the temporary name, from the event loop */

    if (rt->kind->file(job->pool, snap, &sj->content) != NGX_OK
        || rt->kind->write(job->pool, r->connection->log, zctx, snap, NULL,
                           &sj->tmp)
           != NGX_OK)
    {
        ngx_destroy_pool(job->pool);
        return NGX_ERROR;
    }

    if (created && st->ncreated < NGX_HTTP_SLUICE_STORE_UNDO) {
        st->created[st->ncreated++] = *snap;
    }

    job->run = ngx_http_sluice_store_write_run;
    job->done = ngx_http_sluice_store_write_done;

    st->jobs++;
    ngx_sluice_writer_post(st->writer, job);

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_store_removed(ngx_http_request_t *r,
    ngx_sluice_zone_ctx_t *zctx)
{
    ngx_http_sluice_store_t  *st;

    if (zctx->data_path.len == 0) {
        return NGX_OK;
    }

    st = ngx_http_sluice_store_get(r, zctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    st->removal = 1;

    return ngx_http_sluice_store_post_sync(st, NULL, 1);
}


/* the request's jobs: created with the first, holding the request */

static ngx_http_sluice_store_t *
ngx_http_sluice_store_get(ngx_http_request_t *r, ngx_sluice_zone_ctx_t *zctx)
{
    ngx_pool_cleanup_t         *cln;
    ngx_sluice_writer_t        *w;
    ngx_http_sluice_store_t    *st;
    ngx_http_sluice_api_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sluice_module);

    if (ctx->store) {
        return ctx->store;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    w = ngx_sluice_writer_create(
            ngx_http_sluice_store_pool(r->connection->log),
            r->connection->log);
    if (w == NULL) {
        return NULL;
    }

    st = ngx_sluice_writer_data(w, sizeof(ngx_http_sluice_store_t));
    if (st == NULL) {
        ngx_sluice_writer_release(w);
        return NULL;
    }

    st->request = r;
    st->cleanup = cln;
    st->writer = w;
    st->zctx = zctx;

    cln->handler = ngx_http_sluice_store_cleanup;
    cln->data = st;

    ctx->store = st;

    /* held until the answer: ngx_http_sluice_api_answer() */
    r->main->count++;

    return st;
}


ngx_thread_pool_t *
ngx_http_sluice_store_pool(ngx_log_t *log)
{
#if (NGX_THREADS)

    static ngx_uint_t          checked;
    static ngx_thread_pool_t  *tp;

    if (!checked) {
        checked = 1;

        tp = ngx_thread_pool_get((ngx_cycle_t *) ngx_cycle,
                                 &ngx_http_sluice_store_pool_name);

        if (tp == NULL) {
            ngx_log_error(NGX_LOG_WARN, log, 0,
                          "sluice: no thread pool \"%V\", API changes and "
                          "webhook cursors are synced to disk by the "
                          "worker itself",
                          &ngx_http_sluice_store_pool_name);
        }
    }

    return tp;

#else

    return NULL;

#endif
}


/* the request is freed (terminated) while jobs run: they go on alone */

static void
ngx_http_sluice_store_cleanup(void *data)
{
    ngx_http_sluice_store_t  *st = data;

    st->request = NULL;
    st->cleanup = NULL;

    if (st->jobs == 0) {
        ngx_http_sluice_store_release(st);
    }
}


static ngx_sluice_wjob_t *
ngx_http_sluice_store_job(ngx_http_sluice_store_t *st)
{
    ngx_sluice_wjob_t            *job;
    ngx_http_sluice_store_job_t  *sj;

    job = ngx_sluice_wjob_create(0, sizeof(ngx_http_sluice_store_job_t),
                                 ngx_cycle->log);
    if (job == NULL) {
        return NULL;
    }

    sj = job->ctx;
    sj->st = st;

    return job;
}


/* thread */

static void
ngx_http_sluice_store_write_run(ngx_sluice_wjob_t *job, ngx_log_t *log)
{
    ngx_http_sluice_store_job_t  *sj = job->ctx;

    if (ngx_sluice_file_put(sj->tmp.data, &sj->content, &sj->call)
        != NGX_OK)
    {
        sj->err = ngx_errno;
    }
}


static void
ngx_http_sluice_store_write_done(ngx_sluice_wjob_t *job)
{
    ngx_http_sluice_store_t      *st;
    ngx_http_sluice_store_job_t  *sj;

    sj = job->ctx;
    st = sj->st;

    if (sj->call) {
        ngx_http_sluice_store_failed(st, sj->call, sj->err, sj->tmp.data);

    } else if (ngx_http_sluice_store_rename(sj, job->pool) != NGX_OK) {
        /* logged by the rename */
        ngx_http_sluice_store_failed(st, NULL, ngx_errno, NULL);

    } else {
        (void) ngx_http_sluice_store_post_sync(st, sj->tmp.data, 0);
    }

    ngx_http_sluice_store_job_end(st);
}


/*
 * Mutex held: renamed in place if the record is still the one copied,
 * not saved in a newer version (another request, maybe in another
 * worker, renamed it first), not being deleted; else the file goes.
 */

static ngx_int_t
ngx_http_sluice_store_rename(ngx_http_sluice_store_job_t *sj,
    ngx_pool_t *pool)
{
    void                        *rec;
    ngx_int_t                    rc;
    ngx_err_t                    err;
    ngx_sluice_op_t             *op;
    ngx_sluice_zone_ctx_t       *zctx;
    ngx_http_sluice_rt_t        *rt;
    ngx_http_sluice_rec_t        v;
    ngx_http_sluice_res_snap_t  *snap;

    snap = &sj->snap;
    zctx = sj->st->zctx;
    rt = ngx_http_sluice_res_type(snap->type);
    rc = NGX_OK;
    err = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    rec = rt->kind->find(zctx->sh, rt, snap->parent[0] ? snap->parent : NULL,
                         snap->name, ngx_strlen(snap->name));

    op = NULL;

    if (rec) {
        rt->kind->view(rec, &v);
        op = *v.op;
    }

    if (rec && *v.serial == snap->serial && *v.persisted < snap->version
        && !(op && op->kind == NGX_SLUICE_OP_DELETE))
    {
        rc = rt->kind->commit(pool, ngx_cycle->log, zctx, snap, &sj->tmp);

        if (rc == NGX_OK) {
            *v.persisted = snap->version;

        } else {
            err = ngx_errno;
        }

    } else {
        ngx_sluice_store_discard(ngx_cycle->log, &sj->tmp);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    ngx_set_errno(err);

    return rc;
}


/* a job syncing the directory of path, or every API directory */

static ngx_int_t
ngx_http_sluice_store_post_sync(ngx_http_sluice_store_t *st, u_char *path,
    ngx_uint_t all)
{
    size_t                        len;
    ngx_sluice_wjob_t            *job;
    ngx_http_sluice_store_job_t  *sj;

    job = ngx_http_sluice_store_job(st);
    if (job == NULL) {
        ngx_http_sluice_store_failed(st, "malloc()", NGX_ENOMEM, NULL);
        return NGX_ERROR;
    }

    sj = job->ctx;
    sj->all = all;

    if (path) {
        len = ngx_strlen(path) + 1;

        sj->tmp.data = ngx_pnalloc(job->pool, len);
        if (sj->tmp.data == NULL) {
            ngx_destroy_pool(job->pool);
            ngx_http_sluice_store_failed(st, "malloc()", NGX_ENOMEM, NULL);
            return NGX_ERROR;
        }

        ngx_memcpy(sj->tmp.data, path, len);
        sj->tmp.len = len - 1;
    }

    job->run = ngx_http_sluice_store_sync_run;
    job->done = ngx_http_sluice_store_sync_done;

    st->jobs++;
    ngx_sluice_writer_post(st->writer, job);

    return NGX_OK;
}


/* thread */

static void
ngx_http_sluice_store_sync_run(ngx_sluice_wjob_t *job, ngx_log_t *log)
{
    ngx_int_t                     rc;
    ngx_http_sluice_store_job_t  *sj = job->ctx;

    rc = sj->all ? ngx_sluice_res_sync_dirs(&sj->st->zctx->data_path)
                 : ngx_sluice_sync_dirs(sj->tmp.data, 1);

    if (rc != NGX_OK) {
        sj->call = "fsync() of the directory of";
        sj->err = ngx_errno;
    }
}


static void
ngx_http_sluice_store_sync_done(ngx_sluice_wjob_t *job)
{
    ngx_http_sluice_store_job_t  *sj = job->ctx;

    if (sj->call) {
        ngx_http_sluice_store_failed(sj->st, sj->call, sj->err,
                                     sj->all ? (u_char *) "the API files"
                                             : sj->tmp.data);
    }

    ngx_http_sluice_store_job_end(sj->st);
}


/* the first failure is kept and logged (a rename logged its own) */

static void
ngx_http_sluice_store_failed(ngx_http_sluice_store_t *st, const char *call,
    ngx_err_t err, u_char *path)
{
    if (call) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, err,
                      "sluice: %s \"%s\" failed", call,
                      path ? path : (u_char *) "");
        ngx_sluice_metrics_store_error(NGX_SLUICE_MX_STORE_API);
    }

    if (st->call == NULL) {
        st->call = call ? call : ngx_rename_file_n;
        st->err = err;
    }
}


/* a job is done: the answer goes once the last is */

static void
ngx_http_sluice_store_job_end(ngx_http_sluice_store_t *st)
{
    ngx_int_t                   rc;
    ngx_http_request_t         *r;
    ngx_http_sluice_api_ctx_t  *ctx;

    if (--st->jobs) {
        return;
    }

    r = st->request;

    if (r == NULL) {
        /* the request died: undo what was not stored, then nothing */
        if (st->call) {
            ngx_http_sluice_store_undo(st);
        }

        ngx_http_sluice_store_release(st);
        return;
    }

    if (!st->answered) {
        /* jobs run in the worker: ngx_http_sluice_api_answer() follows */
        return;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_sluice_module);
    ctx->store = NULL;

    rc = ngx_http_sluice_store_result(r, st, st->status, st->body);

    st->cleanup->handler = NULL;
    ngx_http_sluice_store_release(st);

    ngx_http_finalize_request(r, rc);
}


ngx_int_t
ngx_http_sluice_api_answer(ngx_http_request_t *r, ngx_uint_t status,
    sluice_json_t *body)
{
    ngx_int_t                   rc;
    ngx_http_sluice_store_t    *st;
    ngx_http_sluice_api_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sluice_module);
    st = ctx ? ctx->store : NULL;

    if (st == NULL) {
        return ngx_http_sluice_api_send(r, status, body);
    }

    if (st->jobs) {
        st->answered = 1;
        st->status = status;
        st->body = body;

        return NGX_DONE;
    }

    /* every job already ran (no thread pool) */

    ctx->store = NULL;
    r->main->count--;

    rc = ngx_http_sluice_store_result(r, st, status, body);

    st->cleanup->handler = NULL;
    ngx_http_sluice_store_release(st);

    return rc;
}


static ngx_int_t
ngx_http_sluice_store_result(ngx_http_request_t *r,
    ngx_http_sluice_store_t *st, ngx_uint_t status, sluice_json_t *body)
{
    ngx_str_t  name;

    if (st->call == NULL) {
        return ngx_http_sluice_api_send(r, status, body);
    }

    /* headers of the answer that is not sent (Azure-AsyncOperation...) */

    if (ngx_list_init(&r->headers_out.headers, r->pool, 4,
                      sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    name.data = st->name;
    name.len = ngx_strlen(st->name);

    if (st->ncreated) {
        ngx_http_sluice_store_undo(st);

        return ngx_http_sluice_store_error(r, st->err, st->what, &name,
                                           "Nothing was created.");
    }

    if (st->removal) {
        return ngx_http_sluice_store_error(r, st->err, "The deletion",
                   &name, "It is not sure to survive a restart of the "
                   "server.");
    }

    return ngx_http_sluice_store_error(r, st->err, st->what, &name,
               "The change is in effect until the server restarts: make "
               "it again once the disk is writable.");
}


ngx_int_t
ngx_http_sluice_store_error(ngx_http_request_t *r, ngx_err_t err,
    const char *what, ngx_str_t *name, const char *result)
{
    u_char  *last, msg[NGX_MAX_ERROR_STR];

    if (err == NGX_ENOSPC || err == EDQUOT) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_INSUFFICIENT_STORAGE,
                   "InsufficientStorage",
                   "%s '%V' could not be stored: the server's disk is full. "
                   "%s", what, name, result);
    }

    last = ngx_strerror(err, msg, sizeof(msg));

    return ngx_http_sluice_api_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
               "ServiceUnavailable",
               "%s '%V' could not be stored: %*s. %s", what, name,
               (size_t) (last - msg), msg, result);
}


/* creations of the request that could not be stored leave the zone */

static void
ngx_http_sluice_store_undo(ngx_http_sluice_store_t *st)
{
    void                        *rec;
    ngx_uint_t                   i;
    ngx_sluice_shctx_t          *sh;
    ngx_http_sluice_rt_t        *rt;
    ngx_http_sluice_rec_t        v;
    ngx_http_sluice_res_snap_t  *c;

    sh = st->zctx->sh;

    ngx_shmtx_lock(&st->zctx->shpool->mutex);

    ngx_sluice_zone_begin(sh, ngx_cycle->log);

    for (i = 0; i < st->ncreated; i++) {
        c = &st->created[i];
        rt = ngx_http_sluice_res_type(c->type);

        rec = rt->kind->find(sh, rt, c->parent[0] ? c->parent : NULL,
                             c->name, ngx_strlen(c->name));
        if (rec == NULL) {
            continue;
        }

        rt->kind->view(rec, &v);

        if (*v.serial == c->serial && *v.persisted == 0) {
            rt->kind->free(sh, rec);
        }
    }

    st->ncreated = 0;

    ngx_sluice_zone_end(sh);

    ngx_shmtx_unlock(&st->zctx->shpool->mutex);
}


static void
ngx_http_sluice_store_release(ngx_http_sluice_store_t *st)
{
    /* frees st with the writer once its last job is done */
    ngx_sluice_writer_release(st->writer);
}
