
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Live outputs recording into assets (ngx_sluice_recorder.c): the
 * assets a fragment goes to, the thread-pool job that links and indexes
 * it, and the state a fresh zone takes from what was recorded.  The
 * files it writes are described in ngx_sluice_asset.h.
 */


#ifndef _NGX_SLUICE_RECORDER_H_INCLUDED_
#define _NGX_SLUICE_RECORDER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice.h"
#include "core/ngx_sluice_writer.h"


#define NGX_SLUICE_REC_MAX         3    /* assets recorded at once */


typedef struct {
    ngx_uint_t                  n;
    u_char                      asset_id[NGX_SLUICE_REC_MAX]
                                        [NGX_SLUICE_ID_LEN + 1];
    ngx_msec_t                  archive_ms[NGX_SLUICE_REC_MAX];

    u_char                      event[NGX_SLUICE_NAME_LEN + 1];
    ngx_uint_t                  slot;           /* live track slot */
    ngx_sluice_frag_t           frag;           /* as in the live index */
    u_char                      stream[NGX_SLUICE_STREAM_LEN + 1];
    sluice_track_info_t         info;           /* live track's, current */
} ngx_sluice_rec_req_t;


/* mutex held: the assets recording ev; returns req->n (0: none) */
ngx_uint_t ngx_sluice_recorder_collect(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, ngx_uint_t slot, ngx_sluice_frag_t *frag,
    ngx_sluice_rec_req_t *req);

/*
 * mutex held: the assets recording ev (req->asset_id, archive_ms; the
 * rest untouched); returns req->n
 */
ngx_uint_t ngx_sluice_recorder_outputs(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, ngx_sluice_rec_req_t *req);

/*
 * live_dir: "{data}/live/{id}/{generation}/{slot}" holding the fragment
 * and its init segment; the writer must be the track's (job order)
 */
ngx_int_t ngx_sluice_recorder_post(ngx_sluice_writer_t *w,
    ngx_sluice_zone_ctx_t *zctx, ngx_str_t *live_dir, u_char *event_id,
    uint32_t generation, ngx_sluice_rec_req_t *req, ngx_log_t *log);

/*
 * a fresh zone (master, at start; blocking reads): record_end_ms of the
 * events whose live outputs have recorded something
 */
void ngx_sluice_recorder_init_zone(ngx_sluice_zone_ctx_t *zctx,
    ngx_log_t *log);



#endif /* _NGX_SLUICE_RECORDER_H_INCLUDED_ */
