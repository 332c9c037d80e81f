
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Language tags of tracks (RFC 5646), as a source names them: ingest
 * metadata, manifests (HLS LANGUAGE, DASH lang, Smooth Language).
 */


#ifndef _SLUICE_LANG_H_INCLUDED_
#define _SLUICE_LANG_H_INCLUDED_


#include "media/sluice_media.h"


/*
 * 1 if p[0..len) is a tag Sluice keeps: a primary language subtag of 2
 * or 3 letters, then subtags of 1 to 8 letters or digits each after a
 * '-' ("fr", "fra", "en-US", "zh-Hant-TW", "es-419"), at most
 * SLUICE_MAX_LANG - 1 bytes in all; else 0.  A subset of RFC 5646's
 * grammar: no check against the IANA registry, no private-use only
 * ("x-...") or grandfathered tags.
 */
int sluice_lang_valid(const uint8_t *p, size_t len);


#endif /* _SLUICE_LANG_H_INCLUDED_ */
