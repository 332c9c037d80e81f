
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * SCTE 35 splice_info_section (ANSI/SCTE 35 2019+, section 9): the ad
 * markers an encoder sends (RTMP onAdCue "cue", Smooth sparse tracks,
 * MPEG-TS stream type 0x86) and the ones Sluice makes from AMS's simple
 * mode for outputs that need the binary form.
 *
 * The parser checks table_id 0xFC, section_length against the buffer,
 * the CRC-32 (MPEG-2: polynomial 0x04C11DB7, initial 0xFFFFFFFF, no
 * reflection, no final XOR), refuses encrypted sections, reads
 * splice_null, splice_insert, time_signal and bandwidth_reservation into
 * fields, keeps every command's bytes raw (splice_schedule and
 * private_command only raw), and reads the descriptor loop: each
 * descriptor raw, segmentation_descriptors (tag 0x02, "CUEI") also into
 * fields.  Every sluice_str_t of the result points into the input.
 *
 * The writer makes splice_insert, time_signal and splice_null sections
 * (descriptor loop given raw) with their CRC; size first, then write.
 */


#ifndef _SLUICE_SCTE35_H_INCLUDED_
#define _SLUICE_SCTE35_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_SCTE35_TABLE_ID              0xFC

/* splice_command_type */
#define SLUICE_SCTE35_SPLICE_NULL           0x00
#define SLUICE_SCTE35_SPLICE_SCHEDULE       0x04
#define SLUICE_SCTE35_SPLICE_INSERT         0x05
#define SLUICE_SCTE35_TIME_SIGNAL           0x06
#define SLUICE_SCTE35_BANDWIDTH_RESERVATION 0x07
#define SLUICE_SCTE35_PRIVATE_COMMAND       0xFF

/* splice_descriptor_tag */
#define SLUICE_SCTE35_AVAIL_DESCRIPTOR      0x00
#define SLUICE_SCTE35_SEGMENTATION_DESCRIPTOR 0x02
#define SLUICE_SCTE35_CUEI                  0x43554549

/* a whole section: 3 header bytes and a 12-bit section_length */
#define SLUICE_SCTE35_MAX_SECTION           (3 + 4095)
#define SLUICE_SCTE35_MAX_DESCRIPTORS       16
#define SLUICE_SCTE35_MAX_SEGMENTATIONS     8

/* pts_time, pts_adjustment, durations: 33 bits of 90 kHz */
#define SLUICE_SCTE35_PTS_MASK              0x1FFFFFFFFULL


typedef struct {
    uint32_t        tag;
    uint32_t        identifier;     /* "CUEI" = 0x43554549 */
    sluice_str_t    raw;            /* tag, length and payload */
} sluice_scte35_descriptor_t;


/* segmentation_descriptor() (SCTE 35 10.3.3) */
typedef struct {
    uint32_t        event_id;
    uint32_t        type_id;        /* 0x34 placement opportunity start... */
    uint32_t        segment_num;
    uint32_t        segments_expected;
    uint32_t        sub_segment_num;        /* when has_sub_segments */
    uint32_t        sub_segments_expected;
    uint32_t        upid_type;
    sluice_str_t    upid;           /* raw segmentation_upid() bytes */
    uint64_t        duration;       /* 90 kHz, 40 bits; has_duration */
    unsigned        cancel:1;
    unsigned        program:1;      /* program_segmentation_flag */
    unsigned        has_duration:1;
    unsigned        has_sub_segments:1;
} sluice_scte35_segmentation_t;


typedef struct {
    sluice_str_t    section;        /* the whole section, CRC included */
    uint32_t        sap_type;
    uint32_t        protocol_version;
    uint64_t        pts_adjustment;
    uint32_t        tier;
    uint32_t        command_type;   /* SLUICE_SCTE35_SPLICE_NULL... */
    sluice_str_t    command;        /* splice_command() bytes */

    /* splice_insert; time_signal sets time_specified and pts_time */
    uint32_t        event_id;
    unsigned        event_cancel:1;
    unsigned        out_of_network:1;
    unsigned        program_splice:1;
    unsigned        duration_flag:1;
    unsigned        splice_immediate:1;
    unsigned        auto_return:1;  /* break_duration(), duration_flag */
    unsigned        time_specified:1;
    uint64_t        pts_time;       /* 90 kHz, when time_specified */
    uint64_t        break_duration; /* 90 kHz, when duration_flag */
    uint32_t        component_count;        /* program_splice 0 */
    uint32_t        unique_program_id;
    uint32_t        avail_num;
    uint32_t        avails_expected;

    sluice_str_t    descriptor_loop;        /* raw */
    uint32_t        ndescriptors;   /* kept; more are counted in raw only */
    sluice_scte35_descriptor_t    descriptors[SLUICE_SCTE35_MAX_DESCRIPTORS];
    uint32_t        nsegmentations;
    sluice_scte35_segmentation_t  segmentations[
                                      SLUICE_SCTE35_MAX_SEGMENTATIONS];
} sluice_scte35_t;


/* what the writer makes */
typedef struct {
    uint32_t        command_type;   /* SPLICE_INSERT, TIME_SIGNAL, NULL */
    uint64_t        pts_adjustment;

    /* splice_insert (a program splice) */
    uint32_t        event_id;
    unsigned        event_cancel:1;
    unsigned        out_of_network:1;
    unsigned        splice_immediate:1;
    unsigned        has_duration:1;
    unsigned        auto_return:1;
    uint64_t        duration;       /* 90 kHz, when has_duration */
    uint32_t        unique_program_id;
    uint32_t        avail_num;
    uint32_t        avails_expected;

    /* splice_insert (not immediate) and time_signal */
    unsigned        time_specified:1;
    uint64_t        pts_time;       /* 90 kHz */

    sluice_str_t    descriptor_loop;        /* raw descriptors, or empty */
} sluice_scte35_splice_t;


/* CRC-32/MPEG-2 of p[0..n) */
uint32_t sluice_scte35_crc32(const uint8_t *p, size_t n);

/*
 * Parses the section at p[0..len); bytes after it must be 0xFF stuffing.
 * SLUICE_BAD_DATA (malformed, bad CRC) or SLUICE_UNSUPPORTED (encrypted,
 * a protocol_version other than 0, an unknown command whose length is
 * not given) with *reason, a static sentence.
 */
sluice_status_t sluice_scte35_parse(sluice_scte35_t *s, const uint8_t *p,
    size_t len, const char **reason);

/* (pts_time + pts_adjustment) mod 2^33: the splice point in 90 kHz PTS */
uint64_t sluice_scte35_splice_pts(const sluice_scte35_t *s);

/*
 * The section's size (0 when the splice cannot be written: unknown
 * command, descriptor loop or section too long), then the section itself,
 * CRC included; write returns p + size.
 */
size_t sluice_scte35_size(const sluice_scte35_splice_t *sp);
uint8_t *sluice_scte35_write(uint8_t *p, const sluice_scte35_splice_t *sp);


#endif /* _SLUICE_SCTE35_H_INCLUDED_ */
