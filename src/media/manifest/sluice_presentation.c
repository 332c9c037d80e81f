
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Comparisons of presentation tracks; see sluice_presentation.h.
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
