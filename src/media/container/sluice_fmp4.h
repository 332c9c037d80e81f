
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * A reader of fragmented MP4 ingest streams (ISO/IEC 14496-12):
 *
 *   Smooth Streaming push (what ffmpeg -f ismv -movflags isml+frag_keyframe
 *   sends): ftyp, the "live server manifest" uuid box, moov, then one
 *   moof + mdat pair per track and fragment, the fragment time in a tfxd
 *   uuid box of the traf (no tfdt).
 *
 *   CMAF (DASH-IF live media ingest): ftyp, moov, then [styp] moof mdat,
 *   the fragment time in tfdt.
 *
 * The caller frames the byte stream with sluice_fmp4_box_header(), gives
 * the moov to sluice_fmp4_moov_parse(), the manifest (if any) to
 * sluice_fmp4_manifest_apply() and each moof with the mdat that follows
 * it to sluice_fmp4_fragment_parse().  Every function reads only inside
 * the bytes it is given.  One track per moof: a moof of several trafs
 * (ffmpeg -f mp4 without +separate_moof) is refused.
 *
 * What ffmpeg 5.1's ismv muxer writes (Lavf59): a moov with trex defaults
 * of 0 (description index 1); per fragment one moof with mfhd and one
 * traf: tfhd with flags 0x20 only (default-sample-flags: video
 * 0x01010000, audio 0x02000000; no base-data-offset, no
 * default-base-is-moof), trun version 1 with data-offset relative to the
 * moof (video flags 0xb05: data offset, first-sample-flags 0x02000000,
 * duration, size, composition offset; audio 0x301), then the tfxd box
 * (version 1).  The audio track's first fragment time is negative (the
 * AAC encoder delay, -1024 samples), written as a 64-bit two's complement
 * value: times here are uint64_t and wrap the same way, so read them as
 * int64_t to compare.  Its tfxd time is the first sample's pts, not its
 * dts (sluice_fmp4_header_t tfxd_pts).  HEVC (-c:v libx265 -tag:v hvc1)
 * is muxed the same way, with an hvc1 sample entry; x265's open GOPs
 * then give key frames a composition offset that varies.
 */


#ifndef _SLUICE_FMP4_H_INCLUDED_
#define _SLUICE_FMP4_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_FMP4_MAX_TRACKS   8
#define SLUICE_FMP4_MAX_SAMPLES  65536      /* per fragment */

/* media_type of a track neither video nor audio (text, data...) */
#define SLUICE_FMP4_MEDIA_OTHER  2


/* one track of the moov */
typedef struct {
    uint32_t             track_id;

    /*
     * media_type (SLUICE_MEDIA_VIDEO for a vide handler, AUDIO for soun,
     * SLUICE_FMP4_MEDIA_OTHER else), codec, timescale, width/height,
     * sample_rate, channels, object_type, codec_string, config (avcC /
     * hvcC record bytes, or the AAC AudioSpecificConfig of esds), lang,
     * bitrate.
     *
     * timescale is mdhd's for every track, audio included (fragment times
     * and durations are in it; ffmpeg's ismv uses 10000000 for all).
     * codec_string is the codec parsers' ("avc1.64000d", "hvc1.1.6.L63.90",
     * "mp4a.40.2"; avc3 and hev1 entries read as avc1 and hvc1, as Sluice
     * writes them), or for an unsupported track the sample entry's fourcc
     * ("vp09", "stpp"; "mp4a.6b" for non-AAC MPEG-4 audio, the object type
     * indication in hex; "" without a sample entry).
     * lang: mdhd's ISO 639-2/T code as is ("eng", "fra": sluice_lang has
     * no converter to 2-letter codes), "" for "und" or a code that is not
     * 3 letters.
     * bitrate: the Smooth manifest's systemBitrate (when not 0), else
     * esds avgBitrate, else btrt avgBitrate, else 0.
     */
    sluice_track_info_t  info;

    uint32_t             handler;   /* hdlr handler_type, "vide" as uint32 */
    char                 name[64];  /* Smooth manifest "trackName" param,
                                       else "" */
    /* trex defaults (0 without trex) */
    uint32_t             default_duration;
    uint32_t             default_size;
    uint32_t             default_flags;
} sluice_fmp4_track_t;


typedef struct {
    uint32_t             ntracks;
    sluice_fmp4_track_t  tracks[SLUICE_FMP4_MAX_TRACKS];

    /*
     * The tfxd times are the first samples' presentation times, not their
     * decode times: sluice_fmp4_fragment_parse() then takes the first
     * sample's composition offset off.  ffmpeg's ismv muxer writes them
     * so (movenc.c, mov_write_tfxd_tag(): dts + cts of the first sample);
     * for MS-SSTR, and in Sluice's own Smooth fragments, it is a decode
     * time.  0 after sluice_fmp4_moov_parse(); sluice_fmp4_manifest_apply()
     * sets it when the manifest names libavformat as its creator (<meta
     * name="creator" content="Lavf...">); a caller may set it too.
     */
    uint32_t             tfxd_pts;
} sluice_fmp4_header_t;


/* one moof + mdat of one track */
typedef struct {
    uint32_t             track;     /* index in h->tracks */
    sluice_fragment_t    frag;
} sluice_fmp4_fragment_t;


/*
 * Top-level box framing of a byte stream: given the bytes buffered so far,
 * SLUICE_OK with *type (4 chars, as uint32 big-endian), *size (the whole
 * box, header included) and *header_len (8, or 16 with a 64-bit
 * largesize) once the header is there (the caller then waits for *size
 * bytes); SLUICE_AGAIN when fewer than 8 bytes (16 with a largesize);
 * SLUICE_BAD_DATA if size < header length, or size 0 ("to end of file",
 * which a live stream cannot use).
 */
sluice_status_t sluice_fmp4_box_header(const uint8_t *p, size_t len,
    uint32_t *type, uint64_t *size, size_t *header_len);

/*
 * The moov box (whole, header included) into h (reset first).  Each trak
 * (tkhd track_ID, mdhd timescale and language, hdlr, the first sample
 * entry of stsd) is listed in file order; trex boxes of mvex set the
 * defaults of the track of their track_ID.  Tracks with handler vide or
 * soun whose sample entry is avc1/avc3 (avcC), hvc1/hev1 (hvcC) or mp4a
 * (esds with object type 0x40 or 0x66..0x68, an AAC AudioSpecificConfig)
 * have info filled by the codec parsers; the sample entry gives the
 * channel count when the AudioSpecificConfig does not (channel
 * configuration 0), the picture size when the SPS does not.
 * Other tracks (text, data, other codecs, a record without parameter
 * sets or too long for info.config) are listed with codec
 * SLUICE_CODEC_NONE: the caller says which it refuses.
 * SLUICE_BAD_DATA if malformed (any size or count outside its box, a
 * trak without tkhd, mdhd or hdlr, a malformed avcC, hvcC, esds or
 * AudioSpecificConfig, two traks of one track_ID, a timescale of 0);
 * SLUICE_UNSUPPORTED with more than SLUICE_FMP4_MAX_TRACKS tracks.
 */
sluice_status_t sluice_fmp4_moov_parse(const uint8_t *p, size_t len,
    sluice_fmp4_header_t *h);

/*
 * 1 if p[0..len) is a whole uuid box (header included) whose usertype is
 * the Smooth live server manifest's (a5d40b30-e814-11dd-ba2f-0800200c9a66),
 * else 0.
 */
int sluice_fmp4_is_manifest(const uint8_t *p, size_t len);

/*
 * The Smooth live server manifest (the whole uuid box: header, usertype,
 * version/flags, then SMIL XML).  For each <video> or <audio> element,
 * its trackID (param, or attribute), systemBitrate (attribute or param),
 * systemLanguage and trackName params set bitrate (when not 0), lang
 * (when sluice_lang_valid() and not "und"), name (when it has no control
 * character; cut to 63 bytes, as is: no entity decoding) of the track of
 * that trackID in h.  Call it after sluice_fmp4_moov_parse() (if the
 * manifest comes first, keep its bytes until then).  A tolerant scanner
 * of name="value" pairs, not an XML parser; reads nothing outside
 * p[0..len).  Sets h->tfxd_pts when the manifest's creator is
 * libavformat ("Lavf...").  SLUICE_OK even if nothing matched;
 * SLUICE_BAD_DATA only if p is not a manifest box
 * (sluice_fmp4_is_manifest()).
 */
sluice_status_t sluice_fmp4_manifest_apply(const uint8_t *p, size_t len,
    sluice_fmp4_header_t *h);

/*
 * One moof box (whole) and the mdat box that follows it (whole) -> out:
 *
 *   track: the index in h->tracks of tfhd's track_ID (unknown:
 *   SLUICE_BAD_DATA).  Exactly one traf: several are SLUICE_UNSUPPORTED,
 *   none SLUICE_BAD_DATA.
 *
 *   frag.time: tfdt's baseMediaDecodeTime, else the tfxd box's
 *   fragment_absolute_time (version 0: 32-bit, 1: 64-bit; minus the
 *   first sample's cts when h->tfxd_pts), else SLUICE_BAD_DATA;
 *   frag.sequence: mfhd's; frag.duration: the sum of the sample
 *   durations.
 *
 *   frag.samples (allocated from a), in trun order: dts accumulated from
 *   frag.time; cts from the trun (version 1 signed; version 0 unsigned,
 *   where values of 2^31 and more, which no sample cts can hold, read as
 *   the negative offsets some writers put in version 0 truns);
 *   duration, size and sample flags from the trun, else tfhd's defaults,
 *   else trex's; the first sample's flags from first-sample-flags when
 *   the trun has no per-sample flags; SLUICE_SAMPLE_KEY for every audio
 *   sample and for others when sample_depends_on != 1 and not
 *   sample_is_non_sync_sample; data pointing into mdat.
 *
 * Data offsets: positions count from the moof's first byte, the mdat
 * following the moof directly (its header at moof_len).  A trun's data
 * offset counts from the moof (no base-data-offset, or
 * default-base-is-moof: the same with one traf).  A base-data-offset is
 * a file offset, meaningless here (ffmpeg writes the moof's own): the
 * data offset still counts from the moof, and only when that points
 * outside the mdat payload is base-data-offset + data offset tried
 * (counted from the moof too).  A trun without data offset continues
 * the previous one; the first one starts at the mdat payload.  The
 * sample-description-index is skipped (only the first sample entry is
 * described).
 *
 * SLUICE_BAD_DATA if malformed: moof or mdat not a whole box of its
 * type, a box or a trun's samples outside their box, a sample outside
 * the mdat payload, a sample of 0 bytes, no sample, more than
 * SLUICE_FMP4_MAX_SAMPLES; SLUICE_NO_MEMORY if a fails.
 */
sluice_status_t sluice_fmp4_fragment_parse(const sluice_fmp4_header_t *h,
    const uint8_t *moof, size_t moof_len, const uint8_t *mdat,
    size_t mdat_len, sluice_alloc_t *a, sluice_fmp4_fragment_t *out);


#endif /* _SLUICE_FMP4_H_INCLUDED_ */
