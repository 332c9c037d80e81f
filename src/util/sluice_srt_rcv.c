
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The receive window of an SRT receiver (sluice_srt_rcv.h).
 */


#include <stdlib.h>
#include <string.h>

#include "util/sluice_srt_rcv.h"


#define SLOT_EMPTY    0
#define SLOT_HELD     1
#define SLOT_DROPPED  2


typedef struct {
    uint8_t            *data;
    uint16_t            len;
    uint8_t             state;
    uint32_t            arrival;
} sluice_srt_slot_t;


typedef struct {
    uint32_t            from;
    uint32_t            to;
    uint32_t            reported;       /* when last in a NAK */
} sluice_srt_loss_t;


struct sluice_srt_rcv_s {
    uint32_t                 next;      /* the first not delivered */
    uint32_t                 top;       /* one past the last received */
    uint32_t                 mask;      /* slots - 1 */
    sluice_srt_slot_t       *slots;

    sluice_srt_loss_t        loss[SLUICE_SRT_RCV_LOSS_MAX];
    size_t                   nloss;

    sluice_srt_deliver_pt    deliver;
    void                    *data;

    sluice_srt_rcv_stats_t   stats;
};


static void loss_remove(sluice_srt_rcv_t *r, uint32_t from, uint32_t to);
static void advance(sluice_srt_rcv_t *r);
static void skip_to(sluice_srt_rcv_t *r, uint32_t seq);


sluice_srt_rcv_t *
sluice_srt_rcv_create(uint32_t isn, uint32_t size,
    sluice_srt_deliver_pt deliver, void *data)
{
    uint32_t           n;
    sluice_srt_rcv_t  *r;

    for (n = 32; n * 2 <= size && n < (1u << 24); n *= 2) { /* void */ }

    r = calloc(1, sizeof(sluice_srt_rcv_t));
    if (r == NULL) {
        return NULL;
    }

    r->slots = calloc(n, sizeof(sluice_srt_slot_t));
    if (r->slots == NULL) {
        free(r);
        return NULL;
    }

    r->mask = n - 1;
    r->next = isn & SLUICE_SRT_SEQ_MASK;
    r->top = r->next;
    r->deliver = deliver;
    r->data = data;

    return r;
}


void
sluice_srt_rcv_free(sluice_srt_rcv_t *r)
{
    uint32_t  i;

    if (r == NULL) {
        return;
    }

    for (i = 0; i <= r->mask; i++) {
        free(r->slots[i].data);
    }

    free(r->slots);
    free(r);
}


int
sluice_srt_rcv_packet(sluice_srt_rcv_t *r, uint32_t seq, const uint8_t *p,
    size_t len, uint32_t now, sluice_srt_range_t *gap)
{
    int32_t             d, t;
    sluice_srt_slot_t  *s;
    sluice_srt_loss_t  *l;

    seq &= SLUICE_SRT_SEQ_MASK;
    d = sluice_srt_seq_off(r->next, seq);

    if (d < 0) {
        r->stats.duplicates++;
        return 0;
    }

    if ((uint32_t) d > r->mask) {
        r->stats.beyond++;
        return 0;
    }

    s = &r->slots[seq & r->mask];

    if (s->state != SLOT_EMPTY) {
        r->stats.duplicates++;
        return 0;
    }

    r->stats.received++;
    t = sluice_srt_seq_off(r->top, seq);

    if (t < 0) {
        loss_remove(r, seq, seq);

    } else {
        r->top = sluice_srt_seq_add(seq, 1);
    }

    if (d == 0) {
        r->deliver(r->data, p, len);
        r->next = sluice_srt_seq_add(r->next, 1);
        advance(r);
        return 0;
    }

    s->data = malloc(len ? len : 1);
    if (s->data == NULL) {
        return -1;
    }

    memcpy(s->data, p, len);
    s->len = (uint16_t) len;
    s->state = SLOT_HELD;
    s->arrival = now;

    if (t <= 0) {
        return 0;
    }

    /* [old top, seq - 1] missing */

    gap->from = sluice_srt_seq_add(seq, -t);
    gap->to = sluice_srt_seq_add(seq, -1);
    r->stats.lost += (uint32_t) t;

    if (r->nloss == SLUICE_SRT_RCV_LOSS_MAX) {
        /* merged with the last: what it spans again is reported again */
        r->loss[r->nloss - 1].to = gap->to;
        r->loss[r->nloss - 1].reported = now;
        return 1;
    }

    l = &r->loss[r->nloss++];
    l->from = gap->from;
    l->to = gap->to;
    l->reported = now;

    return 1;
}


void
sluice_srt_rcv_drop(sluice_srt_rcv_t *r, uint32_t from, uint32_t to)
{
    uint32_t            seq;
    int32_t             n;
    sluice_srt_slot_t  *s;

    from &= SLUICE_SRT_SEQ_MASK;
    to &= SLUICE_SRT_SEQ_MASK;

    if (sluice_srt_seq_off(from, to) < 0
        || sluice_srt_seq_off(r->next, to) < 0)
    {
        return;
    }

    if (sluice_srt_seq_off(r->next, from) < 0) {
        from = r->next;
    }

    if (sluice_srt_seq_off(r->next, to) > (int32_t) r->mask) {
        to = sluice_srt_seq_add(r->next, (int32_t) r->mask);
    }

    n = sluice_srt_seq_off(from, to);

    for (seq = from; n >= 0; n--, seq = sluice_srt_seq_add(seq, 1)) {
        s = &r->slots[seq & r->mask];

        if (s->state == SLOT_EMPTY) {
            s->state = SLOT_DROPPED;
            r->stats.dropped++;
        }
    }

    loss_remove(r, from, to);

    if (sluice_srt_seq_off(r->top, to) >= 0) {
        r->top = sluice_srt_seq_add(to, 1);
    }

    advance(r);
}


uint32_t
sluice_srt_rcv_late(sluice_srt_rcv_t *r, uint32_t now, uint32_t latency)
{
    int32_t             n;
    uint32_t            seq, before;
    sluice_srt_slot_t  *s;

    s = NULL;
    before = (uint32_t) r->stats.dropped;

    for ( ;; ) {
        n = sluice_srt_seq_off(r->next, r->top);

        if (n <= 0) {
            break;
        }

        /* the first packet held after the gap at next */

        for (seq = r->next; n > 0; n--, seq = sluice_srt_seq_add(seq, 1)) {
            s = &r->slots[seq & r->mask];

            if (s->state == SLOT_HELD) {
                break;
            }
        }

        if (n == 0 || s == NULL || now - s->arrival < latency) {
            break;
        }

        skip_to(r, seq);
    }

    return (uint32_t) r->stats.dropped - before;
}


size_t
sluice_srt_rcv_nak(sluice_srt_rcv_t *r, uint32_t now, uint32_t interval,
    sluice_srt_range_t *out, size_t max)
{
    size_t              i, n;
    sluice_srt_loss_t  *l;

    n = 0;

    for (i = 0; i < r->nloss && n < max; i++) {
        l = &r->loss[i];

        if (now - l->reported < interval) {
            continue;
        }

        l->reported = now;
        out[n].from = l->from;
        out[n].to = l->to;
        n++;
    }

    return n;
}


uint32_t
sluice_srt_rcv_ack(const sluice_srt_rcv_t *r)
{
    return r->next;
}


uint32_t
sluice_srt_rcv_avail(const sluice_srt_rcv_t *r)
{
    return r->mask + 1 - (uint32_t) sluice_srt_seq_off(r->next, r->top);
}


uint32_t
sluice_srt_rcv_size(const sluice_srt_rcv_t *r)
{
    return r->mask + 1;
}


const sluice_srt_rcv_stats_t *
sluice_srt_rcv_stats(const sluice_srt_rcv_t *r)
{
    return &r->stats;
}


/* what follows next, held or dropped, delivered or passed */

static void
advance(sluice_srt_rcv_t *r)
{
    sluice_srt_slot_t  *s;

    for ( ;; ) {
        s = &r->slots[r->next & r->mask];

        if (s->state == SLOT_EMPTY) {
            break;
        }

        if (s->state == SLOT_HELD) {
            r->deliver(r->data, s->data, s->len);
            free(s->data);
            s->data = NULL;
        }

        s->state = SLOT_EMPTY;
        r->next = sluice_srt_seq_add(r->next, 1);
    }

    if (sluice_srt_seq_off(r->top, r->next) > 0) {
        r->top = r->next;
    }

    /* the losses before next: forgotten */

    while (r->nloss && sluice_srt_seq_off(r->next, r->loss[0].to) < 0) {
        r->nloss--;
        memmove(&r->loss[0], &r->loss[1],
                r->nloss * sizeof(sluice_srt_loss_t));
    }

    if (r->nloss && sluice_srt_seq_off(r->next, r->loss[0].from) < 0) {
        r->loss[0].from = r->next;
    }
}


/* the missing packets before seq given up; the held ones delivered */

static void
skip_to(sluice_srt_rcv_t *r, uint32_t seq)
{
    sluice_srt_slot_t  *s;

    while (sluice_srt_seq_off(r->next, seq) > 0) {
        s = &r->slots[r->next & r->mask];

        if (s->state == SLOT_HELD) {
            r->deliver(r->data, s->data, s->len);
            free(s->data);
            s->data = NULL;

        } else if (s->state == SLOT_EMPTY) {
            r->stats.dropped++;
        }

        s->state = SLOT_EMPTY;
        r->next = sluice_srt_seq_add(r->next, 1);
    }

    advance(r);
}


/* [from, to] no longer missing */

static void
loss_remove(sluice_srt_rcv_t *r, uint32_t from, uint32_t to)
{
    size_t              i;
    sluice_srt_loss_t  *l;

    for (i = 0; i < r->nloss; i++) {
        l = &r->loss[i];

        if (sluice_srt_seq_off(from, l->to) < 0) {
            continue;                       /* before */
        }

        if (sluice_srt_seq_off(to, l->from) > 0) {
            break;                          /* after: sorted */
        }

        if (sluice_srt_seq_off(from, l->from) >= 0
            && sluice_srt_seq_off(to, l->to) <= 0)
        {
            /* all of it */
            r->nloss--;
            memmove(l, l + 1, (r->nloss - i) * sizeof(sluice_srt_loss_t));
            i--;
            continue;
        }

        if (sluice_srt_seq_off(from, l->from) >= 0) {
            l->from = sluice_srt_seq_add(to, 1);        /* its head */
            continue;
        }

        if (sluice_srt_seq_off(to, l->to) <= 0) {
            l->to = sluice_srt_seq_add(from, -1);       /* its tail */
            continue;
        }

        /* its middle: split, or the tail forgotten when full */

        if (r->nloss < SLUICE_SRT_RCV_LOSS_MAX) {
            memmove(l + 1, l, (r->nloss - i) * sizeof(sluice_srt_loss_t));
            r->nloss++;
            l[1].from = sluice_srt_seq_add(to, 1);
            i++;
        }

        l->to = sluice_srt_seq_add(from, -1);
    }
}
