
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the FLV tag body parsers and the FLV file reader:
 * the input is parsed as a video body, an audio body and an FLV file whose
 * tags are parsed in turn (sequence headers through the AVC/AAC parsers).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/media \
 *       t/fuzz/fuzz_flv.c src/media/sluice_flv.c src/media/sluice_avc.c \
 *       src/media/sluice_aac.c src/media/sluice_amf.c \
 *       src/media/sluice_bits.c -o fuzz_flv
 *   ./fuzz_flv t/fuzz/corpus/flv
 */


#include <stdlib.h>

#include "media/container/sluice_flv.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_aac.h"
#include "media/container/sluice_amf.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void
fuzz_inside(const uint8_t *p, size_t len, const uint8_t *data, size_t size)
{
    if (p < data || p > data + size || len > (size_t) (data + size - p)) {
        abort();
    }
}


static void
fuzz_body(uint32_t type, const uint8_t *p, size_t len)
{
    sluice_flv_audio_t     a;
    sluice_flv_video_t     v;
    sluice_aac_config_t    aac;
    sluice_avc_config_t    avc;
    sluice_amf_metadata_t  md;

    switch (type) {

    case SLUICE_FLV_TAG_VIDEO:
        if (sluice_flv_parse_video(p, len, &v) != SLUICE_OK) {
            return;
        }

        fuzz_inside(v.data, v.len, p, len);

        if (v.codec == SLUICE_CODEC_AVC
            && v.packet_type == SLUICE_FLV_SEQUENCE_HEADER)
        {
            (void) sluice_avc_parse_config(v.data, v.len, &avc);

        } else if (v.packet_type == SLUICE_FLV_FRAME) {
            (void) sluice_avc_has_idr(v.data, v.len, 4);
        }

        return;

    case SLUICE_FLV_TAG_AUDIO:
        if (sluice_flv_parse_audio(p, len, &a) != SLUICE_OK) {
            return;
        }

        fuzz_inside(a.data, a.len, p, len);

        if (a.codec == SLUICE_CODEC_AAC
            && a.packet_type == SLUICE_FLV_SEQUENCE_HEADER)
        {
            (void) sluice_aac_parse_config(a.data, a.len, &aac);
        }

        return;

    default:
        (void) sluice_amf_parse_metadata(p, len, &md);
        return;
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sluice_flv_tag_t   tag;
    sluice_flv_file_t  f;

    fuzz_body(SLUICE_FLV_TAG_VIDEO, data, size);
    fuzz_body(SLUICE_FLV_TAG_AUDIO, data, size);

    if (sluice_flv_file_init(&f, data, size) != SLUICE_OK) {
        return 0;
    }

    while (sluice_flv_file_next(&f, &tag) == SLUICE_OK) {
        fuzz_inside(tag.data, tag.len, data, size);
        fuzz_body(tag.type, tag.data, tag.len);
    }

    return 0;
}
