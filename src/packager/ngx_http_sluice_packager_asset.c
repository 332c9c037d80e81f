
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Playback of assets (streaming locators): the recorder's files read into
 * the same structures the preview copies out of shared memory, so that
 * the manifest writers and the segment code serve both.
 *
 *   {data}/assets/{assetId}/{slot}/track   ngx_sluice_asset_track_t
 *   {data}/assets/{assetId}/{slot}/index   ngx_sluice_frag_t records
 *
 * Manifests: per track, the last record gives the end; a binary search
 * (one pread per probe) finds the first record of the window (the DVR
 * window while live, the archive window otherwise: older fragments were
 * deleted by the recorder), then the window is read in one pread.
 * Segments: a binary search by time (or seq, for the muxed audio of
 * m3u8-aapl-v3), then the few records around it.  A trailing partial
 * record (a crash while appending) is ignored.
 *
 * Cues (ad markers, timed metadata) come from the asset's cues file
 * (ngx_sluice_cue_read()): those of the window for a manifest, those of
 * the segment's time for a TS segment (ID3).
 *
 * Reads are synchronous and bounded: at most NGX_SLUICE_MAX_TRACKS
 * descriptors, about log2(records) probes, and the window, itself bounded
 * by NGX_HTTP_SLUICE_MAX_RECORDS; these files are small and hot in the
 * page cache while recording.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager_asset.h"
#include "packager/ngx_http_sluice_packager_segment.h"
#include "core/ngx_sluice_asset.h"
#include "core/ngx_sluice_cue.h"
#include "media/manifest/sluice_hls.h"
#include "media/manifest/sluice_mss.h"


/* index records of an asset track read for one manifest at most */
#define NGX_HTTP_SLUICE_MAX_RECORDS      (256 * 1024)

/* entries of a track's gaps file read at most (reconnects recorded) */
#define NGX_HTTP_SLUICE_MAX_GAPS  4096


static ngx_int_t ngx_http_sluice_asset_snapshot(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_asset_segment(ngx_http_sluice_pkg_t *pkg);


typedef struct {
    ngx_file_t                   file;
    uint64_t                     nrec;
    uint32_t                     version;   /* the slot's (asset.h) */
    size_t                       recsize;
} ngx_http_sluice_index_t;


static ngx_int_t ngx_http_sluice_asset_track(ngx_http_sluice_pkg_t *pkg,
    ngx_uint_t slot, ngx_sluice_asset_track_t *at);
static ngx_int_t ngx_http_sluice_asset_find_track(ngx_http_sluice_pkg_t *pkg,
    sluice_str_t *name, uint32_t bitrate, ngx_sluice_asset_track_t *at);
static ngx_int_t ngx_http_sluice_index_open(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_asset_track_t *at, ngx_http_sluice_index_t *ix);
static ngx_int_t ngx_http_sluice_index_synced(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_asset_track_t *at, ngx_http_sluice_index_t *ix);
static void ngx_http_sluice_index_close(ngx_http_sluice_index_t *ix);
static ngx_int_t ngx_http_sluice_index_read(ngx_http_sluice_index_t *ix,
    uint64_t from, uint64_t n, ngx_sluice_frag_t *frags);
static ngx_int_t ngx_http_sluice_index_after(ngx_http_sluice_index_t *ix,
    uint64_t end, uint64_t *pos);
static ngx_int_t ngx_http_sluice_index_find(ngx_http_sluice_index_t *ix,
    uint64_t key, ngx_uint_t by_seq, uint32_t smooth_ts, uint64_t *pos);
static ngx_int_t ngx_http_sluice_asset_window(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_asset_track_t *at, ngx_sluice_track_snap_t *ts,
    uint64_t *period_start, uint32_t *disc);
static ngx_int_t ngx_http_sluice_asset_gaps(ngx_http_sluice_pkg_t *pkg,
    ngx_uint_t slot, ngx_http_sluice_index_t *ix, uint64_t first,
    uint64_t *period_start, uint32_t *disc);
static void ngx_http_sluice_asset_align(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_asset_group(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_index_t *ix, uint64_t pos, ngx_uint_t *count);
static ngx_int_t ngx_http_sluice_asset_audio(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_asset_track_t *vt);
static void ngx_http_sluice_asset_seg_copy(ngx_http_sluice_seg_track_t *st,
    ngx_sluice_asset_track_t *at);
static ngx_int_t ngx_http_sluice_asset_cues(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_asset_seg_cues(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_asset_track_t *at);
static ngx_int_t ngx_http_sluice_asset_has_video(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_asset_sparse(ngx_http_sluice_pkg_t *pkg);


ngx_int_t
ngx_http_sluice_asset_path(ngx_http_sluice_pkg_t *pkg, ngx_uint_t slot,
    ngx_str_t *name, ngx_str_t *path)
{
    u_char                 *p;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = pkg->zctx;

    p = ngx_pnalloc(pkg->apool, zctx->data_path.len
                    + sizeof("/assets//") + NGX_SLUICE_ID_LEN
                    + NGX_INT_T_LEN + 1 + name->len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    path->data = p;
    p = ngx_sprintf(p, "%V/assets/%s/%ui/%V", &zctx->data_path,
                    pkg->asset_id, slot, name);
    path->len = p - path->data;
    *p = '\0';

    return NGX_OK;
}


/* the descriptor of a slot: NGX_DECLINED when absent or not valid */

static ngx_int_t
ngx_http_sluice_asset_track(ngx_http_sluice_pkg_t *pkg, ngx_uint_t slot,
    ngx_sluice_asset_track_t *at)
{
    ssize_t     n;
    ngx_fd_t    fd;
    ngx_str_t   name, path;
    ngx_log_t  *log;

    log = pkg->request->connection->log;

    ngx_str_set(&name, "track");

    if (ngx_http_sluice_asset_path(pkg, slot, &name, &path) != NGX_OK) {
        return NGX_ERROR;
    }

    fd = ngx_open_file(path.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        if (ngx_errno == NGX_ENOENT || ngx_errno == NGX_ENOTDIR) {
            return NGX_DECLINED;
        }

        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      ngx_open_file_n " \"%s\" failed", path.data);
        return NGX_ERROR;
    }

    n = pread(fd, at, sizeof(ngx_sluice_asset_track_t), 0);

    if (n == -1) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "pread() \"%s\" failed", path.data);
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, log, ngx_errno,
                      ngx_close_file_n " \"%s\" failed", path.data);
    }

    if (ngx_sluice_asset_track_check(at, n) != NGX_OK
        || at->info.timescale == 0)
    {
        if (n >= 0) {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "sluice packager: invalid asset track \"%s\"",
                          path.data);
        }

        return NGX_DECLINED;
    }

    at->slot = (uint32_t) slot;

    return NGX_OK;
}


/* the slot named "video" or "audio" with this bitrate */

static ngx_int_t
ngx_http_sluice_asset_find_track(ngx_http_sluice_pkg_t *pkg,
    sluice_str_t *name, uint32_t bitrate, ngx_sluice_asset_track_t *at)
{
    ngx_int_t   rc, type;
    ngx_uint_t  slot;

    type = sluice_url_media_type(name);
    if (type < 0) {
        return NGX_DECLINED;
    }

    for (slot = 0; slot < NGX_SLUICE_MAX_TRACKS; slot++) {
        rc = ngx_http_sluice_asset_track(pkg, slot, at);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_OK && at->info.media_type == type
            && at->info.bitrate == bitrate)
        {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


static ngx_int_t
ngx_http_sluice_index_open(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_asset_track_t *at, ngx_http_sluice_index_t *ix)
{
    ngx_str_t        name;
    ngx_log_t       *log;
    ngx_file_info_t  fi;

    log = pkg->request->connection->log;

    ngx_memzero(ix, sizeof(ngx_http_sluice_index_t));
    ix->file.fd = NGX_INVALID_FILE;
    ix->version = at->version;
    ix->recsize = ngx_sluice_asset_rec_size(at->version);
    ngx_str_set(&name, "index");

    if (ngx_http_sluice_asset_path(pkg, at->slot, &name, &ix->file.name)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ix->file.log = log;
    ix->file.fd = ngx_open_file(ix->file.name.data, NGX_FILE_RDONLY,
                                NGX_FILE_OPEN, 0);

    if (ix->file.fd == NGX_INVALID_FILE) {
        if (ngx_errno == NGX_ENOENT || ngx_errno == NGX_ENOTDIR) {
            return NGX_DECLINED;
        }

        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      ngx_open_file_n " \"%s\" failed", ix->file.name.data);
        return NGX_ERROR;
    }

    if (ngx_fd_info(ix->file.fd, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      ngx_fd_info_n " \"%s\" failed", ix->file.name.data);
        ngx_http_sluice_index_close(ix);
        return NGX_ERROR;
    }

    /* a trailing partial record (a crash while appending) is ignored */
    ix->nrec = (uint64_t) ngx_file_size(&fi) / ix->recsize;

    if (ix->nrec && ngx_http_sluice_index_synced(pkg, at, ix) != NGX_OK) {
        ngx_http_sluice_index_close(ix);
        return NGX_ERROR;
    }

    if (ix->nrec == 0) {
        ngx_http_sluice_index_close(ix);
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * A live asset: the records being synced (ngx_sluice_track_t.rec_from of
 * the event track recording into this slot, pkg->unsynced) are not shown
 */

static ngx_int_t
ngx_http_sluice_index_synced(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_asset_track_t *at, ngx_http_sluice_index_t *ix)
{
    uint64_t                     pos;
    ngx_uint_t                   i;
    ngx_sluice_frag_t            last;
    ngx_http_sluice_unsynced_t  *u;

    for (i = 0; i < pkg->nunsynced && ix->nrec; i++) {
        u = &pkg->unsynced[i];

        if (u->media_type != at->info.media_type
            || ngx_strcmp(u->stream, at->stream) != 0)
        {
            continue;
        }

        /* mostly the job has not appended its record yet */

        if (ngx_http_sluice_index_read(ix, ix->nrec - 1, 1, &last) != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (last.time + last.duration <= u->from) {
            continue;
        }

        if (ngx_http_sluice_index_after(ix, u->from, &pos) != NGX_OK) {
            return NGX_ERROR;
        }

        ix->nrec = ngx_min(ix->nrec, pos);
    }

    return NGX_OK;
}


static void
ngx_http_sluice_index_close(ngx_http_sluice_index_t *ix)
{
    if (ix->file.fd != NGX_INVALID_FILE) {
        if (ngx_close_file(ix->file.fd) == NGX_FILE_ERROR) {
            ngx_log_error(NGX_LOG_ALERT, ix->file.log, ngx_errno,
                          ngx_close_file_n " \"%s\" failed",
                          ix->file.name.data);
        }
    }

    ix->file.fd = NGX_INVALID_FILE;
}


/* records [from, from + n), as whole ngx_sluice_frag_t */

static ngx_int_t
ngx_http_sluice_index_read(ngx_http_sluice_index_t *ix, uint64_t from,
    uint64_t n, ngx_sluice_frag_t *frags)
{
    ssize_t  rd;
    size_t   size;

    size = (size_t) n * ix->recsize;

    rd = ngx_read_file(&ix->file, (u_char *) frags, size,
                       (off_t) (from * ix->recsize));

    if (rd == NGX_ERROR) {
        return NGX_ERROR;
    }

    if ((size_t) rd != size) {
        ngx_log_error(NGX_LOG_ERR, ix->file.log, 0,
                      "sluice packager: short read of \"%s\"",
                      ix->file.name.data);
        return NGX_ERROR;
    }

    if (ix->version == 1) {
        ngx_sluice_asset_recs_widen(frags, n);
    }

    return NGX_OK;
}


/* the first record ending after "end" (nrec when none) */

static ngx_int_t
ngx_http_sluice_index_after(ngx_http_sluice_index_t *ix, uint64_t end,
    uint64_t *pos)
{
    uint64_t           lo, hi, mid;
    ngx_sluice_frag_t  f;

    lo = 0;
    hi = ix->nrec;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;

        if (ngx_http_sluice_index_read(ix, mid, 1, &f) != NGX_OK) {
            return NGX_ERROR;
        }

        if (f.time + f.duration > end) {
            hi = mid;

        } else {
            lo = mid + 1;
        }
    }

    *pos = lo;

    return NGX_OK;
}


/*
 * The record of this time (or seq): NGX_DECLINED when there is none.
 * With smooth_ts (the track timescale), key is a Smooth time in 100 ns
 * units, compared with sluice_mss_time() of each record as the manifest
 * writes it.
 */

static ngx_int_t
ngx_http_sluice_index_find(ngx_http_sluice_index_t *ix, uint64_t key,
    ngx_uint_t by_seq, uint32_t smooth_ts, uint64_t *pos)
{
    uint64_t           lo, hi, mid, v;
    ngx_sluice_frag_t  f;

    lo = 0;
    hi = ix->nrec;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;

        if (ngx_http_sluice_index_read(ix, mid, 1, &f) != NGX_OK) {
            return NGX_ERROR;
        }

        if (by_seq) {
            v = f.seq;

        } else if (smooth_ts) {
            v = sluice_mss_time(f.time, smooth_ts);

        } else {
            v = f.time;
        }

        if (v == key) {
            *pos = mid;
            return NGX_OK;
        }

        if (v < key) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return NGX_DECLINED;
}


/*
 * What the request needs of the asset: the snapshot (manifests) or the
 * fragments of the segment.  Runs in the event loop, or in a thread of
 * the location's pool ("aio threads"): it then touches only pkg and
 * pkg->apool, a pool of its own.
 */

ngx_int_t
ngx_http_sluice_asset_read(ngx_http_sluice_pkg_t *pkg)
{
    uint64_t    d, max;
    ngx_int_t   rc;
    ngx_uint_t  i, k;

    if (pkg->url.kind != SLUICE_URL_MANIFEST
        && pkg->url.kind != SLUICE_URL_PLAYLIST)
    {
        return ngx_http_sluice_asset_segment(pkg);
    }

    rc = ngx_http_sluice_asset_snapshot(pkg);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_sluice_asset_cues(pkg) != NGX_OK) {
        return NGX_ERROR;
    }

    if (pkg->fragment_ms) {
        return NGX_OK;
    }

    /* the live event is gone: the longest fragment of a track */

    max = 0;

    for (i = 0; i < pkg->snap.ntracks; i++) {
        for (k = 0; k < pkg->snap.tracks[i].nfrags; k++) {
            d = sluice_rescale(pkg->snap.tracks[i].frags[k].duration,
                               pkg->snap.tracks[i].info.timescale, 1000);
            max = ngx_max(max, d);
        }
    }

    pkg->fragment_ms = (ngx_msec_t) (max ? max : 2000);

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_asset_snapshot(ngx_http_sluice_pkg_t *pkg)
{
    uint32_t                   discs[NGX_SLUICE_MAX_TRACKS];
    uint64_t                   starts[NGX_SLUICE_MAX_TRACKS];
    ngx_int_t                  rc;
    ngx_uint_t                 slot, n;
    ngx_sluice_track_snap_t   *ts, tracks[NGX_SLUICE_MAX_TRACKS];
    ngx_sluice_asset_track_t   at;

    n = 0;

    for (slot = 0; slot < NGX_SLUICE_MAX_TRACKS; slot++) {
        rc = ngx_http_sluice_asset_track(pkg, slot, &at);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_DECLINED) {
            continue;
        }

        ts = &tracks[n];
        ngx_memzero(ts, sizeof(ngx_sluice_track_snap_t));

        rc = ngx_http_sluice_asset_window(pkg, &at, ts, &starts[n],
                                          &discs[n]);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_OK && ts->nfrags) {
            n++;
        }
    }

    pkg->snap.ntracks = n;
    pkg->snap.fragment_ms = pkg->fragment_ms;

    if (n == 0) {
        pkg->status = NGX_HTTP_NOT_FOUND;
        pkg->reason = "no media recorded yet";
        return NGX_DECLINED;
    }

    pkg->snap.tracks = ngx_palloc(pkg->apool,
                                  n * sizeof(ngx_sluice_track_snap_t));
    if (pkg->snap.tracks == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(pkg->snap.tracks, tracks, n * sizeof(ngx_sluice_track_snap_t));

    pkg->period_starts = ngx_palloc(pkg->apool, n * sizeof(uint64_t));
    if (pkg->period_starts == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(pkg->period_starts, starts, n * sizeof(uint64_t));

    pkg->discontinuities = ngx_palloc(pkg->apool, n * sizeof(uint32_t));
    if (pkg->discontinuities == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(pkg->discontinuities, discs, n * sizeof(uint32_t));

    ngx_http_sluice_asset_align(pkg);

    return NGX_OK;
}


/*
 * From the track's gaps file (ngx_sluice_asset.h): the discontinuities of
 * the records before "first" (each entry checked against its record's
 * flag; at most NGX_HTTP_SLUICE_MAX_GAPS entries are read) and the start
 * of the DASH Period "first" is in: where the record before the last
 * discontinuity at or before it ends, as on the live path.  NGX_DECLINED
 * when the track has no gaps file.
 */

static ngx_int_t
ngx_http_sluice_asset_gaps(ngx_http_sluice_pkg_t *pkg, ngx_uint_t slot,
    ngx_http_sluice_index_t *ix, uint64_t first, uint64_t *period_start,
    uint32_t *disc)
{
    u_char             *buf;
    ssize_t             n;
    uint64_t            e, prev, last;
    ngx_str_t           name;
    ngx_int_t           rc;
    ngx_uint_t          i, k;
    ngx_file_t          file;
    ngx_sluice_frag_t   r[2];

    ngx_memzero(&file, sizeof(ngx_file_t));
    ngx_str_set(&name, "gaps");

    if (ngx_http_sluice_asset_path(pkg, slot, &name, &file.name) != NGX_OK) {
        return NGX_ERROR;
    }

    file.log = ix->file.log;
    file.fd = ngx_open_file(file.name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN,
                            0);
    if (file.fd == NGX_INVALID_FILE) {
        return NGX_DECLINED;
    }

    rc = NGX_ERROR;

    buf = ngx_palloc(pkg->apool, NGX_HTTP_SLUICE_MAX_GAPS * 8);
    if (buf == NULL) {
        goto done;
    }

    n = ngx_read_file(&file, buf, NGX_HTTP_SLUICE_MAX_GAPS * 8, 0);
    if (n == NGX_ERROR) {
        goto done;
    }

    prev = UINT64_MAX;
    last = UINT64_MAX;

    for (i = 0; i + 8 <= (size_t) n; i += 8) {
        for (e = 0, k = 8; k; k--) {
            e = (e << 8) | buf[i + k - 1];
        }

        if (e > first || e >= ix->nrec) {
            /* entries increase: what follows is later */
            break;
        }

        if (e == prev) {
            continue;
        }

        prev = e;

        if (ngx_http_sluice_index_read(ix, e, 1, r) != NGX_OK) {
            goto done;
        }

        if (!(r[0].flags & NGX_SLUICE_FRAG_DISCONTINUITY)) {
            continue;
        }

        if (e < first) {
            (*disc)++;
        }

        last = e;
    }

    if (last != UINT64_MAX && last > 0) {
        if (ngx_http_sluice_index_read(ix, last - 1, 2, r) != NGX_OK) {
            goto done;
        }

        *period_start = (r[0].time + r[0].duration <= r[1].time)
                        ? r[0].time + r[0].duration : r[1].time;
    }

    rc = NGX_OK;

done:

    if (ngx_close_file(file.fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, file.log, ngx_errno,
                      ngx_close_file_n " \"%s\" failed", file.name.data);
    }

    return rc;
}


/*
 * Tracks recorded together start and end on the same fragment numbers
 * (seq), so that renditions share their chunks (Smooth needs identical
 * timelines in a StreamIndex): the recorder may have caught one track a
 * fragment earlier than another when the output started, and a window
 * or the end of a recording may leave one a fragment ahead.  Tracks
 * whose first (last) seq is within NGX_HTTP_SLUICE_ALIGN of the earliest
 * (latest) are trimmed to the latest first (earliest last) of them; a
 * track that started later or ended earlier is left as it is.
 */

#define NGX_HTTP_SLUICE_ALIGN  2

static void
ngx_http_sluice_asset_align(ngx_http_sluice_pkg_t *pkg)
{
    uint32_t                  lo, hi, first, last, s;
    ngx_uint_t                i, k, n;
    ngx_sluice_track_snap_t  *ts;

    n = pkg->snap.ntracks;

    if (n < 2) {
        return;
    }

    lo = UINT32_MAX;
    hi = 0;

    for (i = 0; i < n; i++) {
        ts = &pkg->snap.tracks[i];
        lo = ngx_min(lo, ts->frags[0].seq);
        hi = ngx_max(hi, ts->frags[ts->nfrags - 1].seq);
    }

    first = lo;
    last = hi;

    for (i = 0; i < n; i++) {
        ts = &pkg->snap.tracks[i];

        s = ts->frags[0].seq;
        if (s - lo <= NGX_HTTP_SLUICE_ALIGN) {
            first = ngx_max(first, s);
        }

        s = ts->frags[ts->nfrags - 1].seq;
        if (hi - s <= NGX_HTTP_SLUICE_ALIGN) {
            last = ngx_min(last, s);
        }
    }

    if (first > last) {
        return;
    }

    for (i = 0; i < n; i++) {
        ts = &pkg->snap.tracks[i];

        /*
         * keep at least one fragment; a hole trimmed off counts among
         * those before the window (EXT-X-DISCONTINUITY-SEQUENCE), as the
         * other tracks count it
         */

        for (k = 0; k + 1 < ts->nfrags && ts->frags[k].seq < first; k++) {
            if ((ts->frags[k].flags & NGX_SLUICE_FRAG_DISCONTINUITY)
                && pkg->discontinuities)
            {
                pkg->discontinuities[i]++;
            }
        }

        ts->frags += k;
        ts->nfrags -= k;

        while (ts->nfrags > 1 && ts->frags[ts->nfrags - 1].seq > last) {
            ts->nfrags--;
        }
    }
}


/*
 * The records of a track's window: those ending after (last end -
 * window), where the window is the DVR window while live, bounded by the
 * archive window the track was recorded with (older files are gone).
 */

static ngx_int_t
ngx_http_sluice_asset_window(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_asset_track_t *at, ngx_sluice_track_snap_t *ts,
    uint64_t *period_start, uint32_t *disc)
{
    uint64_t                 end, from, first, n, win;
    ngx_int_t                rc;
    ngx_sluice_frag_t        last;
    ngx_http_sluice_index_t  ix;

    *period_start = 0;
    *disc = 0;

    rc = ngx_http_sluice_index_open(pkg, at, &ix);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = NGX_ERROR;

    if (ngx_http_sluice_index_read(&ix, ix.nrec - 1, 1, &last) != NGX_OK) {
        goto done;
    }

    end = last.time + last.duration;

    win = at->archive_ms;

    if (pkg->archive_ms && (win == 0 || pkg->archive_ms < win)) {
        win = pkg->archive_ms;
    }

    if (pkg->live && pkg->window_ms && (win == 0 || pkg->window_ms < win)) {
        win = pkg->window_ms;
    }

    first = 0;

    if (win) {
        from = win * at->info.timescale / 1000;
        from = end > from ? end - from : 0;

        if (ngx_http_sluice_index_after(&ix, from, &first) != NGX_OK) {
            goto done;
        }
    }

    n = ix.nrec - first;

    if (n > NGX_HTTP_SLUICE_MAX_RECORDS) {
        first = ix.nrec - NGX_HTTP_SLUICE_MAX_RECORDS;
        n = NGX_HTTP_SLUICE_MAX_RECORDS;
    }

    ts->frags = ngx_palloc(pkg->apool, n * sizeof(ngx_sluice_frag_t));
    if (ts->frags == NULL) {
        goto done;
    }

    if (ngx_http_sluice_index_read(&ix, first, n, ts->frags) != NGX_OK) {
        goto done;
    }

    /* the discontinuities before the window, the Period it begins in */

    rc = ngx_http_sluice_asset_gaps(pkg, at->slot, &ix, first, period_start,
                                    disc);
    if (rc == NGX_ERROR) {
        goto done;
    }

    rc = NGX_ERROR;

    /*
     * no gaps file (recorded before it was written): a window that begins
     * at a discontinuity has its DASH Period start where the record before
     * it ends (one record more; a window that begins later in that Period
     * is not looked up), and only the discontinuities inside it count
     */

    if (*disc == 0 && *period_start == 0 && first > 0
        && (ts->frags[0].flags & NGX_SLUICE_FRAG_DISCONTINUITY))
    {
        if (ngx_http_sluice_index_read(&ix, first - 1, 1, &last) != NGX_OK) {
            goto done;
        }

        end = last.time + last.duration;
        *period_start = end <= ts->frags[0].time ? end : ts->frags[0].time;
    }

    ts->index = at->slot;
    ts->state = pkg->live ? NGX_SLUICE_TRACK_ACTIVE : NGX_SLUICE_TRACK_IDLE;
    ngx_memcpy(ts->stream, at->stream, sizeof(ts->stream));
    ts->info = at->info;
    ts->init_version = at->init_version;
    ts->appended = ix.nrec;
    ts->nfrags = (ngx_uint_t) n;

    rc = NGX_OK;

done:

    ngx_http_sluice_index_close(&ix);

    return rc;
}


static ngx_int_t
ngx_http_sluice_asset_segment(ngx_http_sluice_pkg_t *pkg)
{
    uint64_t                      pos;
    ngx_int_t                     rc;
    ngx_uint_t                    count;
    sluice_url_t                 *url;
    ngx_sluice_asset_track_t      at;
    ngx_http_sluice_index_t       ix;
    ngx_http_sluice_seg_track_t  *st;

    url = &pkg->url;

    pkg->status = NGX_HTTP_NOT_FOUND;
    pkg->reason = "unknown track";

    if (ngx_http_sluice_packager_sparse(url)) {
        return ngx_http_sluice_asset_sparse(pkg);
    }

    rc = ngx_http_sluice_asset_find_track(pkg, &url->track, url->bitrate, &at);
    if (rc != NGX_OK) {
        return rc;
    }

    st = &pkg->seg[0];
    ngx_http_sluice_asset_seg_copy(st, &at);
    pkg->nseg = 1;

    if (url->kind == SLUICE_URL_INIT) {
        return NGX_OK;
    }

    pkg->reason = "unknown fragment time";

    rc = ngx_http_sluice_index_open(pkg, &at, &ix);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_index_find(&ix, url->time, 0,
                                    (url->format == SLUICE_FORMAT_SMOOTH)
                                    ? at.info.timescale : 0,
                                    &pos);
    if (rc != NGX_OK) {
        goto done;
    }

    count = 1;

    if (sluice_format_is_ts(url->format) && pkg->per_segment > 1) {
        rc = ngx_http_sluice_asset_group(pkg, &ix, pos, &count);
        if (rc != NGX_OK) {
            goto done;
        }
    }

    rc = NGX_ERROR;

    if (ngx_http_sluice_index_read(&ix, pos, count, st->frags) != NGX_OK) {
        goto done;
    }

    st->nfrags = count;

    if (url->format == SLUICE_FORMAT_SMOOTH && pkg->live) {
        /* the fragments that follow, for the tfrf box */
        st->nnext = (ngx_uint_t) ngx_min(ix.nrec - pos - 1,
                                   NGX_HTTP_SLUICE_SMOOTH_LOOKAHEAD);

        if (st->nnext
            && ngx_http_sluice_index_read(&ix, pos + 1, st->nnext, st->next)
               != NGX_OK)
        {
            goto done;
        }

        rc = ngx_http_sluice_packager_lookahead(pkg);
        if (rc != NGX_OK) {
            goto done;
        }
    }

    rc = NGX_OK;

done:

    ngx_http_sluice_index_close(&ix);

    if (rc == NGX_OK && sluice_format_is_cmaf(url->format)) {
        rc = ngx_http_sluice_asset_seg_cues(pkg, &at);
    }

    if (rc == NGX_OK && url->format == SLUICE_FORMAT_HLS_TS_V3
        && at.info.media_type == SLUICE_MEDIA_VIDEO)
    {
        rc = ngx_http_sluice_asset_audio(pkg, &at);
    }

    if (rc == NGX_OK && sluice_format_is_ts(url->format)) {
        rc = ngx_http_sluice_asset_seg_cues(pkg, &at);
    }

    return rc;
}


/*
 * The cues of a manifest's window: from the start of the earliest first
 * fragment to the latest end (no end while a live output records)
 */

static ngx_int_t
ngx_http_sluice_asset_cues(ngx_http_sluice_pkg_t *pkg)
{
    uint64_t                  from, to, v;
    ngx_uint_t                i;
    ngx_sluice_frag_t        *f;
    ngx_sluice_track_snap_t  *ts;

    from = UINT64_MAX;
    to = 0;

    for (i = 0; i < pkg->snap.ntracks; i++) {
        ts = &pkg->snap.tracks[i];

        if (ts->nfrags == 0 || ts->info.timescale == 0) {
            continue;
        }

        v = sluice_rescale(ts->frags[0].time, ts->info.timescale, 1000);
        from = ngx_min(from, v);

        f = &ts->frags[ts->nfrags - 1];
        v = sluice_rescale(f->time + f->duration, ts->info.timescale, 1000);
        to = ngx_max(to, v);
    }

    pkg->snap.cues = NULL;
    pkg->snap.ncues = 0;

    if (from == UINT64_MAX) {
        return NGX_OK;
    }

    return ngx_sluice_cue_read(&pkg->zctx->data_path, pkg->asset_id, from,
                               pkg->live ? 0 : to, pkg->apool,
                               &pkg->snap.cues, &pkg->snap.ncues,
                               pkg->request->connection->log);
}


/*
 * The cues of a segment of the asset into pkg->snap.cues (its emsg boxes
 * in CMAF, ID3 of timed metadata in TS: ngx_http_sluice_packager_segment.c),
 * when the track carries them: video, or audio when the asset has no
 * video.  An asset without cues costs the failed open() of its cues file.
 */

static ngx_int_t
ngx_http_sluice_asset_seg_cues(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_asset_track_t *at)
{
    uint64_t                      from, to;
    ngx_int_t                     rc;
    ngx_uint_t                    n;
    sluice_cue_t                 *cues;
    ngx_http_sluice_seg_track_t  *st;

    st = &pkg->seg[0];

    pkg->snap.cues = NULL;
    pkg->snap.ncues = 0;

    if (st->nfrags == 0 || at->info.timescale == 0) {
        return NGX_OK;
    }

    from = sluice_rescale(st->frags[0].time, at->info.timescale, 1000);
    to = sluice_rescale(st->frags[st->nfrags - 1].time
                        + st->frags[st->nfrags - 1].duration,
                        at->info.timescale, 1000) + 1;

    if (ngx_sluice_cue_read(&pkg->zctx->data_path, pkg->asset_id, from, to,
                            pkg->apool, &cues, &n,
                            pkg->request->connection->log)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (n == 0) {
        return NGX_OK;
    }

    if (at->info.media_type != SLUICE_MEDIA_VIDEO) {
        rc = ngx_http_sluice_asset_has_video(pkg);

        if (rc != NGX_DECLINED) {
            /* the video segments carry them, or an error */
            return rc == NGX_OK ? NGX_OK : NGX_ERROR;
        }
    }

    pkg->snap.cues = cues;
    pkg->snap.ncues = n;

    return NGX_OK;
}


/* NGX_OK when a slot of the asset is a video track, else NGX_DECLINED */

static ngx_int_t
ngx_http_sluice_asset_has_video(ngx_http_sluice_pkg_t *pkg)
{
    ngx_int_t                 rc;
    ngx_uint_t                slot;
    ngx_sluice_asset_track_t  at;

    for (slot = 0; slot < NGX_SLUICE_MAX_TRACKS; slot++) {
        rc = ngx_http_sluice_asset_track(pkg, slot, &at);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_OK && at.info.media_type == SLUICE_MEDIA_VIDEO) {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


/* a fragment of Smooth's sparse track: the cue of its time */

static ngx_int_t
ngx_http_sluice_asset_sparse(ngx_http_sluice_pkg_t *pkg)
{
    uint64_t       ms;
    ngx_uint_t     n;
    sluice_cue_t  *cues;

    ms = pkg->url.time / (SLUICE_MSS_TIMESCALE / 1000);

    if (ngx_sluice_cue_read(&pkg->zctx->data_path, pkg->asset_id, ms,
                            ms + 1, pkg->apool, &cues, &n,
                            pkg->request->connection->log)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_sluice_packager_sparse_pick(pkg, cues, n);
}


/*
 * HLS TS with fragmentsPerTsSegment N: the fragments of the segment that
 * starts at pos, found by the playlist writer's own rule on the records
 * around it.  While live, a group that may still grow is not served.
 */

static ngx_int_t
ngx_http_sluice_asset_group(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_index_t *ix, uint64_t pos, ngx_uint_t *count)
{
    uint64_t            from, n, i;
    uint32_t            c;
    sluice_pfrag_t      pf[NGX_HTTP_SLUICE_MAX_SEG_FRAGS + 1];
    sluice_ptrack_t     pt;
    ngx_sluice_frag_t   f[NGX_HTTP_SLUICE_MAX_SEG_FRAGS + 1];

    from = pos ? pos - 1 : 0;
    n = ngx_min(ix->nrec - from, (uint64_t) pkg->per_segment + 1);

    if (ngx_http_sluice_index_read(ix, from, n, f) != NGX_OK) {
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {
        pf[i].time = f[i].time;
        pf[i].duration = f[i].duration;
        pf[i].seq = f[i].seq;
        pf[i].flags = (f[i].flags & NGX_SLUICE_FRAG_DISCONTINUITY)
                      ? SLUICE_PFRAG_DISCONTINUITY : 0;
    }

    ngx_memzero(&pt, sizeof(sluice_ptrack_t));
    pt.frags = pf;
    pt.nfrags = (uint32_t) n;

    /* with pos == 0 the writer's rule looks at seq % N, as here */
    c = sluice_hls_segment_frags(&pt, (uint32_t) (pos - from),
                                 (uint32_t) pkg->per_segment);

    if (c == 0) {
        pkg->reason = "not the start of a segment";
        return NGX_DECLINED;
    }

    if (pkg->live && c < pkg->per_segment && pos + c == ix->nrec) {
        pkg->status = NGX_HTTP_NOT_FOUND;
        pkg->reason = "segment not complete yet";
        return NGX_DECLINED;
    }

    *count = c;

    return NGX_OK;
}


/* m3u8-aapl-v3: the audio of the video's stream, fragments of same seqs */

static ngx_int_t
ngx_http_sluice_asset_audio(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_asset_track_t *vt)
{
    uint64_t                      pos;
    ngx_int_t                     rc;
    ngx_uint_t                    slot, i, n;
    ngx_sluice_asset_track_t      at;
    ngx_http_sluice_index_t       ix;
    ngx_http_sluice_seg_track_t  *vs, *as;

    vs = &pkg->seg[0];
    as = &pkg->seg[1];

    for (slot = 0; slot < NGX_SLUICE_MAX_TRACKS; slot++) {
        rc = ngx_http_sluice_asset_track(pkg, slot, &at);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_DECLINED
            || at.info.media_type != SLUICE_MEDIA_AUDIO
            || ngx_strcmp(at.stream, vt->stream) != 0)
        {
            continue;
        }

        rc = ngx_http_sluice_index_open(pkg, &at, &ix);
        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_DECLINED) {
            return NGX_OK;
        }

        rc = ngx_http_sluice_index_find(&ix, vs->frags[0].seq, 1, 0, &pos);

        if (rc == NGX_OK) {
            n = (ngx_uint_t) ngx_min(ix.nrec - pos, (uint64_t) vs->nfrags);

            if (ngx_http_sluice_index_read(&ix, pos, n, as->frags) != NGX_OK) {
                rc = NGX_ERROR;

            } else {
                /* the audio fragments of the same seqs */
                for (i = 0; i < n; i++) {
                    if (as->frags[i].seq != vs->frags[i].seq) {
                        break;
                    }
                }

                ngx_http_sluice_asset_seg_copy(as, &at);
                as->nfrags = i;
                pkg->nseg = i ? 2 : 1;
            }
        }

        ngx_http_sluice_index_close(&ix);

        return rc == NGX_ERROR ? NGX_ERROR : NGX_OK;
    }

    return NGX_OK;
}


static void
ngx_http_sluice_asset_seg_copy(ngx_http_sluice_seg_track_t *st,
    ngx_sluice_asset_track_t *at)
{
    st->index = at->slot;
    st->init_version = at->init_version;
    st->info = at->info;
    st->nfrags = 0;
    st->nnext = 0;
}
