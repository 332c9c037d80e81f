
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Smooth Streaming client manifest writer; see sluice_mss.h.
 */


#include "media/manifest/sluice_mss.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_hevc.h"
#include "media/signal/sluice_cue_box.h"
#include "media/signal/sluice_cue_text.h"


static void sluice_mss_open(sluice_buf_t *b, const sluice_presentation_t *p);
static void sluice_mss_protection(sluice_buf_t *b,
    const sluice_presentation_t *p);
static sluice_status_t sluice_mss_index(sluice_buf_t *b,
    const sluice_presentation_t *p, const uint32_t *set, uint32_t first);
static void sluice_mss_index_attrs(sluice_buf_t *b,
    const sluice_presentation_t *p, const uint32_t *set, uint32_t first,
    uint32_t nchunks);
static void sluice_mss_index_name(sluice_buf_t *b,
    const sluice_presentation_t *p, const uint32_t *set, uint32_t first);
static sluice_status_t sluice_mss_level(sluice_buf_t *b,
    const sluice_ptrack_t *t, uint32_t index);
static void sluice_mss_start_codes(sluice_buf_t *b, const sluice_str_t *ps,
    uint32_t n);
static sluice_status_t sluice_mss_video_cpd(sluice_buf_t *b,
    const sluice_track_info_t *info);
static void sluice_mss_chunks(sluice_buf_t *b, const sluice_ptrack_t *t,
    uint32_t from, uint32_t n);
static void sluice_mss_sparse(sluice_buf_t *b, const sluice_presentation_t *p);
static void sluice_mss_attr_u64(sluice_buf_t *b, const char *name,
    uint64_t v);


#define sluice_mss_is_video(t)                                               \
    ((t)->info->media_type == SLUICE_MEDIA_VIDEO)


sluice_status_t
sluice_mss_manifest(sluice_buf_t *b, const sluice_presentation_t *p)
{
    uint32_t         i;
    sluice_status_t  rc;
    uint32_t         set[SLUICE_PRESENTATION_MAX_TRACKS];

    if (p->ntracks == 0) {
        return SLUICE_NOT_FOUND;
    }

    /* a StreamIndex per set of renditions (sluice_presentation.h) */
    rc = sluice_presentation_sets(p, set);
    if (rc != SLUICE_OK) {
        return rc;
    }

    for (i = 0; i < p->ntracks; i++) {
        if (p->tracks[i].info->timescale == 0) {
            return SLUICE_BAD_DATA;
        }
    }

    sluice_mss_open(b, p);
    sluice_mss_protection(b, p);

    for (i = 0; i < p->ntracks; i++) {
        if (set[i] != i) {
            continue;
        }

        rc = sluice_mss_index(b, p, set, i);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    if (p->ncues) {
        sluice_mss_sparse(b, p);
    }

    sluice_buf_cstr(b, "</SmoothStreamingMedia>\n");

    return b->rc;
}


static void
sluice_mss_open(sluice_buf_t *b, const sluice_presentation_t *p)
{
    uint32_t                i;
    uint64_t                start, end, v;
    const sluice_pfrag_t   *f;
    const sluice_ptrack_t  *t;

    start = UINT64_MAX;
    end = 0;

    for (i = 0; i < p->ntracks; i++) {
        t = &p->tracks[i];

        if (t->nfrags == 0) {
            continue;
        }

        f = &t->frags[t->nfrags - 1];
        v = sluice_mss_time(t->frags[0].time, t->info->timescale);
        start = v < start ? v : start;
        v = sluice_mss_time(f->time + f->duration, t->info->timescale);
        end = v > end ? v : end;
    }

    sluice_buf_cstr(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                       "<SmoothStreamingMedia MajorVersion=\"2\" ");
    sluice_buf_cstr(b, p->smooth_v20 ? "MinorVersion=\"0\""
                                     : "MinorVersion=\"2\"");
    sluice_buf_cstr(b, " TimeScale=\"10000000\"");

    if (p->live && !p->ended) {
        sluice_buf_cstr(b, " Duration=\"0\" IsLive=\"TRUE\" "
                           "LookAheadFragmentCount=\"2\"");
        sluice_mss_attr_u64(b, "DVRWindowLength", p->window_ms * 10000);
        sluice_buf_cstr(b, " CanSeek=\"TRUE\" CanPause=\"TRUE\">\n");
        return;
    }

    sluice_mss_attr_u64(b, "Duration", end > start ? end - start : 0);
    sluice_buf_cstr(b, " IsLive=\"FALSE\">\n");
}


/*
 * Protection ([MS-SSTR] 2.2.2.2): the PlayReady Header Object of the
 * first protected track (Smooth clients take one key for all tracks)
 */

static void
sluice_mss_protection(sluice_buf_t *b, const sluice_presentation_t *p)
{
    uint32_t                  i;
    const sluice_pprotect_t  *cp;

    for (i = 0; i < p->ntracks; i++) {
        cp = p->tracks[i].protect;

        if (cp == NULL || cp->playready_pro.len == 0) {
            continue;
        }

        sluice_buf_cstr(b, "  <Protection>\n"
                           "    <ProtectionHeader SystemID=\""
                           "9A04F079-9840-4286-AB92-E65BE0885F95\">");
        sluice_buf_str(b, &cp->playready_pro);
        sluice_buf_cstr(b, "</ProtectionHeader>\n"
                           "  </Protection>\n");
        return;
    }
}


/*
 * The StreamIndex of the set that track "first" opens: its QualityLevels
 * share its chunks, those every one of them holds
 */

static sluice_status_t
sluice_mss_index(sluice_buf_t *b, const sluice_presentation_t *p,
    const uint32_t *set, uint32_t first)
{
    uint32_t                i, n, from, nchunks;
    sluice_status_t         rc;

    sluice_presentation_set_span(p, set, first, &from, &nchunks);

    sluice_mss_index_attrs(b, p, set, first, nchunks);

    n = 0;

    for (i = first; i < p->ntracks; i++) {
        if (set[i] != first) {
            continue;
        }

        rc = sluice_mss_level(b, &p->tracks[i], n++);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    sluice_mss_chunks(b, &p->tracks[first], from, nchunks);
    sluice_buf_cstr(b, "  </StreamIndex>\n");

    return SLUICE_OK;
}


static void
sluice_mss_index_attrs(sluice_buf_t *b, const sluice_presentation_t *p,
    const uint32_t *set, uint32_t first, uint32_t nchunks)
{
    uint32_t                i, n, w, h;
    const sluice_ptrack_t  *t, *f;

    f = &p->tracks[first];
    n = 0;
    w = 0;
    h = 0;

    for (i = first; i < p->ntracks; i++) {
        t = &p->tracks[i];

        if (set[i] == first) {
            n++;
            w = t->info->width > w ? t->info->width : w;
            h = t->info->height > h ? t->info->height : h;
        }
    }

    sluice_buf_cstr(b, sluice_mss_is_video(f)
                       ? "  <StreamIndex Type=\"video\" Name=\""
                       : "  <StreamIndex Type=\"audio\" Name=\"");
    sluice_mss_index_name(b, p, set, first);

    if (!sluice_mss_is_video(f) && f->lang.len) {
        sluice_buf_cstr(b, "\" Language=\"");
        sluice_buf_xml(b, f->lang.data, f->lang.len);
    }

    sluice_buf_cstr(b, "\"");
    sluice_mss_attr_u64(b, "Chunks", nchunks);
    sluice_mss_attr_u64(b, "QualityLevels", n);
    sluice_buf_cstr(b, " Url=\"QualityLevels({bitrate})/Fragments(");
    sluice_buf_xml(b, f->name.data, f->name.len);
    sluice_buf_cstr(b, "={start time}");
    sluice_buf_xml(b, p->url_tag.data, p->url_tag.len);
    sluice_buf_cstr(b, ")\"");

    if (sluice_mss_is_video(f) && w && h) {
        sluice_mss_attr_u64(b, "MaxWidth", w);
        sluice_mss_attr_u64(b, "MaxHeight", h);
        sluice_mss_attr_u64(b, "DisplayWidth", w);
        sluice_mss_attr_u64(b, "DisplayHeight", h);
    }

    sluice_buf_cstr(b, ">\n");
}


/*
 * Names are unique: the track name for its first StreamIndex, then
 * "{name}_{bitrate}".  The Url keeps the track name the packager knows.
 */

static void
sluice_mss_index_name(sluice_buf_t *b, const sluice_presentation_t *p,
    const uint32_t *set, uint32_t first)
{
    uint32_t                i;
    const sluice_ptrack_t  *f, *t;

    f = &p->tracks[first];

    sluice_buf_xml(b, f->name.data, f->name.len);

    for (i = 0; i < first; i++) {
        t = &p->tracks[i];

        if (t->name.len != f->name.len
            || memcmp(t->name.data, f->name.data, f->name.len) != 0)
        {
            continue;
        }

        /* an earlier StreamIndex (not a QualityLevel of one) took it */
        if (set[i] == i) {
            sluice_buf_cstr(b, "_");
            sluice_buf_u64(b, f->bitrate);
            return;
        }
    }
}


static sluice_status_t
sluice_mss_level(sluice_buf_t *b, const sluice_ptrack_t *t, uint32_t index)
{
    sluice_status_t             rc;
    const sluice_track_info_t  *info;

    info = t->info;

    if (info->config_len > SLUICE_MAX_CODEC_CONFIG) {
        return SLUICE_BAD_DATA;
    }

    sluice_buf_cstr(b, "    <QualityLevel");
    sluice_mss_attr_u64(b, "Index", index);
    sluice_mss_attr_u64(b, "Bitrate", t->bitrate);

    if (info->codec == SLUICE_CODEC_AAC) {
        sluice_buf_cstr(b, " FourCC=\"AACL\"");
        sluice_mss_attr_u64(b, "SamplingRate", info->sample_rate);
        sluice_mss_attr_u64(b, "Channels", info->channels);
        sluice_buf_cstr(b, " BitsPerSample=\"16\" PacketSize=\"4\" "
                           "AudioTag=\"255\" CodecPrivateData=\"");
        sluice_buf_hex(b, info->config, info->config_len);
        sluice_buf_cstr(b, "\"/>\n");
        return SLUICE_OK;
    }

    if (info->codec == SLUICE_CODEC_AVC) {
        sluice_buf_cstr(b, " FourCC=\"H264\"");

    } else if (info->codec == SLUICE_CODEC_HEVC) {
        /* the sample entry's, as AMS listed it: "hvc1" or "hev1" */
        sluice_buf_cstr(b, strncmp(info->codec_string, "hev1", 4) == 0
                           ? " FourCC=\"hev1\"" : " FourCC=\"hvc1\"");

    } else {
        return SLUICE_UNSUPPORTED;
    }

    sluice_mss_attr_u64(b, "MaxWidth", info->width);
    sluice_mss_attr_u64(b, "MaxHeight", info->height);
    sluice_buf_cstr(b, " CodecPrivateData=\"");

    rc = sluice_mss_video_cpd(b, info);
    if (rc != SLUICE_OK) {
        return rc;
    }

    sluice_buf_cstr(b, "\"/>\n");

    return SLUICE_OK;
}


/* 00000001 SPS 00000001 PPS, in hex */

static sluice_status_t
sluice_mss_video_cpd(sluice_buf_t *b, const sluice_track_info_t *info)
{
    sluice_status_t       rc;
    sluice_avc_config_t   c;
    sluice_hevc_config_t  h;

    if (info->codec == SLUICE_CODEC_HEVC) {
        rc = sluice_hevc_parse_config(info->config, info->config_len, &h);
        if (rc != SLUICE_OK) {
            return rc;
        }

        sluice_mss_start_codes(b, h.vps, h.nvps);
        sluice_mss_start_codes(b, h.sps, h.nsps);
        sluice_mss_start_codes(b, h.pps, h.npps);

        return SLUICE_OK;
    }

    rc = sluice_avc_parse_config(info->config, info->config_len, &c);
    if (rc != SLUICE_OK) {
        return rc;
    }

    sluice_mss_start_codes(b, c.sps, c.nsps);
    sluice_mss_start_codes(b, c.pps, c.npps);

    return SLUICE_OK;
}


/* parameter sets in hex, each after a start code */

static void
sluice_mss_start_codes(sluice_buf_t *b, const sluice_str_t *ps, uint32_t n)
{
    uint32_t  i;

    for (i = 0; i < n; i++) {
        sluice_buf_cstr(b, "00000001");
        sluice_buf_hex(b, ps[i].data, ps[i].len);
    }
}


/*
 * <c t d/>: t on the first chunk and after a gap or discontinuity; times
 * in SLUICE_MSS_TIMESCALE by sluice_mss_time(), d the difference of the
 * converted start and end, so chunks stay contiguous without drift.
 */

static void
sluice_mss_chunks(sluice_buf_t *b, const sluice_ptrack_t *t, uint32_t from,
    uint32_t n)
{
    uint32_t               i, ts;
    uint64_t               start;
    const sluice_pfrag_t  *f;

    ts = t->info->timescale;

    for (i = from; i < from + n; i++) {
        f = &t->frags[i];
        start = sluice_mss_time(f->time, ts);

        sluice_buf_cstr(b, "    <c");

        if (i == from
            || f->time != f[-1].time + f[-1].duration
            || (f->flags & SLUICE_PFRAG_DISCONTINUITY))
        {
            sluice_mss_attr_u64(b, "t", start);
        }

        sluice_mss_attr_u64(b, "d",
                            sluice_mss_time(f->time + f->duration, ts)
                            - start);
        sluice_buf_cstr(b, "/>\n");
    }
}


/*
 * The ad markers of the window as AMS's sparse track (its ad signalling
 * spec, Smooth output): a text StreamIndex "scte35" of subtype DATA
 * under the video (ParentStreamIndex), one chunk per cue at its time
 * (its duration when known), ManifestOutput: each chunk's <f> holds the
 * base64 of its fragment's sample (sluice_cue_box.h: version, id,
 * presentation_time_delta 0, splice_info_section), which the fragment
 * URL QualityLevels(0)/Fragments(scte35={start time}) answers too.
 * FourCC "scte", the sample entry of AMS's sparse ingest tracks: AMS
 * wrote "" there, on which dash.js's Smooth parser throws (it takes a
 * FourCC it does not know as a track to leave out).  Timed metadata has
 * no Smooth form (AMS: SCTE-35 only).
 */

static void
sluice_mss_sparse(sluice_buf_t *b, const sluice_presentation_t *p)
{
    size_t               n;
    uint8_t              buf[SLUICE_MSS_SPARSE_MAX];
    uint32_t             i, chunks;
    const sluice_cue_t  *c;

    chunks = 0;

    for (i = 0; i < p->ncues; i++) {
        n = sluice_cue_sparse_size(&p->cues[i]);
        chunks += (n && n <= sizeof(buf));
    }

    if (chunks == 0) {
        return;
    }

    sluice_buf_cstr(b, "  <StreamIndex Type=\"text\" Name=\""
                       SLUICE_MSS_SPARSE_NAME "\" Subtype=\"DATA\"");
    sluice_mss_attr_u64(b, "Chunks", chunks);
    sluice_buf_cstr(b, " QualityLevels=\"1\" ParentStreamIndex=\"video\" "
                       "ManifestOutput=\"TRUE\" Url=\"QualityLevels("
                       "{bitrate})/Fragments(" SLUICE_MSS_SPARSE_NAME
                       "={start time}");
    sluice_buf_xml(b, p->url_tag.data, p->url_tag.len);
    sluice_buf_cstr(b, ")\">\n"
                       "    <QualityLevel Index=\"0\" Bitrate=\"0\" "
                       "CodecPrivateData=\"\" FourCC=\"scte\">\n"
                       "      <CustomAttributes>\n"
                       "        <Attribute Name=\"Scheme\" Value=\""
                       SLUICE_CUE_SCHEME_SCTE35_BIN "\"/>\n"
                       "      </CustomAttributes>\n"
                       "    </QualityLevel>\n");

    for (i = 0; i < p->ncues; i++) {
        c = &p->cues[i];
        n = sluice_cue_sparse_size(c);

        if (n == 0 || n > sizeof(buf)) {
            continue;
        }

        sluice_buf_cstr(b, "    <c");
        sluice_mss_attr_u64(b, "t", sluice_cue_time(c->time,
                                                    SLUICE_MSS_TIMESCALE));

        if (c->duration) {
            sluice_mss_attr_u64(b, "d",
                                sluice_cue_time(c->duration,
                                                SLUICE_MSS_TIMESCALE));
        }

        sluice_buf_cstr(b, "><f>");
        sluice_cue_sparse_write(buf, c);
        sluice_cue_base64(b, buf, n);
        sluice_buf_cstr(b, "</f></c>\n");
    }

    sluice_buf_cstr(b, "  </StreamIndex>\n");
}


static void
sluice_mss_attr_u64(sluice_buf_t *b, const char *name, uint64_t v)
{
    sluice_buf_cstr(b, " ");
    sluice_buf_cstr(b, name);
    sluice_buf_cstr(b, "=\"");
    sluice_buf_u64(b, v);
    sluice_buf_cstr(b, "\"");
}
