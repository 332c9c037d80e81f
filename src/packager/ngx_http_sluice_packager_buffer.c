
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The kept buffers are a small array of the process: at most
 * NGX_HTTP_SLUICE_BUF_KEEP of them and NGX_HTTP_SLUICE_BUF_KEPT bytes in
 * all, each a multiple of NGX_HTTP_SLUICE_BUF_UNIT; a request takes the
 * smallest that fits and gives it back in its pool's cleanup, or frees
 * it when the array is full.  What a worker keeps is bounded, whatever
 * it serves.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "packager/ngx_http_sluice_packager_buffer.h"


#define NGX_HTTP_SLUICE_BUF_LARGE  (128 * 1024)
#define NGX_HTTP_SLUICE_BUF_UNIT   (512 * 1024)
#define NGX_HTTP_SLUICE_BUF_KEEP   16
#define NGX_HTTP_SLUICE_BUF_KEPT   (64 * 1024 * 1024)


typedef struct {
    void                        *data;
    size_t                       size;
} ngx_http_sluice_buf_t;


static void ngx_http_sluice_buffer_release(void *data);


static ngx_http_sluice_buf_t  ngx_http_sluice_bufs[NGX_HTTP_SLUICE_BUF_KEEP];
static ngx_uint_t             ngx_http_sluice_nbufs;
static size_t                 ngx_http_sluice_kept;


void *
ngx_http_sluice_packager_buffer(ngx_pool_t *pool, size_t size)
{
    ngx_uint_t              i, best;
    ngx_pool_cleanup_t     *cln;
    ngx_http_sluice_buf_t  *b;

    if (size < NGX_HTTP_SLUICE_BUF_LARGE) {
        return ngx_palloc(pool, size);
    }

    cln = ngx_pool_cleanup_add(pool, sizeof(ngx_http_sluice_buf_t));
    if (cln == NULL) {
        return NULL;
    }

    b = cln->data;
    best = NGX_HTTP_SLUICE_BUF_KEEP;

    for (i = 0; i < ngx_http_sluice_nbufs; i++) {
        if (ngx_http_sluice_bufs[i].size >= size
            && (best == NGX_HTTP_SLUICE_BUF_KEEP
                || ngx_http_sluice_bufs[i].size
                   < ngx_http_sluice_bufs[best].size))
        {
            best = i;
        }
    }

    if (best < NGX_HTTP_SLUICE_BUF_KEEP) {
        *b = ngx_http_sluice_bufs[best];
        ngx_http_sluice_bufs[best] =
            ngx_http_sluice_bufs[--ngx_http_sluice_nbufs];
        ngx_http_sluice_kept -= b->size;

    } else {
        b->size = ngx_align(size, NGX_HTTP_SLUICE_BUF_UNIT);
        b->data = ngx_alloc(b->size, pool->log);

        if (b->data == NULL) {
            return NULL;
        }
    }

    cln->handler = ngx_http_sluice_buffer_release;

    return b->data;
}


static void
ngx_http_sluice_buffer_release(void *data)
{
    ngx_http_sluice_buf_t  *b = data;

    if (ngx_http_sluice_nbufs == NGX_HTTP_SLUICE_BUF_KEEP
        || ngx_http_sluice_kept + b->size > NGX_HTTP_SLUICE_BUF_KEPT)
    {
        ngx_free(b->data);
        return;
    }

    ngx_http_sluice_bufs[ngx_http_sluice_nbufs++] = *b;
    ngx_http_sluice_kept += b->size;
}
