
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * MPEG-2 transport stream demuxer (ISO/IEC 13818-1) for ingest of what
 * SRT carries (ffmpeg -f mpegts srt://..., srt-live-transmit): H.264,
 * H.265 and AAC in ADTS, turned into the tracks and access units the
 * other ingest protocols give the core.
 *
 * Bytes come in pieces of any size.  188-byte packets are found by their
 * sync byte (a packet is trusted when the next one starts 188 bytes on);
 * the PAT names the PMT of its first program, the PMT the elementary
 * streams: types 0x1b (H.264), 0x24 (H.265) and 0x0f (AAC in ADTS)
 * become tracks, numbered in the order the PMT lists them; type 0x86
 * (SCTE 35) PIDs give their splice_info_sections to the handler
 * (SLUICE_TSDEMUX_MAX_SCTE35 PIDs); other types are counted and left
 * alone.  A track keeps its number when a new PMT
 * version lists it again; a PID it did not list before becomes a new
 * track (SLUICE_TSDEMUX_MAX_TRACKS in all).
 *
 * Video: one PES is one access unit, handed over when the next PES of
 * its PID starts (or at once when its PES_packet_length is reached, or
 * at flush).  Its Annex B NAL units become 4-byte length-prefixed ones,
 * access unit delimiters dropped, parameter sets kept in place.  The
 * decoder configuration record (avcC, hvcC) is built from the in-band
 * parameter sets: those of an access unit replace the ones of the same
 * kind before them, and a record that differs from the last one is
 * announced again.  Frames before the first complete set are dropped.
 *
 * Audio: each ADTS frame is handed over as it completes, without its
 * header; its AudioSpecificConfig comes from the header (profile,
 * sampling frequency index, channel configuration), announced again
 * when it changes.  The n-th frame that starts in a PES is at the PES's
 * PTS + n * 1024 * 90000 / rate; frames before the first PTS (or after
 * lost packets, until the next PTS) are dropped.
 *
 * Times are at 90 kHz, unwrapped from 33 bits to 64 on one clock for the
 * whole program (each timestamp taken within 2^32 of the last one, of
 * any track).  A first timestamp below one second starts the clock at
 * 2^33 above it, so that the other tracks' slightly earlier timestamps
 * do not go below zero.
 *
 * Tolerance: garbage, a lost sync, packets with transport_error_indicator,
 * continuity errors (the PES in progress is dropped), bad PSI sections
 * (CRC) and malformed PES or NAL units are counted and skipped, never
 * an error.  Only a PES longer than SLUICE_TSDEMUX_MAX_PES is refused
 * with SLUICE_BAD_DATA, and even then the rest of the bytes is demuxed
 * and the demuxer can be fed on.
 *
 * Not supported: 192/204-byte packets (M2TS, Reed-Solomon), sections of
 * PAT and PMT over several section numbers, an access unit split over
 * several PES, ADTS frames of more than one raw data block (dropped),
 * SAMPLE-AES and other scrambled streams, the PCR (not read).
 */


#ifndef _SLUICE_TSDEMUX_H_INCLUDED_
#define _SLUICE_TSDEMUX_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_TSDEMUX_MAX_TRACKS  8
#define SLUICE_TSDEMUX_MAX_PES     (16 * 1024 * 1024)
#define SLUICE_TSDEMUX_MAX_SCTE35  4


typedef struct sluice_tsdemux_s  sluice_tsdemux_t;


typedef struct {
    /*
     * A track is known, or its configuration changed (new SPS/PPS,
     * another ADTS configuration): info has codec, config (avcC / hvcC
     * record / AudioSpecificConfig), timescale 90000 for video and the
     * sampling rate for audio, width/height, sample_rate, channels,
     * codec_string, lang ("" if none; the PMT's ISO_639_language
     * descriptor when it is a valid tag, sluice_lang_valid()).  info
     * lives until the call returns.
     */
    void   (*track)(void *data, uint32_t index,
                    const sluice_track_info_t *info);

    /*
     * One access unit, p valid until the call returns.  Video: NAL units
     * with 4-byte lengths, dts and cts (pts - dts) at 90 kHz, key when an
     * IDR (H.264) or IRAP (H.265) picture is in it.  Audio: one raw AAC
     * frame, dts at 90 kHz, cts 0, key 1.  Returns 0 to go on, non-zero
     * to stop: sluice_tsdemux_feed() or _flush() then returns
     * SLUICE_ERROR at once, and only sluice_tsdemux_free() may follow.
     */
    int    (*frame)(void *data, uint32_t index, uint64_t dts, int32_t cts,
                    int key, const uint8_t *p, size_t len);

    /*
     * NULL, or: a whole SCTE 35 splice_info_section (table_id 0xfc, 15
     * bytes at least; its CRC-32 is not checked here: the caller's
     * parser does; p valid until the call returns) of PID pid; now:
     * the demuxer's clock (the last timestamp of any track, unwrapped,
     * 90 kHz; 0 before the first).  sluice_tsdemux_time() puts its
     * splice time on the same clock.
     */
    void   (*section)(void *data, uint32_t pid, const uint8_t *p,
                      size_t len, uint64_t now);

    void    *data;
} sluice_tsdemux_handler_t;


/* what was skipped, for logs and tests; counters only grow */
typedef struct {
    uint64_t    discarded;      /* bytes skipped: garbage, resync, ADTS */
    uint64_t    packets;        /* packets read */
    uint64_t    bad_packets;    /* transport errors, bad adaptation fields */
    uint64_t    cc_errors;      /* continuity counter jumps */
    uint64_t    bad_sections;   /* PAT/PMT with a bad CRC or layout,
                                   SCTE 35 not one */
    uint64_t    sections;       /* SCTE 35 sections handed over */
    uint64_t    bad_pes;        /* PES dropped: header, lost packets, size */
    uint64_t    bad_config;     /* parameter sets that make no record */
    uint64_t    dropped;        /* frames dropped: no config or time yet */
    uint32_t    ignored;        /* elementary streams left alone */
} sluice_tsdemux_stats_t;


/* malloc'ed; the handler copied.  NULL when out of memory. */
sluice_tsdemux_t *sluice_tsdemux_create(const sluice_tsdemux_handler_t *h);

/*
 * Any number of bytes.  SLUICE_OK; SLUICE_BAD_DATA when a PES longer
 * than SLUICE_TSDEMUX_MAX_PES was dropped (the other bytes demuxed);
 * SLUICE_NO_MEMORY; SLUICE_ERROR when the handler stopped.
 */
sluice_status_t sluice_tsdemux_feed(sluice_tsdemux_t *d, const uint8_t *p,
    size_t len);

/*
 * End of stream: the video access units still pending handed over; a
 * packet or ADTS frame left incomplete is counted and dropped.  The
 * demuxer is then as after a lost sync: it can be fed on.
 */
sluice_status_t sluice_tsdemux_flush(sluice_tsdemux_t *d);

/*
 * Elementary streams the PMTs listed that are not tracks: of other types
 * than the three above, or over SLUICE_TSDEMUX_MAX_TRACKS; each PID
 * counted once (64 at most)
 */
uint32_t sluice_tsdemux_ignored(const sluice_tsdemux_t *d);

const sluice_tsdemux_stats_t *sluice_tsdemux_stats(const sluice_tsdemux_t *d);

/*
 * A 33-bit PTS (a splice time) on the demuxer's clock: unwrapped to the
 * time nearest the clock, which it does not move (before the first
 * timestamp: as it is)
 */
uint64_t sluice_tsdemux_time(const sluice_tsdemux_t *d, uint64_t pts);

void sluice_tsdemux_free(sluice_tsdemux_t *d);


#endif /* _SLUICE_TSDEMUX_H_INCLUDED_ */
