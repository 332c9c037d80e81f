
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


#endif /* _SLUICE_HLS_H_INCLUDED_ */
