
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/codec/sluice_bits.h"
#include "media/container/sluice_flv.h"


/* enhanced RTMP video packet types */
#define SLUICE_FLV_EX_SEQUENCE_START       0
#define SLUICE_FLV_EX_CODED_FRAMES         1
#define SLUICE_FLV_EX_SEQUENCE_END         2
#define SLUICE_FLV_EX_CODED_FRAMES_X       3


static sluice_status_t sluice_flv_parse_video_ex(const uint8_t *p,
    size_t len, sluice_flv_video_t *v);


static int32_t
sluice_flv_si24(const uint8_t *p)
{
    uint32_t  v;

    v = sluice_rb24(p);

    return (v & 0x800000) ? (int32_t) v - 0x1000000 : (int32_t) v;
}


sluice_status_t
sluice_flv_parse_video(const uint8_t *p, size_t len, sluice_flv_video_t *v)
{
    memset(v, 0, sizeof(sluice_flv_video_t));

    if (len < 1) {
        return SLUICE_BAD_DATA;
    }

    if (p[0] & 0x80) {
        return sluice_flv_parse_video_ex(p, len, v);
    }

    v->frame_type = p[0] >> 4;
    v->codec_id = p[0] & 0x0f;
    v->key = (v->frame_type == SLUICE_FLV_FRAME_KEY);

    if (v->codec_id != SLUICE_FLV_VIDEO_AVC
        && v->codec_id != SLUICE_FLV_VIDEO_HEVC)
    {
        v->codec = SLUICE_CODEC_NONE;
        v->packet_type = SLUICE_FLV_OTHER;
        v->data = p + 1;
        v->len = len - 1;
        return SLUICE_OK;
    }

    v->codec = (v->codec_id == SLUICE_FLV_VIDEO_AVC) ? SLUICE_CODEC_AVC
                                                     : SLUICE_CODEC_HEVC;

    if (v->frame_type == SLUICE_FLV_FRAME_COMMAND) {
        v->packet_type = SLUICE_FLV_OTHER;
        v->data = p + 1;
        v->len = len - 1;
        return SLUICE_OK;
    }

    if (len < 5) {
        return SLUICE_BAD_DATA;
    }

    switch (p[1]) {
    case 0:
        v->packet_type = SLUICE_FLV_SEQUENCE_HEADER;
        break;
    case 1:
        v->packet_type = SLUICE_FLV_FRAME;
        break;
    case 2:
        v->packet_type = SLUICE_FLV_END_OF_SEQUENCE;
        break;
    default:
        v->packet_type = SLUICE_FLV_OTHER;
        break;
    }

    v->cts = sluice_flv_si24(p + 2);
    v->data = p + 5;
    v->len = len - 5;

    return SLUICE_OK;
}


static sluice_status_t
sluice_flv_parse_video_ex(const uint8_t *p, size_t len, sluice_flv_video_t *v)
{
    size_t    pos;
    uint32_t  type;

    v->enhanced = 1;
    v->frame_type = (p[0] >> 4) & 0x07;
    v->key = (v->frame_type == SLUICE_FLV_FRAME_KEY);
    type = p[0] & 0x0f;

    if (len < 5) {
        return SLUICE_BAD_DATA;
    }

    v->fourcc = sluice_rb32(p + 1);
    pos = 5;

    if (v->fourcc == sluice_fourcc('a', 'v', 'c', '1')) {
        v->codec = SLUICE_CODEC_AVC;

    } else if (v->fourcc == sluice_fourcc('h', 'v', 'c', '1')) {
        v->codec = SLUICE_CODEC_HEVC;

    } else {
        v->codec = SLUICE_CODEC_NONE;
    }

    if (v->frame_type == SLUICE_FLV_FRAME_COMMAND) {
        v->packet_type = SLUICE_FLV_OTHER;

    } else {

        switch (type) {

        case SLUICE_FLV_EX_SEQUENCE_START:
            v->packet_type = SLUICE_FLV_SEQUENCE_HEADER;
            break;

        case SLUICE_FLV_EX_CODED_FRAMES:
            v->packet_type = SLUICE_FLV_FRAME;

            /* AVC and HEVC carry a composition time here */
            if (v->codec != SLUICE_CODEC_NONE) {
                if (len < 8) {
                    return SLUICE_BAD_DATA;
                }

                v->cts = sluice_flv_si24(p + 5);
                pos = 8;
            }

            break;

        case SLUICE_FLV_EX_CODED_FRAMES_X:
            v->packet_type = SLUICE_FLV_FRAME;
            break;

        case SLUICE_FLV_EX_SEQUENCE_END:
            v->packet_type = SLUICE_FLV_END_OF_SEQUENCE;
            break;

        default:
            v->packet_type = SLUICE_FLV_OTHER;
            break;
        }
    }

    v->data = p + pos;
    v->len = len - pos;

    return SLUICE_OK;
}


sluice_status_t
sluice_flv_parse_audio(const uint8_t *p, size_t len, sluice_flv_audio_t *a)
{
    memset(a, 0, sizeof(sluice_flv_audio_t));

    if (len < 1) {
        return SLUICE_BAD_DATA;
    }

    a->sound_format = p[0] >> 4;
    a->sound_rate = (p[0] >> 2) & 0x03;
    a->sound_size = (p[0] >> 1) & 0x01;
    a->sound_type = p[0] & 0x01;

    if (a->sound_format != SLUICE_FLV_AUDIO_AAC) {
        a->codec = SLUICE_CODEC_NONE;
        a->packet_type = SLUICE_FLV_FRAME;
        a->data = p + 1;
        a->len = len - 1;
        return SLUICE_OK;
    }

    if (len < 2) {
        return SLUICE_BAD_DATA;
    }

    a->codec = SLUICE_CODEC_AAC;

    switch (p[1]) {
    case 0:
        a->packet_type = SLUICE_FLV_SEQUENCE_HEADER;
        break;
    case 1:
        a->packet_type = SLUICE_FLV_FRAME;
        break;
    default:
        a->packet_type = SLUICE_FLV_OTHER;
        break;
    }

    a->data = p + 2;
    a->len = len - 2;

    return SLUICE_OK;
}


sluice_status_t
sluice_flv_file_init(sluice_flv_file_t *f, const uint8_t *p, size_t len)
{
    uint32_t  hdr;

    memset(f, 0, sizeof(sluice_flv_file_t));

    if (len < 9 || p[0] != 'F' || p[1] != 'L' || p[2] != 'V') {
        return SLUICE_BAD_DATA;
    }

    hdr = sluice_rb32(p + 5);

    if (hdr < 9 || hdr > len) {
        return SLUICE_BAD_DATA;
    }

    f->data = p;
    f->len = len;
    f->has_audio = (p[4] & 0x04) ? 1 : 0;
    f->has_video = (p[4] & 0x01) ? 1 : 0;

    /* skip PreviousTagSize0 too */
    f->pos = (size_t) hdr + 4;

    return SLUICE_OK;
}


sluice_status_t
sluice_flv_file_next(sluice_flv_file_t *f, sluice_flv_tag_t *tag)
{
    size_t          n;
    const uint8_t  *p;

    if (f->pos >= f->len || f->len - f->pos < 11) {
        return SLUICE_NOT_FOUND;
    }

    p = f->data + f->pos;

    if (p[0] & 0x20) {
        return SLUICE_BAD_DATA;             /* filtered (encrypted) */
    }

    n = sluice_rb24(p + 1);

    if (f->len - f->pos - 11 < n) {
        return SLUICE_NOT_FOUND;
    }

    tag->type = p[0] & 0x1f;
    tag->timestamp = sluice_rb24(p + 4) | ((uint32_t) p[7] << 24);
    tag->data = p + 11;
    tag->len = n;

    /* tag, then PreviousTagSize (may be missing after the last tag) */
    f->pos += 11 + n + 4;

    return SLUICE_OK;
}
