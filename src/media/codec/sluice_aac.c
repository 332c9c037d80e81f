
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <stdio.h>

#include "media/codec/sluice_bits.h"
#include "media/codec/sluice_aac.h"


static uint32_t sluice_aac_read_object_type(sluice_bits_t *b);
static uint32_t sluice_aac_read_rate(sluice_bits_t *b, uint32_t *index);


static const uint32_t  sluice_aac_rates[13] = {
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000,
    11025, 8000, 7350
};


/* channelConfiguration -> channels (ISO/IEC 14496-3 table 1.19) */
static const uint8_t  sluice_aac_channels[16] = {
    0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 0, 8, 0
};


uint32_t
sluice_aac_rate_from_index(uint32_t index)
{
    return index < 13 ? sluice_aac_rates[index] : 0;
}


static uint32_t
sluice_aac_read_object_type(sluice_bits_t *b)
{
    uint32_t  aot;

    aot = sluice_bits_read(b, 5);

    if (aot == 31) {
        aot = 32 + sluice_bits_read(b, 6);
    }

    return aot;
}


static uint32_t
sluice_aac_read_rate(sluice_bits_t *b, uint32_t *index)
{
    *index = sluice_bits_read(b, 4);

    if (*index == 15) {
        return sluice_bits_read(b, 24);
    }

    return sluice_aac_rate_from_index(*index);
}


sluice_status_t
sluice_aac_parse_config(const uint8_t *p, size_t len, sluice_aac_config_t *c)
{
    uint32_t       ext_index;
    sluice_bits_t  b;

    memset(c, 0, sizeof(sluice_aac_config_t));

    c->asc = p;
    c->asc_len = len;

    sluice_bits_init(&b, p, len);

    c->object_type = sluice_aac_read_object_type(&b);
    c->sample_rate = sluice_aac_read_rate(&b, &c->sample_rate_index);
    c->channel_config = sluice_bits_read(&b, 4);
    c->base_object_type = c->object_type;

    if (c->object_type == 5 || c->object_type == 29) {
        /* explicit hierarchical SBR (and PS) signalling */
        c->ext_sample_rate = sluice_aac_read_rate(&b, &ext_index);
        c->base_object_type = sluice_aac_read_object_type(&b);
    }

    if (b.error || c->object_type == 0 || c->base_object_type == 0
        || c->sample_rate == 0
        || (c->ext_sample_rate == 0 && c->base_object_type != c->object_type))
    {
        return SLUICE_BAD_DATA;
    }

    c->channels = sluice_aac_channels[c->channel_config];
    c->frame_length = 1024;

    switch (c->base_object_type) {
    case 1: case 2: case 3: case 4: case 6: case 7: case 17: case 19:
    case 20: case 21: case 22: case 23:

        /* GASpecificConfig: frameLengthFlag */
        if (sluice_bits_read1(&b)) {
            c->frame_length = 960;
        }

        if (b.error) {
            return SLUICE_BAD_DATA;
        }

        break;

    default:
        break;
    }

    return SLUICE_OK;
}


sluice_status_t
sluice_aac_fill_info(const sluice_aac_config_t *c, sluice_track_info_t *ti)
{
    uint32_t  rate;

    if (c->asc_len == 0 || c->asc_len > SLUICE_MAX_CODEC_CONFIG) {
        return SLUICE_UNSUPPORTED;
    }

    rate = c->ext_sample_rate ? c->ext_sample_rate : c->sample_rate;

    memset(ti, 0, sizeof(sluice_track_info_t));

    ti->media_type = SLUICE_MEDIA_AUDIO;
    ti->codec = SLUICE_CODEC_AAC;
    ti->timescale = rate;
    ti->sample_rate = rate;
    ti->channels = c->channels;
    ti->object_type = c->object_type;

    snprintf(ti->codec_string, SLUICE_MAX_CODEC_STRING, "mp4a.40.%u",
             (unsigned) c->object_type);

    memcpy(ti->config, c->asc, c->asc_len);
    ti->config_len = (uint32_t) c->asc_len;

    return SLUICE_OK;
}


sluice_status_t
sluice_aac_write_adts(uint8_t out[SLUICE_AAC_ADTS_HEADER_LEN],
    const sluice_aac_config_t *c, size_t payload_len)
{
    size_t    frame_len;
    uint32_t  profile, index, i;

    if (payload_len > SLUICE_AAC_ADTS_MAX_PAYLOAD) {
        return SLUICE_BAD_DATA;
    }

    if (c->base_object_type < 1 || c->base_object_type > 4
        || c->channel_config > 7)
    {
        return SLUICE_UNSUPPORTED;
    }

    profile = c->base_object_type - 1;
    index = c->sample_rate_index;

    if (index > 12) {
        for (i = 0; i < 13; i++) {
            if (sluice_aac_rates[i] == c->sample_rate) {
                break;
            }
        }

        if (i == 13) {
            return SLUICE_UNSUPPORTED;
        }

        index = i;
    }

    frame_len = payload_len + SLUICE_AAC_ADTS_HEADER_LEN;

    out[0] = 0xff;
    out[1] = 0xf1;          /* MPEG-4, layer 0, no CRC */
    out[2] = (uint8_t) ((profile << 6) | (index << 2)
                        | (c->channel_config >> 2));
    out[3] = (uint8_t) (((c->channel_config & 3) << 6) | (frame_len >> 11));
    out[4] = (uint8_t) (frame_len >> 3);
    out[5] = (uint8_t) (((frame_len & 7) << 5) | 0x1f);
    out[6] = 0xfc;          /* buffer fullness 0x7ff, one raw block */

    return SLUICE_OK;
}
