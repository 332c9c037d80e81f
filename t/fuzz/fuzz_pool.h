
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The allocator of the fuzz targets that parse into a DOM: every block
 * chained in a pool that fuzz_free() releases after each input.
 *
 *   fuzz_pool_t     pool = { NULL };
 *   sluice_alloc_t  a = { fuzz_alloc, &pool };
 *   ...
 *   fuzz_free(&pool);
 */


#ifndef _FUZZ_POOL_H_INCLUDED_
#define _FUZZ_POOL_H_INCLUDED_


#include <stdlib.h>


typedef struct {
    void    *blocks;
} fuzz_pool_t;


static void *
fuzz_alloc(void *ctx, size_t size)
{
    void        **m;
    fuzz_pool_t  *pool;

    pool = ctx;
    m = malloc(sizeof(void *) + size);
    if (m == NULL) {
        return NULL;
    }

    m[0] = pool->blocks;
    pool->blocks = m;

    return m + 1;
}


static void
fuzz_free(fuzz_pool_t *pool)
{
    void  *b, *next;

    for (b = pool->blocks; b; b = next) {
        next = *(void **) b;
        free(b);
    }

    pool->blocks = NULL;
}


#endif /* _FUZZ_POOL_H_INCLUDED_ */
