
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Comparisons of presentation tracks, the cues of the window; see
 * sluice_presentation.h.
 */


#include <string.h>

#include "media/manifest/sluice_presentation.h"


int
sluice_ptrack_same_kind(const sluice_ptrack_t *a, const sluice_ptrack_t *b)
{
    return a->info->media_type == b->info->media_type
           && a->info->codec == b->info->codec
           && a->info->timescale == b->info->timescale
           && a->lang.len == b->lang.len
           && (a->lang.len == 0
               || memcmp(a->lang.data, b->lang.data, a->lang.len) == 0);
}


int
sluice_ptrack_same_times(const sluice_ptrack_t *a, const sluice_ptrack_t *b)
{
    uint32_t  i;

    if (a->nfrags != b->nfrags) {
        return 0;
    }

    for (i = 0; i < a->nfrags; i++) {
        if (a->frags[i].time != b->frags[i].time
            || a->frags[i].duration != b->frags[i].duration)
        {
            return 0;
        }
    }

    return 1;
}


void
sluice_presentation_cue_window(sluice_presentation_t *p)
{
    uint32_t                i, lo, hi;
    uint64_t                start, end, v, ts;
    const sluice_pfrag_t   *f;
    const sluice_ptrack_t  *t;

    if (p->ncues == 0) {
        return;
    }

    start = UINT64_MAX;
    end = 0;

    for (i = 0; i < p->ntracks; i++) {
        t = &p->tracks[i];
        ts = t->info->timescale;

        if (t->nfrags == 0 || ts == 0) {
            continue;
        }

        v = sluice_rescale(t->frags[0].time, ts, 1000);
        start = v < start ? v : start;

        f = &t->frags[t->nfrags - 1];
        v = sluice_rescale(f->time + f->duration, ts, 1000);
        end = v > end ? v : end;
    }

    if (start == UINT64_MAX) {
        p->cues = NULL;
        p->ncues = 0;
        return;
    }

    if (p->live && !p->ended) {
        end = UINT64_MAX;
    }

    for (lo = 0; lo < p->ncues && !sluice_cue_after(&p->cues[lo], start);
         lo++)
    {
        /* void */
    }

    for (hi = p->ncues; hi > lo && p->cues[hi - 1].time >= end; hi--) {
        /* void */
    }

    p->cues = (hi > lo) ? p->cues + lo : NULL;
    p->ncues = hi - lo;
}
