
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The receive window of an SRT live-mode receiver: data packets come in
 * by sequence number; those in order are delivered at once (no copy),
 * those after a gap are held (copied) until the gap fills, a drop
 * request of the sender covers it, or the first packet after it has
 * waited the latency (too late: the gap is skipped, what follows is
 * delivered).  The loss list says what to report in NAKs: each new gap
 * at once, then each range again after the NAK interval.
 *
 * The window has a power of two of slots (the flow window announced to
 * the sender); a packet beyond it is dropped.  Times are milliseconds of
 * any clock.  No I/O, no clock: the nginx glue drives it.
 */


#ifndef _SLUICE_SRT_RCV_H_INCLUDED_
#define _SLUICE_SRT_RCV_H_INCLUDED_


#include "util/sluice_base.h"
#include "util/sluice_srt_packet.h"


#define SLUICE_SRT_RCV_LOSS_MAX   256     /* ranges; then merged */


typedef void (*sluice_srt_deliver_pt)(void *data, const uint8_t *p,
    size_t len);


typedef struct {
    uint64_t                 received;      /* packets taken */
    uint64_t                 duplicates;    /* or before the window */
    uint64_t                 beyond;        /* past the window */
    uint64_t                 lost;          /* reported missing */
    uint64_t                 dropped;       /* skipped, never delivered */
} sluice_srt_rcv_stats_t;


typedef struct sluice_srt_rcv_s  sluice_srt_rcv_t;


/* size: slots, rounded down to a power of two, at least 32 */
sluice_srt_rcv_t *sluice_srt_rcv_create(uint32_t isn, uint32_t size,
    sluice_srt_deliver_pt deliver, void *data);
void sluice_srt_rcv_free(sluice_srt_rcv_t *r);

/*
 * A data packet (payload decrypted); *gap set and 1 returned when it
 * revealed new missing packets (to report now), else 0; -1: no memory
 */
int sluice_srt_rcv_packet(sluice_srt_rcv_t *r, uint32_t seq,
    const uint8_t *p, size_t len, uint32_t now, sluice_srt_range_t *gap);

/* the sender will not send these again (DROPREQ) */
void sluice_srt_rcv_drop(sluice_srt_rcv_t *r, uint32_t from, uint32_t to);

/* gaps whose next packet waited latency ms or more skipped; how many */
uint32_t sluice_srt_rcv_late(sluice_srt_rcv_t *r, uint32_t now,
    uint32_t latency);

/* the missing ranges last reported interval ms ago or more, at most max */
size_t sluice_srt_rcv_nak(sluice_srt_rcv_t *r, uint32_t now,
    uint32_t interval, sluice_srt_range_t *out, size_t max);

/* the first sequence not received: what an ACK acknowledges */
uint32_t sluice_srt_rcv_ack(const sluice_srt_rcv_t *r);

/* the free slots: the ACK's available buffer */
uint32_t sluice_srt_rcv_avail(const sluice_srt_rcv_t *r);

uint32_t sluice_srt_rcv_size(const sluice_srt_rcv_t *r);

const sluice_srt_rcv_stats_t *sluice_srt_rcv_stats(const sluice_srt_rcv_t *r);


#endif /* _SLUICE_SRT_RCV_H_INCLUDED_ */
