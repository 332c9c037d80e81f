
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * HLS playlists (RFC 8216) of a presentation, AMS style:
 *
 *   manifest(format=m3u8-aapl)     master: audio in an EXT-X-MEDIA group,
 *                                  TS segments
 *   manifest(format=m3u8-aapl-v3)  master: audio muxed into the video TS
 *   manifest(format=m3u8-cmaf)     master: fMP4 (CMAF) segments
 *
 * URIs are relative: the master's point at
 * "QualityLevels({bitrate})/Manifest({track},format=...)", and the media
 * playlist's at "Fragments({track}={time},format=...)" next to it.
 *
 * Encryption (sluice_hls_enc_t, NULL: clear): every child URI carries the
 * request's encryption tag (",encryption=cbc" inside the parentheses),
 * child playlist URIs of the master also the request's query (the key
 * service's "token=..."); the master lists an EXT-X-SESSION-KEY per key
 * line of its tracks (without IV), a media playlist its track's key
 * lines as EXT-X-KEY: once after EXT-X-MAP (so the init segment stays
 * clear, RFC 8216 4.3.2.5) or, with an IV per segment, before each
 * segment with IV=0x{seq of its first fragment, 128-bit big-endian}.
 * EXT-X-VERSION goes to 5 when a KEYFORMAT is written (RFC 8216 7).
 *
 * Masters: with p->hls_audio_only, each audio track is also a variant of
 * its own (audio codec only); m3u8-aapl masters of clear presentations
 * list an EXT-X-I-FRAME-STREAM-INF per video track whose keyframe sizes
 * are known, its URI "QualityLevels(b)/Manifest(video,format=m3u8-aapl,
 * type=keyframes)".
 *
 * Closed captions (info->captions of the video tracks): the master
 * lists a CLOSED-CAPTIONS rendition of group "cc" per service any video
 * track carries (as AMS: NAME="CEA708_CC",DEFAULT=YES,INSTREAM-ID=
 * "SERVICE1"; NAME="CEA608_CC",INSTREAM-ID="CC1"; NAME="CEA608_CC3",
 * INSTREAM-ID="CC3"; LANGUAGE when the video's language is known) and
 * CLOSED-CAPTIONS="cc" on the variants whose video has captions.  708
 * makes EXT-X-VERSION 7; the version 3 master (m3u8-aapl-v3) leaves it
 * out.  Without captions nothing is written (no CLOSED-CAPTIONS=NONE).
 *
 * Cues (p->cues: ad markers, timed metadata) in media playlists (TS and
 * CMAF, not I-frame playlists), before the segment each begins in (the
 * first segment for one that began before the window and is still on):
 * an EXT-X-DATERANGE (RFC 8216bis 4.4.5.1.1: START-DATE epoch_ms + time;
 * SCTE35-OUT with PLANNED-DURATION, SCTE35-IN, SCTE35-CMD with the
 * section; a splice in that ends a splice out of the same event id takes
 * its ID and START-DATE and gives the DURATION), then AMS's Adobe
 * EXT-X-CUE, repeated with ELAPSED before every segment inside a break;
 * an EXT-X-PROGRAM-DATE-TIME on the first segment and on each segment a
 * cue begins in, even without p->program_date_time.  A cue is written
 * once a listed segment reaches it, and no more once it has ended before
 * the first segment.  Timed metadata gets no tag (ID3 in the TS
 * segments, emsg in CMAF).
 *
 * Low latency.  LowLatencyV2 (p->part_ms) in live m3u8-cmaf media
 * playlists (not TS, not I-frames, not once ended): LL-HLS, RFC 8216bis,
 * EXT-X-VERSION 9:
 *
 *   #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,
 *       CAN-SKIP-UNTIL=12.000              (3 x PART-TARGET, 6 x target)
 *   #EXT-X-PART-INF:PART-TARGET=0.500
 *   ...
 *   #EXT-X-PART:DURATION=0.500,URI="Fragments(video=T,format=m3u8-cmaf,
 *       part=0).m4s",INDEPENDENT=YES       (a segment's parts, then its
 *   #EXTINF:2.000,                          EXTINF: those of the
 *   Fragments(video=T,format=m3u8-cmaf).m4s segments that start within
 *                                           3 target durations of the end)
 *   #EXT-X-PART:...(video=T2,...,part=0)... the fragment in progress
 *   #EXT-X-PRELOAD-HINT:TYPE=PART,URI="...(video=T2,...,part=1).m4s"
 *   #EXT-X-RENDITION-REPORT:URI="../QualityLevels(128000)/Manifest(audio,
 *       format=m3u8-cmaf)",LAST-MSN=10,LAST-PART=0
 *
 * PART-TARGET is part_ms, or the longest part of any track when one is
 * longer (a part ends at a frame; no DURATION may exceed it), the same
 * in every media playlist of the master.  A segment's parts are listed
 * only when all of them are there (from index 0, adding up to it); the
 * fragment in progress only when it follows the last segment without a
 * hole (after one it waits for its EXT-X-DISCONTINUITY), and then its
 * MSN is the last one + 1.  The preload hint names the next part of the
 * fragment in progress, or part 0 of the fragment after the last.  A
 * rendition report for every other track of the presentation (each has
 * a media playlist in the m3u8-cmaf master), its URI the master's from
 * this directory.  The first segment written has a program date time
 * (players measure their latency by it).  Delta updates (p->hls_skip):
 * the segments that start more than CAN-SKIP-UNTIL before the end of the
 * last segment become #EXT-X-SKIP:SKIPPED-SEGMENTS=n (none skipped: the
 * whole playlist, no tag); the date ranges of cues in them stay, after
 * it (v2 is answered as YES: CAN-SKIP-DATERANGES is not offered, the
 * date ranges removed lately are not known); the discontinuity sequence
 * and the keys after EXT-X-MAP are the whole playlist's.
 *
 * LowLatency (and LowLatencyV2 without parts or in TS), live:
 * EXT-X-SERVER-CONTROL:HOLD-BACK of 3 target durations, the RFC's
 * minimum, for players that would start further back.  Default: none of
 * these tags.
 */


#ifndef _SLUICE_HLS_H_INCLUDED_
#define _SLUICE_HLS_H_INCLUDED_


#include "media/sluice_buf.h"
#include "media/manifest/sluice_presentation.h"
#include "media/sluice_url.h"


#define SLUICE_HLS_MAX_KEYS  4


/* one line of EXT-X-KEY or EXT-X-SESSION-KEY */
typedef struct {
    sluice_str_t                   uri;        /* absolute */
    /* NULL: "identity" (not written); else KEYFORMATVERSIONS="1" too */
    const char                    *keyformat;
} sluice_hls_key_t;


/* the encryption of one track's segments */
typedef struct {
    /* "AES-128", "SAMPLE-AES", "SAMPLE-AES-CTR"; NULL: clear */
    const char                    *method;
    unsigned                       segment_iv:1;
    uint32_t                       nkeys;
    sluice_hls_key_t               keys[SLUICE_HLS_MAX_KEYS];
} sluice_hls_track_enc_t;


typedef struct {
    sluice_str_t                   tag;        /* ",encryption=..." */
    sluice_str_t                   query;      /* "token=..."; "": none */
    const sluice_hls_track_enc_t  *tracks;     /* per p->tracks[]; NULL */
} sluice_hls_enc_t;


/* master playlist; format is one of the SLUICE_FORMAT_HLS_* */
sluice_status_t sluice_hls_master(sluice_buf_t *b,
    const sluice_presentation_t *p, sluice_format_t format,
    const sluice_hls_enc_t *enc);

/*
 * Media playlist of track t (one of p->tracks).  With
 * p->fragments_per_segment N > 1 (TS formats), up to N consecutive
 * fragments with the same seq / N make one segment, named by the time of
 * its first fragment; a discontinuity starts a new segment.  While live,
 * an incomplete last group is left out.
 *
 * EXT-X-MEDIA-SEQUENCE is the seq of the first fragment listed (divided
 * by N): seq must count fragments one by one for players to follow.
 */
sluice_status_t sluice_hls_playlist(sluice_buf_t *b,
    const sluice_presentation_t *p, const sluice_ptrack_t *t,
    sluice_format_t format, const sluice_hls_enc_t *enc);

/*
 * The I-frame playlist (RFC 8216 4.3.3.6) of video track t: the segments
 * of its m3u8-aapl media playlist, each as the byte range of its first
 * keyframe (PAT, PMT and the keyframe's packets: frags[].key_size at
 * offset 0).  SLUICE_NOT_FOUND when a key_size is unknown.
 */
sluice_status_t sluice_hls_iframe_playlist(sluice_buf_t *b,
    const sluice_presentation_t *p, const sluice_ptrack_t *t);

/*
 * The fragments of the segment that starts at t->frags[i]: returns how
 * many (1 when per_segment <= 1), 0 if no segment starts at i.  The
 * packager uses it to find the fragments of a requested TS segment.
 */
uint32_t sluice_hls_segment_frags(const sluice_ptrack_t *t, uint32_t i,
    uint32_t per_segment);

/*
 * LL-HLS (m3u8-cmaf): the last segment of t's media playlist as it
 * numbers it, *msn the Media Sequence Number of the fragment in progress
 * when its parts are listed, else of the last segment; *part the index
 * of the last part listed of that one, -1 when none.  Returns 0 while
 * the playlist lists no segment (no number yet).  The rendition reports
 * of the other tracks say the same.
 */
int sluice_hls_ll_last(const sluice_presentation_t *p,
    const sluice_ptrack_t *t, uint64_t *msn, int64_t *part);

/*
 * A blocking playlist reload of t (RFC 8216bis 6.2.5.2): _HLS_msn=msn,
 * _HLS_part=part (-1: none; _HLS_part without _HLS_msn is the caller's
 * 400).  SLUICE_OK: the playlist has it (segment msn complete; part
 * "part" of msn, or a later one: a part past a segment's last is part 0
 * of the next), or the playlist has ended; SLUICE_AGAIN: not yet (park
 * the request, 503 after three target durations); SLUICE_BAD_REQUEST:
 * too far ahead, msn more than two past the last (sluice_hls_ll_last()),
 * or a part more than the Advance Part Limit (3 / PART-TARGET below one
 * second, else 3) after the last part, counting the parts of the
 * fragments between as cut (fragment_ms / part_ms, or as many as the
 * last segment has).
 */
sluice_status_t sluice_hls_ll_check(const sluice_presentation_t *p,
    const sluice_ptrack_t *t, uint64_t msn, int64_t part);


#endif /* _SLUICE_HLS_H_INCLUDED_ */
