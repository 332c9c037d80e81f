
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * FLV tag bodies as RTMP delivers them (the payload of message types 8,
 * audio, and 9, video), legacy and enhanced RTMP, and a small FLV file
 * reader for tools and tests.
 */


#ifndef _SLUICE_FLV_H_INCLUDED_
#define _SLUICE_FLV_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_FLV_TAG_AUDIO          8
#define SLUICE_FLV_TAG_VIDEO          9
#define SLUICE_FLV_TAG_SCRIPT         18

/* video frame types */
#define SLUICE_FLV_FRAME_KEY          1
#define SLUICE_FLV_FRAME_INTER        2
#define SLUICE_FLV_FRAME_DISPOSABLE   3
#define SLUICE_FLV_FRAME_GENERATED    4
#define SLUICE_FLV_FRAME_COMMAND      5   /* video info / command frame */

/* legacy video codec ids */
#define SLUICE_FLV_VIDEO_AVC          7
#define SLUICE_FLV_VIDEO_HEVC         12  /* non-standard, common in CN */

/* audio sound formats */
#define SLUICE_FLV_AUDIO_MP3          2
#define SLUICE_FLV_AUDIO_AAC          10

/* packet types, normalised for legacy and enhanced RTMP */
#define SLUICE_FLV_SEQUENCE_HEADER    0   /* decoder configuration */
#define SLUICE_FLV_FRAME              1   /* coded frame(s) */
#define SLUICE_FLV_END_OF_SEQUENCE    2
#define SLUICE_FLV_OTHER              3   /* metadata, command, ... */

#define sluice_fourcc(a, b, c, d)                                             \
    (((uint32_t) (a) << 24) | ((uint32_t) (b) << 16)                          \
     | ((uint32_t) (c) << 8) | (uint32_t) (d))


typedef struct {
    uint32_t        frame_type;     /* SLUICE_FLV_FRAME_* */
    uint32_t        codec_id;       /* legacy id, or 0 when enhanced */
    uint32_t        fourcc;         /* enhanced RTMP FourCC, or 0 */
    uint32_t        codec;          /* sluice_codec_t, NONE if other */
    uint32_t        packet_type;    /* SLUICE_FLV_SEQUENCE_HEADER... */
    uint32_t        key;            /* frame_type == KEY */
    uint32_t        enhanced;       /* enhanced RTMP header */
    int32_t         cts;            /* composition offset, ms */
    const uint8_t  *data;           /* record or length-prefixed AU */
    size_t          len;
} sluice_flv_video_t;


typedef struct {
    uint32_t        sound_format;   /* SLUICE_FLV_AUDIO_* */
    uint32_t        sound_rate;     /* 0..3 (5.5, 11, 22, 44 kHz) */
    uint32_t        sound_size;     /* 0: 8 bits, 1: 16 bits */
    uint32_t        sound_type;     /* 0 mono, 1 stereo */
    uint32_t        codec;          /* sluice_codec_t, NONE if other */
    uint32_t        packet_type;    /* AAC: SEQUENCE_HEADER or FRAME */
    const uint8_t  *data;           /* ASC or raw AAC frame */
    size_t          len;
} sluice_flv_audio_t;


/*
 * Parse a video tag body.  Legacy: FrameType|CodecID, and for AVC/HEVC
 * AVCPacketType and a signed 24-bit composition time.  Enhanced RTMP
 * (IsExHeader bit): PacketType, FourCC ('avc1', 'hvc1') and, for
 * CodedFrames, the composition time; CodedFramesX gives cts 0.
 * Codecs other than AVC/HEVC give SLUICE_OK with codec NONE and the rest
 * of the body in data.  SLUICE_BAD_DATA if too short.
 */
sluice_status_t sluice_flv_parse_video(const uint8_t *p, size_t len,
    sluice_flv_video_t *v);

/*
 * Parse an audio tag body: SoundFormat|Rate|Size|Type and, for AAC, the
 * AACPacketType.  SLUICE_BAD_DATA if too short.
 */
sluice_status_t sluice_flv_parse_audio(const uint8_t *p, size_t len,
    sluice_flv_audio_t *a);


/* FLV file reader (tools and tests) */

typedef struct {
    const uint8_t  *data;
    size_t          len;
    size_t          pos;
    uint32_t        has_audio;
    uint32_t        has_video;
} sluice_flv_file_t;


typedef struct {
    uint32_t        type;           /* SLUICE_FLV_TAG_* */
    uint32_t        timestamp;      /* ms, 32 bits with the extension */
    const uint8_t  *data;           /* tag body */
    size_t          len;
} sluice_flv_tag_t;


/* check the FLV header; SLUICE_BAD_DATA if not an FLV file */
sluice_status_t sluice_flv_file_init(sluice_flv_file_t *f, const uint8_t *p,
    size_t len);

/*
 * Next tag: SLUICE_OK, SLUICE_NOT_FOUND at the end (a truncated last tag
 * also ends the file), SLUICE_BAD_DATA for a malformed or encrypted tag.
 */
sluice_status_t sluice_flv_file_next(sluice_flv_file_t *f,
    sluice_flv_tag_t *tag);


#endif /* _SLUICE_FLV_H_INCLUDED_ */
