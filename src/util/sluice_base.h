
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The few types every layer of Sluice shares: status codes, the run-time
 * allocator and byte strings.  Nothing here includes an nginx header or
 * any other header of Sluice.
 */


#ifndef _SLUICE_BASE_H_INCLUDED_
#define _SLUICE_BASE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


/* status codes; the nginx glue maps them to HTTP statuses in one table */
typedef enum {
    SLUICE_OK = 0,
    SLUICE_ERROR = -1,          /* internal error */
    SLUICE_BAD_DATA = -2,       /* malformed media or input bytes */
    SLUICE_NO_MEMORY = -3,
    SLUICE_BAD_REQUEST = -4,    /* malformed request (URL tag, JSON) */
    SLUICE_NOT_FOUND = -5,
    SLUICE_UNSUPPORTED = -6,    /* valid but not supported (codec...) */
    SLUICE_AGAIN = -7           /* need more data */
} sluice_status_t;


/* run-time allocator: nginx glue passes a pool, tests pass malloc */
typedef struct {
    void   *(*alloc)(void *ctx, size_t size);
    void     *ctx;
} sluice_alloc_t;


typedef struct {
    const uint8_t  *data;
    size_t          len;
} sluice_str_t;


#define sluice_string(s)  { (const uint8_t *) s, sizeof(s) - 1 }


#endif /* _SLUICE_BASE_H_INCLUDED_ */
