
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Durable API changes (ngx_http_sluice_api_store.c): a write request is
 * answered once the files it changed are on stable storage.
 */


#ifndef _NGX_HTTP_SLUICE_API_STORE_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_STORE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api.h"
#include "api/ngx_http_sluice_api_resource.h"
#include "core/ngx_sluice_writer.h"


/*
 * Stores snap (a record just changed in the zone) for the request: its
 * file is written aside and fsync()ed in the thread pool, renamed in
 * place if still the newest version, its directory fsync()ed, and the
 * answer (ngx_http_sluice_api_answer()) waits for it.  created: a
 * creation, undone if it cannot be stored.  NGX_ERROR: no memory.
 */
ngx_int_t ngx_http_sluice_store(ngx_http_request_t *r,
    ngx_sluice_zone_ctx_t *zctx, ngx_http_sluice_res_snap_t *snap,
    ngx_uint_t created);

/* files were removed: the directories of API files are fsync()ed first */
ngx_int_t ngx_http_sluice_store_removed(ngx_http_request_t *r,
    ngx_sluice_zone_ctx_t *zctx);

/*
 * Sends the answer (as ngx_http_sluice_api_send()) once the request's
 * changes are stored (NGX_DONE meanwhile), or an error in AMS's shape
 * when one could not be (507 InsufficientStorage when the disk is full,
 * else 503 ServiceUnavailable).  Every path of a handler that stored
 * something answers through it.
 */
ngx_int_t ngx_http_sluice_api_answer(ngx_http_request_t *r,
    ngx_uint_t status, sluice_json_t *body);

/* an error in AMS's shape for errno err of a file of the API */
/*
 * the thread pool "sluice", or NULL (a [warn] line once): the files of
 * the API and of the notifications are synced there
 */
ngx_thread_pool_t *ngx_http_sluice_store_pool(ngx_log_t *log);

ngx_int_t ngx_http_sluice_store_error(ngx_http_request_t *r, ngx_err_t err,
    const char *what, ngx_str_t *name, const char *result);


#endif /* _NGX_HTTP_SLUICE_API_STORE_H_INCLUDED_ */
