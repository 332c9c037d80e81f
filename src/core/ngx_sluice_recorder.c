
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Recording of live outputs into assets (cloud DVR); the layout is in
 * ngx_sluice_asset.h, the flow in docs/architecture.md, "Recording".
 *
 *   event loop (track writer's done handler, after the live append):
 *       ngx_sluice_recorder_collect()   mutex held: assets, windows
 *       ngx_sluice_recorder_post()      one job, first in the writer
 *   thread pool, per asset:
 *       establish (once per writer): asset slot of the stream and media
 *           type (found by its descriptor, or claimed with mkdir), init
 *           version base, bitrate, trim cursor (binary search of the
 *           first record whose file still exists)
 *       init changed: link init{v}.mp4, write the descriptor
 *       link {time}.m4s, fsync the slot directory (links, descriptor),
 *           append the record, fdatasync: a record names only
 *           fragments already on stable storage (docs/architecture.md,
 *           "Durability")
 *       trim: unlink at most NGX_SLUICE_REC_TRIM fragments ending
 *           before (end - archive window - one fragment)
 *   event loop: unhealthy flag, logs
 *
 * Only the running job of a writer touches the writer's state
 * (ngx_sluice_rec_state_t), so jobs of one track need no lock; tracks
 * record into different slots.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice_recorder.h"
#include "core/ngx_sluice_asset.h"
#include "core/ngx_sluice_index.h"
#include "core/ngx_sluice_ll.h"
#include "core/ngx_sluice_metrics.h"
#include "core/ngx_sluice_resource.h"
#include "core/ngx_sluice_store.h"
#include "core/ngx_sluice_zone.h"


#define NGX_SLUICE_REC_TRIM      8          /* unlinks per job, at most */
#define NGX_SLUICE_REC_COPY      65536      /* copy buffer (no links) */
#define NGX_SLUICE_REC_LOG_MS    10000      /* failures: one line per */


/* what a track's writer keeps per asset between jobs */
typedef struct {
    u_char                      asset_id[NGX_SLUICE_ID_LEN + 1];
    ngx_uint_t                  ready;
    ngx_uint_t                  slot;           /* asset slot */
    int64_t                     init_base;      /* asset v = live v + */
    int64_t                     init_linked;    /* live v; -1: none */
    uint32_t                    bitrate;        /* the asset slot's */
    uint32_t                    version;        /* the asset slot's */
    uint32_t                    captions;       /* the slot's so far */
    size_t                      recsize;        /* of its index records */
    uint64_t                    cursor;         /* first untrimmed */
} ngx_sluice_rec_out_t;


typedef struct {
    ngx_sluice_rec_out_t        out[NGX_SLUICE_REC_MAX];
} ngx_sluice_rec_state_t;


typedef struct {
    ngx_sluice_zone_ctx_t      *zctx;
    u_char                      event_id[NGX_SLUICE_ID_LEN + 1];
    uint32_t                    generation;
    ngx_str_t                   data_path;
    ngx_str_t                   live_dir;
    ngx_sluice_rec_req_t        req;
    ngx_sluice_rec_state_t     *state;

    /* results */
    ngx_uint_t                  recorded;
    ngx_uint_t                  failed;
    ngx_uint_t                  trimmed;
    const char                 *call;
    ngx_err_t                   err;
    u_char                      path[NGX_MAX_PATH];
} ngx_sluice_rec_job_t;


static void ngx_sluice_rec_run(ngx_sluice_wjob_t *job, ngx_log_t *log);
static ngx_sluice_rec_out_t *ngx_sluice_rec_out(ngx_sluice_rec_job_t *rj,
    ngx_uint_t i);
static ngx_int_t ngx_sluice_rec_establish(ngx_sluice_rec_job_t *rj,
    ngx_sluice_rec_out_t *out);
static ngx_int_t ngx_sluice_rec_claim(ngx_sluice_rec_job_t *rj,
    ngx_sluice_rec_out_t *out, u_char *dir, size_t len);
static ngx_int_t ngx_sluice_rec_new_index(ngx_sluice_rec_job_t *rj,
    u_char *dir);
static ngx_int_t ngx_sluice_rec_cursor(ngx_sluice_rec_job_t *rj,
    ngx_sluice_rec_out_t *out);
static ngx_int_t ngx_sluice_rec_one(ngx_sluice_rec_job_t *rj,
    ngx_sluice_rec_out_t *out, ngx_uint_t i);
static ngx_int_t ngx_sluice_rec_describe(ngx_sluice_rec_job_t *rj,
    ngx_sluice_rec_out_t *out, ngx_uint_t i);
static void ngx_sluice_rec_undo(ngx_fd_t fd, off_t size);
static ngx_int_t ngx_sluice_rec_gap(ngx_sluice_rec_job_t *rj,
    ngx_sluice_rec_out_t *out, uint64_t nrec);
static ngx_int_t ngx_sluice_rec_append(ngx_sluice_rec_job_t *rj,
    ngx_sluice_rec_out_t *out, uint64_t *nrec);
static void ngx_sluice_rec_trim(ngx_sluice_rec_job_t *rj,
    ngx_sluice_rec_out_t *out, ngx_uint_t i, uint64_t nrec);
static ngx_int_t ngx_sluice_rec_link(ngx_sluice_rec_job_t *rj, u_char *from,
    u_char *to);
static ngx_int_t ngx_sluice_rec_copy(ngx_sluice_rec_job_t *rj, u_char *from,
    u_char *to);
static ngx_int_t ngx_sluice_rec_same(u_char *a, u_char *b);
static ngx_int_t ngx_sluice_rec_read_track(u_char *path,
    ngx_sluice_asset_track_t *at);
static ngx_int_t ngx_sluice_rec_last(u_char *path, size_t recsize,
    ngx_sluice_frag_t *f, uint64_t *nrec);
static ngx_int_t ngx_sluice_rec_fail(ngx_sluice_rec_job_t *rj,
    const char *call, u_char *path);
static u_char *ngx_sluice_rec_dir(u_char *p, ngx_str_t *data_path,
    u_char *asset_id, ngx_uint_t slot);
static void ngx_sluice_rec_pending(ngx_sluice_zone_ctx_t *zctx,
    u_char *event_id, uint32_t generation, ngx_sluice_rec_req_t *req);
static void ngx_sluice_rec_done(ngx_sluice_wjob_t *job);


/* --- event loop ---------------------------------------------------------- */

ngx_uint_t
ngx_sluice_recorder_collect(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_uint_t slot, ngx_sluice_frag_t *frag, ngx_sluice_rec_req_t *req)
{
    ngx_sluice_track_t  *tr;

    req->n = 0;

    if (slot >= NGX_SLUICE_MAX_TRACKS
        || ngx_sluice_recorder_outputs(sh, ev, req) == 0)
    {
        return 0;
    }

    tr = &ev->tracks[slot];

    ngx_memcpy(req->event, ev->name, sizeof(req->event));
    req->slot = slot;
    req->frag = *frag;
    ngx_memcpy(req->stream, tr->stream, sizeof(req->stream));
    req->info = tr->info;

    return req->n;
}


ngx_uint_t
ngx_sluice_recorder_outputs(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_sluice_rec_req_t *req)
{
    ngx_sluice_res_t  *lo, *asset;

    req->n = 0;

    if (sh->res == NULL) {
        return 0;
    }

    for (lo = ngx_sluice_res_next(sh, NGX_SLUICE_RES_LIVE_OUTPUT, NULL);
         lo && req->n < NGX_SLUICE_REC_MAX;
         lo = ngx_sluice_res_next(sh, NGX_SLUICE_RES_LIVE_OUTPUT, lo))
    {
        /* the archive starts when the output runs, ends at its delete */

        if (lo->state != NGX_SLUICE_LO_RUNNING
            || ngx_strcasecmp(lo->parent, ev->name) != 0)
        {
            continue;
        }

        asset = ngx_sluice_res_find(sh, NGX_SLUICE_RES_ASSET, NULL,
                                    lo->f.asset, ngx_strlen(lo->f.asset));

        if (asset == NULL || asset->f.id[0] == '\0') {
            continue;
        }

        ngx_memcpy(req->asset_id[req->n], asset->f.id, NGX_SLUICE_ID_LEN + 1);
        req->archive_ms[req->n] = lo->f.archive_ms;
        req->n++;
    }

    return req->n;
}


ngx_int_t
ngx_sluice_recorder_post(ngx_sluice_writer_t *w, ngx_sluice_zone_ctx_t *zctx,
    ngx_str_t *live_dir, u_char *event_id, uint32_t generation,
    ngx_sluice_rec_req_t *req, ngx_log_t *log)
{
    ngx_sluice_wjob_t     *job;
    ngx_sluice_rec_job_t  *rj;

    if (zctx->data_path.len + live_dir->len + 256 > NGX_MAX_PATH) {
        return NGX_ERROR;
    }

    job = ngx_sluice_wjob_create(0, sizeof(ngx_sluice_rec_job_t), log);
    if (job == NULL) {
        return NGX_ERROR;
    }

    rj = job->ctx;

    rj->state = ngx_sluice_writer_data(w, sizeof(ngx_sluice_rec_state_t));

    rj->data_path.data = ngx_pstrdup(job->pool, &zctx->data_path);
    rj->live_dir.data = ngx_pstrdup(job->pool, live_dir);

    if (rj->state == NULL || rj->data_path.data == NULL
        || rj->live_dir.data == NULL)
    {
        ngx_destroy_pool(job->pool);
        return NGX_ERROR;
    }

    rj->data_path.len = zctx->data_path.len;
    rj->live_dir.len = live_dir->len;
    rj->zctx = zctx;
    ngx_memcpy(rj->event_id, event_id, sizeof(rj->event_id));
    rj->generation = generation;
    rj->req = *req;

    job->run = ngx_sluice_rec_run;
    job->done = ngx_sluice_rec_done;

    ngx_sluice_rec_pending(zctx, event_id, generation, req);

    ngx_sluice_writer_post_first(w, job);

    return NGX_OK;
}


/*
 * Before the job runs: the records it appends are not shown until it is
 * done (they are synced then; ngx_sluice_rec_done())
 */

static void
ngx_sluice_rec_pending(ngx_sluice_zone_ctx_t *zctx, u_char *event_id,
    uint32_t generation, ngx_sluice_rec_req_t *req)
{
    ngx_sluice_event_t  *ev;
    ngx_sluice_track_t  *tr;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, event_id, generation);

    if (ev && req->slot < NGX_SLUICE_MAX_TRACKS) {
        tr = &ev->tracks[req->slot];

        if (tr->rec_pending++ == 0) {
            tr->rec_from = req->frag.time;
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);
}


static void
ngx_sluice_rec_done(ngx_sluice_wjob_t *job)
{
    ngx_uint_t              was;
    ngx_sluice_event_t     *ev;
    ngx_sluice_track_t     *tr;
    ngx_sluice_rec_job_t   *rj;
    ngx_sluice_ll_wake_t    wake;

    static ngx_msec_t       logged;
    static ngx_uint_t       quiet;

    rj = job->ctx;
    was = 0;
    wake.n = 0;

    if (rj->failed) {
        ngx_sluice_metrics_count(rj->zctx->sh, store_errors,
                                 NGX_SLUICE_MX_STORE_RECORD);
    }

    ngx_shmtx_lock(&rj->zctx->shpool->mutex);

    ev = ngx_sluice_index_event(rj->zctx->sh, rj->event_id, rj->generation);

    if (ev) {
        tr = &ev->tracks[rj->req.slot];
        was = tr->unhealthy & NGX_SLUICE_UNHEALTHY_RECORD;

        /*
         * its records are synced: shown from now on (the requests
         * waiting on the event run again: a live Smooth fragment waits
         * for the record after it); the next job's fragment starts later
         */

        if (tr->rec_pending) {
            tr->rec_pending--;
        }

        tr->rec_done_end = rj->req.frag.time + rj->req.frag.duration;
        tr->rec_from = tr->rec_done_end;

        ngx_sluice_ll_changed(rj->zctx->sh, ev, &wake);

        if (rj->failed) {
            tr->unhealthy |= NGX_SLUICE_UNHEALTHY_RECORD;

        } else {
            tr->unhealthy &= ~NGX_SLUICE_UNHEALTHY_RECORD;
        }
    }

    ngx_shmtx_unlock(&rj->zctx->shpool->mutex);

    if (wake.n) {
        ngx_sluice_ll_wake(&wake, ngx_cycle->log);
    }

    if (rj->failed) {
        if (logged == 0 || ngx_current_msec - logged >= NGX_SLUICE_REC_LOG_MS)
        {
            ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, rj->err,
                          "sluice: recording: %s \"%s\" failed, fragment "
                          "%uL of track %ui of live event \"%s\" not "
                          "recorded in %ui asset(s), %ui other failures "
                          "since the last report",
                          rj->call, rj->path, rj->req.frag.time,
                          rj->req.slot, rj->req.event, rj->failed, quiet);
            logged = ngx_current_msec;
            quiet = 0;

        } else {
            quiet++;
        }

        return;
    }

    if (was) {
        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "sluice: recording of track %ui of live event \"%s\" "
                      "resumed at fragment %uL", rj->req.slot, rj->req.event,
                      rj->req.frag.time);
    }

    ngx_log_debug4(NGX_LOG_DEBUG_CORE, ngx_cycle->log, 0,
                   "sluice: recorded fragment %uL of track %ui in %ui "
                   "asset(s), %ui trimmed", rj->req.frag.time, rj->req.slot,
                   rj->recorded, rj->trimmed);
}


/* --- thread -------------------------------------------------------------- */

static void
ngx_sluice_rec_run(ngx_sluice_wjob_t *job, ngx_log_t *log)
{
    ngx_uint_t             i;
    ngx_sluice_rec_out_t  *out;
    ngx_sluice_rec_job_t  *rj;

    rj = job->ctx;

    for (i = 0; i < rj->req.n; i++) {
        out = ngx_sluice_rec_out(rj, i);

        if (!out->ready && ngx_sluice_rec_establish(rj, out) != NGX_OK) {
            rj->failed++;
            continue;
        }

        if (ngx_sluice_rec_one(rj, out, i) != NGX_OK) {
            rj->failed++;
            continue;
        }

        rj->recorded++;
    }
}


/* the writer's state of asset i; states of assets no longer listed go */

static ngx_sluice_rec_out_t *
ngx_sluice_rec_out(ngx_sluice_rec_job_t *rj, ngx_uint_t i)
{
    ngx_uint_t             j, k, listed;
    ngx_sluice_rec_out_t  *out, *free;

    free = NULL;

    for (j = 0; j < NGX_SLUICE_REC_MAX; j++) {
        out = &rj->state->out[j];

        if (ngx_strcmp(out->asset_id, rj->req.asset_id[i]) == 0) {
            return out;
        }

        listed = 0;

        for (k = 0; k < rj->req.n; k++) {
            if (ngx_strcmp(out->asset_id, rj->req.asset_id[k]) == 0) {
                listed = 1;
            }
        }

        if (!listed && free == NULL) {
            free = out;
        }
    }

    /* at most NGX_SLUICE_REC_MAX listed: one is free */

    if (free == NULL) {
        free = &rj->state->out[i];
    }

    ngx_memzero(free, sizeof(ngx_sluice_rec_out_t));
    ngx_memcpy(free->asset_id, rj->req.asset_id[i], NGX_SLUICE_ID_LEN + 1);

    return free;
}


static ngx_int_t
ngx_sluice_rec_establish(ngx_sluice_rec_job_t *rj, ngx_sluice_rec_out_t *out)
{
    u_char                    *p, dir[NGX_MAX_PATH], live[NGX_MAX_PATH];
    ngx_int_t                  rc;
    ngx_uint_t                 s, slot, found;
    ngx_sluice_asset_track_t   at;

    p = ngx_sprintf(dir, "%V/assets/%s%Z", &rj->data_path, out->asset_id);

    if (ngx_create_dir(dir, 0755) == NGX_FILE_ERROR) {
        if (ngx_errno != NGX_EEXIST) {
            return ngx_sluice_rec_fail(rj, ngx_create_dir_n, dir);
        }

    } else if (ngx_sluice_sync_dirs(dir, 1) != NGX_OK) {
        /* a new asset directory: its name in assets/ */
        return ngx_sluice_rec_fail(rj, "fsync() of the directory of", dir);
    }

    p--;
    found = 0;
    slot = 0;

    /* the slot already recording this stream and media type, if any */

    for (s = 0; s < NGX_SLUICE_MAX_TRACKS && !found; s++) {
        ngx_sprintf(p, "/%ui/track%Z", s);

        if (ngx_sluice_rec_read_track(dir, &at) != NGX_OK) {
            continue;
        }

        if (at.info.media_type == rj->req.info.media_type
            && ngx_strcmp(at.stream, rj->req.stream) == 0)
        {
            found = 1;
            slot = s;
        }
    }

    if (!found) {
        if (ngx_sluice_rec_claim(rj, out, dir, p - dir) != NGX_OK) {
            return NGX_ERROR;
        }

        out->init_base = 0;
        out->bitrate = rj->req.info.bitrate;
        out->version = NGX_SLUICE_ASSET_VERSION;
        out->captions = 0;

    } else {
        out->slot = slot;
        out->bitrate = at.info.bitrate;
        out->version = at.version;
        out->captions = at.info.captions;   /* the asset keeps them */

        /* init versions go on from the slot's newest */

        ngx_sprintf(p, "/%ui/init%uD.mp4%Z", slot, at.init_version);
        ngx_sprintf(live, "%V/init%uD.mp4%Z", &rj->live_dir,
                    (uint32_t) rj->req.frag.init);

        rc = ngx_sluice_rec_same(dir, live);

        out->init_base = (int64_t) at.init_version + (rc == NGX_OK ? 0 : 1)
                         - (int64_t) rj->req.frag.init;
    }

    out->recsize = ngx_sluice_asset_rec_size(out->version);
    out->init_linked = -1;

    if (ngx_sluice_rec_cursor(rj, out) != NGX_OK) {
        return NGX_ERROR;
    }

    out->ready = 1;

    return NGX_OK;
}


/* a new slot: the live slot number if free, else the first free one */

static ngx_int_t
ngx_sluice_rec_claim(ngx_sluice_rec_job_t *rj, ngx_sluice_rec_out_t *out,
    u_char *dir, size_t len)
{
    ngx_uint_t  i, s;

    for (i = 0; i <= NGX_SLUICE_MAX_TRACKS; i++) {
        s = (i == 0) ? rj->req.slot : i - 1;

        if (i && s == rj->req.slot) {
            continue;
        }

        ngx_sprintf(dir + len, "/%ui%Z", s);

        if (ngx_create_dir(dir, 0755) != NGX_FILE_ERROR) {
            out->slot = s;
            return ngx_sluice_rec_new_index(rj, dir);
        }

        if (ngx_errno != NGX_EEXIST) {
            return ngx_sluice_rec_fail(rj, ngx_create_dir_n, dir);
        }
    }

    rj->err = 0;
    rj->call = "slot";
    ngx_cpystrn(rj->path, dir, sizeof(rj->path));

    return NGX_ERROR;
}


/*
 * A new slot's empty index, then the slot and the asset directory
 * synced: an index exists on stable storage before it lists anything.
 */

static ngx_int_t
ngx_sluice_rec_new_index(ngx_sluice_rec_job_t *rj, u_char *dir)
{
    u_char    path[NGX_MAX_PATH];
    ngx_fd_t  fd;

    ngx_sprintf(path, "%s/index%Z", dir);

    fd = ngx_open_file(path, NGX_FILE_WRONLY, NGX_FILE_CREATE_OR_OPEN,
                       NGX_FILE_DEFAULT_ACCESS);
    if (fd == NGX_INVALID_FILE) {
        return ngx_sluice_rec_fail(rj, ngx_open_file_n, path);
    }

    (void) ngx_close_file(fd);

    if (ngx_sluice_sync_dirs(path, 2) != NGX_OK) {
        return ngx_sluice_rec_fail(rj, "fsync() of the directories of",
                                   path);
    }

    return NGX_OK;
}


/* the first record whose file exists (trimming goes in order) */

static ngx_int_t
ngx_sluice_rec_cursor(ngx_sluice_rec_job_t *rj, ngx_sluice_rec_out_t *out)
{
    u_char             *p, path[NGX_MAX_PATH];
    ssize_t             n;
    uint64_t            lo, hi, mid, nrec;
    ngx_fd_t            fd;
    ngx_sluice_frag_t   f;
    ngx_file_info_t     fi;

    out->cursor = 0;

    p = ngx_sluice_rec_dir(path, &rj->data_path, out->asset_id, out->slot);
    ngx_sprintf(p, "index%Z");

    fd = ngx_open_file(path, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        if (ngx_errno == NGX_ENOENT) {
            return NGX_OK;
        }

        return ngx_sluice_rec_fail(rj, ngx_open_file_n, path);
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        (void) ngx_close_file(fd);
        return ngx_sluice_rec_fail(rj, ngx_fd_info_n, path);
    }

    nrec = (uint64_t) ngx_file_size(&fi) / out->recsize;

    lo = 0;
    hi = nrec;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;

        n = pread(fd, &f, out->recsize, (off_t) (mid * out->recsize));

        if (n != (ssize_t) out->recsize) {
            break;
        }

        ngx_sprintf(p, "%uL.m4s%Z", f.time);

        if (ngx_file_info(path, &fi) == NGX_FILE_ERROR) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    (void) ngx_close_file(fd);

    out->cursor = lo;

    return NGX_OK;
}


static ngx_int_t
ngx_sluice_rec_one(ngx_sluice_rec_job_t *rj, ngx_sluice_rec_out_t *out,
    ngx_uint_t i)
{
    u_char             *p, path[NGX_MAX_PATH], live[NGX_MAX_PATH];
    uint64_t            nrec;
    ngx_sluice_frag_t  *f;

    f = &rj->req.frag;
    nrec = 0;
    p = ngx_sluice_rec_dir(path, &rj->data_path, out->asset_id, out->slot);

    if (out->init_linked != (int64_t) f->init) {
        ngx_sprintf(live, "%V/init%uD.mp4%Z", &rj->live_dir,
                    (uint32_t) f->init);
        ngx_sprintf(p, "init%uL.mp4%Z",
                    (uint64_t) ((int64_t) f->init + out->init_base));

        if (ngx_sluice_rec_link(rj, live, path) != NGX_OK) {
            return NGX_ERROR;
        }

        if (ngx_sluice_rec_describe(rj, out, i) != NGX_OK) {
            return NGX_ERROR;
        }

        out->init_linked = f->init;

    } else if (out->version >= 3
               && (rj->req.info.captions & ~out->captions))
    {
        /* captions appeared in the track (version 3 descriptors say so) */

        if (ngx_sluice_rec_describe(rj, out, i) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    ngx_sprintf(live, "%V/%uL.m4s%Z", &rj->live_dir, f->time);
    ngx_sprintf(p, "%uL.m4s%Z", f->time);

    if (ngx_sluice_rec_link(rj, live, path) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the links (and the descriptor) on stable storage before the record */

    if (ngx_sluice_sync_dirs(path, 1) != NGX_OK) {
        return ngx_sluice_rec_fail(rj, "fsync() of the directory of", path);
    }

    if (ngx_sluice_rec_append(rj, out, &nrec) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_sluice_rec_trim(rj, out, i, nrec);

    return NGX_OK;
}


/* "track": written to "track.tmp", synced, renamed */

static ngx_int_t
ngx_sluice_rec_describe(ngx_sluice_rec_job_t *rj, ngx_sluice_rec_out_t *out,
    ngx_uint_t i)
{
    u_char                    *p, tmp[NGX_MAX_PATH], path[NGX_MAX_PATH];
    size_t                     size;
    ssize_t                    n;
    ngx_fd_t                   fd;
    ngx_sluice_asset_track_t   at;

    ngx_memzero(&at, sizeof(ngx_sluice_asset_track_t));

    at.magic = NGX_SLUICE_ASSET_MAGIC;
    at.version = out->version;
    at.slot = (uint32_t) out->slot;
    at.init_version = (uint32_t) ((int64_t) rj->req.frag.init
                                  + out->init_base);
    at.archive_ms = rj->req.archive_ms[i];
    ngx_memcpy(at.stream, rj->req.stream, sizeof(at.stream));
    at.info = rj->req.info;
    at.info.bitrate = out->bitrate;
    at.info.captions |= out->captions;

    p = ngx_sluice_rec_dir(path, &rj->data_path, out->asset_id, out->slot);
    ngx_sprintf(p, "track%Z");
    ngx_sprintf(ngx_cpymem(tmp, path, p - path), "track.tmp%Z");

    fd = ngx_open_file(tmp, NGX_FILE_WRONLY, NGX_FILE_TRUNCATE,
                       NGX_FILE_DEFAULT_ACCESS);
    if (fd == NGX_INVALID_FILE) {
        return ngx_sluice_rec_fail(rj, ngx_open_file_n, tmp);
    }

    size = ngx_sluice_asset_track_size(out->version);
    n = write(fd, &at, size);

    if (n != (ssize_t) size) {
        if (n >= 0) {
            ngx_set_errno(NGX_ENOSPC);
        }

        (void) ngx_sluice_rec_fail(rj, "write()", tmp);
        goto failed;
    }

    if (fdatasync(fd) == -1) {
        (void) ngx_sluice_rec_fail(rj, "fdatasync()", tmp);
        goto failed;
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        (void) ngx_sluice_rec_fail(rj, ngx_close_file_n, tmp);
        (void) ngx_delete_file(tmp);
        return NGX_ERROR;
    }

    if (ngx_rename_file(tmp, path) == NGX_FILE_ERROR) {
        (void) ngx_sluice_rec_fail(rj, ngx_rename_file_n, path);
        (void) ngx_delete_file(tmp);
        return NGX_ERROR;
    }

    out->captions = at.info.captions;

    return NGX_OK;

failed:

    (void) ngx_close_file(fd);
    (void) ngx_delete_file(tmp);

    return NGX_ERROR;
}


/*
 * One record, one write(); a partial record left by a crash is cut
 * first, and a short write is undone, so records stay aligned.
 */

/* cut a partial record off; if that fails too, readers ignore it */

static void
ngx_sluice_rec_undo(ngx_fd_t fd, off_t size)
{
    if (ftruncate(fd, size) == -1) {
        return;
    }
}


static ngx_int_t
ngx_sluice_rec_append(ngx_sluice_rec_job_t *rj, ngx_sluice_rec_out_t *out,
    uint64_t *nrec)
{
    u_char             *p, path[NGX_MAX_PATH];
    off_t               size;
    ssize_t             n;
    ngx_fd_t            fd;
    ngx_err_t           err;
    ngx_file_info_t     fi;
    ngx_sluice_frag_t   rec;

    rec = rj->req.frag;
    rec.init = (uint16_t) ((int64_t) rec.init + out->init_base);

    p = ngx_sluice_rec_dir(path, &rj->data_path, out->asset_id, out->slot);
    ngx_sprintf(p, "index%Z");

    fd = ngx_open_file(path, NGX_FILE_WRONLY, NGX_FILE_CREATE_OR_OPEN,
                       NGX_FILE_DEFAULT_ACCESS);
    if (fd == NGX_INVALID_FILE) {
        return ngx_sluice_rec_fail(rj, ngx_open_file_n, path);
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        (void) ngx_sluice_rec_fail(rj, ngx_fd_info_n, path);
        goto failed;
    }

    size = ngx_file_size(&fi);
    size -= size % out->recsize;

    if (size != ngx_file_size(&fi) && ftruncate(fd, size) == -1) {
        (void) ngx_sluice_rec_fail(rj, "ftruncate()", path);
        goto failed;
    }

    if ((rec.flags & NGX_SLUICE_FRAG_DISCONTINUITY)
        && ngx_sluice_rec_gap(rj, out, (uint64_t) size / out->recsize)
           != NGX_OK)
    {
        goto failed;
    }

    /* a version 1 slot: the record without what version 2 added */
    n = pwrite(fd, &rec, out->recsize, size);

    if (n != (ssize_t) out->recsize) {
        err = (n == -1) ? ngx_errno : NGX_ENOSPC;

        if (n > 0) {
            ngx_sluice_rec_undo(fd, size);
        }

        ngx_set_errno(err);
        (void) ngx_sluice_rec_fail(rj, "pwrite()", path);
        goto failed;
    }

    if (fdatasync(fd) == -1) {
        err = ngx_errno;
        ngx_sluice_rec_undo(fd, size);
        ngx_set_errno(err);
        (void) ngx_sluice_rec_fail(rj, "fdatasync()", path);
        goto failed;
    }

    (void) ngx_close_file(fd);

    /* an index made here (a slot from before): its name too */

    if (size == 0 && ngx_sluice_sync_dirs(path, 1) != NGX_OK) {
        return ngx_sluice_rec_fail(rj, "fsync() of the directory of", path);
    }

    *nrec = (uint64_t) size / out->recsize + 1;

    return NGX_OK;

failed:

    (void) ngx_close_file(fd);

    return NGX_ERROR;
}


/*
 * The number of a record that follows a hole, appended to "gaps" before
 * the record itself is (a crash between the two leaves an entry that
 * names no such record, or another one: readers check the record's
 * flag), so that readers count the discontinuities before any window
 * without reading the whole index.
 */

static ngx_int_t
ngx_sluice_rec_gap(ngx_sluice_rec_job_t *rj, ngx_sluice_rec_out_t *out,
    uint64_t nrec)
{
    u_char           *p, path[NGX_MAX_PATH], le[8];
    off_t             size;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_uint_t        i;
    ngx_file_info_t   fi;

    p = ngx_sluice_rec_dir(path, &rj->data_path, out->asset_id, out->slot);
    ngx_sprintf(p, "gaps%Z");

    for (i = 0; i < 8; i++) {
        le[i] = (u_char) (nrec >> (8 * i));
    }

    fd = ngx_open_file(path, NGX_FILE_WRONLY, NGX_FILE_CREATE_OR_OPEN,
                       NGX_FILE_DEFAULT_ACCESS);
    if (fd == NGX_INVALID_FILE) {
        return ngx_sluice_rec_fail(rj, ngx_open_file_n, path);
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        (void) ngx_sluice_rec_fail(rj, ngx_fd_info_n, path);
        goto failed;
    }

    /* after the last whole entry (a partial one: a crash) */
    size = ngx_file_size(&fi);
    size -= size % 8;

    n = pwrite(fd, le, 8, size);

    if (n != 8 || fdatasync(fd) == -1) {
        if (n != -1) {
            ngx_set_errno(NGX_ENOSPC);
        }

        (void) ngx_sluice_rec_fail(rj, "pwrite()", path);
        goto failed;
    }

    (void) ngx_close_file(fd);

    if (size == 0 && ngx_sluice_sync_dirs(path, 1) != NGX_OK) {
        return ngx_sluice_rec_fail(rj, "fsync() of the directory of", path);
    }

    return NGX_OK;

failed:

    (void) ngx_close_file(fd);

    return NGX_ERROR;
}


/* fragments ending before (end - archive window - one fragment) go */

static void
ngx_sluice_rec_trim(ngx_sluice_rec_job_t *rj, ngx_sluice_rec_out_t *out,
    ngx_uint_t i, uint64_t nrec)
{
    u_char             *p, path[NGX_MAX_PATH];
    ssize_t             n;
    uint64_t            end, window, from, k, count;
    ngx_fd_t            fd;
    ngx_sluice_frag_t  *f, recs[NGX_SLUICE_REC_TRIM];

    f = &rj->req.frag;

    if (rj->req.archive_ms[i] == 0 || rj->req.info.timescale == 0) {
        return;
    }

    end = f->time + f->duration;
    window = (uint64_t) rj->req.archive_ms[i] * rj->req.info.timescale / 1000
             + f->duration;

    if (end <= window || out->cursor + 1 >= nrec) {
        return;
    }

    from = end - window;

    p = ngx_sluice_rec_dir(path, &rj->data_path, out->asset_id, out->slot);
    ngx_sprintf(p, "index%Z");

    fd = ngx_open_file(path, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        return;
    }

    /* never the last record */
    count = ngx_min(nrec - 1 - out->cursor, NGX_SLUICE_REC_TRIM);

    n = pread(fd, recs, count * out->recsize,
              (off_t) (out->cursor * out->recsize));

    (void) ngx_close_file(fd);

    if (n < (ssize_t) out->recsize) {
        return;
    }

    count = (uint64_t) n / out->recsize;

    if (out->version == 1) {
        ngx_sluice_asset_recs_widen(recs, count);
    }

    for (k = 0; k < count; k++) {
        if (recs[k].time + recs[k].duration >= from) {
            break;
        }

        ngx_sprintf(p, "%uL.m4s%Z", recs[k].time);

        if (ngx_delete_file(path) == NGX_FILE_ERROR
            && ngx_errno != NGX_ENOENT)
        {
            break;
        }

        out->cursor++;
        rj->trimmed++;
    }
}


/* a hard link "to" of "from", replacing "to"; a copy across devices */

static ngx_int_t
ngx_sluice_rec_link(ngx_sluice_rec_job_t *rj, u_char *from, u_char *to)
{
    u_char     tmp[NGX_MAX_PATH];
    ngx_err_t  err;

    if (link((char *) from, (char *) to) == 0) {
        return NGX_OK;
    }

    err = ngx_errno;

    if (err == NGX_EXDEV || err == NGX_EPERM || err == EMLINK) {
        return ngx_sluice_rec_copy(rj, from, to);
    }

    if (err != NGX_EEXIST) {
        return ngx_sluice_rec_fail(rj, "link()", to);
    }

    /* a file of that name (left by a crash): replaced atomically */

    ngx_sprintf(tmp, "%s.tmp%Z", to);
    (void) ngx_delete_file(tmp);

    if (link((char *) from, (char *) tmp) == -1) {
        return ngx_sluice_rec_fail(rj, "link()", tmp);
    }

    if (ngx_rename_file(tmp, to) == NGX_FILE_ERROR) {
        (void) ngx_sluice_rec_fail(rj, ngx_rename_file_n, to);
        (void) ngx_delete_file(tmp);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_sluice_rec_copy(ngx_sluice_rec_job_t *rj, u_char *from, u_char *to)
{
    u_char     *buf, tmp[NGX_MAX_PATH];
    ssize_t     n, w;
    ngx_fd_t    in, out;
    ngx_int_t   rc;

    buf = malloc(NGX_SLUICE_REC_COPY);
    if (buf == NULL) {
        ngx_set_errno(NGX_ENOMEM);
        return ngx_sluice_rec_fail(rj, "malloc()", to);
    }

    rc = NGX_ERROR;
    out = NGX_INVALID_FILE;
    ngx_sprintf(tmp, "%s.tmp%Z", to);

    in = ngx_open_file(from, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (in == NGX_INVALID_FILE) {
        (void) ngx_sluice_rec_fail(rj, ngx_open_file_n, from);
        goto done;
    }

    out = ngx_open_file(tmp, NGX_FILE_WRONLY, NGX_FILE_TRUNCATE,
                        NGX_FILE_DEFAULT_ACCESS);
    if (out == NGX_INVALID_FILE) {
        (void) ngx_sluice_rec_fail(rj, ngx_open_file_n, tmp);
        goto done;
    }

    for ( ;; ) {
        n = read(in, buf, NGX_SLUICE_REC_COPY);

        if (n == -1) {
            (void) ngx_sluice_rec_fail(rj, "read()", from);
            goto done;
        }

        if (n == 0) {
            break;
        }

        w = write(out, buf, n);

        if (w != n) {
            if (w >= 0) {
                ngx_set_errno(NGX_ENOSPC);
            }

            (void) ngx_sluice_rec_fail(rj, "write()", tmp);
            goto done;
        }
    }

    if (fdatasync(out) == -1) {
        (void) ngx_sluice_rec_fail(rj, "fdatasync()", tmp);
        goto done;
    }

    if (ngx_rename_file(tmp, to) == NGX_FILE_ERROR) {
        (void) ngx_sluice_rec_fail(rj, ngx_rename_file_n, to);
        goto done;
    }

    rc = NGX_OK;

done:

    if (in != NGX_INVALID_FILE) {
        (void) ngx_close_file(in);
    }

    if (out != NGX_INVALID_FILE) {
        (void) ngx_close_file(out);

        if (rc != NGX_OK) {
            (void) ngx_delete_file(tmp);
        }
    }

    free(buf);

    return rc;
}


/* NGX_OK when both files hold the same bytes (small: init segments) */

static ngx_int_t
ngx_sluice_rec_same(u_char *a, u_char *b)
{
    u_char           *ba, *bb;
    ssize_t           na, nb;
    ngx_fd_t          fa, fb;
    ngx_int_t         rc;
    ngx_file_info_t   ia, ib;

    rc = NGX_DECLINED;
    ba = NULL;
    bb = NULL;

    fa = ngx_open_file(a, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    fb = ngx_open_file(b, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fa == NGX_INVALID_FILE || fb == NGX_INVALID_FILE
        || ngx_fd_info(fa, &ia) == NGX_FILE_ERROR
        || ngx_fd_info(fb, &ib) == NGX_FILE_ERROR
        || ngx_file_size(&ia) != ngx_file_size(&ib)
        || ngx_file_size(&ia) > NGX_SLUICE_REC_COPY)
    {
        goto done;
    }

    if (ia.st_dev == ib.st_dev && ia.st_ino == ib.st_ino) {
        rc = NGX_OK;
        goto done;
    }

    ba = malloc(NGX_SLUICE_REC_COPY);
    bb = malloc(NGX_SLUICE_REC_COPY);

    if (ba == NULL || bb == NULL) {
        goto done;
    }

    na = pread(fa, ba, NGX_SLUICE_REC_COPY, 0);
    nb = pread(fb, bb, NGX_SLUICE_REC_COPY, 0);

    if (na >= 0 && na == nb && ngx_memcmp(ba, bb, na) == 0) {
        rc = NGX_OK;
    }

done:

    if (fa != NGX_INVALID_FILE) {
        (void) ngx_close_file(fa);
    }

    if (fb != NGX_INVALID_FILE) {
        (void) ngx_close_file(fb);
    }

    free(ba);
    free(bb);

    return rc;
}


static ngx_int_t
ngx_sluice_rec_read_track(u_char *path, ngx_sluice_asset_track_t *at)
{
    ssize_t   n;
    ngx_fd_t  fd;

    fd = ngx_open_file(path, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        return NGX_DECLINED;
    }

    n = pread(fd, at, sizeof(ngx_sluice_asset_track_t), 0);

    (void) ngx_close_file(fd);

    return ngx_sluice_asset_track_check(at, n);
}


/* the last complete record of an index */

static ngx_int_t
ngx_sluice_rec_last(u_char *path, size_t recsize, ngx_sluice_frag_t *f,
    uint64_t *nrec)
{
    ssize_t          n;
    ngx_fd_t         fd;
    ngx_file_info_t  fi;

    fd = ngx_open_file(path, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        return NGX_DECLINED;
    }

    n = -1;

    if (ngx_fd_info(fd, &fi) != NGX_FILE_ERROR) {
        *nrec = (uint64_t) ngx_file_size(&fi) / recsize;

        if (*nrec) {
            n = pread(fd, f, recsize, (off_t) ((*nrec - 1) * recsize));
        }
    }

    (void) ngx_close_file(fd);

    return n == (ssize_t) recsize ? NGX_OK : NGX_DECLINED;
}


static ngx_int_t
ngx_sluice_rec_fail(ngx_sluice_rec_job_t *rj, const char *call, u_char *path)
{
    rj->err = ngx_errno;
    rj->call = call;
    ngx_cpystrn(rj->path, path, sizeof(rj->path));

    return NGX_ERROR;
}


/* "{data}/assets/{assetId}/{slot}/" */

static u_char *
ngx_sluice_rec_dir(u_char *p, ngx_str_t *data_path, u_char *asset_id,
    ngx_uint_t slot)
{
    return ngx_sprintf(p, "%V/assets/%s/%ui/", data_path, asset_id, slot);
}


/* --- restart ------------------------------------------------------------- */

void
ngx_sluice_recorder_init_zone(ngx_sluice_zone_ctx_t *zctx, ngx_log_t *log)
{
    u_char                    *p, path[NGX_MAX_PATH];
    uint64_t                   end, nrec, ts;
    ngx_uint_t                 s;
    ngx_sluice_res_t          *lo, *asset;
    ngx_sluice_frag_t          f;
    ngx_sluice_event_t        *ev;
    ngx_sluice_asset_track_t   at;

    if (zctx->sh->res == NULL || zctx->data_path.len == 0
        || zctx->data_path.len + 128 > NGX_MAX_PATH)
    {
        return;
    }

    for (lo = ngx_sluice_res_next(zctx->sh, NGX_SLUICE_RES_LIVE_OUTPUT, NULL);
         lo;
         lo = ngx_sluice_res_next(zctx->sh, NGX_SLUICE_RES_LIVE_OUTPUT, lo))
    {
        ev = ngx_sluice_event_by_name(zctx->sh, lo->parent,
                                      ngx_strlen(lo->parent));
        asset = ngx_sluice_res_find(zctx->sh, NGX_SLUICE_RES_ASSET, NULL,
                                    lo->f.asset, ngx_strlen(lo->f.asset));

        if (ev == NULL || asset == NULL || asset->f.id[0] == '\0') {
            continue;
        }

        for (s = 0; s < NGX_SLUICE_MAX_TRACKS; s++) {
            p = ngx_sluice_rec_dir(path, &zctx->data_path, asset->f.id, s);
            ngx_sprintf(p, "track%Z");

            if (ngx_sluice_rec_read_track(path, &at) != NGX_OK
                || at.info.timescale == 0)
            {
                continue;
            }

            ngx_sprintf(p, "index%Z");

            if (ngx_sluice_rec_last(path,
                                    ngx_sluice_asset_rec_size(at.version),
                                    &f, &nrec)
                != NGX_OK)
            {
                continue;
            }

            ts = at.info.timescale;
            end = ((f.time + f.duration) * 1000 + ts - 1) / ts;

            if (end > ev->record_end_ms) {
                ev->record_end_ms = end;
            }
        }

        if (ev->record_end_ms) {
            ngx_log_error(NGX_LOG_INFO, log, 0,
                          "sluice: live output \"%s\" of live event \"%s\" "
                          "recorded up to %uL ms in asset \"%s\", the "
                          "timeline continues after it", lo->name,
                          ev->name, ev->record_end_ms, asset->name);
        }
    }
}
