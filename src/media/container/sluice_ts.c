
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * MPEG-TS segment muxer; see sluice_ts.h.
 *
 * The muxer runs twice over the same samples: once counting packets
 * (out == NULL, each packet is built in a scratch buffer and dropped),
 * once writing them.  Every length is known before its PES starts, so a
 * packet's adaptation field (PCR, random access, stuffing) is decided
 * when the packet is opened.
 */


#include "media/container/sluice_ts.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_aac.h"


#define SLUICE_TS_MAX_PS          16
#define SLUICE_TS_PAYLOAD         184
#define SLUICE_TS_PTS_MASK        0x1ffffffffULL
#define SLUICE_TS_AUDIO_SPAN      8100      /* 90 ms of audio per PES */
#define SLUICE_TS_AUDIO_FRAMES    8
#define SLUICE_TS_PES_MAX         65535
#define SLUICE_TS_ID3_MAX         65000

/* the PMT section in its one packet (after the pointer field), no CRC */
#define SLUICE_TS_PMT_MAX         (SLUICE_TS_PAYLOAD - 1 - 4)

/* SAMPLE-AES: the AudioSpecificConfig in the PMT, at most */
#define SLUICE_TS_SAES_ASC_MAX    64

enum {
    SLUICE_TS_PAT = 0,
    SLUICE_TS_PMT,
    SLUICE_TS_VIDEO,
    SLUICE_TS_AUDIO,
    SLUICE_TS_ID3,
    SLUICE_TS_NPIDS
};


typedef struct {
    const sluice_ts_segment_t  *seg;

    uint8_t                    *out;        /* NULL: counting */
    size_t                      size;
    size_t                      pos;
    uint8_t                     scratch[SLUICE_TS_PACKET];

    uint8_t                    *pkt;        /* the packet being filled */
    size_t                      fill;
    uint32_t                    pid;        /* SLUICE_TS_VIDEO, _AUDIO */
    size_t                      pes_left;   /* PES bytes not yet put */
    uint8_t                     cc[SLUICE_TS_NPIDS];
    sluice_status_t             rc;         /* of a failed sluice_ts_put */

    /* video */
    uint32_t                    hevc;
    uint32_t                    nal_length_size;
    uint32_t                    nps;
    sluice_str_t                ps[SLUICE_TS_MAX_PS];

    /* audio */
    sluice_aac_config_t         aac;
} sluice_ts_mux_t;


static sluice_status_t sluice_ts_run(sluice_ts_mux_t *mux);
static sluice_status_t sluice_ts_init_video(sluice_ts_mux_t *mux,
    const sluice_track_info_t *info);
static sluice_status_t sluice_ts_hvcc(sluice_ts_mux_t *mux,
    const uint8_t *p, size_t len);
static sluice_status_t sluice_ts_init_audio(sluice_ts_mux_t *mux,
    const sluice_track_info_t *info);
static uint64_t sluice_ts_time(const sluice_ts_track_t *t, uint64_t dts,
    int32_t cts);
static uint64_t sluice_ts_order(const sluice_ts_track_t *t, uint64_t dts);
static sluice_status_t sluice_ts_psi(sluice_ts_mux_t *mux, uint32_t pid,
    uint8_t *section, size_t len);
static sluice_status_t sluice_ts_pat(sluice_ts_mux_t *mux);
static sluice_status_t sluice_ts_pmt(sluice_ts_mux_t *mux);
static size_t sluice_ts_pmt_video(sluice_ts_mux_t *mux, uint8_t *s,
    size_t n);
static size_t sluice_ts_pmt_audio(sluice_ts_mux_t *mux, uint8_t *s,
    size_t n);
static size_t sluice_ts_private_data(uint8_t *s, size_t n,
    const char *indicator);
static size_t sluice_ts_pmt_id3(uint8_t *s, size_t n);
static sluice_status_t sluice_ts_id3(sluice_ts_mux_t *mux,
    const sluice_ts_id3_t *m);
static sluice_status_t sluice_ts_video(sluice_ts_mux_t *mux,
    const sluice_sample_t *s);
static sluice_status_t sluice_ts_video_es(sluice_ts_mux_t *mux,
    const sluice_sample_t *s, size_t *len);
static uint32_t sluice_ts_nal_type(sluice_ts_mux_t *mux, sluice_str_t *nal);
static uint32_t sluice_ts_audio_frames(sluice_ts_mux_t *mux, uint32_t ai,
    uint64_t next_video);
static sluice_status_t sluice_ts_audio(sluice_ts_mux_t *mux, uint32_t ai,
    uint32_t n);
static size_t sluice_ts_pes_header(uint8_t *h, uint32_t stream_id,
    uint64_t pts, uint64_t dts, size_t es_len);
static sluice_status_t sluice_ts_pes_begin(sluice_ts_mux_t *mux,
    uint32_t pid, size_t len, uint64_t pcr, unsigned has_pcr,
    unsigned rai);
static sluice_status_t sluice_ts_open(sluice_ts_mux_t *mux, uint32_t pid,
    unsigned pusi, size_t af, size_t payload);
static void sluice_ts_put(sluice_ts_mux_t *mux, const uint8_t *p,
    size_t len);


static const uint8_t  sluice_ts_start_code[4] = { 0, 0, 0, 1 };
static const uint8_t  sluice_ts_avc_aud[2] = { 0x09, 0xf0 };
static const uint8_t  sluice_ts_hevc_aud[3] = { 0x46, 0x01, 0x50 };

static const uint32_t  sluice_ts_pids[SLUICE_TS_NPIDS] = {
    0, SLUICE_TS_PID_PMT, SLUICE_TS_PID_VIDEO, SLUICE_TS_PID_AUDIO,
    SLUICE_TS_PID_ID3
};

/*
 * 'ID3 ' as metadata_application_format_identifier and
 * metadata_format_identifier (13818-1 2.6.58, 2.6.60; Apple's timed
 * metadata, 2): format 0xffff, identifier, format 0xff, identifier,
 * metadata_service_id 0
 */
static const uint8_t  sluice_ts_id3_format[11] = {
    0xff, 0xff, 'I', 'D', '3', ' ', 0xff, 'I', 'D', '3', ' '
};


sluice_status_t
sluice_ts_segment_size(const sluice_ts_segment_t *seg, size_t *size)
{
    sluice_status_t  rc;
    sluice_ts_mux_t  mux;

    memset(&mux, 0, sizeof(sluice_ts_mux_t));
    mux.seg = seg;

    rc = sluice_ts_run(&mux);
    if (rc != SLUICE_OK) {
        return rc;
    }

    *size = mux.pos;

    return SLUICE_OK;
}


sluice_status_t
sluice_ts_segment_write(const sluice_ts_segment_t *seg, uint8_t *out,
    size_t size)
{
    sluice_status_t  rc;
    sluice_ts_mux_t  mux;

    memset(&mux, 0, sizeof(sluice_ts_mux_t));
    mux.seg = seg;
    mux.out = out;
    mux.size = size;

    rc = sluice_ts_run(&mux);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (mux.rc != SLUICE_OK) {
        return mux.rc;
    }

    return mux.pos == size ? SLUICE_OK : SLUICE_ERROR;
}


static sluice_status_t
sluice_ts_run(sluice_ts_mux_t *mux)
{
    uint32_t                    vi, ai, mi, n;
    uint64_t                    vdts, adts;
    sluice_status_t             rc;
    const sluice_ts_segment_t  *seg;

    seg = mux->seg;

    if (seg->video.info == NULL && seg->audio.info == NULL) {
        return SLUICE_NOT_FOUND;
    }

    for (mi = 0; mi < seg->nid3; mi++) {
        if (seg->id3[mi].tag.len == 0
            || seg->id3[mi].tag.len > SLUICE_TS_ID3_MAX)
        {
            return SLUICE_BAD_DATA;
        }
    }

    if (seg->video.info) {
        rc = sluice_ts_init_video(mux, seg->video.info);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    if (seg->audio.info) {
        rc = sluice_ts_init_audio(mux, seg->audio.info);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    rc = sluice_ts_pat(mux);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_ts_pmt(mux);
    if (rc != SLUICE_OK) {
        return rc;
    }

    vi = 0;
    ai = 0;
    mi = 0;

    while (rc == SLUICE_OK) {
        vdts = UINT64_MAX;
        adts = UINT64_MAX;

        if (seg->video.info && vi < seg->video.nsamples) {
            vdts = sluice_ts_order(&seg->video, seg->video.samples[vi].dts);
        }

        if (seg->audio.info && ai < seg->audio.nsamples) {
            adts = sluice_ts_order(&seg->audio, seg->audio.samples[ai].dts);
        }

        if (mi < seg->nid3
            && (seg->id3[mi].time <= vdts || vdts == UINT64_MAX)
            && (seg->id3[mi].time <= adts || adts == UINT64_MAX)
            && (vi > 0 || seg->video.info == NULL
                || seg->video.nsamples == 0))
        {
            /* the tags due, not before the first video access unit */
            rc = sluice_ts_id3(mux, &seg->id3[mi++]);
            continue;
        }

        if (vdts == UINT64_MAX && adts == UINT64_MAX) {
            break;
        }

        if (vdts <= adts) {
            rc = sluice_ts_video(mux, &seg->video.samples[vi++]);

        } else {
            n = sluice_ts_audio_frames(mux, ai, vdts);
            rc = sluice_ts_audio(mux, ai, n);
            ai += n;
        }
    }

    return rc;
}


static sluice_status_t
sluice_ts_init_video(sluice_ts_mux_t *mux, const sluice_track_info_t *info)
{
    uint32_t             i;
    sluice_status_t      rc;
    sluice_avc_config_t  avc;

    if (info->config_len > SLUICE_MAX_CODEC_CONFIG) {
        return SLUICE_BAD_DATA;
    }

    if (info->codec == SLUICE_CODEC_HEVC) {
        if (mux->seg->sample_aes) {
            /* Apple's SAMPLE-AES for TS defines H.264 only */
            return SLUICE_UNSUPPORTED;
        }

        mux->hevc = 1;
        return sluice_ts_hvcc(mux, info->config, info->config_len);
    }

    if (info->codec != SLUICE_CODEC_AVC) {
        return SLUICE_UNSUPPORTED;
    }

    rc = sluice_avc_parse_config(info->config, info->config_len, &avc);
    if (rc != SLUICE_OK) {
        return rc;
    }

    mux->nal_length_size = avc.nal_length_size;

    for (i = 0; i < avc.nsps && mux->nps < SLUICE_TS_MAX_PS; i++) {
        mux->ps[mux->nps++] = avc.sps[i];
    }

    for (i = 0; i < avc.npps && mux->nps < SLUICE_TS_MAX_PS; i++) {
        mux->ps[mux->nps++] = avc.pps[i];
    }

    return SLUICE_OK;
}


/* HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1) */

static sluice_status_t
sluice_ts_hvcc(sluice_ts_mux_t *mux, const uint8_t *p, size_t len)
{
    size_t          pos, n;
    uint32_t        narrays, nnalus, type, i, j;

    if (len < 23) {
        return SLUICE_BAD_DATA;
    }

    mux->nal_length_size = (p[21] & 0x03) + 1;
    narrays = p[22];
    pos = 23;

    for (i = 0; i < narrays; i++) {
        if (len - pos < 3) {
            return SLUICE_BAD_DATA;
        }

        type = p[pos] & 0x3f;
        nnalus = (p[pos + 1] << 8) | p[pos + 2];
        pos += 3;

        for (j = 0; j < nnalus; j++) {
            if (len - pos < 2) {
                return SLUICE_BAD_DATA;
            }

            n = (p[pos] << 8) | p[pos + 1];
            pos += 2;

            if (len - pos < n) {
                return SLUICE_BAD_DATA;
            }

            /* VPS, SPS, PPS */
            if (type >= 32 && type <= 34 && n
                && mux->nps < SLUICE_TS_MAX_PS)
            {
                mux->ps[mux->nps].data = p + pos;
                mux->ps[mux->nps++].len = n;
            }

            pos += n;
        }
    }

    return mux->nps ? SLUICE_OK : SLUICE_BAD_DATA;
}


static sluice_status_t
sluice_ts_init_audio(sluice_ts_mux_t *mux, const sluice_track_info_t *info)
{
    uint8_t          adts[SLUICE_AAC_ADTS_HEADER_LEN];
    sluice_status_t  rc;

    if (info->codec != SLUICE_CODEC_AAC) {
        return SLUICE_UNSUPPORTED;
    }

    if (info->config_len > SLUICE_MAX_CODEC_CONFIG) {
        return SLUICE_BAD_DATA;
    }

    rc = sluice_aac_parse_config(info->config, info->config_len, &mux->aac);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (mux->seg->sample_aes && info->config_len > SLUICE_TS_SAES_ASC_MAX) {
        /* the audio setup information would not fit in the PMT packet */
        return SLUICE_UNSUPPORTED;
    }

    /* fails now if ADTS cannot express the configuration */
    return sluice_aac_write_adts(adts, &mux->aac, 0);
}


/* 90 kHz time of dts + cts, modulo 2^33 */

static uint64_t
sluice_ts_time(const sluice_ts_track_t *t, uint64_t dts, int32_t cts)
{
    uint64_t  ts, v;

    ts = t->info->timescale ? t->info->timescale : 90000;

    if (cts >= 0 || dts >= (uint64_t) -(int64_t) cts) {
        v = sluice_rescale(dts + cts, ts, 90000);

    } else {
        v = 0 - sluice_rescale((uint64_t) -(int64_t) cts - dts, ts, 90000);
    }

    return v & SLUICE_TS_PTS_MASK;
}


/* 90 kHz decode time, not wrapped: the interleaving order */

static uint64_t
sluice_ts_order(const sluice_ts_track_t *t, uint64_t dts)
{
    uint64_t  ts;

    ts = t->info->timescale ? t->info->timescale : 90000;

    return sluice_rescale(dts, ts, 90000);
}


/* a section in one packet: pointer_field, section, CRC, 0xff stuffing */

static sluice_status_t
sluice_ts_psi(sluice_ts_mux_t *mux, uint32_t pid, uint8_t *section,
    size_t len)
{
    uint8_t          pointer;
    uint32_t         crc;
    sluice_status_t  rc;

    rc = sluice_ts_open(mux, pid, 1, 0, 0);
    if (rc != SLUICE_OK) {
        return rc;
    }

    crc = sluice_ts_crc32(section, len);
    section[len++] = (uint8_t) (crc >> 24);
    section[len++] = (uint8_t) (crc >> 16);
    section[len++] = (uint8_t) (crc >> 8);
    section[len++] = (uint8_t) crc;

    pointer = 0;
    mux->pes_left = 1 + len;
    sluice_ts_put(mux, &pointer, 1);
    sluice_ts_put(mux, section, len);

    memset(mux->pkt + mux->fill, 0xff, SLUICE_TS_PACKET - mux->fill);
    mux->fill = SLUICE_TS_PACKET;

    return SLUICE_OK;
}


static sluice_status_t
sluice_ts_pat(sluice_ts_mux_t *mux)
{
    uint8_t  s[16];

    s[0] = 0x00;                        /* table_id */
    s[1] = 0xb0;                        /* syntax 1, section_length */
    s[2] = 13;
    s[3] = 0x00;                        /* transport_stream_id 1 */
    s[4] = 0x01;
    s[5] = 0xc1;                        /* version 0, current */
    s[6] = 0x00;                        /* section_number */
    s[7] = 0x00;                        /* last_section_number */
    s[8] = 0x00;                        /* program_number 1 */
    s[9] = 0x01;
    s[10] = 0xe0 | (SLUICE_TS_PID_PMT >> 8);
    s[11] = SLUICE_TS_PID_PMT & 0xff;

    return sluice_ts_psi(mux, SLUICE_TS_PAT, s, 12);
}


static sluice_status_t
sluice_ts_pmt(sluice_ts_mux_t *mux)
{
    size_t                      n;
    uint8_t                     s[SLUICE_TS_PMT_MAX + 4];
    uint32_t                    pcr_pid;
    const sluice_ts_segment_t  *seg;

    seg = mux->seg;
    pcr_pid = seg->video.info ? SLUICE_TS_PID_VIDEO : SLUICE_TS_PID_AUDIO;

    s[0] = 0x02;                        /* table_id */
    s[3] = 0x00;                        /* program_number 1 */
    s[4] = 0x01;
    s[5] = 0xc1;
    s[6] = 0x00;
    s[7] = 0x00;
    s[8] = 0xe0 | (uint8_t) (pcr_pid >> 8);
    s[9] = pcr_pid & 0xff;
    s[10] = 0xf0;                       /* program_info_length 0 */
    s[11] = 0x00;
    n = 12;

    if (seg->nid3) {
        /* metadata_pointer_descriptor: ID3 in this program's PES */
        s[11] = 17;
        s[n++] = 0x25;
        s[n++] = 15;
        memcpy(s + n, sluice_ts_id3_format, 11);
        n += 11;
        s[n++] = 0x00;                  /* metadata_service_id */
        s[n++] = 0x1f;                  /* no locator, carriage 0 (same
                                           transport stream), reserved */
        s[n++] = 0x00;                  /* program_number 1 */
        s[n++] = 0x01;
    }

    if (seg->video.info) {
        n = sluice_ts_pmt_video(mux, s, n);
    }

    if (seg->audio.info) {
        n = sluice_ts_pmt_audio(mux, s, n);
    }

    if (seg->nid3) {
        n = sluice_ts_pmt_id3(s, n);
    }

    /* section_length: after the length field, CRC included */
    s[1] = 0xb0;
    s[2] = (uint8_t) (n - 3 + 4);

    return sluice_ts_psi(mux, SLUICE_TS_PMT, s, n);
}


/* the video entry of the PMT at s + n; returns the new length */

static size_t
sluice_ts_pmt_video(sluice_ts_mux_t *mux, uint8_t *s, size_t n)
{
    unsigned  saes;

    saes = mux->seg->sample_aes;

    s[n++] = saes ? 0xdb : (mux->hevc ? 0x24 : 0x1b);
    s[n++] = 0xe0 | (SLUICE_TS_PID_VIDEO >> 8);
    s[n++] = SLUICE_TS_PID_VIDEO & 0xff;
    s[n++] = 0xf0;                      /* ES_info_length */
    s[n++] = saes ? 6 : 0;

    if (saes) {
        n = sluice_ts_private_data(s, n, "zavc");
    }

    return n;
}


/* the audio entry; the size was checked by sluice_ts_init_audio() */

static size_t
sluice_ts_pmt_audio(sluice_ts_mux_t *mux, uint8_t *s, size_t n)
{
    size_t                      asc;
    const char                 *type;
    const sluice_track_info_t  *info;

    info = mux->seg->audio.info;

    s[n++] = mux->seg->sample_aes ? 0xcf : 0x0f;
    s[n++] = 0xe0 | (SLUICE_TS_PID_AUDIO >> 8);
    s[n++] = SLUICE_TS_PID_AUDIO & 0xff;
    s[n++] = 0xf0;

    if (!mux->seg->sample_aes) {
        s[n++] = 0x00;
        return n;
    }

    asc = info->config_len;
    s[n++] = (uint8_t) (6 + 2 + 4 + 8 + asc);

    n = sluice_ts_private_data(s, n, "aacd");

    /* registration_descriptor 'apad' with the audio setup information */
    s[n++] = 0x05;
    s[n++] = (uint8_t) (4 + 8 + asc);
    memcpy(s + n, "apad", 4);
    n += 4;

    type = (mux->aac.object_type == 29) ? "zacp"         /* PS */
           : (mux->aac.object_type == 5) ? "zach"        /* SBR */
           : "zaac";

    memcpy(s + n, type, 4);
    n += 4;
    s[n++] = 0x00;                      /* priming */
    s[n++] = 0x00;
    s[n++] = 0x01;                      /* version */
    s[n++] = (uint8_t) asc;             /* setup_data_length */
    memcpy(s + n, info->config, asc);

    return n + asc;
}


/* the ID3 entry: metadata in PES with its metadata_descriptor */

static size_t
sluice_ts_pmt_id3(uint8_t *s, size_t n)
{
    s[n++] = 0x15;
    s[n++] = 0xe0 | (SLUICE_TS_PID_ID3 >> 8);
    s[n++] = SLUICE_TS_PID_ID3 & 0xff;
    s[n++] = 0xf0;
    s[n++] = 15;                        /* ES_info_length */

    s[n++] = 0x26;
    s[n++] = 13;
    memcpy(s + n, sluice_ts_id3_format, 11);
    n += 11;
    s[n++] = 0x00;                      /* metadata_service_id */
    s[n++] = 0x0f;                      /* decoder_config_flags 0, no
                                           DSM-CC, reserved */
    return n;
}


/* one ID3 tag: a PES of private_stream_1 with its PTS */

static sluice_status_t
sluice_ts_id3(sluice_ts_mux_t *mux, const sluice_ts_id3_t *m)
{
    size_t           hlen;
    uint8_t          h[19];
    uint64_t         pts;
    sluice_status_t  rc;

    pts = m->time & SLUICE_TS_PTS_MASK;
    hlen = sluice_ts_pes_header(h, 0xbd, pts, pts, m->tag.len);
    h[6] |= 0x04;                       /* data_alignment_indicator */

    rc = sluice_ts_pes_begin(mux, SLUICE_TS_ID3, hlen + m->tag.len, 0, 0, 0);
    if (rc != SLUICE_OK) {
        return rc;
    }

    sluice_ts_put(mux, h, hlen);
    sluice_ts_put(mux, m->tag.data, m->tag.len);

    return SLUICE_OK;
}


/* private_data_indicator_descriptor (13818-1 2.6.28) */

static size_t
sluice_ts_private_data(uint8_t *s, size_t n, const char *indicator)
{
    s[n++] = 0x0f;
    s[n++] = 4;
    memcpy(s + n, indicator, 4);

    return n + 4;
}


uint32_t
sluice_ts_crc32(const uint8_t *p, size_t len)
{
    int       k;
    size_t    i;
    uint32_t  crc;

    crc = 0xffffffff;

    for (i = 0; i < len; i++) {
        crc ^= (uint32_t) p[i] << 24;

        for (k = 0; k < 8; k++) {
            crc = (crc & 0x80000000) ? (crc << 1) ^ 0x04c11db7 : crc << 1;
        }
    }

    return crc;
}


static sluice_status_t
sluice_ts_video(sluice_ts_mux_t *mux, const sluice_sample_t *s)
{
    size_t                      es_len, hlen;
    uint8_t                     h[19];
    uint64_t                    pts, dts;
    sluice_status_t             rc;
    const sluice_ts_track_t    *t;

    t = &mux->seg->video;

    rc = sluice_ts_video_es(mux, s, &es_len);
    if (rc != SLUICE_OK) {
        return rc;
    }

    dts = sluice_ts_time(t, s->dts, 0);
    pts = sluice_ts_time(t, s->dts, s->cts);
    hlen = sluice_ts_pes_header(h, 0xe0, pts, dts, es_len);

    rc = sluice_ts_pes_begin(mux, SLUICE_TS_VIDEO, hlen + es_len, dts, 1,
                             (s->flags & SLUICE_SAMPLE_KEY) != 0);
    if (rc != SLUICE_OK) {
        return rc;
    }

    sluice_ts_put(mux, h, hlen);

    return sluice_ts_video_es(mux, s, NULL);
}


/*
 * The Annex B access unit: AUD, parameter sets before a sync sample
 * without its own, then each NAL unit after a start code.  With len set,
 * only measures and validates; else puts the bytes.
 */

static sluice_status_t
sluice_ts_video_es(sluice_ts_mux_t *mux, const sluice_sample_t *s,
    size_t *len)
{
    size_t                 n;
    uint32_t               i, type, has_ps;
    sluice_str_t           nal;
    sluice_status_t        rc;
    const uint8_t         *aud;
    sluice_avc_nal_iter_t  it;

    has_ps = 0;
    n = 0;

    /* both when measuring and when putting: the same bytes */

    sluice_avc_nal_iter_init(&it, s->data, s->size, mux->nal_length_size);

    while ((rc = sluice_avc_nal_next(&it, &nal)) == SLUICE_OK) {
        type = sluice_ts_nal_type(mux, &nal);
        has_ps |= (type == (mux->hevc ? 33u : SLUICE_AVC_NAL_SPS));
    }

    if (rc != SLUICE_NOT_FOUND) {
        return SLUICE_BAD_DATA;
    }

    aud = mux->hevc ? sluice_ts_hevc_aud : sluice_ts_avc_aud;
    n += 4 + (mux->hevc ? 3 : 2);

    if (len == NULL) {
        sluice_ts_put(mux, sluice_ts_start_code, 4);
        sluice_ts_put(mux, aud, mux->hevc ? 3 : 2);
    }

    for (i = 0; (s->flags & SLUICE_SAMPLE_KEY) && !has_ps && i < mux->nps;
         i++)
    {
        n += 4 + mux->ps[i].len;

        if (len == NULL) {
            sluice_ts_put(mux, sluice_ts_start_code, 4);
            sluice_ts_put(mux, mux->ps[i].data, mux->ps[i].len);
        }
    }

    sluice_avc_nal_iter_init(&it, s->data, s->size, mux->nal_length_size);

    while (sluice_avc_nal_next(&it, &nal) == SLUICE_OK) {
        type = sluice_ts_nal_type(mux, &nal);

        if (type == (mux->hevc ? 35u : SLUICE_AVC_NAL_AUD)) {
            continue;
        }

        n += 4 + nal.len;

        if (len == NULL) {
            sluice_ts_put(mux, sluice_ts_start_code, 4);
            sluice_ts_put(mux, nal.data, nal.len);
        }
    }

    if (len) {
        *len = n;
    }

    return SLUICE_OK;
}


static uint32_t
sluice_ts_nal_type(sluice_ts_mux_t *mux, sluice_str_t *nal)
{
    return mux->hevc ? (nal->data[0] >> 1) & 0x3f : nal->data[0] & 0x1f;
}


/* how many AAC frames from ai go in one PES */

static uint32_t
sluice_ts_audio_frames(sluice_ts_mux_t *mux, uint32_t ai, uint64_t next_video)
{
    size_t                    bytes;
    uint32_t                  n;
    uint64_t                  first, dts;
    const sluice_ts_track_t  *t;

    t = &mux->seg->audio;
    first = sluice_ts_order(t, t->samples[ai].dts);
    bytes = 19 + SLUICE_AAC_ADTS_HEADER_LEN + t->samples[ai].size;

    for (n = 1; ai + n < t->nsamples && n < SLUICE_TS_AUDIO_FRAMES; n++) {
        dts = sluice_ts_order(t, t->samples[ai + n].dts);
        bytes += SLUICE_AAC_ADTS_HEADER_LEN + t->samples[ai + n].size;

        if (dts >= next_video || dts < first
            || dts - first >= SLUICE_TS_AUDIO_SPAN
            || bytes > SLUICE_TS_PES_MAX)
        {
            break;
        }
    }

    return n;
}


static sluice_status_t
sluice_ts_audio(sluice_ts_mux_t *mux, uint32_t ai, uint32_t n)
{
    size_t                    es_len, hlen;
    uint8_t                   h[19], adts[SLUICE_AAC_ADTS_HEADER_LEN];
    uint32_t                  i;
    uint64_t                  pts;
    sluice_status_t           rc;
    const sluice_sample_t    *s;
    const sluice_ts_track_t  *t;

    t = &mux->seg->audio;
    s = &t->samples[ai];
    es_len = 0;

    for (i = 0; i < n; i++) {
        if (s[i].size > SLUICE_AAC_ADTS_MAX_PAYLOAD) {
            return SLUICE_BAD_DATA;
        }

        es_len += SLUICE_AAC_ADTS_HEADER_LEN + s[i].size;
    }

    pts = sluice_ts_time(t, s->dts, s->cts);
    hlen = sluice_ts_pes_header(h, 0xc0, pts, pts, es_len);

    rc = sluice_ts_pes_begin(mux, SLUICE_TS_AUDIO, hlen + es_len, pts,
                             mux->seg->video.info == NULL,
                             mux->seg->video.info == NULL);
    if (rc != SLUICE_OK) {
        return rc;
    }

    sluice_ts_put(mux, h, hlen);

    for (i = 0; i < n; i++) {
        rc = sluice_aac_write_adts(adts, &mux->aac, s[i].size);
        if (rc != SLUICE_OK) {
            return rc;
        }

        sluice_ts_put(mux, adts, SLUICE_AAC_ADTS_HEADER_LEN);
        sluice_ts_put(mux, s[i].data, s[i].size);
    }

    return SLUICE_OK;
}


/* PES header with PTS, and DTS when it differs; returns its length */

static size_t
sluice_ts_pes_header(uint8_t *h, uint32_t stream_id, uint64_t pts,
    uint64_t dts, size_t es_len)
{
    size_t    n, len, i;
    uint64_t  t;
    unsigned  both;

    both = (pts != dts);
    n = both ? 19 : 14;
    len = n - 6 + es_len;

    h[0] = 0x00;
    h[1] = 0x00;
    h[2] = 0x01;
    h[3] = (uint8_t) stream_id;
    /* video may leave PES_packet_length 0: unbounded */
    h[4] = len > SLUICE_TS_PES_MAX ? 0 : (uint8_t) (len >> 8);
    h[5] = len > SLUICE_TS_PES_MAX ? 0 : (uint8_t) len;
    h[6] = 0x80;                        /* marker bits '10' */
    h[7] = both ? 0xc0 : 0x80;          /* PTS_DTS_flags */
    h[8] = (uint8_t) (n - 9);

    for (i = 0; i < (both ? 2u : 1u); i++) {
        t = i ? dts : pts;
        h[9 + i * 5] = (uint8_t) ((both ? (i ? 0x10 : 0x30) : 0x20)
                                  | ((t >> 29) & 0x0e) | 1);
        h[10 + i * 5] = (uint8_t) (t >> 22);
        h[11 + i * 5] = (uint8_t) (((t >> 14) & 0xfe) | 1);
        h[12 + i * 5] = (uint8_t) (t >> 7);
        h[13 + i * 5] = (uint8_t) (((t << 1) & 0xfe) | 1);
    }

    return n;
}


static sluice_status_t
sluice_ts_pes_begin(sluice_ts_mux_t *mux, uint32_t pid, size_t len,
    uint64_t pcr, unsigned has_pcr, unsigned rai)
{
    uint8_t          *af;
    sluice_status_t   rc;

    mux->pes_left = len;

    /* adaptation field: length, flags, PCR */
    rc = sluice_ts_open(mux, pid, 1, has_pcr ? 8 : (rai ? 2 : 0), len);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (!has_pcr && !rai) {
        return SLUICE_OK;
    }

    af = mux->pkt + 4;
    af[1] = (uint8_t) ((rai ? 0x40 : 0) | (has_pcr ? 0x10 : 0));

    if (has_pcr) {
        /* program_clock_reference_base, 6 reserved bits, extension 0 */
        af[2] = (uint8_t) (pcr >> 25);
        af[3] = (uint8_t) (pcr >> 17);
        af[4] = (uint8_t) (pcr >> 9);
        af[5] = (uint8_t) (pcr >> 1);
        af[6] = (uint8_t) (((pcr & 1) << 7) | 0x7e);
        af[7] = 0x00;
    }

    return SLUICE_OK;
}


/*
 * Starts a packet of pid with an adaptation field of af bytes (0 or at
 * least 2), grown with stuffing when less than the payload room is left.
 */

static sluice_status_t
sluice_ts_open(sluice_ts_mux_t *mux, uint32_t pid, unsigned pusi, size_t af,
    size_t payload)
{
    uint8_t  *p;
    size_t    room, stuff;

    if (mux->out) {
        if (mux->size - mux->pos < SLUICE_TS_PACKET) {
            mux->rc = SLUICE_NO_MEMORY;
            return SLUICE_NO_MEMORY;
        }

        p = mux->out + mux->pos;

    } else {
        p = mux->scratch;
    }

    mux->pos += SLUICE_TS_PACKET;
    mux->pkt = p;
    mux->pid = pid;

    room = SLUICE_TS_PAYLOAD - af;
    stuff = (payload && payload < room) ? room - payload : 0;

    p[0] = 0x47;
    p[1] = (uint8_t) ((pusi ? 0x40 : 0) | (sluice_ts_pids[pid] >> 8));
    p[2] = (uint8_t) sluice_ts_pids[pid];
    p[3] = (uint8_t) (((af + stuff) ? 0x30 : 0x10) | mux->cc[pid]);

    mux->cc[pid] = (mux->cc[pid] + 1) & 0x0f;

    if (af + stuff == 0) {
        mux->fill = 4;
        return SLUICE_OK;
    }

    /* adaptation_field_length, flags (none yet), fields, stuffing */
    p[4] = (uint8_t) (af + stuff - 1);

    if (af + stuff > 1) {
        p[5] = 0x00;
    }

    if (af + stuff > 2) {
        memset(p + 4 + (af ? af : 2), 0xff, af + stuff - (af ? af : 2));
    }

    mux->fill = 4 + af + stuff;

    return SLUICE_OK;
}


/* PES bytes into packets of the current PID, opening them as needed */

static void
sluice_ts_put(sluice_ts_mux_t *mux, const uint8_t *p, size_t len)
{
    size_t  n;

    while (len) {
        if (mux->fill == SLUICE_TS_PACKET) {
            if (sluice_ts_open(mux, mux->pid, 0, 0, mux->pes_left)
                != SLUICE_OK)
            {
                return;
            }
        }

        n = SLUICE_TS_PACKET - mux->fill;
        n = n < len ? n : len;

        memcpy(mux->pkt + mux->fill, p, n);
        mux->fill += n;
        mux->pes_left -= n;
        p += n;
        len -= n;
    }
}
