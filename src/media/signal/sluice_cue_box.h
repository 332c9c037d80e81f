
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The binary forms of a cue (sluice_adcue.h, time and duration in ms of
 * the timeline) in segments, size first, then write:
 *
 *   emsg (sluice_emsg.h), version 1, before a CMAF fragment's moof (DASH
 *   inband events, HLS fMP4): presentation_time absolute in the track
 *   timescale (the timeline time of the cue), event_duration in it too
 *   (0xFFFFFFFF when unknown), id sluice_cue_id();
 *     ad markers (a splice_info_section, also the one made for AMS's
 *     simple mode): scheme urn:scte:scte35:2013:bin, value "", message
 *     the section (SCTE 214-3);
 *     timed metadata: the cue's own scheme and value; under the ID3
 *     scheme (https://aomedia.org/emsg/ID3, AOM id3-emsg) the message is
 *     an ID3v2 tag: the data as sent when it is one (an ID3v2 header:
 *     "ID3", version 2 to 4, synchsafe size), else the data wrapped in
 *     one TXXX frame (no description; PRIV with the scheme as owner when
 *     the data holds a NUL byte);
 *     other schemes carry the data as sent.
 *
 *   The sample of a Smooth sparse track (AMS ad signalling, ingest and
 *   egress): u32 version (1) | u32 id | u32 presentation_time_delta (0:
 *   the fragment's time is the cue's) | splice_info_section.
 */


#ifndef _SLUICE_CUE_BOX_H_INCLUDED_
#define _SLUICE_CUE_BOX_H_INCLUDED_


#include "media/signal/sluice_adcue.h"


/*
 * The id of a cue in DASH Event@id, emsg id and the Smooth sample: its
 * id when that is a decimal number below 2^32, else the section's event
 * id when it has a section and no id, else the CRC-32/MPEG-2 of the id
 * (the same on every origin)
 */
uint32_t sluice_cue_id(const sluice_cue_t *c);

/* an ad marker with a splice_info_section (not timed metadata) */
#define sluice_cue_is_scte35(c)                                              \
    ((c)->kind != SLUICE_CUE_METADATA && (c)->section.len != 0)

/* the cue's time (or duration) in timescale ts */
#define sluice_cue_time(ms, ts)  sluice_rescale(ms, 1000, ts)

/* the emsg box of one cue; 0 when it cannot be written */
size_t sluice_cue_emsg_size(const sluice_cue_t *c, uint32_t timescale);
uint8_t *sluice_cue_emsg_write(uint8_t *p, const sluice_cue_t *c,
    uint32_t timescale);

/*
 * The emsg boxes of the cues (in time order) that start in [start, end),
 * times of timescale (a segment of a track): total size, then the
 * boxes; cues that cannot be written are left out of both.  0 and
 * nothing written when none.
 */
size_t sluice_cue_emsg_range_size(const sluice_cue_t *cues, uint32_t n,
    uint64_t start, uint64_t end, uint32_t timescale);
uint8_t *sluice_cue_emsg_range_write(uint8_t *p, const sluice_cue_t *cues,
    uint32_t n, uint64_t start, uint64_t end, uint32_t timescale);

/* the Smooth sparse sample of an ad marker; 0 for other cues */
size_t sluice_cue_sparse_size(const sluice_cue_t *c);
uint8_t *sluice_cue_sparse_write(uint8_t *p, const sluice_cue_t *c);


#endif /* _SLUICE_CUE_BOX_H_INCLUDED_ */
