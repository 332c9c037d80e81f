
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the MPEG-TS demuxer.  Hand-built streams first: PAT and
 * PMT (order of the tracks, languages, ignored streams, a PMT over two
 * packets, bad CRCs), PES split over packets with adaptation fields,
 * continuity errors and duplicates, garbage and resync, timestamps
 * across the 33-bit wrap, ADTS frames cut by PES boundaries, a PES over
 * the bound, a handler that stops.
 *
 * Then real files: ffmpeg writes H.264 (B-frames) + AAC and H.265 + AAC
 * in MPEG-TS; the demuxer must find what ffprobe finds (times, key
 * frames, sizes), whole or fed in random pieces, and the records it
 * builds must parse.  Last, Sluice's own TS muxer writes the samples
 * again and the demuxer must give them back unchanged.  The real files
 * are skipped without ffmpeg (libx265: its part only).
 */


#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_hevc.h"
#include "media/codec/sluice_aac.h"
#include "media/container/sluice_ts.h"
#include "media/container/sluice_tsdemux.h"
#include "sluice_test.h"


#define MAX_FRAMES   4096
#define MAX_TRACKS   SLUICE_TSDEMUX_MAX_TRACKS
#define PKT          SLUICE_TS_PACKET
#define WRAP         0x200000000ULL

/* times from 10 s: a first time below 1 s would start the clock at 2^33 */
#define T0           900000


/* --- what the demuxer hands over ---------------------------------------- */


typedef struct {
    uint32_t              index;
    uint64_t              dts;
    int32_t               cts;
    int                   key;
    uint8_t              *data;
    size_t                len;
} frame_t;


typedef struct {
    uint32_t              ntrack_calls;
    uint32_t              track_calls[MAX_TRACKS];
    sluice_track_info_t   info[MAX_TRACKS];
    uint32_t              nframes;
    frame_t              *frames;
    uint32_t              stop_after;   /* 0: never */

    /* SCTE 35 sections */
    uint32_t              nsections;
    uint32_t              section_pid;
    uint8_t               section[4096];
    size_t                section_len;
    uint64_t              section_now;
} log_t;


static void
on_track(void *data, uint32_t index, const sluice_track_info_t *info)
{
    log_t  *log = data;

    SL_CHECK(index < MAX_TRACKS);

    if (index < MAX_TRACKS) {
        log->info[index] = *info;
        log->track_calls[index]++;
    }

    log->ntrack_calls++;
}


static void
on_section(void *data, uint32_t pid, const uint8_t *p, size_t len,
    uint64_t now)
{
    log_t  *log = data;

    SL_CHECK(len <= sizeof(log->section));

    if (len <= sizeof(log->section)) {
        memcpy(log->section, p, len);
        log->section_len = len;
    }

    log->section_pid = pid;
    log->section_now = now;
    log->nsections++;
}


static int
on_frame(void *data, uint32_t index, uint64_t dts, int32_t cts, int key,
    const uint8_t *p, size_t len)
{
    log_t    *log = data;
    frame_t  *f;

    if (log->nframes < MAX_FRAMES) {
        f = &log->frames[log->nframes];
        f->index = index;
        f->dts = dts;
        f->cts = cts;
        f->key = key;
        f->len = len;
        f->data = malloc(len ? len : 1);
        memcpy(f->data, p, len);
    }

    log->nframes++;

    return log->stop_after && log->nframes >= log->stop_after;
}


static sluice_tsdemux_t *
demux_new(log_t *log)
{
    sluice_tsdemux_handler_t  h;

    memset(log, 0, sizeof(log_t));
    log->frames = calloc(MAX_FRAMES, sizeof(frame_t));

    h.track = on_track;
    h.frame = on_frame;
    h.section = on_section;
    h.data = log;

    return sluice_tsdemux_create(&h);
}


static void
log_free(log_t *log)
{
    uint32_t  i;

    for (i = 0; i < log->nframes && i < MAX_FRAMES; i++) {
        free(log->frames[i].data);
    }

    free(log->frames);
    log->frames = NULL;
}


/* frames of one track, in order */
static uint32_t
track_frames(log_t *log, uint32_t index, frame_t **out, uint32_t max)
{
    uint32_t  i, n;

    for (i = 0, n = 0; i < log->nframes && i < MAX_FRAMES; i++) {
        if (log->frames[i].index == index && n < max) {
            out[n++] = &log->frames[i];
        }
    }

    return n;
}


static int
same_logs(log_t *a, log_t *b)
{
    uint32_t  i;
    frame_t  *x, *y;

    if (a->nframes != b->nframes || a->ntrack_calls != b->ntrack_calls) {
        return 0;
    }

    for (i = 0; i < a->nframes && i < MAX_FRAMES; i++) {
        x = &a->frames[i];
        y = &b->frames[i];

        if (x->index != y->index || x->dts != y->dts || x->cts != y->cts
            || x->key != y->key || x->len != y->len
            || memcmp(x->data, y->data, x->len) != 0)
        {
            fprintf(stderr, "  frame %u differs\n", i);
            return 0;
        }
    }

    return 1;
}


/* --- a small TS writer for hand-built streams ---------------------------- */


typedef struct {
    uint8_t              *p;
    size_t                len;
    size_t                cap;
    uint8_t               cc[0x2000];
} tsw_t;


typedef struct {
    uint32_t              type;
    uint32_t              pid;
    const char           *lang;
} stream_t;


static uint8_t *
tsw_room(tsw_t *w, size_t n)
{
    if (w->len + n > w->cap) {
        w->cap = (w->len + n) * 2;
        w->p = realloc(w->p, w->cap);
    }

    w->len += n;

    return w->p + w->len - n;
}


/*
 * One packet: payload n bytes (at most 184 - af), an adaptation field of
 * af bytes at least (grown by stuffing to fill the packet; a PCR when
 * pcr is set, 8 bytes then)
 */
static void
tsw_packet(tsw_t *w, uint32_t pid, int pusi, const uint8_t *payload,
    size_t n, size_t af, int pcr)
{
    uint8_t  *p;

    p = tsw_room(w, PKT);

    if (pcr && af < 8) {
        af = 8;
    }

    if (n < 184 - af) {
        af = 184 - n;
    }

    p[0] = 0x47;
    p[1] = (uint8_t) ((pusi ? 0x40 : 0) | (pid >> 8));
    p[2] = (uint8_t) pid;
    p[3] = (uint8_t) ((af ? 0x30 : 0x10) | (w->cc[pid] & 0x0f));
    w->cc[pid]++;

    if (af) {
        p[4] = (uint8_t) (af - 1);
        memset(p + 5, 0xff, af - 1);

        if (af > 1) {
            p[5] = pcr ? 0x10 : 0x00;
        }

        if (pcr) {
            memset(p + 6, 0x12, 6);
        }
    }

    memcpy(p + 4 + af, payload, n);
}


static void
tsw_section(tsw_t *w, uint32_t pid, uint8_t *s, size_t len, int bad_crc)
{
    size_t    n, off;
    uint8_t   buf[2048];
    uint32_t  crc;

    crc = sluice_ts_crc32(s, len) ^ (bad_crc ? 1 : 0);
    s[len++] = (uint8_t) (crc >> 24);
    s[len++] = (uint8_t) (crc >> 16);
    s[len++] = (uint8_t) (crc >> 8);
    s[len++] = (uint8_t) crc;

    buf[0] = 0;                                 /* pointer_field */
    memcpy(buf + 1, s, len);
    len++;

    /* 0xff after the section to the end of its last packet */
    n = (len + 183) / 184 * 184;
    memset(buf + len, 0xff, n - len);

    for (off = 0; off < n; off += 184) {
        tsw_packet(w, pid, off == 0, buf + off, 184, 0, 0);
    }
}


static void
tsw_pat(tsw_t *w, uint32_t pmt_pid)
{
    uint8_t  s[32];

    s[0] = 0x00;
    s[1] = 0xb0;
    s[2] = 17;                                  /* two programs */
    s[3] = 0x00;
    s[4] = 0x01;
    s[5] = 0xc1;
    s[6] = 0x00;
    s[7] = 0x00;
    s[8] = 0x00;                                /* network PID: skipped */
    s[9] = 0x00;
    s[10] = 0xe0;
    s[11] = 0x10;
    s[12] = 0x00;                               /* program 1 */
    s[13] = 0x01;
    s[14] = (uint8_t) (0xe0 | (pmt_pid >> 8));
    s[15] = (uint8_t) pmt_pid;

    tsw_section(w, 0, s, 16, 0);
}


/* a PMT; pad bytes of a private descriptor in the program info */
static void
tsw_pmt(tsw_t *w, uint32_t pmt_pid, uint32_t version, const stream_t *st,
    uint32_t n, size_t pad, int bad_crc)
{
    size_t    len, d;
    uint8_t   s[1024];
    uint32_t  i;

    s[0] = 0x02;
    s[3] = 0x00;
    s[4] = 0x01;
    s[5] = (uint8_t) (0xc1 | (version << 1));
    s[6] = 0x00;
    s[7] = 0x00;
    s[8] = 0xe1;                                /* PCR PID 0x100 */
    s[9] = 0x00;
    len = 12;

    if (pad) {
        s[len++] = 0x80;                        /* user private */
        s[len++] = (uint8_t) (pad - 2);
        memset(s + len, 0x5a, pad - 2);
        len += pad - 2;
    }

    s[10] = (uint8_t) (0xf0 | (pad >> 8));
    s[11] = (uint8_t) pad;

    for (i = 0; i < n; i++) {
        s[len++] = (uint8_t) st[i].type;
        s[len++] = (uint8_t) (0xe0 | (st[i].pid >> 8));
        s[len++] = (uint8_t) st[i].pid;
        d = st[i].lang ? 6 : 0;
        s[len++] = 0xf0;
        s[len++] = (uint8_t) d;

        if (d) {
            s[len++] = 0x0a;
            s[len++] = 4;
            memcpy(s + len, st[i].lang, 3);
            len += 3;
            s[len++] = 0;                       /* audio_type */
        }
    }

    s[1] = (uint8_t) (0xb0 | ((len + 1) >> 8));
    s[2] = (uint8_t) (len + 1);                 /* len - 3 + CRC */

    tsw_section(w, pmt_pid, s, len, bad_crc);
}


static void
put_ts(uint8_t *p, uint32_t prefix, uint64_t t)
{
    t &= WRAP - 1;
    p[0] = (uint8_t) ((prefix << 4) | ((t >> 29) & 0x0e) | 1);
    p[1] = (uint8_t) (t >> 22);
    p[2] = (uint8_t) (((t >> 14) & 0xfe) | 1);
    p[3] = (uint8_t) (t >> 7);
    p[4] = (uint8_t) (((t << 1) & 0xfe) | 1);
}


/*
 * A PES of es[0..n) with PTS (and DTS when it differs), PES_packet_length
 * set when bounded, in packets whose payloads are chunk bytes at most;
 * the first packet has an adaptation field with a PCR
 */
static void
tsw_pes(tsw_t *w, uint32_t pid, uint32_t sid, uint64_t pts, uint64_t dts,
    const uint8_t *es, size_t n, int bounded, size_t chunk)
{
    size_t    hlen, total, off, k;
    uint8_t  *buf;

    buf = malloc(19 + n);
    hlen = (pts != dts) ? 19 : 14;
    total = hlen - 6 + n;

    buf[0] = 0;
    buf[1] = 0;
    buf[2] = 1;
    buf[3] = (uint8_t) sid;
    buf[4] = bounded ? (uint8_t) (total >> 8) : 0;
    buf[5] = bounded ? (uint8_t) total : 0;
    buf[6] = 0x80;
    buf[7] = (pts != dts) ? 0xc0 : 0x80;
    buf[8] = (uint8_t) (hlen - 9);
    put_ts(buf + 9, (pts != dts) ? 3 : 2, pts);

    if (pts != dts) {
        put_ts(buf + 14, 1, dts);
    }

    memcpy(buf + hlen, es, n);
    n += hlen;

    for (off = 0; off < n; off += k) {
        k = n - off;
        k = k < chunk ? k : chunk;
        k = k < (off ? 184u : 176u) ? k : (off ? 184u : 176u);
        tsw_packet(w, pid, off == 0, buf + off, k, 0, off == 0);
    }

    free(buf);
}


/* --- elementary streams ------------------------------------------------- */


/* x264's SPS and PPS (High, 640x360), as in test_avc.c */
static const uint8_t  avc_sps[] = {
    0x67, 0x64, 0x00, 0x1e, 0xac, 0xd9, 0x40, 0xa0, 0x2f, 0xf9, 0x70, 0x11,
    0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x3c, 0x0f, 0x16,
    0x2d, 0x96
};

static const uint8_t  avc_pps[] = { 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0 };


/*
 * An Annex B access unit: AUD, SPS and PPS when key, then a slice of
 * slice bytes (IDR when key); *au gets the length-prefixed form expected
 */
static size_t
avc_es(uint8_t *es, uint8_t *au, size_t *au_len, int key, size_t slice,
    uint8_t fill)
{
    size_t  n, m;

    n = 0;
    m = 0;

    memcpy(es + n, "\0\0\0\1\x09\xf0", 6);
    n += 6;

    if (key) {
        memcpy(es + n, "\0\0\0\1", 4);
        memcpy(es + n + 4, avc_sps, sizeof(avc_sps));
        n += 4 + sizeof(avc_sps);
        memcpy(es + n, "\0\0\1", 3);
        memcpy(es + n + 3, avc_pps, sizeof(avc_pps));
        n += 3 + sizeof(avc_pps);

        sluice_wb32(au + m, sizeof(avc_sps));
        memcpy(au + m + 4, avc_sps, sizeof(avc_sps));
        m += 4 + sizeof(avc_sps);
        sluice_wb32(au + m, sizeof(avc_pps));
        memcpy(au + m + 4, avc_pps, sizeof(avc_pps));
        m += 4 + sizeof(avc_pps);
    }

    memcpy(es + n, "\0\0\1", 3);
    n += 3;
    es[n] = key ? 0x65 : 0x41;
    memset(es + n + 1, fill, slice - 1);

    sluice_wb32(au + m, (uint32_t) slice);
    memcpy(au + m + 4, es + n, slice);
    m += 4 + slice;
    n += slice;

    *au_len = m;

    return n;
}


/* n ADTS frames (LC, 48 kHz, channels), payload i-th frame filled with i */
static size_t
adts_frames(uint8_t *out, uint32_t n, size_t payload, uint32_t channels,
    uint8_t first)
{
    size_t               len;
    uint8_t              asc[2];
    uint32_t             i;
    sluice_aac_config_t  c;

    asc[0] = 0x11;                              /* LC, index 3 (48000) */
    asc[1] = (uint8_t) (0x80 | (channels << 3));
    SL_CHECK_OK(sluice_aac_parse_config(asc, 2, &c));

    for (i = 0, len = 0; i < n; i++) {
        SL_CHECK_OK(sluice_aac_write_adts(out + len, &c, payload));
        memset(out + len + 7, (uint8_t) (first + i), payload);
        len += 7 + payload;
    }

    return len;
}


static const stream_t  av_streams[] = {
    { 0x1b, 0x100, NULL },
    { 0x06, 0x102, "eng" },                     /* private: ignored */
    { 0x0f, 0x101, "fra" }
};


static void
feed_all(sluice_tsdemux_t *d, tsw_t *w)
{
    SL_CHECK_OK(sluice_tsdemux_feed(d, w->p, w->len));
    w->len = 0;
}


/* --- hand-built tests ---------------------------------------------------- */


static void
test_psi(void)
{
    log_t              log;
    tsw_t              w;
    uint8_t            es[512], au[512], aac[1024];
    size_t             n, au_len;
    sluice_tsdemux_t  *d;

    static const stream_t  audio_first[] = {
        { 0x0f, 0x101, "und" },
        { 0x24, 0x100, NULL },
        { 0x03, 0x103, NULL },                  /* MPEG-1 audio: ignored */
        { 0x0f, 0x104, "x1!" }                  /* not a language */
    };

    memset(&w, 0, sizeof(w));
    d = demux_new(&log);

    /* a PMT with a bad CRC is not read: no track */
    tsw_pat(&w, 0x1000);
    tsw_pmt(&w, 0x1000, 0, av_streams, 3, 0, 1);
    n = avc_es(es, au, &au_len, 1, 40, 0x11);
    tsw_pes(&w, 0x100, 0xe0, T0 + 9000, T0 + 9000, es, n, 0, 184);
    tsw_pes(&w, 0x100, 0xe0, T0 + 12000, T0 + 12000, es, n, 0, 184);
    feed_all(d, &w);

    SL_CHECK_EQ(log.nframes, 0);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->bad_sections, 1);

    /* the PMT over two packets (a 300-byte program descriptor) */
    tsw_pmt(&w, 0x1000, 1, av_streams, 3, 300, 0);
    SL_CHECK_EQ(w.len, 2 * PKT);
    tsw_pes(&w, 0x100, 0xe0, T0 + 15000, T0 + 15000, es, n, 0, 184);
    n = adts_frames(aac, 2, 100, 2, 0);
    tsw_pes(&w, 0x101, 0xc0, T0 + 15000, T0 + 15000, aac, n, 1, 184);
    n = avc_es(es, au, &au_len, 0, 40, 0x22);
    tsw_pes(&w, 0x100, 0xe0, T0 + 18000, T0 + 18000, es, n, 0, 184);
    feed_all(d, &w);

    SL_CHECK_EQ(sluice_tsdemux_ignored(d), 1);
    SL_CHECK_EQ(log.track_calls[0], 1);
    SL_CHECK_EQ(log.track_calls[1], 1);
    SL_CHECK_UEQ(log.info[0].codec, SLUICE_CODEC_AVC);
    SL_CHECK_UEQ(log.info[0].width, 640);
    SL_CHECK_UEQ(log.info[0].height, 360);
    SL_CHECK_STR_EQ(log.info[0].codec_string, "avc1.64001e");
    SL_CHECK_STR_EQ(log.info[0].lang, "");
    SL_CHECK_UEQ(log.info[1].codec, SLUICE_CODEC_AAC);
    SL_CHECK_UEQ(log.info[1].sample_rate, 48000);
    SL_CHECK_UEQ(log.info[1].timescale, 48000);
    SL_CHECK_UEQ(log.info[1].channels, 2);
    SL_CHECK_STR_EQ(log.info[1].codec_string, "mp4a.40.2");
    SL_CHECK_STR_EQ(log.info[1].lang, "fra");

    /* video 15000 (handed over at 18000's start), two AAC frames */
    SL_CHECK_EQ(log.nframes, 3);
    SL_CHECK(log.frames[0].index == 1 && log.frames[0].dts == T0 + 15000);
    SL_CHECK(log.frames[1].index == 1 && log.frames[1].dts == T0 + 16920);
    SL_CHECK(log.frames[2].index == 0 && log.frames[2].dts == T0 + 15000);
    SL_CHECK(log.frames[2].key == 1 && log.frames[2].cts == 0);
    SL_CHECK_EQ(log.frames[1].len, 100);
    SL_CHECK_EQ(log.frames[1].data[0], 1);

    /* the same version again: nothing new; the language of the next */
    tsw_pmt(&w, 0x1000, 1, av_streams, 3, 0, 0);
    feed_all(d, &w);
    SL_CHECK_EQ(log.ntrack_calls, 2);

    /* version 2: the language changes, announced again */
    {
        stream_t  st[3];

        memcpy(st, av_streams, sizeof(st));
        st[2].lang = "deu";
        tsw_pmt(&w, 0x1000, 2, st, 3, 0, 0);
        feed_all(d, &w);
        SL_CHECK_EQ(log.track_calls[1], 2);
        SL_CHECK_STR_EQ(log.info[1].lang, "deu");
    }

    SL_CHECK_OK(sluice_tsdemux_flush(d));
    SL_CHECK_EQ(log.nframes, 4);
    sluice_tsdemux_free(d);
    log_free(&log);

    /* tracks numbered in the PMT's order; "und" and bad tags: no lang */
    d = demux_new(&log);
    tsw_pat(&w, 0x20);
    tsw_pmt(&w, 0x20, 0, audio_first, 4, 0, 0);
    n = adts_frames(aac, 1, 50, 1, 0);
    tsw_pes(&w, 0x101, 0xc0, 90000, 90000, aac, n, 1, 184);
    tsw_pes(&w, 0x104, 0xc0, 90000, 90000, aac, n, 1, 184);
    feed_all(d, &w);

    SL_CHECK_EQ(sluice_tsdemux_ignored(d), 1);
    SL_CHECK_EQ(log.nframes, 2);
    SL_CHECK(log.frames[0].index == 0 && log.frames[1].index == 2);
    SL_CHECK_EQ(log.track_calls[1], 0);
    SL_CHECK_STR_EQ(log.info[0].lang, "");
    SL_CHECK_STR_EQ(log.info[2].lang, "");
    SL_CHECK_UEQ(log.info[0].channels, 1);

    sluice_tsdemux_free(d);
    log_free(&log);
    free(w.p);
}


/* a 1000-byte access unit over packets of 100 bytes each, with PCRs */
static void
test_pes_split(void)
{
    log_t              log;
    tsw_t              w;
    size_t             n, au_len, au2_len;
    uint8_t            es[2048], au[2048], es2[2048], au2[2048];
    sluice_tsdemux_t  *d;

    memset(&w, 0, sizeof(w));
    d = demux_new(&log);

    tsw_pat(&w, 0x1000);
    tsw_pmt(&w, 0x1000, 0, av_streams, 1, 0, 0);

    n = avc_es(es, au, &au_len, 1, 1000, 0x33);
    tsw_pes(&w, 0x100, 0xe0, 93000, 90000, es, n, 0, 100);

    /* an adaptation-field-only packet in between (cc unchanged) */
    {
        uint8_t  *p = tsw_room(&w, PKT);

        p[0] = 0x47;
        p[1] = 0x01;
        p[2] = 0x00;
        p[3] = 0x20 | (w.cc[0x100] & 0x0f);
        p[4] = 183;
        p[5] = 0x10;
        memset(p + 6, 0xff, 182);
    }

    feed_all(d, &w);
    SL_CHECK_EQ(log.nframes, 0);                /* not before the next */

    n = avc_es(es2, au2, &au2_len, 0, 700, 0x44);
    tsw_pes(&w, 0x100, 0xe0, 99000, 93000, es2, n, 0, 184);
    feed_all(d, &w);

    SL_CHECK_EQ(log.nframes, 1);
    SL_CHECK_EQ(log.frames[0].dts, 90000);
    SL_CHECK_EQ(log.frames[0].cts, 3000);
    SL_CHECK_EQ(log.frames[0].key, 1);
    SL_CHECK_UEQ(log.frames[0].len, au_len);
    SL_CHECK_MEM_EQ(log.frames[0].data, au, au_len);

    /* the avcC built from the SPS and PPS, High: with its extension */
    SL_CHECK_UEQ(log.info[0].config_len,
                 6 + 2 + sizeof(avc_sps) + 1 + 2 + sizeof(avc_pps) + 4);

    SL_CHECK_OK(sluice_tsdemux_flush(d));
    SL_CHECK_EQ(log.nframes, 2);
    SL_CHECK_EQ(log.frames[1].key, 0);
    SL_CHECK_EQ(log.frames[1].cts, 6000);
    SL_CHECK_UEQ(log.frames[1].len, au2_len);
    SL_CHECK_MEM_EQ(log.frames[1].data, au2, au2_len);

    /* a bounded PES is handed over as soon as it is whole */
    tsw_pes(&w, 0x100, 0xe0, 96000, 96000, es2, n, 1, 184);
    feed_all(d, &w);
    SL_CHECK_EQ(log.nframes, 3);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->dropped, 0);

    sluice_tsdemux_free(d);
    log_free(&log);
    free(w.p);
}


/* a packet lost, a packet repeated, frames before the parameter sets */
static void
test_continuity(void)
{
    log_t              log;
    tsw_t              w;
    size_t             n, au_len, cut, start;
    uint8_t            es[2048], au[2048];
    sluice_tsdemux_t  *d;

    memset(&w, 0, sizeof(w));
    d = demux_new(&log);

    tsw_pat(&w, 0x1000);
    tsw_pmt(&w, 0x1000, 0, av_streams, 1, 0, 0);

    /* no SPS/PPS yet: dropped */
    n = avc_es(es, au, &au_len, 0, 300, 0x01);
    tsw_pes(&w, 0x100, 0xe0, T0 + 3000, T0 + 3000, es, n, 0, 184);

    n = avc_es(es, au, &au_len, 1, 600, 0x02);
    tsw_pes(&w, 0x100, 0xe0, T0 + 6000, T0 + 6000, es, n, 0, 184);

    /* its second packet lost */
    n = avc_es(es, au, &au_len, 0, 600, 0x03);
    start = w.len;
    tsw_pes(&w, 0x100, 0xe0, T0 + 9000, T0 + 9000, es, n, 0, 184);
    cut = start + PKT;
    memmove(w.p + cut, w.p + cut + PKT, w.len - cut - PKT);
    w.len -= PKT;

    /* its second packet twice */
    n = avc_es(es, au, &au_len, 0, 600, 0x04);
    start = w.len;
    tsw_pes(&w, 0x100, 0xe0, T0 + 12000, T0 + 12000, es, n, 0, 184);
    tsw_room(&w, PKT);
    cut = start + PKT;
    memmove(w.p + cut + PKT, w.p + cut, w.len - cut - PKT);

    n = avc_es(es, au, &au_len, 0, 10, 0x05);
    tsw_pes(&w, 0x100, 0xe0, T0 + 15000, T0 + 15000, es, n, 0, 184);

    feed_all(d, &w);
    SL_CHECK_OK(sluice_tsdemux_flush(d));

    SL_CHECK_EQ(log.nframes, 3);
    SL_CHECK_EQ(log.frames[0].dts, T0 + 6000);
    SL_CHECK_EQ(log.frames[1].dts, T0 + 12000);
    SL_CHECK_EQ(log.frames[1].len, 4 + 600);
    SL_CHECK_EQ(log.frames[1].data[4 + 599], 0x04);
    SL_CHECK_EQ(log.frames[2].dts, T0 + 15000);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->cc_errors, 1);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->bad_pes, 1);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->dropped, 1);

    sluice_tsdemux_free(d);
    log_free(&log);
    free(w.p);
}


/* garbage before, between and inside packets; sync found again */
static void
test_resync(void)
{
    log_t              log, ref;
    tsw_t              w;
    size_t             n, au_len, i, k, pos, len;
    uint8_t            es[2048], au[2048], *mixed;
    sluice_tsdemux_t  *d;

    memset(&w, 0, sizeof(w));

    tsw_pat(&w, 0x1000);
    tsw_pmt(&w, 0x1000, 0, av_streams, 3, 0, 0);

    for (i = 0; i < 20; i++) {
        n = avc_es(es, au, &au_len, i % 5 == 0, 200 + i * 37,
                   (uint8_t) i);
        tsw_pes(&w, 0x100, 0xe0, T0 + 3000 + 3000 * i, T0 + 3000 * i, es,
                n, 0, 184);
    }

    /* the clean stream first */
    d = demux_new(&ref);
    SL_CHECK_OK(sluice_tsdemux_feed(d, w.p, w.len));
    SL_CHECK_OK(sluice_tsdemux_flush(d));
    SL_CHECK_EQ(ref.nframes, 20);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->discarded, 0);
    sluice_tsdemux_free(d);

    /* garbage between packets (with sync bytes in it): nothing lost */
    mixed = malloc(w.len * 2);
    len = 0;

    for (pos = 0, k = 0; pos < w.len; pos += PKT, k++) {
        if (k % 7 == 3) {
            for (i = 0; i < 50 + k; i++) {
                /* never a sync byte first: taken for a packet if so */
                mixed[len++] = (i % 9 == 4) ? 0x47 : (uint8_t) (i * 13) | 0x80;
            }
        }

        memcpy(mixed + len, w.p + pos, PKT);
        len += PKT;
    }

    d = demux_new(&log);
    SL_CHECK_OK(sluice_tsdemux_feed(d, mixed, len));
    SL_CHECK_OK(sluice_tsdemux_flush(d));
    SL_CHECK(same_logs(&log, &ref));
    SL_CHECK_UEQ(sluice_tsdemux_stats(d)->discarded, len - w.len);
    sluice_tsdemux_free(d);
    log_free(&log);

    /* garbage inside a packet: that PES lost, the others intact */
    memcpy(mixed, w.p, w.len);
    memset(mixed + 10 * PKT + 100, 0xee, 150);

    d = demux_new(&log);
    SL_CHECK_OK(sluice_tsdemux_feed(d, mixed, w.len));
    SL_CHECK_OK(sluice_tsdemux_flush(d));
    SL_CHECK_EQ(log.nframes, 19);
    SL_CHECK(sluice_tsdemux_stats(d)->discarded > 0);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->cc_errors, 1);
    SL_CHECK_EQ(log.frames[log.nframes - 1].dts, T0 + 19 * 3000);
    sluice_tsdemux_free(d);
    log_free(&log);

    /* only garbage (no sync byte): nothing, no error */
    for (i = 0; i < 1000; i++) {
        mixed[i] = (uint8_t) (i * 7) | 0x80;
    }

    d = demux_new(&log);
    SL_CHECK_OK(sluice_tsdemux_feed(d, mixed, 1000));
    SL_CHECK_OK(sluice_tsdemux_flush(d));
    SL_CHECK_EQ(log.nframes, 0);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->discarded, 1000);
    sluice_tsdemux_free(d);
    log_free(&log);

    free(mixed);
    log_free(&ref);
    free(w.p);
}


/* video and audio across 2^33; a clock that starts near 0 */
static void
test_wrap(void)
{
    log_t              log;
    tsw_t              w;
    size_t             n, au_len, i;
    uint8_t            es[2048], au[2048], aac[2048];
    uint64_t           t0;
    frame_t           *v[16], *a[16];
    sluice_tsdemux_t  *d;

    memset(&w, 0, sizeof(w));
    d = demux_new(&log);

    tsw_pat(&w, 0x1000);
    tsw_pmt(&w, 0x1000, 0, av_streams, 3, 0, 0);

    t0 = WRAP - 4 * 3000;

    for (i = 0; i < 8; i++) {
        n = avc_es(es, au, &au_len, i == 0, 100, (uint8_t) i);
        /* pts wraps one frame before dts */
        tsw_pes(&w, 0x100, 0xe0, t0 + i * 3000 + 3000, t0 + i * 3000, es, n,
                0, 184);

        n = adts_frames(aac, 2, 20, 2, (uint8_t) (2 * i));
        tsw_pes(&w, 0x101, 0xc0, t0 + i * 3840, t0 + i * 3840, aac, n, 1,
                184);
    }

    feed_all(d, &w);
    SL_CHECK_OK(sluice_tsdemux_flush(d));

    SL_CHECK_EQ(track_frames(&log, 0, v, 16), 8);
    SL_CHECK_EQ(track_frames(&log, 1, a, 16), 16);

    for (i = 0; i < 8; i++) {
        SL_CHECK_UEQ(v[i]->dts, t0 + i * 3000);
        SL_CHECK_EQ(v[i]->cts, 3000);
    }

    for (i = 0; i < 16; i++) {
        SL_CHECK_UEQ(a[i]->dts, t0 + i * 1920);
        SL_CHECK_EQ(a[i]->data[0], i);
    }

    sluice_tsdemux_free(d);
    log_free(&log);

    /*
     * the first time 1000 (a bounded PES, handed over at once): counted
     * from 2^33 + 1000, so that earlier audio does not go below 0
     */
    d = demux_new(&log);
    tsw_pat(&w, 0x1000);
    tsw_pmt(&w, 0x1000, 0, av_streams, 3, 0, 0);
    n = avc_es(es, au, &au_len, 1, 100, 0);
    tsw_pes(&w, 0x100, 0xe0, 4000, 1000, es, n, 1, 184);
    n = adts_frames(aac, 1, 20, 2, 0);
    tsw_pes(&w, 0x101, 0xc0, WRAP - 2000, WRAP - 2000, aac, n, 1, 184);
    feed_all(d, &w);

    SL_CHECK_EQ(log.nframes, 2);
    SL_CHECK_UEQ(log.frames[0].dts, WRAP + 1000);
    SL_CHECK_UEQ(log.frames[1].dts, WRAP - 2000);

    sluice_tsdemux_free(d);
    log_free(&log);
    free(w.p);
}


/* ADTS frames cut by PES boundaries; a new configuration; garbage */
static void
test_audio(void)
{
    log_t              log;
    tsw_t              w;
    size_t             n, half;
    uint8_t            aac[4096];
    sluice_tsdemux_t  *d;

    memset(&w, 0, sizeof(w));
    d = demux_new(&log);

    tsw_pat(&w, 0x1000);
    tsw_pmt(&w, 0x1000, 0, av_streams + 2, 1, 0, 0);

    /* 3 frames of 207 bytes: the PES boundary inside the second */
    n = adts_frames(aac, 3, 200, 2, 10);
    half = 207 + 100;
    tsw_pes(&w, 0x101, 0xc0, 180000, 180000, aac, half, 1, 184);
    feed_all(d, &w);
    SL_CHECK_EQ(log.nframes, 1);                /* at once */

    /* the PES with the rest: its PTS is that of the third frame */
    tsw_pes(&w, 0x101, 0xc0, 500000, 500000, aac + half, n - half, 0, 184);
    feed_all(d, &w);
    SL_CHECK_EQ(log.nframes, 3);
    SL_CHECK_EQ(log.frames[0].dts, 180000);
    SL_CHECK_EQ(log.frames[1].dts, 181920);     /* the first PES's */
    SL_CHECK_EQ(log.frames[1].data[0], 11);
    SL_CHECK_EQ(log.frames[2].dts, 500000);
    SL_CHECK_EQ(log.frames[2].len, 200);
    SL_CHECK(log.frames[2].key == 1 && log.frames[2].cts == 0);

    /* mono now, 5 bytes of garbage first: announced again */
    n = adts_frames(aac + 5, 2, 30, 1, 20);
    memset(aac, 0xff, 5);
    tsw_pes(&w, 0x101, 0xc0, 600000, 600000, aac, n + 5, 1, 30);
    feed_all(d, &w);
    SL_CHECK_EQ(log.nframes, 5);
    SL_CHECK_EQ(log.track_calls[0], 2);
    SL_CHECK_UEQ(log.info[0].channels, 1);
    SL_CHECK_EQ(log.frames[3].dts, 600000);
    SL_CHECK_EQ(log.frames[4].dts, 601920);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->discarded, 5);

    /* half a frame at the end: dropped at flush */
    n = adts_frames(aac, 1, 100, 1, 0);
    tsw_pes(&w, 0x101, 0xc0, 700000, 700000, aac, n / 2, 0, 184);
    feed_all(d, &w);
    SL_CHECK_OK(sluice_tsdemux_flush(d));
    SL_CHECK_EQ(log.nframes, 5);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->discarded, 5 + n / 2);

    sluice_tsdemux_free(d);
    log_free(&log);
    free(w.p);
}


/* a PES over 16 MB: refused, the next one read */
static void
test_oversize(void)
{
    log_t              log;
    tsw_t              w;
    size_t             n, au_len, i, off, k;
    uint8_t            es[2048], au[2048], payload[184];
    sluice_status_t    rc, bad;
    sluice_tsdemux_t  *d;

    memset(&w, 0, sizeof(w));
    d = demux_new(&log);

    tsw_pat(&w, 0x1000);
    tsw_pmt(&w, 0x1000, 0, av_streams, 1, 0, 0);
    n = avc_es(es, au, &au_len, 1, 100, 0);
    tsw_pes(&w, 0x100, 0xe0, T0 + 3000, T0 + 3000, es, n, 0, 184);

    /* a PES start, then 16 MB + of payload */
    n = avc_es(es, au, &au_len, 0, 100, 0);
    tsw_pes(&w, 0x100, 0xe0, T0 + 6000, T0 + 6000, es, n, 0, 184);
    memset(payload, 0x77, sizeof(payload));

    for (i = 0; i < SLUICE_TSDEMUX_MAX_PES / 184 + 10; i++) {
        tsw_packet(&w, 0x100, 0, payload, 184, 0, 0);
    }

    n = avc_es(es, au, &au_len, 0, 100, 9);
    tsw_pes(&w, 0x100, 0xe0, T0 + 9000, T0 + 9000, es, n, 0, 184);

    /* in pieces: BAD_DATA once, the demuxer goes on */
    bad = SLUICE_OK;

    for (off = 0; off < w.len; off += k) {
        k = w.len - off < 1000000 ? w.len - off : 1000000;
        rc = sluice_tsdemux_feed(d, w.p + off, k);

        if (rc != SLUICE_OK) {
            SL_CHECK_EQ(rc, SLUICE_BAD_DATA);
            SL_CHECK_EQ(bad, SLUICE_OK);
            bad = rc;
        }
    }

    SL_CHECK_EQ(bad, SLUICE_BAD_DATA);
    SL_CHECK_OK(sluice_tsdemux_flush(d));

    SL_CHECK_EQ(log.nframes, 2);
    SL_CHECK_EQ(log.frames[0].dts, T0 + 3000);
    SL_CHECK_EQ(log.frames[1].dts, T0 + 9000);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->bad_pes, 1);

    sluice_tsdemux_free(d);
    log_free(&log);
    free(w.p);
}


/* the handler stops: SLUICE_ERROR, then every call */
static void
test_stop(void)
{
    log_t              log;
    tsw_t              w;
    size_t             n, au_len, i;
    uint8_t            es[2048], au[2048];
    sluice_tsdemux_t  *d;

    memset(&w, 0, sizeof(w));
    d = demux_new(&log);
    log.stop_after = 2;

    tsw_pat(&w, 0x1000);
    tsw_pmt(&w, 0x1000, 0, av_streams, 1, 0, 0);

    for (i = 0; i < 5; i++) {
        n = avc_es(es, au, &au_len, i == 0, 100, 0);
        tsw_pes(&w, 0x100, 0xe0, T0 + 3000 * i, T0 + 3000 * i, es, n, 0,
                184);
    }

    SL_CHECK_EQ(sluice_tsdemux_feed(d, w.p, w.len), SLUICE_ERROR);
    SL_CHECK_EQ(log.nframes, 2);
    SL_CHECK_EQ(sluice_tsdemux_feed(d, w.p, w.len), SLUICE_ERROR);
    SL_CHECK_EQ(sluice_tsdemux_flush(d), SLUICE_ERROR);
    SL_CHECK_EQ(log.nframes, 2);

    sluice_tsdemux_free(d);
    log_free(&log);
    free(w.p);
}


/* --- real files ---------------------------------------------------------- */


static char  tmp[] = "/tmp/sluice-tsdemux-XXXXXX";


static uint8_t *
read_file(const char *path, size_t *len)
{
    long      n;
    FILE     *f;
    uint8_t  *p;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc(n > 0 ? (size_t) n : 1);

    if (n <= 0 || fread(p, 1, (size_t) n, f) != (size_t) n) {
        fclose(f);
        free(p);
        return NULL;
    }

    fclose(f);
    *len = (size_t) n;

    return p;
}


typedef struct {
    long long             pts;
    long long             dts;
    int                   key;
} packet_t;


/* "pts|dts|flags" of a stream, as ffprobe reads them */
static int
probe(const char *path, const char *stream, packet_t *pk, int max)
{
    int    n;
    char   cmd[512], line[256];
    FILE  *f;

    snprintf(cmd, sizeof(cmd), "ffprobe -v error -select_streams %s "
             "-show_entries packet=pts,dts,flags -of compact=p=0:nk=1 %s",
             stream, path);

    f = popen(cmd, "r");
    if (f == NULL) {
        return -1;
    }

    n = 0;

    while (n < max && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "%lld|%lld|", &pk[n].pts, &pk[n].dts) != 2) {
            continue;                           /* side data lines */
        }

        pk[n].key = (strstr(line, "|K") != NULL);
        n++;
    }

    pclose(f);

    return n;
}


static void
demux_file(const uint8_t *p, size_t len, log_t *log, int pieces)
{
    size_t             off, k;
    sluice_tsdemux_t  *d;

    d = demux_new(log);
    srand(42);

    for (off = 0; off < len; off += k) {
        k = pieces ? 1 + (size_t) rand() % 1000 : len;
        k = k < len - off ? k : len - off;
        SL_CHECK_OK(sluice_tsdemux_feed(d, p + off, k));
    }

    SL_CHECK_OK(sluice_tsdemux_flush(d));

    SL_CHECK_EQ(sluice_tsdemux_stats(d)->discarded, 0);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->cc_errors, 0);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->bad_pes, 0);
    SL_CHECK_EQ(sluice_tsdemux_stats(d)->dropped, 0);

    sluice_tsdemux_free(d);
}


/* the video of a file against ffprobe: times, key frames */
static void
check_video(const char *path, log_t *log, uint32_t nframes)
{
    int        n, same;
    uint32_t   i, nv, ncts;
    frame_t  **v;
    packet_t  *pk;

    v = calloc(MAX_FRAMES, sizeof(frame_t *));
    pk = calloc(MAX_FRAMES, sizeof(packet_t));

    nv = track_frames(log, 0, v, MAX_FRAMES);
    SL_CHECK_EQ(nv, nframes);

    ncts = 0;

    for (i = 1; i < nv; i++) {
        SL_CHECK(v[i]->dts > v[i - 1]->dts);
        ncts += (v[i]->cts != v[0]->cts);
    }

    SL_CHECK(ncts > 0);                         /* B-frames */

    n = probe(path, "v", pk, MAX_FRAMES);
    SL_CHECK_EQ(n, (int) nv);
    same = (n == (int) nv);

    for (i = 0; same && i < nv; i++) {
        if ((long long) v[i]->dts != pk[i].dts
            || (long long) v[i]->dts + v[i]->cts != pk[i].pts
            || v[i]->key != pk[i].key)
        {
            fprintf(stderr, "  video %u: %llu %d %d, ffprobe %lld %lld %d\n",
                    i, (unsigned long long) v[i]->dts, v[i]->cts, v[i]->key,
                    pk[i].dts, pk[i].pts, pk[i].key);
            same = 0;
        }
    }

    SL_CHECK(same);

    free(v);
    free(pk);
}


/* the audio: 48 kHz, times those of ffprobe */
static void
check_audio(const char *path, log_t *log, uint32_t index, const char *lang)
{
    int        n, same;
    uint32_t   i, na;
    frame_t  **a;
    packet_t  *pk;

    a = calloc(MAX_FRAMES, sizeof(frame_t *));
    pk = calloc(MAX_FRAMES, sizeof(packet_t));

    SL_CHECK_UEQ(log->info[index].codec, SLUICE_CODEC_AAC);
    SL_CHECK_UEQ(log->info[index].sample_rate, 48000);
    SL_CHECK_UEQ(log->info[index].timescale, 48000);
    SL_CHECK_UEQ(log->info[index].channels, 1);
    SL_CHECK_STR_EQ(log->info[index].lang, lang);

    na = track_frames(log, index, a, MAX_FRAMES);
    SL_CHECK(na >= 185 && na <= 190);

    n = probe(path, "a", pk, MAX_FRAMES);
    SL_CHECK_EQ(n, (int) na);
    same = (n == (int) na);

    for (i = 0; same && i < na; i++) {
        same = (long long) a[i]->dts == pk[i].pts && a[i]->key
               && a[i]->cts == 0;
    }

    SL_CHECK(same);

    free(a);
    free(pk);
}


/*
 * Key frames: the first of each 30 in presentation order (x265's open
 * GOPs put a CRA before the leading pictures that show before it); x264
 * closes its GOPs: the first of each 30 in decode order too
 */
static void
check_keys(log_t *log)
{
    uint32_t   i, n, nkeys;
    uint64_t   first;
    frame_t  **v;

    v = calloc(MAX_FRAMES, sizeof(frame_t *));
    n = track_frames(log, 0, v, MAX_FRAMES);
    first = n ? v[0]->dts + v[0]->cts : 0;
    nkeys = 0;

    for (i = 0; i < n; i++) {
        if (v[i]->key) {
            nkeys++;
            SL_CHECK_UEQ((v[i]->dts + v[i]->cts - first) % (30 * 3000), 0);
        }

        if (log->info[0].codec == SLUICE_CODEC_AVC) {
            SL_CHECK_EQ(v[i]->key, i % 30 == 0);
        }
    }

    SL_CHECK_EQ(nkeys, 4);

    free(v);
}


/*
 * The samples of a demuxed file through Sluice's TS muxer (one segment)
 * and back through the demuxer: the same samples
 */
static void
check_roundtrip(log_t *log)
{
    size_t                size;
    uint8_t              *ts;
    uint32_t              i, k, n[2];
    frame_t             **f[2], **g[2];
    log_t                 again;
    sluice_sample_t      *s[2];
    sluice_track_info_t   audio;
    sluice_ts_segment_t   seg;

    memset(&seg, 0, sizeof(seg));

    for (k = 0; k < 2; k++) {
        f[k] = calloc(MAX_FRAMES, sizeof(frame_t *));
        g[k] = calloc(MAX_FRAMES, sizeof(frame_t *));
        s[k] = calloc(MAX_FRAMES, sizeof(sluice_sample_t));
        n[k] = track_frames(log, k, f[k], MAX_FRAMES);

        for (i = 0; i < n[k]; i++) {
            s[k][i].dts = f[k][i]->dts;
            s[k][i].cts = f[k][i]->cts;
            s[k][i].size = (uint32_t) f[k][i]->len;
            s[k][i].flags = f[k][i]->key ? SLUICE_SAMPLE_KEY : 0;
            s[k][i].data = f[k][i]->data;
        }
    }

    /* the audio times are at 90 kHz here */
    audio = log->info[1];
    audio.timescale = 90000;

    seg.video.info = &log->info[0];
    seg.video.samples = s[0];
    seg.video.nsamples = n[0];
    seg.audio.info = &audio;
    seg.audio.samples = s[1];
    seg.audio.nsamples = n[1];

    SL_CHECK_OK(sluice_ts_segment_size(&seg, &size));
    ts = malloc(size);
    SL_CHECK_OK(sluice_ts_segment_write(&seg, ts, size));

    demux_file(ts, size, &again, 1);

    SL_CHECK_EQ(again.track_calls[0], 1);
    SL_CHECK_EQ(again.track_calls[1], 1);
    SL_CHECK_UEQ(again.info[0].config_len, log->info[0].config_len);
    SL_CHECK_MEM_EQ(again.info[0].config, log->info[0].config,
                    log->info[0].config_len);
    SL_CHECK_MEM_EQ(again.info[1].config, log->info[1].config, 2);

    for (k = 0; k < 2; k++) {
        SL_CHECK_EQ(track_frames(&again, k, g[k], MAX_FRAMES), n[k]);

        for (i = 0; i < n[k]; i++) {
            if (g[k][i]->dts != f[k][i]->dts || g[k][i]->cts != f[k][i]->cts
                || g[k][i]->key != f[k][i]->key
                || g[k][i]->len != f[k][i]->len
                || memcmp(g[k][i]->data, f[k][i]->data, f[k][i]->len) != 0)
            {
                fprintf(stderr, "  round trip: track %u sample %u differs\n",
                        k, i);
                SL_CHECK(0);
                break;
            }
        }

        free(f[k]);
        free(g[k]);
        free(s[k]);
    }

    log_free(&again);
    free(ts);
}


static void
test_real(const char *encoder, const char *params)
{
    char                  path[256], cmd[1024];
    size_t                len;
    uint8_t              *ts;
    log_t                 whole, pieces;
    sluice_avc_config_t   avc;
    sluice_hevc_config_t  hevc;

    snprintf(path, sizeof(path), "%s/%s.ts", tmp, encoder);
    snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -y -f lavfi "
             "-i testsrc2=size=320x240:rate=30 -f lavfi "
             "-i sine=frequency=440:sample_rate=48000 -t 4 -c:v %s -g 30 "
             "-bf 2 %s -c:a aac -metadata:s:a:0 language=fra -f mpegts %s",
             encoder, params, path);

    SL_CHECK(system(cmd) == 0);

    ts = read_file(path, &len);
    SL_CHECK(ts != NULL);

    if (ts == NULL) {
        return;
    }

    demux_file(ts, len, &whole, 0);

    SL_CHECK_EQ(whole.track_calls[0], 1);
    SL_CHECK_EQ(whole.track_calls[1], 1);
    SL_CHECK_EQ(whole.ntrack_calls, 2);
    SL_CHECK_UEQ(whole.info[0].width, 320);
    SL_CHECK_UEQ(whole.info[0].height, 240);
    SL_CHECK_UEQ(whole.info[0].timescale, 90000);
    SL_CHECK_STR_EQ(whole.info[0].lang, "");

    if (strcmp(encoder, "libx264") == 0) {
        SL_CHECK_UEQ(whole.info[0].codec, SLUICE_CODEC_AVC);
        SL_CHECK_OK(sluice_avc_parse_config(whole.info[0].config,
                                            whole.info[0].config_len, &avc));
        SL_CHECK(avc.width == 320 && avc.height == 240);
        SL_CHECK(avc.nal_length_size == 4);
        SL_CHECK(strncmp(whole.info[0].codec_string, "avc1.64", 7) == 0);

    } else {
        SL_CHECK_UEQ(whole.info[0].codec, SLUICE_CODEC_HEVC);
        SL_CHECK_OK(sluice_hevc_parse_config(whole.info[0].config,
                                             whole.info[0].config_len,
                                             &hevc));
        SL_CHECK(hevc.width == 320 && hevc.height == 240);
        SL_CHECK(hevc.nvps == 1 && hevc.nsps == 1 && hevc.npps == 1);
        SL_CHECK(strncmp(whole.info[0].codec_string, "hvc1.1.6.L", 10) == 0);
    }

    check_video(path, &whole, 120);
    check_audio(path, &whole, 1, "fra");

    check_keys(&whole);

    /* random pieces of 1 to 1000 bytes: the same */
    demux_file(ts, len, &pieces, 1);
    SL_CHECK(same_logs(&whole, &pieces));
    SL_CHECK(memcmp(&whole.info, &pieces.info, sizeof(whole.info)) == 0);
    log_free(&pieces);

    check_roundtrip(&whole);

    log_free(&whole);
    free(ts);
}


/* SCTE 35 on a PID of stream type 0x86: whole sections, CRC checked */
static void
test_scte35(void)
{
    log_t              log;
    tsw_t              w;
    size_t             n, au_len, i;
    uint8_t            es[512], au[512], sec[600];
    sluice_tsdemux_t  *d;

    static const stream_t  streams[] = {
        { 0x1b, 0x100, NULL },
        { 0x86, 0x1f0, NULL }
    };

    /* AMS's OUT sample (C13) without its CRC, which tsw_section adds */
    static const uint8_t  ams_out[] = {
        0xfc, 0x30, 0x25, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdd, 0x00, 0xff,
        0xf0, 0x14, 0x05, 0x00, 0x00, 0x03, 0xea, 0x7f, 0xef, 0xfe, 0x01,
        0x64, 0x61, 0xb8, 0xfe, 0x00, 0x52, 0x63, 0x63, 0x00, 0x01, 0x01,
        0x01, 0x00, 0x00
    };
    static const uint8_t  crc[] = { 0xf2, 0x0d, 0x5e, 0x37 };

    memset(&w, 0, sizeof(w));
    d = demux_new(&log);

    tsw_pat(&w, 0x1000);
    tsw_pmt(&w, 0x1000, 0, streams, 2, 0, 0);
    n = avc_es(es, au, &au_len, 1, 40, 0x11);
    tsw_pes(&w, 0x100, 0xe0, T0 + 9000, T0 + 9000, es, n, 0, 184);
    n = avc_es(es, au, &au_len, 0, 40, 0x22);
    tsw_pes(&w, 0x100, 0xe0, T0 + 12000, T0 + 12000, es, n, 0, 184);
    memcpy(sec, ams_out, sizeof(ams_out));
    tsw_section(&w, 0x1f0, sec, sizeof(ams_out), 0);
    feed_all(d, &w);

    SL_CHECK_EQ(sluice_tsdemux_ignored(d), 0);
    SL_CHECK_EQ(log.nsections, 1);
    SL_CHECK_EQ(log.section_pid, 0x1f0);
    SL_CHECK_UEQ(log.section_len, sizeof(ams_out) + 4);
    SL_CHECK_MEM_EQ(log.section, ams_out, sizeof(ams_out));
    SL_CHECK_MEM_EQ(log.section + sizeof(ams_out), crc, 4);
    SL_CHECK_UEQ(log.section_now, T0 + 9000);   /* the last handed over */
    SL_CHECK_UEQ(sluice_tsdemux_stats(d)->sections, 1);

    /* a bad CRC: handed over (the SCTE 35 parser says it); no section */
    memcpy(sec, ams_out, sizeof(ams_out));
    tsw_section(&w, 0x1f0, sec, sizeof(ams_out), 1);
    feed_all(d, &w);

    SL_CHECK_EQ(log.nsections, 2);
    SL_CHECK(memcmp(log.section + sizeof(ams_out), crc, 4) != 0);

    sec[0] = 0x02;
    tsw_section(&w, 0x1f0, sec, sizeof(ams_out), 0);
    feed_all(d, &w);

    SL_CHECK_EQ(log.nsections, 2);
    SL_CHECK_UEQ(sluice_tsdemux_stats(d)->bad_sections, 1);

    /* a section over three packets (a 500-byte descriptor loop) */
    sec[0] = 0xfc;
    n = 500 + 14;
    sec[1] = (uint8_t) (0x30 | ((n + 4 - 3) >> 8));
    sec[2] = (uint8_t) (n + 4 - 3);

    for (i = 3; i < n; i++) {
        sec[i] = (uint8_t) i;
    }

    tsw_section(&w, 0x1f0, sec, n, 0);
    feed_all(d, &w);

    SL_CHECK_EQ(log.nsections, 3);
    SL_CHECK_UEQ(log.section_len, n + 4);
    SL_CHECK_MEM_EQ(log.section + 3, sec + 3, n - 3);

    /* splice times on the clock: before it, after it, across 2^33 */
    SL_CHECK_UEQ(sluice_tsdemux_time(d, T0 + 8000), T0 + 8000);
    SL_CHECK_UEQ(sluice_tsdemux_time(d, T0 + 90000 * 4), T0 + 90000 * 4);
    SL_CHECK_UEQ(sluice_tsdemux_time(d, WRAP + T0 + 9100), T0 + 9100);
    SL_CHECK_UEQ(sluice_tsdemux_time(d, WRAP - 100), 0);

    /* the PID listed with another type no longer gives sections */
    static const stream_t  other[] = {
        { 0x1b, 0x100, NULL },
        { 0x06, 0x1f0, NULL }
    };

    tsw_pmt(&w, 0x1000, 1, other, 2, 0, 0);
    memcpy(sec, ams_out, sizeof(ams_out));
    tsw_section(&w, 0x1f0, sec, sizeof(ams_out), 0);
    feed_all(d, &w);

    SL_CHECK_EQ(log.nsections, 3);

    sluice_tsdemux_free(d);
    log_free(&log);
    free(w.p);
}


int
main(void)
{
    char  cmd[128];

    SL_RUN(test_psi);
    SL_RUN(test_pes_split);
    SL_RUN(test_continuity);
    SL_RUN(test_resync);
    SL_RUN(test_wrap);
    SL_RUN(test_audio);
    SL_RUN(test_oversize);
    SL_RUN(test_stop);
    SL_RUN(test_scte35);

    if (system("ffmpeg -version >/dev/null 2>&1") != 0
        || system("ffprobe -version >/dev/null 2>&1") != 0
        || mkdtemp(tmp) == NULL)
    {
        printf("# real files skipped: no ffmpeg/ffprobe\n");
        return SL_DONE();
    }

    sl_test_current = "test_real(libx264)";
    test_real("libx264", "-sc_threshold 0");

    if (system("ffmpeg -hide_banner -encoders 2>/dev/null "
               "| grep -q libx265") == 0)
    {
        sl_test_current = "test_real(libx265)";
        test_real("libx265",
                  "-x265-params keyint=30:scenecut=0:log-level=error");

    } else {
        printf("# libx265 missing: H.265 skipped\n");
    }

    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);

    if (sl_test_failed == 0) {
        (void) system(cmd);

    } else {
        fprintf(stderr, "files kept in %s\n", tmp);
    }

    return SL_DONE();
}
