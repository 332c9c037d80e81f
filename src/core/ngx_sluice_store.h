
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Crash-safe files of the API resources (ngx_sluice_store.c): data
 * directories, write-then-rename of documents, loading a fresh zone
 * from disk.
 */


#ifndef _NGX_SLUICE_STORE_H_INCLUDED_
#define _NGX_SLUICE_STORE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice.h"


/*
 * What the API keeps on disk is the API's business: it fills these
 * hooks at configuration ("sluice_zone"), and the core calls them when it
 * loads a fresh zone from disk and at the first start of a data path.
 */
typedef struct {
    /* fresh zone: predefined records (streaming policies) */
    ngx_int_t                 (*preload)(ngx_sluice_zone_ctx_t *zctx,
                                  ngx_pool_t *pool, ngx_log_t *log);

    /*
     * one stored resource of type (ngx_sluice_res_type_e, or
     * NGX_SLUICE_RES_LIVE_EVENT); NGX_DECLINED: invalid, skipped
     */
    ngx_int_t                 (*load)(ngx_sluice_zone_ctx_t *zctx,
                                  ngx_uint_t type, u_char *data, size_t len,
                                  ngx_pool_t *pool, ngx_log_t *log);

    /* the first start of a data path: default records, saved */
    ngx_int_t                 (*first_start)(ngx_sluice_zone_ctx_t *zctx,
                                  ngx_pool_t *pool, ngx_log_t *log);
} ngx_sluice_store_hooks_t;


extern ngx_sluice_store_hooks_t  ngx_sluice_store_hooks;


ngx_int_t ngx_sluice_store_init_dirs(ngx_cycle_t *cycle, ngx_str_t *path);

/* the owner of data directories: nginx's user when run as root */
ngx_uid_t ngx_sluice_dir_user(ngx_cycle_t *cycle);

/* creates path (NGX_OK) or finds it (NGX_DECLINED), owned by user */
ngx_int_t ngx_sluice_mkdir(ngx_cycle_t *cycle, u_char *path, ngx_uid_t user);

/*
 * writes a temporary file with json (written and fsync()ed); *tmp gets its
 * NUL-terminated path; json NULL: only names it
 */
ngx_int_t ngx_sluice_store_write(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *data_path, u_char *name, ngx_str_t *json, ngx_str_t *tmp);

/* renames tmp over the resource file of name (or removes tmp) */
ngx_int_t ngx_sluice_store_commit(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *data_path, u_char *name, ngx_str_t *tmp);
void ngx_sluice_store_discard(ngx_log_t *log, ngx_str_t *tmp);

ngx_int_t ngx_sluice_store_remove(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *data_path, u_char *name);

/* loads every resource file into a fresh zone */
ngx_int_t ngx_sluice_store_load(ngx_sluice_zone_ctx_t *ctx, ngx_log_t *log);

/* files of the API: one implementation for live events and resources */

typedef ngx_int_t (*ngx_sluice_file_load_pt)(ngx_sluice_zone_ctx_t *zctx,
    ngx_uint_t type, u_char *path, ngx_pool_t *pool, ngx_log_t *log);

/* writes content to a new file at path, fsync()ed; removed on failure */
ngx_int_t ngx_sluice_file_write(ngx_log_t *log, u_char *path,
    ngx_str_t *content);

/*
 * the same without a log (in a thread): NGX_ERROR with errno set and
 * *call the system call that failed
 */
ngx_int_t ngx_sluice_file_put(u_char *path, ngx_str_t *content,
    const char **call);

/* renames from to to; logs a failure, from stays */
ngx_int_t ngx_sluice_file_rename(ngx_log_t *log, u_char *from, u_char *to);

/* a whole file of at most max bytes: NGX_OK, NGX_DECLINED (logged), or
 * NGX_ERROR */
ngx_int_t ngx_sluice_file_read(ngx_pool_t *pool, ngx_log_t *log,
    u_char *path, size_t max, ngx_str_t *content);

/*
 * Calls load for each "*.json" file of dirname (NUL-terminated) and
 * removes the ".*.tmp" files of changes never committed.  A missing
 * directory is empty.
 */
ngx_int_t ngx_sluice_dir_load(ngx_sluice_zone_ctx_t *zctx, ngx_uint_t type,
    ngx_str_t *dirname, ngx_sluice_file_load_pt load, ngx_pool_t *pool,
    ngx_log_t *log);



#endif /* _NGX_SLUICE_STORE_H_INCLUDED_ */
