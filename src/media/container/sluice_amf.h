
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * AMF0 (Adobe Action Message Format 0) decoding, enough for RTMP data
 * messages: "@setDataFrame" "onMetaData" {properties}.  Nesting depth is
 * bounded and every read is checked against the end of the buffer.
 */


#ifndef _SLUICE_AMF_H_INCLUDED_
#define _SLUICE_AMF_H_INCLUDED_


#include "media/sluice_media.h"


/* AMF0 type markers */
#define SLUICE_AMF_NUMBER        0x00
#define SLUICE_AMF_BOOLEAN       0x01
#define SLUICE_AMF_STRING        0x02
#define SLUICE_AMF_OBJECT        0x03
#define SLUICE_AMF_NULL          0x05
#define SLUICE_AMF_UNDEFINED     0x06
#define SLUICE_AMF_REFERENCE     0x07
#define SLUICE_AMF_ECMA_ARRAY    0x08
#define SLUICE_AMF_OBJECT_END    0x09
#define SLUICE_AMF_STRICT_ARRAY  0x0a
#define SLUICE_AMF_DATE          0x0b
#define SLUICE_AMF_LONG_STRING   0x0c
#define SLUICE_AMF_UNSUPPORTED   0x0d
#define SLUICE_AMF_XML           0x0f
#define SLUICE_AMF_TYPED_OBJECT  0x10

#define SLUICE_AMF_MAX_DEPTH     16


/* which fields of sluice_amf_metadata_t were present */
#define SLUICE_AMF_HAVE_WIDTH            0x0001
#define SLUICE_AMF_HAVE_HEIGHT           0x0002
#define SLUICE_AMF_HAVE_VIDEODATARATE    0x0004
#define SLUICE_AMF_HAVE_AUDIODATARATE    0x0008
#define SLUICE_AMF_HAVE_FRAMERATE        0x0010
#define SLUICE_AMF_HAVE_VIDEOCODECID     0x0020
#define SLUICE_AMF_HAVE_AUDIOCODECID     0x0040
#define SLUICE_AMF_HAVE_AUDIOSAMPLERATE  0x0080
#define SLUICE_AMF_HAVE_ENCODER          0x0100
#define SLUICE_AMF_HAVE_AUDIOCHANNELS    0x0200
#define SLUICE_AMF_HAVE_LANGUAGE         0x0400

#define SLUICE_AMF_MAX_ENCODER   64
#define SLUICE_AMF_MAX_LANGUAGE  64


typedef struct {
    uint32_t        have;               /* SLUICE_AMF_HAVE_* */
    double          width;
    double          height;
    double          videodatarate;      /* kbit/s */
    double          audiodatarate;      /* kbit/s */
    double          framerate;
    double          videocodecid;       /* 7 AVC, 12 HEVC; see fourcc */
    double          audiocodecid;       /* 10 AAC */
    double          audiosamplerate;
    double          audiochannels;

    /* codec ids sent as strings (enhanced RTMP: "avc1", "hvc1") */
    uint32_t        videocodec_fourcc;  /* 0 if a number was sent */
    uint32_t        audiocodec_fourcc;

    char            encoder[SLUICE_AMF_MAX_ENCODER];  /* NUL-terminated */

    /*
     * "language" (FFmpeg's FLV muxer sends global metadata, such as
     * -metadata language=fra, as strings): its first bytes, NUL-terminated,
     * and its length as sent (greater than what was copied if cut), not
     * checked (sluice_lang_valid())
     */
    char            language[SLUICE_AMF_MAX_LANGUAGE];
    size_t          language_len;
} sluice_amf_metadata_t;


/*
 * Parse the body of an RTMP data message (AMF0, type 18): optional
 * "@setDataFrame" string, then "onMetaData", then an ECMA array or an
 * object of properties.  Unknown properties are skipped; values of an
 * unexpected type are ignored.  SLUICE_NOT_FOUND if the message is not
 * onMetaData, SLUICE_BAD_DATA if it is malformed.
 */
sluice_status_t sluice_amf_parse_metadata(const uint8_t *p, size_t len,
    sluice_amf_metadata_t *md);

/*
 * The same from the ECMA array or object of properties on (what follows
 * "onMetaData"); SLUICE_BAD_DATA if it is neither or malformed.
 */
sluice_status_t sluice_amf_parse_properties(const uint8_t *p, size_t len,
    sluice_amf_metadata_t *md);


/* a cursor over AMF0 values */
typedef struct {
    const uint8_t  *pos;
    const uint8_t  *end;
} sluice_amf_reader_t;


/* read a number value (marker 0x00) */
sluice_status_t sluice_amf_read_number(sluice_amf_reader_t *r, double *v);

/* read a string value (marker 0x02 or 0x0c); s points into the buffer */
sluice_status_t sluice_amf_read_string(sluice_amf_reader_t *r,
    sluice_str_t *s);

/* skip one value of any supported type, nested up to SLUICE_AMF_MAX_DEPTH */
sluice_status_t sluice_amf_skip_value(sluice_amf_reader_t *r);


#endif /* _SLUICE_AMF_H_INCLUDED_ */
