
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/sluice_sync.h"


/* good checks in a row that end a presentation episode */
#define SLUICE_SYNC_PRESENTATION_GOOD  2


int
sluice_sync_keyframes(const sluice_sync_frag_t *a, uint32_t ascale,
    const sluice_sync_frag_t *b, uint32_t bscale, uint64_t tolerance_us)
{
    uint64_t  as, ae, bs, be, from, to;

    if ((a->flags | b->flags) & SLUICE_SYNC_EDGE
        || ascale == 0 || bscale == 0)
    {
        return SLUICE_SYNC_APART;
    }

    as = sluice_rescale(a->start, ascale, 1000000);
    ae = as + sluice_rescale(a->duration, ascale, 1000000);
    bs = sluice_rescale(b->start, bscale, 1000000);
    be = bs + sluice_rescale(b->duration, bscale, 1000000);

    from = as > bs ? as : bs;
    to = ae < be ? ae : be;

    if (to <= from || to - from <= tolerance_us) {
        return SLUICE_SYNC_APART;
    }

    if ((as > bs ? as - bs : bs - as) > tolerance_us) {
        return SLUICE_SYNC_UNALIGNED;
    }

    return SLUICE_SYNC_ALIGNED;
}


uint64_t
sluice_sync_spread(const sluice_sync_end_t *ends, size_t n, size_t *lo,
    size_t *hi)
{
    size_t    i;
    uint64_t  ms, min, max;

    *lo = 0;
    *hi = 0;
    min = UINT64_MAX;
    max = 0;

    for (i = 0; i < n; i++) {
        if (ends[i].timescale == 0) {
            continue;
        }

        ms = sluice_rescale(ends[i].end, ends[i].timescale, 1000);

        if (ms < min) {
            min = ms;
            *lo = i;
        }

        if (ms >= max) {
            max = ms;
            *hi = i;
        }
    }

    return max >= min ? max - min : 0;
}


int
sluice_sync_episode(sluice_sync_episode_t *ep, int bad, int good,
    uint32_t need)
{
    if (!ep->out) {
        if (bad) {
            ep->out = 1;
            ep->good = 0;
            return 1;
        }

        return 0;
    }

    if (bad) {
        ep->good = 0;

    } else if (good && ++ep->good >= need) {
        ep->out = 0;
        ep->good = 0;
    }

    return 0;
}


int
sluice_sync_presentation(sluice_sync_episode_t *ep, uint64_t spread_ms,
    uint64_t threshold_ms)
{
    return sluice_sync_episode(ep, spread_ms > threshold_ms,
                               spread_ms <= threshold_ms / 2,
                               SLUICE_SYNC_PRESENTATION_GOOD);
}
