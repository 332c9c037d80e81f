
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The queues between the threads of sluice-transcoder: a ring of
 * pointers that grows as needed, a mutex and one condition variable
 * (signalled on push, pop and close).  A push waits while the queue
 * holds max items (backpressure); a pop waits for an item, and returns
 * NULL once the queue is closed and empty.
 */


#include <stdlib.h>

#include "transcoder/sluice_transcoder.h"


static int sluice_tc_queue_grow(sluice_tc_queue_t *q);


int
sluice_tc_queue_init(sluice_tc_queue_t *q, size_t size)
{
    q->items = calloc(size, sizeof(void *));
    if (q->items == NULL) {
        return -1;
    }

    q->size = size;
    q->head = 0;
    q->count = 0;
    q->closed = 0;

    if (pthread_mutex_init(&q->lock, NULL) != 0) {
        free(q->items);
        return -1;
    }

    if (pthread_cond_init(&q->cond, NULL) != 0) {
        pthread_mutex_destroy(&q->lock);
        free(q->items);
        return -1;
    }

    return 0;
}


int
sluice_tc_queue_push(sluice_tc_queue_t *q, void *item, size_t max)
{
    int  rc;

    pthread_mutex_lock(&q->lock);

    while (max && q->count >= max && !q->closed) {
        pthread_cond_wait(&q->cond, &q->lock);
    }

    rc = 0;

    if (q->closed) {
        rc = -1;

    } else if (q->count == q->size && sluice_tc_queue_grow(q) != 0) {
        rc = -1;

    } else {
        q->items[(q->head + q->count) % q->size] = item;
        q->count++;
        pthread_cond_broadcast(&q->cond);
    }

    pthread_mutex_unlock(&q->lock);

    return rc;
}


void *
sluice_tc_queue_pop(sluice_tc_queue_t *q)
{
    void  *item;

    pthread_mutex_lock(&q->lock);

    while (q->count == 0 && !q->closed) {
        pthread_cond_wait(&q->cond, &q->lock);
    }

    item = NULL;

    if (q->count) {
        item = q->items[q->head];
        q->head = (q->head + 1) % q->size;
        q->count--;
        pthread_cond_broadcast(&q->cond);
    }

    pthread_mutex_unlock(&q->lock);

    return item;
}


/* no more pushes; pops return what is left, then NULL */

void
sluice_tc_queue_close(sluice_tc_queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}


size_t
sluice_tc_queue_count(sluice_tc_queue_t *q)
{
    size_t  n;

    pthread_mutex_lock(&q->lock);
    n = q->count;
    pthread_mutex_unlock(&q->lock);

    return n;
}


void
sluice_tc_queue_free(sluice_tc_queue_t *q)
{
    if (q->items == NULL) {
        return;
    }

    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->lock);
    free(q->items);
    q->items = NULL;
}


static int
sluice_tc_queue_grow(sluice_tc_queue_t *q)
{
    size_t   i, size;
    void   **items;

    size = q->size * 2;
    items = calloc(size, sizeof(void *));
    if (items == NULL) {
        return -1;
    }

    for (i = 0; i < q->count; i++) {
        items[i] = q->items[(q->head + i) % q->size];
    }

    free(q->items);
    q->items = items;
    q->size = size;
    q->head = 0;

    return 0;
}
