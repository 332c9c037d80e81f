
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Crash-safe files of API resources:
 *
 *   {data}/api/liveEvents/{name, lowercase}.json
 *
 * A change is written to "{dir}/.{name}.{pid}.{n}.tmp" outside the zone
 * mutex, then renamed over the resource file under the mutex, and only
 * if no newer version was renamed before (event->persisted): rename(2)
 * is atomic, so a kill -9 at any point leaves either the old or the new
 * document, never a mix, and two workers cannot reorder versions.  The
 * temporary file is fsync()ed before the rename and the directory after
 * it, before the API answers (ngx_http_sluice_api_store.c, in the thread
 * pool): an acknowledged change survives a power cut too
 * (docs/architecture.md, "Durability").
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice_metrics.h"
#include "core/ngx_sluice_resource.h"
#include "core/ngx_sluice_store.h"
#include "core/ngx_sluice_zone.h"


#define NGX_SLUICE_STORE_DIR      "/api/liveEvents"
#define NGX_SLUICE_STORE_MAX      (1024 * 1024)


static u_char *ngx_sluice_store_path(ngx_pool_t *pool, ngx_str_t *data_path,
    u_char *name, size_t extra);
static ngx_int_t ngx_sluice_store_load_file(ngx_sluice_zone_ctx_t *ctx,
    ngx_uint_t type, u_char *path, ngx_pool_t *pool, ngx_log_t *log);


ngx_sluice_store_hooks_t  ngx_sluice_store_hooks;


ngx_int_t
ngx_sluice_store_init_dirs(ngx_cycle_t *cycle, ngx_str_t *path)
{
    u_char     *p;
    ngx_uid_t   user;

    user = ngx_sluice_dir_user(cycle);

    p = ngx_pnalloc(cycle->pool, path->len + sizeof("/api/liveEvents"));
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, path->data, path->len);
    p[path->len] = '\0';

    if (ngx_sluice_mkdir(cycle, p, user) == NGX_ERROR) {
        return NGX_ERROR;
    }

    ngx_memcpy(p + path->len, "/api", sizeof("/api"));

    if (ngx_sluice_mkdir(cycle, p, user) == NGX_ERROR) {
        return NGX_ERROR;
    }

    ngx_memcpy(p + path->len, NGX_SLUICE_STORE_DIR,
               sizeof(NGX_SLUICE_STORE_DIR));

    if (ngx_sluice_mkdir(cycle, p, user) == NGX_ERROR) {
        return NGX_ERROR;
    }

    ngx_memcpy(p + path->len, "/live", sizeof("/live"));

    return ngx_sluice_mkdir(cycle, p, user) == NGX_ERROR ? NGX_ERROR : NGX_OK;
}


ngx_uid_t
ngx_sluice_dir_user(ngx_cycle_t *cycle)
{
    ngx_core_conf_t  *ccf;

    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);

    return (geteuid() == 0) ? ccf->user : (ngx_uid_t) NGX_CONF_UNSET_UINT;
}


ngx_int_t
ngx_sluice_mkdir(ngx_cycle_t *cycle, u_char *path, ngx_uid_t user)
{
    ngx_int_t        rc;
    ngx_file_info_t  fi;

    rc = NGX_OK;

    if (ngx_create_dir(path, 0755) == NGX_FILE_ERROR) {
        if (ngx_errno != NGX_EEXIST) {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                          ngx_create_dir_n " \"%s\" failed", path);
            return NGX_ERROR;
        }

        rc = NGX_DECLINED;
    }

    if (user == (ngx_uid_t) NGX_CONF_UNSET_UINT) {
        return rc;
    }

    if (ngx_file_info(path, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      ngx_file_info_n " \"%s\" failed", path);
        return NGX_ERROR;
    }

    if (fi.st_uid != user && chown((const char *) path, user, -1) == -1) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      "chown(\"%s\", %d) failed", path, user);
        return NGX_ERROR;
    }

    return rc;
}


/* "{data}/api/liveEvents/" + extra bytes of room, lowercase name later */

static u_char *
ngx_sluice_store_path(ngx_pool_t *pool, ngx_str_t *data_path, u_char *name,
    size_t extra)
{
    u_char  *p;

    p = ngx_pnalloc(pool, data_path->len + sizeof(NGX_SLUICE_STORE_DIR)
                          + 1 + ngx_strlen(name) + extra);
    if (p == NULL) {
        return NULL;
    }

    return p;
}


ngx_int_t
ngx_sluice_store_write(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *data_path, u_char *name, ngx_str_t *json, ngx_str_t *tmp)
{
    u_char             *p, *last;
    static ngx_uint_t   seq;

    p = ngx_sluice_store_path(pool, data_path, name,
                              sizeof("/..tmp") + 2 * NGX_INT64_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    last = ngx_sprintf(p, "%V" NGX_SLUICE_STORE_DIR "/.", data_path);
    ngx_strlow(last, name, ngx_strlen(name));
    last += ngx_strlen(name);
    last = ngx_sprintf(last, ".%P.%ui.tmp%Z", ngx_pid, ++seq);

    tmp->data = p;
    tmp->len = last - 1 - p;

    return json ? ngx_sluice_file_write(log, p, json) : NGX_OK;
}


ngx_int_t
ngx_sluice_file_write(ngx_log_t *log, u_char *path, ngx_str_t *content)
{
    const char  *call;

    if (ngx_sluice_file_put(path, content, &call) != NGX_OK) {
        ngx_log_error(NGX_LOG_ALERT, log, ngx_errno, "%s \"%s\" failed",
                      call, path);
        ngx_sluice_metrics_store_error(NGX_SLUICE_MX_STORE_API);
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_sluice_file_put(u_char *path, ngx_str_t *content, const char **call)
{
    u_char     *p;
    ssize_t     n;
    ngx_fd_t    fd;
    ngx_err_t   err;

    /* API records hold secrets (tokens, keys): the nginx user's only */

    fd = ngx_open_file(path, NGX_FILE_WRONLY, NGX_FILE_TRUNCATE,
                       NGX_FILE_OWNER_ACCESS);
    if (fd == NGX_INVALID_FILE) {
        *call = ngx_open_file_n;
        return NGX_ERROR;
    }

    for (p = content->data; p < content->data + content->len; p += n) {
        n = write(fd, p, content->data + content->len - p);

        if (n == -1 && ngx_errno == NGX_EINTR) {
            n = 0;
            continue;
        }

        if (n <= 0) {
            if (n == 0) {
                ngx_set_errno(NGX_ENOSPC);
            }

            *call = "write()";
            goto failed;
        }
    }

    /* the content on stable storage before the name may point to it */

    if (fsync(fd) == -1) {
        *call = "fsync()";
        goto failed;
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        err = ngx_errno;
        *call = ngx_close_file_n;
        (void) ngx_delete_file(path);
        ngx_set_errno(err);
        return NGX_ERROR;
    }

    return NGX_OK;

failed:

    err = ngx_errno;
    (void) ngx_close_file(fd);
    (void) ngx_delete_file(path);
    ngx_set_errno(err);

    return NGX_ERROR;
}


ngx_int_t
ngx_sluice_store_commit(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *data_path, u_char *name, ngx_str_t *tmp)
{
    u_char  *p, *last;

    p = ngx_sluice_store_path(pool, data_path, name, sizeof(".json"));
    if (p == NULL) {
        ngx_sluice_store_discard(log, tmp);
        return NGX_ERROR;
    }

    last = ngx_sprintf(p, "%V" NGX_SLUICE_STORE_DIR "/", data_path);
    ngx_strlow(last, name, ngx_strlen(name));
    last += ngx_strlen(name);
    ngx_memcpy(last, ".json", sizeof(".json"));

    if (ngx_sluice_file_rename(log, tmp->data, p) != NGX_OK) {
        ngx_sluice_store_discard(log, tmp);
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_sluice_file_rename(ngx_log_t *log, u_char *from, u_char *to)
{
    if (ngx_rename_file(from, to) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, log, ngx_errno,
                      ngx_rename_file_n " \"%s\" to \"%s\" failed",
                      from, to);
        ngx_sluice_metrics_store_error(NGX_SLUICE_MX_STORE_API);
        return NGX_ERROR;
    }

    return NGX_OK;
}


void
ngx_sluice_store_discard(ngx_log_t *log, ngx_str_t *tmp)
{
    if (ngx_delete_file(tmp->data) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, log, ngx_errno,
                      ngx_delete_file_n " \"%s\" failed", tmp->data);
    }
}


ngx_int_t
ngx_sluice_store_remove(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *data_path, u_char *name)
{
    u_char     *p, *last;
    ngx_err_t   err;

    p = ngx_sluice_store_path(pool, data_path, name, sizeof(".json"));
    if (p == NULL) {
        return NGX_ERROR;
    }

    last = ngx_sprintf(p, "%V" NGX_SLUICE_STORE_DIR "/", data_path);
    ngx_strlow(last, name, ngx_strlen(name));
    last += ngx_strlen(name);
    ngx_memcpy(last, ".json", sizeof(".json"));

    if (ngx_delete_file(p) == NGX_FILE_ERROR && ngx_errno != NGX_ENOENT) {
        err = ngx_errno;
        ngx_log_error(NGX_LOG_ALERT, log, err,
                      ngx_delete_file_n " \"%s\" failed", p);
        ngx_set_errno(err);
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_sluice_store_load(ngx_sluice_zone_ctx_t *ctx, ngx_log_t *log)
{
    ngx_int_t    rc;
    ngx_str_t    dirname;
    ngx_pool_t  *pool;

    if (ctx->data_path.len == 0) {
        return NGX_OK;
    }

    pool = ngx_create_pool(16384, log);
    if (pool == NULL) {
        return NGX_ERROR;
    }

    dirname.len = ctx->data_path.len + sizeof(NGX_SLUICE_STORE_DIR) - 1;
    dirname.data = ngx_pnalloc(pool, dirname.len + 1);
    if (dirname.data == NULL) {
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

    ngx_sprintf(dirname.data, "%V" NGX_SLUICE_STORE_DIR "%Z",
                &ctx->data_path);

    rc = ngx_sluice_dir_load(ctx, 0, &dirname, ngx_sluice_store_load_file,
                             pool, log);

    ngx_destroy_pool(pool);

    return rc;
}


ngx_int_t
ngx_sluice_dir_load(ngx_sluice_zone_ctx_t *zctx, ngx_uint_t type,
    ngx_str_t *dirname, ngx_sluice_file_load_pt load, ngx_pool_t *pool,
    ngx_log_t *log)
{
    u_char     *name, *path;
    size_t      len;
    ngx_int_t   rc;
    ngx_dir_t   dir;

    if (ngx_open_dir(dirname, &dir) == NGX_ERROR) {
        if (ngx_errno != NGX_ENOENT) {
            ngx_log_error(NGX_LOG_ALERT, log, ngx_errno,
                          ngx_open_dir_n " \"%V\" failed", dirname);
        }

        return NGX_OK;
    }

    rc = NGX_OK;

    for ( ;; ) {
        ngx_set_errno(0);

        if (ngx_read_dir(&dir) == NGX_ERROR) {
            if (ngx_errno != NGX_ENOMOREFILES) {
                ngx_log_error(NGX_LOG_ALERT, log, ngx_errno,
                              ngx_read_dir_n " \"%V\" failed", dirname);
            }

            break;
        }

        name = ngx_de_name(&dir);
        len = ngx_de_namelen(&dir);

        path = ngx_pnalloc(pool, dirname->len + len + 2);
        if (path == NULL) {
            rc = NGX_ERROR;
            break;
        }

        ngx_sprintf(path, "%V/%s%Z", dirname, name);

        if (name[0] == '.') {
            if (len > 4 && ngx_strcmp(name + len - 4, ".tmp") == 0) {
                /* a change that was never committed */
                (void) ngx_delete_file(path);
            }

            continue;
        }

        if (len <= 5 || ngx_strcmp(name + len - 5, ".json") != 0) {
            continue;
        }

        if (load(zctx, type, path, pool, log) == NGX_ERROR) {
            rc = NGX_ERROR;
            break;
        }
    }

    ngx_close_dir(&dir);

    return rc;
}


static ngx_int_t
ngx_sluice_store_load_file(ngx_sluice_zone_ctx_t *ctx, ngx_uint_t type,
    u_char *path, ngx_pool_t *pool, ngx_log_t *log)
{
    ngx_int_t  rc;
    ngx_str_t  content;

    rc = ngx_sluice_file_read(pool, log, path, NGX_SLUICE_STORE_MAX,
                              &content);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_sluice_store_hooks.load(ctx, NGX_SLUICE_RES_LIVE_EVENT,
                                     content.data, content.len, pool, log);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "sluice: invalid live event file \"%s\", skipped",
                      path);
    }

    return rc;
}


ngx_int_t
ngx_sluice_file_read(ngx_pool_t *pool, ngx_log_t *log, u_char *path,
    size_t max, ngx_str_t *content)
{
    u_char           *buf;
    ssize_t           n;
    ngx_file_t        file;
    ngx_file_info_t   fi;

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name.data = path;
    file.name.len = ngx_strlen(path);
    file.log = log;

    file.fd = ngx_open_file(path, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_ALERT, log, ngx_errno,
                      ngx_open_file_n " \"%s\" failed", path);
        return NGX_DECLINED;
    }

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > (off_t) max)
    {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "sluice: \"%s\" unreadable or too large, skipped",
                      path);
        (void) ngx_close_file(file.fd);
        return NGX_DECLINED;
    }

    buf = ngx_pnalloc(pool, ngx_file_size(&fi) + 1);
    if (buf == NULL) {
        (void) ngx_close_file(file.fd);
        return NGX_ERROR;
    }

    n = ngx_read_file(&file, buf, ngx_file_size(&fi), 0);

    (void) ngx_close_file(file.fd);

    if (n != ngx_file_size(&fi)) {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "sluice: short read of \"%s\", skipped", path);
        return NGX_DECLINED;
    }

    content->data = buf;
    content->len = n;

    return NGX_OK;
}
