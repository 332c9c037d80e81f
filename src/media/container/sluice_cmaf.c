
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/codec/sluice_bits.h"
#include "media/container/sluice_cmaf.h"



#define sluice_cmaf_type(s)                                                   \
    sluice_fourcc((s)[0], (s)[1], (s)[2], (s)[3])


const uint8_t  sluice_cmaf_tfxd_uuid[16] = {
    0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6,
    0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57, 0xb2
};


static const uint32_t  sluice_cmaf_matrix[9] = {
    0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000
};


static const char  sluice_cmaf_ftyp[] = "iso6" "\0\0\0\0" "iso6cmfcdash";
static const char  sluice_cmaf_styp[] = "msdh" "\0\0\0\0" "msdhcmfscmff";


/* box helpers (exported: src/media/crypto writes its boxes with them) */

uint8_t *
sluice_cmaf_box(uint8_t *p, size_t size, const char *type)
{
    p = sluice_wb32(p, (uint32_t) size);
    memcpy(p, type, 4);

    return p + 4;
}


uint8_t *
sluice_cmaf_full_box(uint8_t *p, size_t size, const char *type,
    uint32_t version, uint32_t flags)
{
    p = sluice_cmaf_box(p, size, type);

    return sluice_wb32(p, (version << 24) | (flags & 0xffffff));
}


static uint8_t *
sluice_cmaf_zeros(uint8_t *p, size_t n)
{
    memset(p, 0, n);

    return p + n;
}


static uint8_t *
sluice_cmaf_copy(uint8_t *p, const void *src, size_t n)
{
    memcpy(p, src, n);

    return p + n;
}


static uint8_t *
sluice_cmaf_matrix_write(uint8_t *p)
{
    int  i;

    for (i = 0; i < 9; i++) {
        p = sluice_wb32(p, sluice_cmaf_matrix[i]);
    }

    return p;
}


/* init segment sizes */

#define SLUICE_CMAF_FTYP_SIZE   (8 + sizeof(sluice_cmaf_ftyp) - 1)
#define SLUICE_CMAF_MVHD_SIZE   108
#define SLUICE_CMAF_TKHD_SIZE   92
#define SLUICE_CMAF_MDHD_SIZE   32
#define SLUICE_CMAF_HDLR_SIZE   (32 + 13)
#define SLUICE_CMAF_VMHD_SIZE   20
#define SLUICE_CMAF_SMHD_SIZE   16
#define SLUICE_CMAF_DINF_SIZE   36
#define SLUICE_CMAF_EMPTY_SIZE  (16 + 16 + 20 + 16)   /* stts stsc stsz stco */
#define SLUICE_CMAF_MVEX_SIZE   40
#define SLUICE_CMAF_VISUAL_SIZE 86
#define SLUICE_CMAF_AUDIO_SIZE  36


static size_t
sluice_cmaf_desc_len_size(size_t n)
{
    return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4;
}


static uint8_t *
sluice_cmaf_desc(uint8_t *p, uint32_t tag, size_t n)
{
    size_t  i, k;

    *p++ = (uint8_t) tag;
    k = sluice_cmaf_desc_len_size(n);

    for (i = k; i > 0; i--) {
        *p++ = (uint8_t) (((n >> (7 * (i - 1))) & 0x7f) | (i > 1 ? 0x80 : 0));
    }

    return p;
}


/* payload sizes of the esds descriptors */

static size_t
sluice_cmaf_dsi_size(const sluice_track_info_t *ti)
{
    return 1 + sluice_cmaf_desc_len_size(ti->config_len) + ti->config_len;
}


static size_t
sluice_cmaf_dcd_payload(const sluice_track_info_t *ti)
{
    return 13 + sluice_cmaf_dsi_size(ti);
}


static size_t
sluice_cmaf_es_payload(const sluice_track_info_t *ti)
{
    size_t  dcd;

    dcd = sluice_cmaf_dcd_payload(ti);

    return 3 + 1 + sluice_cmaf_desc_len_size(dcd) + dcd + 3;
}


static size_t
sluice_cmaf_esds_size(const sluice_track_info_t *ti)
{
    size_t  es;

    es = sluice_cmaf_es_payload(ti);

    return 12 + 1 + sluice_cmaf_desc_len_size(es) + es;
}


static size_t
sluice_cmaf_entry_size(const sluice_track_info_t *ti)
{
    switch (ti->codec) {

    case SLUICE_CODEC_AVC:
    case SLUICE_CODEC_HEVC:
        return SLUICE_CMAF_VISUAL_SIZE + 8 + ti->config_len;

    case SLUICE_CODEC_AAC:
        return SLUICE_CMAF_AUDIO_SIZE + sluice_cmaf_esds_size(ti);

    default:
        return 0;
    }
}


static size_t
sluice_cmaf_stbl_size(const sluice_track_info_t *ti)
{
    return 8 + 16 + sluice_cmaf_entry_size(ti) + SLUICE_CMAF_EMPTY_SIZE;
}


static size_t
sluice_cmaf_minf_size(const sluice_track_info_t *ti)
{
    return 8 + (ti->media_type == SLUICE_MEDIA_VIDEO ? SLUICE_CMAF_VMHD_SIZE
                                                     : SLUICE_CMAF_SMHD_SIZE)
           + SLUICE_CMAF_DINF_SIZE + sluice_cmaf_stbl_size(ti);
}


static size_t
sluice_cmaf_mdia_size(const sluice_track_info_t *ti)
{
    return 8 + SLUICE_CMAF_MDHD_SIZE + SLUICE_CMAF_HDLR_SIZE
           + sluice_cmaf_minf_size(ti);
}


static size_t
sluice_cmaf_trak_size(const sluice_track_info_t *ti)
{
    return 8 + SLUICE_CMAF_TKHD_SIZE + sluice_cmaf_mdia_size(ti);
}


static size_t
sluice_cmaf_moov_size(const sluice_track_info_t *ti)
{
    return 8 + SLUICE_CMAF_MVHD_SIZE + sluice_cmaf_trak_size(ti)
           + SLUICE_CMAF_MVEX_SIZE;
}


static int
sluice_cmaf_supported(const sluice_track_info_t *ti)
{
    if (ti->config_len == 0 || ti->config_len > SLUICE_MAX_CODEC_CONFIG
        || ti->timescale == 0)
    {
        return 0;
    }

    switch (ti->codec) {

    case SLUICE_CODEC_AVC:
    case SLUICE_CODEC_HEVC:
        return ti->media_type == SLUICE_MEDIA_VIDEO;

    case SLUICE_CODEC_AAC:
        return ti->media_type == SLUICE_MEDIA_AUDIO;

    default:
        return 0;
    }
}


size_t
sluice_cmaf_init_size(const sluice_track_info_t *ti, uint32_t track_id)
{
    if (!sluice_cmaf_supported(ti)) {
        return 0;
    }

    return SLUICE_CMAF_FTYP_SIZE + sluice_cmaf_moov_size(ti);
}


/* init segment writers */

static uint8_t *
sluice_cmaf_write_mvhd(uint8_t *p, uint32_t track_id)
{
    p = sluice_cmaf_full_box(p, SLUICE_CMAF_MVHD_SIZE, "mvhd", 0, 0);
    p = sluice_cmaf_zeros(p, 8);                /* creation, modification */
    p = sluice_wb32(p, 1000);                   /* timescale */
    p = sluice_wb32(p, 0);                      /* duration */
    p = sluice_wb32(p, 0x00010000);             /* rate 1.0 */
    p = sluice_wb16(p, 0x0100);                 /* volume 1.0 */
    p = sluice_cmaf_zeros(p, 10);
    p = sluice_cmaf_matrix_write(p);
    p = sluice_cmaf_zeros(p, 24);               /* pre_defined */

    return sluice_wb32(p, track_id + 1);        /* next_track_ID */
}


static uint8_t *
sluice_cmaf_write_tkhd(uint8_t *p, const sluice_track_info_t *ti,
    uint32_t track_id)
{
    int  video;

    video = (ti->media_type == SLUICE_MEDIA_VIDEO);

    /* flags: track enabled, in movie */
    p = sluice_cmaf_full_box(p, SLUICE_CMAF_TKHD_SIZE, "tkhd", 0, 3);
    p = sluice_cmaf_zeros(p, 8);                /* creation, modification */
    p = sluice_wb32(p, track_id);
    p = sluice_wb32(p, 0);                      /* reserved */
    p = sluice_wb32(p, 0);                      /* duration */
    p = sluice_cmaf_zeros(p, 8);                /* reserved */
    p = sluice_wb16(p, 0);                      /* layer */
    p = sluice_wb16(p, 0);                      /* alternate_group */
    p = sluice_wb16(p, video ? 0 : 0x0100);     /* volume */
    p = sluice_wb16(p, 0);
    p = sluice_cmaf_matrix_write(p);
    p = sluice_wb32(p, video ? (ti->width & 0xffff) << 16 : 0);

    return sluice_wb32(p, video ? (ti->height & 0xffff) << 16 : 0);
}


static uint8_t *
sluice_cmaf_write_mdhd(uint8_t *p, const sluice_track_info_t *ti)
{
    p = sluice_cmaf_full_box(p, SLUICE_CMAF_MDHD_SIZE, "mdhd", 0, 0);
    p = sluice_cmaf_zeros(p, 8);
    p = sluice_wb32(p, ti->timescale);
    p = sluice_wb32(p, 0);                      /* duration */
    p = sluice_wb16(p, 0x55c4);                 /* 'und' */

    return sluice_wb16(p, 0);
}


static uint8_t *
sluice_cmaf_write_hdlr(uint8_t *p, const sluice_track_info_t *ti)
{
    int  video;

    video = (ti->media_type == SLUICE_MEDIA_VIDEO);

    p = sluice_cmaf_full_box(p, SLUICE_CMAF_HDLR_SIZE, "hdlr", 0, 0);
    p = sluice_wb32(p, 0);                      /* pre_defined */
    p = sluice_cmaf_copy(p, video ? "vide" : "soun", 4);
    p = sluice_cmaf_zeros(p, 12);

    /* 12 characters and the terminating NUL */
    return sluice_cmaf_copy(p, video ? "VideoHandler" : "SoundHandler", 13);
}


static uint8_t *
sluice_cmaf_write_dinf(uint8_t *p)
{
    p = sluice_cmaf_box(p, SLUICE_CMAF_DINF_SIZE, "dinf");
    p = sluice_cmaf_full_box(p, 28, "dref", 0, 0);
    p = sluice_wb32(p, 1);                      /* entry_count */

    /* self-contained: media data in the same file */
    return sluice_cmaf_full_box(p, 12, "url ", 0, 1);
}


static uint8_t *
sluice_cmaf_write_visual(uint8_t *p, const sluice_track_info_t *ti)
{
    int  hevc;

    hevc = (ti->codec == SLUICE_CODEC_HEVC);

    p = sluice_cmaf_box(p, sluice_cmaf_entry_size(ti), hevc ? "hvc1" : "avc1");
    p = sluice_cmaf_zeros(p, 6);
    p = sluice_wb16(p, 1);                      /* data_reference_index */
    p = sluice_cmaf_zeros(p, 16);               /* pre_defined, reserved */
    p = sluice_wb16(p, ti->width);
    p = sluice_wb16(p, ti->height);
    p = sluice_wb32(p, 0x00480000);             /* 72 dpi */
    p = sluice_wb32(p, 0x00480000);
    p = sluice_wb32(p, 0);
    p = sluice_wb16(p, 1);                      /* frame_count */
    p = sluice_cmaf_zeros(p, 32);               /* compressorname */
    p = sluice_wb16(p, 0x0018);                 /* depth */
    p = sluice_wb16(p, 0xffff);                 /* pre_defined -1 */

    p = sluice_cmaf_box(p, 8 + ti->config_len, hevc ? "hvcC" : "avcC");

    return sluice_cmaf_copy(p, ti->config, ti->config_len);
}


static uint8_t *
sluice_cmaf_write_esds(uint8_t *p, const sluice_track_info_t *ti,
    uint32_t track_id)
{
    size_t  es, dcd;

    es = sluice_cmaf_es_payload(ti);
    dcd = sluice_cmaf_dcd_payload(ti);

    p = sluice_cmaf_full_box(p, sluice_cmaf_esds_size(ti), "esds", 0, 0);

    p = sluice_cmaf_desc(p, 0x03, es);          /* ES_Descriptor */
    p = sluice_wb16(p, track_id);               /* ES_ID */
    p = sluice_wb8(p, 0);                       /* no dependency, URL, OCR */

    p = sluice_cmaf_desc(p, 0x04, dcd);         /* DecoderConfigDescriptor */
    p = sluice_wb8(p, 0x40);                    /* MPEG-4 audio */
    p = sluice_wb8(p, 0x15);                    /* audio stream, reserved 1 */
    p = sluice_wb24(p, 0);                      /* bufferSizeDB */
    p = sluice_wb32(p, ti->bitrate);            /* maxBitrate */
    p = sluice_wb32(p, ti->bitrate);            /* avgBitrate */

    p = sluice_cmaf_desc(p, 0x05, ti->config_len);  /* DecSpecificInfo */
    p = sluice_cmaf_copy(p, ti->config, ti->config_len);

    p = sluice_cmaf_desc(p, 0x06, 1);           /* SLConfigDescriptor */

    return sluice_wb8(p, 0x02);                 /* predefined: MP4 */
}


static uint8_t *
sluice_cmaf_write_audio(uint8_t *p, const sluice_track_info_t *ti,
    uint32_t track_id)
{
    uint32_t  rate;

    rate = ti->sample_rate ? ti->sample_rate : ti->timescale;

    p = sluice_cmaf_box(p, sluice_cmaf_entry_size(ti), "mp4a");
    p = sluice_cmaf_zeros(p, 6);
    p = sluice_wb16(p, 1);                      /* data_reference_index */
    p = sluice_cmaf_zeros(p, 8);
    p = sluice_wb16(p, ti->channels ? ti->channels : 2);
    p = sluice_wb16(p, 16);                     /* samplesize */
    p = sluice_wb32(p, 0);                      /* pre_defined, reserved */

    /* 16.16; rates above 65535 are carried by the ASC alone */
    p = sluice_wb32(p, rate <= 0xffff ? rate << 16 : 0);

    return sluice_cmaf_write_esds(p, ti, track_id);
}


static uint8_t *
sluice_cmaf_write_stbl(uint8_t *p, const sluice_track_info_t *ti,
    uint32_t track_id)
{
    p = sluice_cmaf_box(p, sluice_cmaf_stbl_size(ti), "stbl");

    p = sluice_cmaf_full_box(p, 16 + sluice_cmaf_entry_size(ti), "stsd", 0, 0);
    p = sluice_wb32(p, 1);                      /* entry_count */

    if (ti->codec == SLUICE_CODEC_AAC) {
        p = sluice_cmaf_write_audio(p, ti, track_id);

    } else {
        p = sluice_cmaf_write_visual(p, ti);
    }

    p = sluice_cmaf_full_box(p, 16, "stts", 0, 0);
    p = sluice_wb32(p, 0);
    p = sluice_cmaf_full_box(p, 16, "stsc", 0, 0);
    p = sluice_wb32(p, 0);
    p = sluice_cmaf_full_box(p, 20, "stsz", 0, 0);
    p = sluice_wb32(p, 0);                      /* sample_size */
    p = sluice_wb32(p, 0);                      /* sample_count */
    p = sluice_cmaf_full_box(p, 16, "stco", 0, 0);

    return sluice_wb32(p, 0);
}


uint8_t *
sluice_cmaf_init_write(uint8_t *p, const sluice_track_info_t *ti,
    uint32_t track_id)
{
    if (!sluice_cmaf_supported(ti)) {
        return NULL;
    }

    p = sluice_cmaf_box(p, SLUICE_CMAF_FTYP_SIZE, "ftyp");
    p = sluice_cmaf_copy(p, sluice_cmaf_ftyp, sizeof(sluice_cmaf_ftyp) - 1);

    p = sluice_cmaf_box(p, sluice_cmaf_moov_size(ti), "moov");
    p = sluice_cmaf_write_mvhd(p, track_id);

    p = sluice_cmaf_box(p, sluice_cmaf_trak_size(ti), "trak");
    p = sluice_cmaf_write_tkhd(p, ti, track_id);

    p = sluice_cmaf_box(p, sluice_cmaf_mdia_size(ti), "mdia");
    p = sluice_cmaf_write_mdhd(p, ti);
    p = sluice_cmaf_write_hdlr(p, ti);

    p = sluice_cmaf_box(p, sluice_cmaf_minf_size(ti), "minf");

    if (ti->media_type == SLUICE_MEDIA_VIDEO) {
        p = sluice_cmaf_full_box(p, SLUICE_CMAF_VMHD_SIZE, "vmhd", 0, 1);
        p = sluice_cmaf_zeros(p, 8);            /* graphicsmode, opcolor */

    } else {
        p = sluice_cmaf_full_box(p, SLUICE_CMAF_SMHD_SIZE, "smhd", 0, 0);
        p = sluice_wb32(p, 0);                  /* balance, reserved */
    }

    p = sluice_cmaf_write_dinf(p);
    p = sluice_cmaf_write_stbl(p, ti, track_id);

    p = sluice_cmaf_box(p, SLUICE_CMAF_MVEX_SIZE, "mvex");
    p = sluice_cmaf_full_box(p, 32, "trex", 0, 0);
    p = sluice_wb32(p, track_id);
    p = sluice_wb32(p, 1);                      /* sample description */
    p = sluice_wb32(p, 0);                      /* default duration */
    p = sluice_wb32(p, 0);                      /* default size */

    return sluice_wb32(p, 0);                   /* default flags */
}


/* fragments */

#define SLUICE_CMAF_STYP_SIZE   (8 + sizeof(sluice_cmaf_styp) - 1)
#define SLUICE_CMAF_MFHD_SIZE   16
#define SLUICE_CMAF_TFHD_SIZE   16
#define SLUICE_CMAF_TFDT_SIZE   20
#define SLUICE_CMAF_TFXD_SIZE   44


static int
sluice_cmaf_has_cts(const sluice_fragment_t *f, int *negative)
{
    int       any;
    uint32_t  i;

    any = 0;
    *negative = 0;

    for (i = 0; i < f->nsamples; i++) {
        if (f->samples[i].cts != 0) {
            any = 1;
        }

        if (f->samples[i].cts < 0) {
            *negative = 1;
        }
    }

    return any;
}


static size_t
sluice_cmaf_trun_size(const sluice_fragment_t *f)
{
    int  negative;

    return 20 + (size_t) f->nsamples
                * (sluice_cmaf_has_cts(f, &negative) ? 16 : 12);
}


static size_t
sluice_cmaf_moof_size(const sluice_fragment_t *f, uint32_t flags)
{
    return 8 + SLUICE_CMAF_MFHD_SIZE + 8 + SLUICE_CMAF_TFHD_SIZE
           + ((flags & SLUICE_CMAF_NO_TFDT) ? 0 : SLUICE_CMAF_TFDT_SIZE)
           + sluice_cmaf_trun_size(f)
           + ((flags & SLUICE_CMAF_SMOOTH) ? SLUICE_CMAF_TFXD_SIZE : 0);
}


static uint64_t
sluice_cmaf_data_size(const sluice_fragment_t *f)
{
    uint32_t  i;
    uint64_t  n;

    n = 0;

    for (i = 0; i < f->nsamples; i++) {
        n += f->samples[i].size;
    }

    return n;
}


size_t
sluice_cmaf_styp_size(void)
{
    return SLUICE_CMAF_STYP_SIZE;
}


size_t
sluice_cmaf_fragment_size(const sluice_fragment_t *f, uint32_t track_id,
    uint32_t flags)
{
    size_t    head;
    uint32_t  i;
    uint64_t  data;

    if (f->nsamples == 0 || f->nsamples > SLUICE_CMAF_MAX_SAMPLES) {
        return 0;
    }

    /* what is written must read back: no empty samples (see the reader) */
    for (i = 0; i < f->nsamples; i++) {
        if (f->samples[i].size == 0) {
            return 0;
        }
    }

    head = sluice_cmaf_moof_size(f, flags) + 8;
    data = sluice_cmaf_data_size(f);

    if (data + head > UINT32_MAX) {
        return 0;
    }

    if ((flags & SLUICE_CMAF_STYP) && !(flags & SLUICE_CMAF_SMOOTH)) {
        head += SLUICE_CMAF_STYP_SIZE;
    }

    return (flags & SLUICE_CMAF_NO_DATA) ? head : head + (size_t) data;
}


static uint8_t *
sluice_cmaf_write_trun(uint8_t *p, const sluice_fragment_t *f,
    size_t data_offset, uint32_t flags)
{
    int                     cts, negative, version;
    uint32_t                i, tflags;
    const sluice_sample_t  *s;

    cts = sluice_cmaf_has_cts(f, &negative);

    /* PIFF 1.1 readers know version 0 only; use it when it fits */
    version = cts && (negative || !(flags & SLUICE_CMAF_SMOOTH));

    tflags = SLUICE_TRUN_DATA_OFFSET | SLUICE_TRUN_DURATION | SLUICE_TRUN_SIZE
             | SLUICE_TRUN_FLAGS | (cts ? SLUICE_TRUN_CTS : 0);

    p = sluice_cmaf_full_box(p, sluice_cmaf_trun_size(f), "trun", version,
                             tflags);
    p = sluice_wb32(p, f->nsamples);
    p = sluice_wb32(p, (uint32_t) data_offset);

    for (i = 0; i < f->nsamples; i++) {
        s = &f->samples[i];

        p = sluice_wb32(p, s->duration);
        p = sluice_wb32(p, s->size);
        p = sluice_wb32(p, (s->flags & SLUICE_SAMPLE_KEY)
                           ? SLUICE_CMAF_SAMPLE_SYNC
                           : SLUICE_CMAF_SAMPLE_NON_SYNC);

        if (cts) {
            p = sluice_wb32(p, (uint32_t) s->cts);
        }
    }

    return p;
}


uint8_t *
sluice_cmaf_fragment_write(uint8_t *p, const sluice_fragment_t *f,
    uint32_t track_id, uint32_t flags)
{
    size_t    moof;
    uint32_t  i;
    uint64_t  time, duration, data;

    if (sluice_cmaf_fragment_size(f, track_id, flags) == 0) {
        return NULL;
    }

    time = f->samples[0].dts;
    duration = 0;

    for (i = 0; i < f->nsamples; i++) {
        duration += f->samples[i].duration;
    }

    data = sluice_cmaf_data_size(f);
    moof = sluice_cmaf_moof_size(f, flags);

    if ((flags & SLUICE_CMAF_STYP) && !(flags & SLUICE_CMAF_SMOOTH)) {
        p = sluice_cmaf_box(p, SLUICE_CMAF_STYP_SIZE, "styp");
        p = sluice_cmaf_copy(p, sluice_cmaf_styp,
                             sizeof(sluice_cmaf_styp) - 1);
    }

    p = sluice_cmaf_box(p, moof, "moof");

    p = sluice_cmaf_full_box(p, SLUICE_CMAF_MFHD_SIZE, "mfhd", 0, 0);
    p = sluice_wb32(p, f->sequence);

    p = sluice_cmaf_box(p, moof - 8 - SLUICE_CMAF_MFHD_SIZE, "traf");

    p = sluice_cmaf_full_box(p, SLUICE_CMAF_TFHD_SIZE, "tfhd", 0,
                             (flags & SLUICE_CMAF_SMOOTH)
                             ? 0 : SLUICE_TFHD_DEFAULT_BASE_IS_MOOF);
    p = sluice_wb32(p, track_id);

    if (!(flags & SLUICE_CMAF_NO_TFDT)) {
        p = sluice_cmaf_full_box(p, SLUICE_CMAF_TFDT_SIZE, "tfdt", 1, 0);
        p = sluice_wb64(p, time);
    }

    p = sluice_cmaf_write_trun(p, f, moof + 8, flags);

    if (flags & SLUICE_CMAF_SMOOTH) {
        p = sluice_cmaf_box(p, SLUICE_CMAF_TFXD_SIZE, "uuid");
        p = sluice_cmaf_copy(p, sluice_cmaf_tfxd_uuid, 16);
        p = sluice_wb32(p, 0x01000000);         /* version 1, flags 0 */
        p = sluice_wb64(p, time);
        p = sluice_wb64(p, duration);
    }

    p = sluice_cmaf_box(p, 8 + (size_t) data, "mdat");

    if (flags & SLUICE_CMAF_NO_DATA) {
        return p;
    }

    for (i = 0; i < f->nsamples; i++) {
        if (f->samples[i].size) {
            p = sluice_cmaf_copy(p, f->samples[i].data, f->samples[i].size);
        }
    }

    return p;
}


/* sluice_rescale() of a signed time: symmetric around 0 */

static int64_t
sluice_cmaf_rescale_signed(int64_t v, uint32_t from, uint32_t to)
{
    if (v >= 0) {
        return (int64_t) sluice_rescale((uint64_t) v, from, to);
    }

    return -(int64_t) sluice_rescale((uint64_t) -v, from, to);
}


sluice_status_t
sluice_cmaf_fragment_rescale(sluice_fragment_t *f, uint32_t from,
    uint32_t to)
{
    int64_t           dts, pts, cts;
    uint32_t          i;
    uint64_t          end, next, duration;
    sluice_sample_t  *s;

    if (from == 0 || to == 0 || f->nsamples == 0) {
        return SLUICE_BAD_DATA;
    }

    duration = 0;

    for (i = 0; i < f->nsamples; i++) {
        s = &f->samples[i];

        /* 2^62 in any timescale up to 2^32 is beyond a timeline's reach */
        if (s->dts > ((uint64_t) 1 << 62)) {
            return SLUICE_BAD_DATA;
        }

        end = s->dts + s->duration;
        dts = (int64_t) s->dts;
        pts = dts + s->cts;

        next = sluice_rescale(end, from, to);
        s->dts = sluice_rescale(s->dts, from, to);

        if (next - s->dts > UINT32_MAX) {
            return SLUICE_BAD_DATA;
        }

        cts = sluice_cmaf_rescale_signed(pts, from, to)
              - sluice_cmaf_rescale_signed(dts, from, to);

        if (cts > INT32_MAX || cts < INT32_MIN) {
            return SLUICE_BAD_DATA;
        }

        s->duration = (uint32_t) (next - s->dts);
        s->cts = (int32_t) cts;
        duration += s->duration;
    }

    f->time = f->samples[0].dts;
    f->duration = duration;

    return SLUICE_OK;
}


/* fragment reader */

typedef struct {
    const uint8_t      *buf;
    size_t              len;
    size_t              moof;           /* offset of the moof box */
    size_t              mdat_start;     /* mdat payload */
    size_t              mdat_end;

    uint32_t            tfhd_flags;
    uint64_t            base;
    uint32_t            default_duration;
    uint32_t            default_size;
    uint32_t            default_flags;
    uint32_t            have_default_flags;

    uint32_t            ntrun;
    uint32_t            nsamples;
    uint64_t            dts;
    size_t              next_data;      /* where the next trun starts */
    sluice_fragment_t  *out;            /* NULL while counting */
} sluice_cmaf_reader_t;


sluice_status_t
sluice_trun_open(sluice_trun_t *t, const uint8_t *data, size_t len,
    uint32_t max)
{
    size_t  per, need;

    if (len < 8) {
        return SLUICE_BAD_DATA;
    }

    t->flags = sluice_rb32(data) & 0xffffff;
    t->count = sluice_rb32(data + 4);
    t->p = data + 8;
    len -= 8;

    per = ((t->flags & SLUICE_TRUN_DURATION) ? 4 : 0)
          + ((t->flags & SLUICE_TRUN_SIZE) ? 4 : 0)
          + ((t->flags & SLUICE_TRUN_FLAGS) ? 4 : 0)
          + ((t->flags & SLUICE_TRUN_CTS) ? 4 : 0);

    need = ((t->flags & SLUICE_TRUN_DATA_OFFSET) ? 4 : 0)
           + ((t->flags & SLUICE_TRUN_FIRST_FLAGS) ? 4 : 0);

    if (len < need || t->count > max
        || (per && (len - need) / per < t->count))
    {
        return SLUICE_BAD_DATA;
    }

    t->has_offset = 0;
    t->offset = 0;

    if (t->flags & SLUICE_TRUN_DATA_OFFSET) {
        t->has_offset = 1;
        t->offset = (int32_t) sluice_rb32(t->p);
        t->p += 4;
    }

    t->first_flags = 0;

    if (t->flags & SLUICE_TRUN_FIRST_FLAGS) {
        t->first_flags = sluice_rb32(t->p);
        t->p += 4;
    }

    t->default_duration = 0;
    t->default_size = 0;
    t->default_flags = 0;
    t->next = 0;

    return SLUICE_OK;
}


void
sluice_trun_next(sluice_trun_t *t, sluice_trun_entry_t *e)
{
    e->duration = t->default_duration;
    e->size = t->default_size;
    e->flags = t->default_flags;
    e->cts = 0;

    if (t->flags & SLUICE_TRUN_DURATION) {
        e->duration = sluice_rb32(t->p);
        t->p += 4;
    }

    if (t->flags & SLUICE_TRUN_SIZE) {
        e->size = sluice_rb32(t->p);
        t->p += 4;
    }

    if (t->flags & SLUICE_TRUN_FLAGS) {
        e->flags = sluice_rb32(t->p);
        t->p += 4;

    } else if (t->next == 0 && (t->flags & SLUICE_TRUN_FIRST_FLAGS)) {
        e->flags = t->first_flags;
    }

    if (t->flags & SLUICE_TRUN_CTS) {
        e->cts = (int32_t) sluice_rb32(t->p);
        t->p += 4;
    }

    t->next++;
}


sluice_status_t
sluice_cmaf_read_box(const uint8_t *p, size_t len, sluice_cmaf_box_t *box)
{
    size_t    hdr;
    uint64_t  size;

    if (len < 8) {
        return SLUICE_BAD_DATA;
    }

    size = sluice_rb32(p);
    box->type = sluice_rb32(p + 4);
    hdr = 8;

    if (size == 1) {
        if (len < 16) {
            return SLUICE_BAD_DATA;
        }

        size = sluice_rb64(p + 8);
        hdr = 16;

    } else if (size == 0) {
        size = len;                             /* to the end */
    }

    if (size < hdr || size > len) {
        return SLUICE_BAD_DATA;
    }

    box->data = p + hdr;
    box->len = (size_t) size - hdr;
    box->size = (size_t) size;

    return SLUICE_OK;
}


static sluice_status_t
sluice_cmaf_parse_tfhd(sluice_cmaf_reader_t *r, sluice_cmaf_box_t *box)
{
    size_t          need;
    uint32_t        flags;
    const uint8_t  *p;

    if (box->len < 8) {
        return SLUICE_BAD_DATA;
    }

    p = box->data;
    flags = sluice_rb32(p) & 0xffffff;

    need = 8 + ((flags & SLUICE_TFHD_BASE_DATA_OFFSET) ? 8 : 0)
           + ((flags & SLUICE_TFHD_DESCRIPTION_INDEX) ? 4 : 0)
           + ((flags & SLUICE_TFHD_DEFAULT_DURATION) ? 4 : 0)
           + ((flags & SLUICE_TFHD_DEFAULT_SIZE) ? 4 : 0)
           + ((flags & SLUICE_TFHD_DEFAULT_FLAGS) ? 4 : 0);

    if (box->len < need) {
        return SLUICE_BAD_DATA;
    }

    r->tfhd_flags = flags;
    p += 8;                                     /* version+flags, track */
    r->base = r->moof;

    if (flags & SLUICE_TFHD_BASE_DATA_OFFSET) {
        r->base = sluice_rb64(p);
        p += 8;
    }

    if (flags & SLUICE_TFHD_DESCRIPTION_INDEX) {
        p += 4;
    }

    if (flags & SLUICE_TFHD_DEFAULT_DURATION) {
        r->default_duration = sluice_rb32(p);
        p += 4;
    }

    if (flags & SLUICE_TFHD_DEFAULT_SIZE) {
        r->default_size = sluice_rb32(p);
        p += 4;
    }

    if (flags & SLUICE_TFHD_DEFAULT_FLAGS) {
        r->default_flags = sluice_rb32(p);
        r->have_default_flags = 1;
    }

    return SLUICE_OK;
}


/*
 * Where the data of a trun starts: its data offset, else where the
 * previous trun's ended, else the base of the first one.
 */
static sluice_status_t
sluice_cmaf_trun_start(sluice_cmaf_reader_t *r, const sluice_trun_t *t,
    size_t *pos)
{
    int64_t  off;

    *pos = r->next_data;

    if (t->has_offset) {
        off = t->offset;

        if ((off < 0 && (uint64_t) -off > r->base)
            || r->base + off > r->len)
        {
            return SLUICE_BAD_DATA;
        }

        *pos = (size_t) (r->base + off);

    } else if (r->ntrun == 0) {
        *pos = (r->base <= r->len) ? (size_t) r->base : r->len + 1;
    }

    return SLUICE_OK;
}


/* sample i of the trun, its data at pos; stored when r->out is set */
static sluice_status_t
sluice_cmaf_trun_sample(sluice_cmaf_reader_t *r, uint32_t i, size_t pos,
    sluice_trun_entry_t *e)
{
    sluice_sample_t  *s;

    /*
     * the data must lie inside the mdat (checked on both passes); an
     * empty sample is no access unit, and refusing it bounds the
     * sample count by the mdat size
     */
    if (e->size == 0 || pos < r->mdat_start || pos > r->mdat_end
        || r->mdat_end - pos < e->size)
    {
        return SLUICE_BAD_DATA;
    }

    if (r->out) {
        s = &r->out->samples[r->nsamples + i];
        s->dts = r->dts;
        s->cts = e->cts;
        s->duration = e->duration;
        s->size = e->size;
        s->flags = (e->flags & SLUICE_SAMPLE_IS_NON_SYNC)
                   ? 0 : SLUICE_SAMPLE_KEY;
        s->data = r->buf + pos;
    }

    return SLUICE_OK;
}


static sluice_status_t
sluice_cmaf_parse_trun(sluice_cmaf_reader_t *r, sluice_cmaf_box_t *box)
{
    size_t               pos;
    uint32_t             i;
    sluice_trun_t        t;
    sluice_status_t      rc;
    sluice_trun_entry_t  e;

    rc = sluice_trun_open(&t, box->data, box->len,
                          SLUICE_CMAF_MAX_SAMPLES - r->nsamples);
    if (rc != SLUICE_OK) {
        return rc;
    }

    t.default_duration = r->default_duration;
    t.default_size = r->default_size;
    t.default_flags = r->have_default_flags ? r->default_flags : 0;

    rc = sluice_cmaf_trun_start(r, &t, &pos);
    if (rc != SLUICE_OK) {
        return rc;
    }

    for (i = 0; i < t.count; i++) {
        sluice_trun_next(&t, &e);

        rc = sluice_cmaf_trun_sample(r, i, pos, &e);
        if (rc != SLUICE_OK) {
            return rc;
        }

        pos += e.size;
        r->dts += e.duration;
    }

    r->next_data = pos;
    r->nsamples += t.count;
    r->ntrun++;

    return SLUICE_OK;
}


static sluice_status_t
sluice_cmaf_parse_traf(sluice_cmaf_reader_t *r, const uint8_t *p, size_t len)
{
    int                have_tfhd;
    uint32_t           version;
    sluice_status_t    rc;
    sluice_cmaf_box_t  box;

    have_tfhd = 0;
    r->ntrun = 0;
    r->nsamples = 0;
    r->next_data = 0;

    while (len) {
        rc = sluice_cmaf_read_box(p, len, &box);

        if (rc != SLUICE_OK) {
            return rc;
        }

        switch (box.type) {

        case sluice_fourcc('t', 'f', 'h', 'd'):
            if (have_tfhd) {
                return SLUICE_BAD_DATA;
            }

            rc = sluice_cmaf_parse_tfhd(r, &box);
            have_tfhd = 1;
            break;

        case sluice_fourcc('t', 'f', 'd', 't'):
            if (box.len < 8) {
                return SLUICE_BAD_DATA;
            }

            version = box.data[0];

            if (version == 1) {
                if (box.len < 12) {
                    return SLUICE_BAD_DATA;
                }

                r->dts = sluice_rb64(box.data + 4);

            } else {
                r->dts = sluice_rb32(box.data + 4);
            }

            if (r->out) {
                r->out->time = r->dts;
            }

            rc = SLUICE_OK;
            break;

        case sluice_fourcc('t', 'r', 'u', 'n'):
            if (!have_tfhd) {
                return SLUICE_BAD_DATA;
            }

            rc = sluice_cmaf_parse_trun(r, &box);
            break;

        default:
            rc = SLUICE_OK;
            break;
        }

        if (rc != SLUICE_OK) {
            return rc;
        }

        p += box.size;
        len -= box.size;
    }

    return have_tfhd ? SLUICE_OK : SLUICE_BAD_DATA;
}


static sluice_status_t
sluice_cmaf_parse_moof(sluice_cmaf_reader_t *r, const uint8_t *p, size_t len)
{
    int                ntraf;
    sluice_status_t    rc;
    sluice_cmaf_box_t  box, traf;

    ntraf = 0;

    while (len) {
        rc = sluice_cmaf_read_box(p, len, &box);

        if (rc != SLUICE_OK) {
            return rc;
        }

        if (box.type == sluice_fourcc('m', 'f', 'h', 'd')) {
            if (box.len < 8) {
                return SLUICE_BAD_DATA;
            }

            if (r->out) {
                r->out->sequence = sluice_rb32(box.data + 4);
            }

        } else if (box.type == sluice_fourcc('t', 'r', 'a', 'f')) {
            if (ntraf++) {
                return SLUICE_BAD_DATA;         /* one track only */
            }

            traf = box;
        }

        p += box.size;
        len -= box.size;
    }

    if (ntraf == 0) {
        return SLUICE_BAD_DATA;
    }

    r->dts = 0;

    return sluice_cmaf_parse_traf(r, traf.data, traf.len);
}


sluice_status_t
sluice_cmaf_fragment_parse(const uint8_t *buf, size_t len, sluice_alloc_t *a,
    sluice_fragment_t *out)
{
    size_t                pos;
    uint32_t              i;
    sluice_status_t       rc;
    sluice_cmaf_box_t     box, moof;
    sluice_cmaf_reader_t  r;

    memset(out, 0, sizeof(sluice_fragment_t));
    memset(&r, 0, sizeof(sluice_cmaf_reader_t));

    r.buf = buf;
    r.len = len;
    moof.data = NULL;
    moof.len = 0;

    /* top level: the first moof and the first mdat after it */

    for (pos = 0; pos < len; pos += box.size) {
        rc = sluice_cmaf_read_box(buf + pos, len - pos, &box);

        if (rc != SLUICE_OK) {
            return rc;
        }

        if (box.type == sluice_fourcc('m', 'o', 'o', 'f')) {
            if (moof.data) {
                break;                          /* the next fragment */
            }

            moof = box;
            r.moof = pos;

        } else if (box.type == sluice_fourcc('m', 'd', 'a', 't')) {
            if (moof.data == NULL) {
                return SLUICE_BAD_DATA;
            }

            r.mdat_start = (size_t) (box.data - buf);
            r.mdat_end = r.mdat_start + box.len;
            break;
        }
    }

    if (moof.data == NULL || r.mdat_end == 0) {
        return SLUICE_BAD_DATA;
    }

    /* count, allocate, fill */

    rc = sluice_cmaf_parse_moof(&r, moof.data, moof.len);

    if (rc != SLUICE_OK) {
        return rc;
    }

    if (r.nsamples == 0) {
        return SLUICE_BAD_DATA;
    }

    out->samples = a->alloc(a->ctx, r.nsamples * sizeof(sluice_sample_t));

    if (out->samples == NULL) {
        return SLUICE_NO_MEMORY;
    }

    r.out = out;

    rc = sluice_cmaf_parse_moof(&r, moof.data, moof.len);

    if (rc != SLUICE_OK) {
        return rc;
    }

    out->nsamples = r.nsamples;
    out->duration = 0;

    for (i = 0; i < out->nsamples; i++) {
        out->duration += out->samples[i].duration;
    }

    return SLUICE_OK;
}
