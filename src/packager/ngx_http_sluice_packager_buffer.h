
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Large buffers of a worker kept for reuse: the segments that are read
 * into memory (TS, encrypted CMAF) are hundreds of kilobytes to
 * megabytes; fresh memory from malloc costs a page fault per page every
 * request (glibc gives large freed blocks back to the kernel), which
 * took a fifth of the CPU of an encrypted segment (docs/benchmarks.md).
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_BUFFER_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_BUFFER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/*
 * size bytes that live as long as pool: from the worker's kept buffers
 * when size is large (given back when the pool is destroyed), else from
 * the pool (aligned, as ngx_palloc()).  Main thread only: the kept
 * buffers are the process's.
 */
void *ngx_http_sluice_packager_buffer(ngx_pool_t *pool, size_t size);


#endif /* _NGX_HTTP_SLUICE_PACKAGER_BUFFER_H_INCLUDED_ */
