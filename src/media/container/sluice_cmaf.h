
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * CMAF (ISO/IEC 23000-19) on ISO BMFF (ISO/IEC 14496-12): init segments
 * (ftyp + moov of one track) and fragments (styp + moof + mdat), and a
 * reader of the fragments Sluice stores.  Writers are size-first: the size
 * function returns the exact byte count the write function produces, so
 * callers allocate once and know Content-Length before writing.
 *
 * Fragment layout written:
 *
 *   [styp]                         SLUICE_CMAF_STYP
 *   moof
 *     mfhd                         sequence_number = f->sequence
 *     traf
 *       tfhd                       track_ID, default-base-is-moof
 *       [tfdt (version 1)]         baseMediaDecodeTime, unless
 *                                  SLUICE_CMAF_NO_TFDT
 *       trun                       data-offset, per-sample duration,
 *                                  size, flags [, composition offset]
 *       [uuid tfxd]                SLUICE_CMAF_SMOOTH
 *   mdat                           sample bytes in order
 */


#ifndef _SLUICE_CMAF_H_INCLUDED_
#define _SLUICE_CMAF_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_CMAF_STYP     0x01   /* begin with a styp box */

/*
 * Microsoft Smooth Streaming (PIFF 1.1) fragment: no styp, tfhd without
 * default-base-is-moof (same meaning for a single traf), trun version 0
 * when no composition offset is negative, and a tfxd uuid box
 * (6d1d9b05-42d5-44e6-80e2-141daff757b2, version 1, 64-bit fragment
 * absolute time and duration in the track timescale) in the traf.
 */
#define SLUICE_CMAF_SMOOTH   0x02

/*
 * Stop after the 8-byte mdat header (whose size still counts the sample
 * bytes): the caller sends the samples from elsewhere, zero copy.
 */
#define SLUICE_CMAF_NO_DATA  0x04

/*
 * No tfdt box, as in the Smooth fragments of AMS (PIFF 1.1 predates
 * tfdt): the fragment's time is in its tfxd box and the manifest.  Smooth
 * clients that convert to DASH (dash.js) then write a tfdt of their own
 * from the manifest time they asked for, which is what they need when
 * they shift a VOD timeline to start at 0; with a tfdt present they keep
 * it as is and the media lands at its absolute time.
 */
#define SLUICE_CMAF_NO_TFDT  0x08


#define SLUICE_CMAF_MAX_SAMPLES      65536       /* per fragment */


/* trun sample_flags written */
#define SLUICE_CMAF_SAMPLE_SYNC      0x02000000  /* depends on no other */
#define SLUICE_CMAF_SAMPLE_NON_SYNC  0x01010000  /* depends; non-sync */


/*
 * Init segment of one track: ftyp (iso6; iso6 cmfc dash) and moov (mvhd,
 * trak: tkhd, mdia: mdhd, hdlr, minf: vmhd or smhd, dinf, stbl with stsd
 * (avc1+avcC, hvc1+hvcC or mp4a+esds) and empty stts, stsc, stsz, stco;
 * mvex: trex).  Returns 0 if the codec is not supported (or config_len is
 * 0); the write function then returns NULL.  Otherwise write returns
 * p + size.
 */
size_t sluice_cmaf_init_size(const sluice_track_info_t *ti,
    uint32_t track_id);
uint8_t *sluice_cmaf_init_write(uint8_t *p, const sluice_track_info_t *ti,
    uint32_t track_id);

/*
 * One fragment of f->nsamples samples (at least one).  tfdt is
 * samples[0].dts (f->time is not used); each sample's duration, size,
 * flags (SLUICE_SAMPLE_KEY -> sync) and cts are written, cts with trun
 * version 1 when any is non-zero.  The sample bytes come from
 * samples[i].data.  Returns 0 when f cannot be written (no samples, an
 * empty sample, more than SLUICE_CMAF_MAX_SAMPLES samples or 4 GiB);
 * write then returns NULL.
 * Otherwise write returns p + size.  Flag SLUICE_SAMPLE_KEY on every
 * audio sample: samples without it are written as non-sync.
 */
size_t sluice_cmaf_fragment_size(const sluice_fragment_t *f,
    uint32_t track_id, uint32_t flags);
uint8_t *sluice_cmaf_fragment_write(uint8_t *p, const sluice_fragment_t *f,
    uint32_t track_id, uint32_t flags);

/*
 * The size of the styp box SLUICE_CMAF_STYP writes, with which every
 * fragment Sluice stores begins: what comes before the moof (the
 * packager inserts emsg boxes after it)
 */
size_t sluice_cmaf_styp_size(void);

/*
 * Rescale the times of f in place from timescale "from" to "to" (Smooth
 * Streaming: 10000000), as sluice_rescale() does for fragment times, so
 * that a manifest written with sluice_rescale() names the fragment's
 * time exactly.  Drift-free: each sample's dts and dts + duration (and
 * pts = dts + cts, which may be negative) are converted from absolute
 * times and the new duration and cts are the differences, so the
 * samples stay contiguous, the new duration of the fragment is
 * rescale(end) - rescale(start) and fragments stay contiguous too.
 * f->time becomes samples[0].dts, f->duration the sum of durations.
 * Sizes are unchanged except when a cts becomes 0 (down-scaling):
 * call sluice_cmaf_fragment_size() after this.  SLUICE_BAD_DATA when a
 * timescale is 0, f has no samples, or a duration or cts does not fit its
 * 32-bit field once rescaled (f is then partly rescaled: do not use it).
 */
sluice_status_t sluice_cmaf_fragment_rescale(sluice_fragment_t *f,
    uint32_t from, uint32_t to);

/*
 * Box header writers shared with the other ISO BMFF writers of src/media
 * (src/media/crypto): a box header of size bytes (header included) and
 * four-character type, and a full box header adding version and 24-bit
 * flags.  Both return the position after the header.
 */
uint8_t *sluice_cmaf_box(uint8_t *p, size_t size, const char *type);
uint8_t *sluice_cmaf_full_box(uint8_t *p, size_t size, const char *type,
    uint32_t version, uint32_t flags);

/*
 * Reading ISO BMFF boxes, shared with the other readers of src/media
 * (container/sluice_fmp4.c): fourcc values, the tfhd and trun flags, the
 * sample flags bit of non-sync samples, and one box of a buffer.
 */
#ifndef sluice_fourcc
#define sluice_fourcc(a, b, c, d)                                             \
    (((uint32_t) (a) << 24) | ((uint32_t) (b) << 16)                          \
     | ((uint32_t) (c) << 8) | (uint32_t) (d))
#endif

/* tfhd flags */
#define SLUICE_TFHD_BASE_DATA_OFFSET     0x000001
#define SLUICE_TFHD_DESCRIPTION_INDEX    0x000002
#define SLUICE_TFHD_DEFAULT_DURATION     0x000008
#define SLUICE_TFHD_DEFAULT_SIZE         0x000010
#define SLUICE_TFHD_DEFAULT_FLAGS        0x000020
#define SLUICE_TFHD_DEFAULT_BASE_IS_MOOF 0x020000

/* trun flags */
#define SLUICE_TRUN_DATA_OFFSET          0x000001
#define SLUICE_TRUN_FIRST_FLAGS          0x000004
#define SLUICE_TRUN_DURATION             0x000100
#define SLUICE_TRUN_SIZE                 0x000200
#define SLUICE_TRUN_FLAGS                0x000400
#define SLUICE_TRUN_CTS                  0x000800

/* sample_flags: sample_is_non_sync_sample */
#define SLUICE_SAMPLE_IS_NON_SYNC        0x00010000


typedef struct {
    const uint8_t  *data;       /* payload */
    size_t          len;        /* payload length */
    uint32_t        type;
    size_t          size;       /* whole box */
} sluice_cmaf_box_t;


/*
 * The box at p, len bytes left in its container: size 1 is a 64-bit
 * largesize, size 0 runs to the end of the container.  SLUICE_BAD_DATA
 * if the header or the box does not fit in len, or its size is smaller
 * than its header.
 */
sluice_status_t sluice_cmaf_read_box(const uint8_t *p, size_t len,
    sluice_cmaf_box_t *box);

/* one sample of a 'trun' box, its fields or the defaults */
typedef struct {
    uint32_t        duration;
    uint32_t        size;
    uint32_t        flags;          /* sample_flags */
    int32_t         cts;            /* composition offset */
} sluice_trun_entry_t;


/*
 * The entries of a 'trun' box (ISO/IEC 14496-12 8.8.8), read one by one:
 * sluice_trun_open() reads the header of the payload data[0..len)
 * (version and flags, sample_count, data_offset, first_sample_flags) and
 * checks that count entries fit in it and that count <= max
 * (SLUICE_BAD_DATA otherwise); the caller then sets the defaults (tfhd
 * or trex) and calls sluice_trun_next() count times.  A version 0
 * composition offset of 2^31 or more reads as negative (none is real).
 */
typedef struct {
    uint32_t        flags;          /* tr_flags */
    uint32_t        count;          /* sample_count */
    unsigned        has_offset:1;
    int32_t         offset;         /* data_offset, when has_offset */

    uint32_t        default_duration;
    uint32_t        default_size;
    uint32_t        default_flags;

    /* private */
    const uint8_t  *p;
    uint32_t        first_flags;
    uint32_t        next;
} sluice_trun_t;


sluice_status_t sluice_trun_open(sluice_trun_t *t, const uint8_t *data,
    size_t len, uint32_t max);
void sluice_trun_next(sluice_trun_t *t, sluice_trun_entry_t *e);


/*
 * The tfxd uuid box's usertype (6d1d9b05-42d5-44e6-80e2-141daff757b2),
 * the fragment time of Smooth Streaming
 */
extern const uint8_t  sluice_cmaf_tfxd_uuid[16];

/*
 * Parse a stored fragment: optional styp (and other top-level boxes
 * skipped: sidx, prft, free...), one moof with one traf (tfhd, tfdt,
 * one or more trun; tfhd defaults honoured), then the mdat holding the
 * sample bytes.  Every size and offset is checked against len; samples
 * of zero bytes are refused (no access unit is empty).  The
 * samples array comes from a; sample data pointers point into buf.
 * out->time is the tfdt time, out->duration the sum of durations,
 * out->sequence the mfhd sequence, samples[i].dts accumulated from tfdt.
 * SLUICE_BAD_DATA if malformed, SLUICE_NO_MEMORY if a fails.
 */
sluice_status_t sluice_cmaf_fragment_parse(const uint8_t *buf, size_t len,
    sluice_alloc_t *a, sluice_fragment_t *out);


#endif /* _SLUICE_CMAF_H_INCLUDED_ */
