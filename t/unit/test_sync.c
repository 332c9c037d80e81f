
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the out-of-sync checks (media/sluice_sync.h): keyframe
 * alignment of two video fragments, the spread of the tracks' ends, and
 * the episodes that raise one event per lasting condition.
 */


#include "media/sluice_sync.h"
#include "sluice_test.h"


#define MS90(ms)  ((uint64_t) (ms) * 90)


static sluice_sync_frag_t
frag(uint64_t start_ms, uint32_t dur_ms, uint32_t flags)
{
    sluice_sync_frag_t  f;

    f.time = MS90(start_ms);
    f.start = MS90(start_ms);
    f.duration = (uint32_t) MS90(dur_ms);
    f.flags = flags;

    return f;
}


static int
cmp(sluice_sync_frag_t a, sluice_sync_frag_t b)
{
    return sluice_sync_keyframes(&a, 90000, &b, 90000,
                                 SLUICE_SYNC_KEYFRAME_US);
}


static void
test_keyframes(void)
{
    sluice_sync_frag_t  a, b;

    /* the same fragment: aligned */
    SL_CHECK_EQ(cmp(frag(4000, 2000, 0), frag(4000, 2000, 0)),
                SLUICE_SYNC_ALIGNED);

    /* 1 ms apart (millisecond rounding): aligned */
    SL_CHECK_EQ(cmp(frag(4000, 2000, 0), frag(4001, 1999, 0)),
                SLUICE_SYNC_ALIGNED);

    /* one frame at 60 fps apart (17 ms): not */
    SL_CHECK_EQ(cmp(frag(4000, 2000, 0), frag(4017, 1983, 0)),
                SLUICE_SYNC_UNALIGNED);

    /* GOPs of 2 s and 3 s: [2,4) against [0,3) */
    SL_CHECK_EQ(cmp(frag(2000, 2000, 0), frag(0, 3000, 0)),
                SLUICE_SYNC_UNALIGNED);

    /* ... but [0,2) and [0,3) start together: only starts count */
    SL_CHECK_EQ(cmp(frag(0, 2000, 0), frag(0, 3000, 0)),
                SLUICE_SYNC_ALIGNED);

    /* one after the other, or touching within the tolerance: apart */
    SL_CHECK_EQ(cmp(frag(0, 2000, 0), frag(2000, 2000, 0)),
                SLUICE_SYNC_APART);
    SL_CHECK_EQ(cmp(frag(0, 2005, 0), frag(2000, 2000, 0)),
                SLUICE_SYNC_APART);
    SL_CHECK_EQ(cmp(frag(0, 2000, 0), frag(6000, 2000, 0)),
                SLUICE_SYNC_APART);

    /* an edge (a late joiner's first fragment) is not compared */
    SL_CHECK_EQ(cmp(frag(4000, 1000, SLUICE_SYNC_EDGE), frag(3000, 2000, 0)),
                SLUICE_SYNC_APART);
    SL_CHECK_EQ(cmp(frag(3000, 2000, 0), frag(4000, 1000, SLUICE_SYNC_EDGE)),
                SLUICE_SYNC_APART);

    /* presentation times count, not decode times (B-frames differ) */
    a = frag(4000, 2000, 0);
    b = frag(4000, 2000, 0);
    b.time -= MS90(67);
    SL_CHECK_EQ(sluice_sync_keyframes(&a, 90000, &b, 90000,
                                      SLUICE_SYNC_KEYFRAME_US),
                SLUICE_SYNC_ALIGNED);
    b.start += MS90(40);
    SL_CHECK_EQ(sluice_sync_keyframes(&a, 90000, &b, 90000,
                                      SLUICE_SYNC_KEYFRAME_US),
                SLUICE_SYNC_UNALIGNED);

    /* other timescales: 4 s at 90 kHz and at 10 MHz */
    a = frag(4000, 2000, 0);
    b.time = 40000000;
    b.start = 40000000;
    b.duration = 20000000;
    b.flags = 0;
    SL_CHECK_EQ(sluice_sync_keyframes(&a, 90000, &b, 10000000,
                                      SLUICE_SYNC_KEYFRAME_US),
                SLUICE_SYNC_ALIGNED);
    b.start += 5000000;     /* 0.5 s later */
    SL_CHECK_EQ(sluice_sync_keyframes(&a, 90000, &b, 10000000,
                                      SLUICE_SYNC_KEYFRAME_US),
                SLUICE_SYNC_UNALIGNED);

    /* no timescale: nothing to compare */
    SL_CHECK_EQ(sluice_sync_keyframes(&a, 0, &b, 10000000,
                                      SLUICE_SYNC_KEYFRAME_US),
                SLUICE_SYNC_APART);

    /* 400 days into a timeline: no overflow */
    a = frag(86400000ULL * 400, 2000, 0);
    b = frag(86400000ULL * 400 + 1000, 2000, 0);
    SL_CHECK_EQ(cmp(a, b), SLUICE_SYNC_UNALIGNED);
}


static void
test_spread(void)
{
    size_t             lo, hi;
    sluice_sync_end_t  e[3];

    /* video at 10 s (90 kHz), audio at 30 s (48 kHz) */
    e[0].end = MS90(10000);
    e[0].timescale = 90000;
    e[1].end = 30 * 48000;
    e[1].timescale = 48000;

    SL_CHECK_UEQ(sluice_sync_spread(e, 2, &lo, &hi), (uint64_t) 20000);
    SL_CHECK_UEQ(lo, (size_t) 0);
    SL_CHECK_UEQ(hi, (size_t) 1);

    /* a third track in between changes nothing */
    e[2].end = 20000;
    e[2].timescale = 1000;
    SL_CHECK_UEQ(sluice_sync_spread(e, 3, &lo, &hi), (uint64_t) 20000);
    SL_CHECK_UEQ(lo, (size_t) 0);
    SL_CHECK_UEQ(hi, (size_t) 1);

    /* one track, or equal ends: 0 */
    SL_CHECK_UEQ(sluice_sync_spread(e, 1, &lo, &hi), (uint64_t) 0);
    e[1].end = 10 * 48000;
    SL_CHECK_UEQ(sluice_sync_spread(e, 2, &lo, &hi), (uint64_t) 0);

    /* a track without a timescale is left out */
    e[1].timescale = 0;
    SL_CHECK_UEQ(sluice_sync_spread(e, 3, &lo, &hi), (uint64_t) 10000);
    SL_CHECK_UEQ(lo, (size_t) 0);
    SL_CHECK_UEQ(hi, (size_t) 2);
}


static void
test_episode(void)
{
    int                    raised;
    int                    i;
    sluice_sync_episode_t  ep;

    memset(&ep, 0, sizeof(ep));

    /* in sync: nothing */
    SL_CHECK_EQ(sluice_sync_presentation(&ep, 200, 10000), 0);
    SL_CHECK_EQ(sluice_sync_presentation(&ep, 10000, 10000), 0);

    /* out of sync: one event, not one per fragment */
    raised = 0;
    for (i = 0; i < 20; i++) {
        raised += sluice_sync_presentation(&ep, 20000, 10000);
    }
    SL_CHECK_EQ(raised, 1);

    /* under the threshold but above half of it: still the same episode */
    SL_CHECK_EQ(sluice_sync_presentation(&ep, 8000, 10000), 0);
    SL_CHECK_EQ(sluice_sync_presentation(&ep, 8000, 10000), 0);
    SL_CHECK_EQ(sluice_sync_presentation(&ep, 12000, 10000), 0);

    /* one good check is not enough; a bad one starts the count again */
    SL_CHECK_EQ(sluice_sync_presentation(&ep, 1000, 10000), 0);
    SL_CHECK_EQ(sluice_sync_presentation(&ep, 15000, 10000), 0);
    SL_CHECK_EQ(sluice_sync_presentation(&ep, 1000, 10000), 0);
    SL_CHECK_UEQ(ep.out, (uint32_t) 1);

    /* two in a row end it; the next one is a new episode */
    SL_CHECK_EQ(sluice_sync_presentation(&ep, 1000, 10000), 0);
    SL_CHECK_UEQ(ep.out, (uint32_t) 0);
    SL_CHECK_EQ(sluice_sync_presentation(&ep, 15000, 10000), 1);

    /* the generic form: no verdict neither ends nor resets */
    memset(&ep, 0, sizeof(ep));
    SL_CHECK_EQ(sluice_sync_episode(&ep, 0, 0, 3), 0);
    SL_CHECK_EQ(sluice_sync_episode(&ep, 1, 0, 3), 1);
    SL_CHECK_EQ(sluice_sync_episode(&ep, 0, 1, 3), 0);
    SL_CHECK_EQ(sluice_sync_episode(&ep, 0, 0, 3), 0);
    SL_CHECK_EQ(sluice_sync_episode(&ep, 0, 1, 3), 0);
    SL_CHECK_UEQ(ep.out, (uint32_t) 1);
    SL_CHECK_EQ(sluice_sync_episode(&ep, 0, 1, 3), 0);
    SL_CHECK_UEQ(ep.out, (uint32_t) 0);
    SL_CHECK_EQ(sluice_sync_episode(&ep, 1, 0, 3), 1);
}


int
main(void)
{
    SL_RUN(test_keyframes);
    SL_RUN(test_spread);
    SL_RUN(test_episode);

    return SL_DONE();
}
