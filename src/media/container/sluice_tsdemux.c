
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * MPEG-TS demuxer; see sluice_tsdemux.h.
 *
 * Packets are read straight from the caller's bytes while they come
 * whole and in sync; the rest (a packet cut between two calls, or bytes
 * being searched for a sync) is staged in a buffer of two packets.
 *
 * Each track has one buffer.  Video: the PES being gathered, header
 * included, converted into a second buffer (length-prefixed NAL units)
 * when it ends.  Audio: the ADTS bytes not yet handed over: what is left
 * of the last PES (a frame cut by the PES boundary), then the PES being
 * gathered, whose header is cut out as soon as it is whole.
 */


#include <stdlib.h>
#include <string.h>

#include "media/sluice_lang.h"
#include "media/codec/sluice_bits.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_hevc.h"
#include "media/codec/sluice_aac.h"
#include "media/container/sluice_ts.h"
#include "media/container/sluice_tsdemux.h"


#define SLUICE_TSDEMUX_PACKET       188
#define SLUICE_TSDEMUX_SYNC         0x47
#define SLUICE_TSDEMUX_PID_NULL     0x1fff
#define SLUICE_TSDEMUX_NO_PID       0xffffffff
#define SLUICE_TSDEMUX_SECTION_MAX  1024    /* 3 + section_length */
#define SLUICE_TSDEMUX_SCTE35_MAX   4099    /* 3 + 12 bits of length */
#define SLUICE_TSDEMUX_MAX_IGNORED  64
#define SLUICE_TSDEMUX_MAX_PS       SLUICE_AVC_MAX_PS
#define SLUICE_TSDEMUX_BUF_MIN      4096
#define SLUICE_TSDEMUX_TS_MASK      0x1ffffffffULL
#define SLUICE_TSDEMUX_TS_WRAP      0x200000000ULL
#define SLUICE_TSDEMUX_EPOCH        90000   /* see "Times" in the header */
#define SLUICE_TSDEMUX_AAC_FRAME    1024

#define SLUICE_TSDEMUX_TYPE_AAC     0x0f
#define SLUICE_TSDEMUX_TYPE_AVC     0x1b
#define SLUICE_TSDEMUX_TYPE_HEVC    0x24
#define SLUICE_TSDEMUX_TYPE_SCTE35  0x86
#define SLUICE_TSDEMUX_TABLE_SCTE35 0xfc
#define SLUICE_TSDEMUX_DESC_LANG    0x0a


/* a PAT or PMT section being gathered */
typedef struct {
    uint8_t                     buf[SLUICE_TSDEMUX_SCTE35_MAX];
    size_t                      max;        /* of a section, its 3 first
                                               bytes included */
    size_t                      len;
    size_t                      total;      /* 0 until len >= 3 */
    int                         cc;         /* -1: none yet */
    unsigned                    started:1;
} sluice_tsdemux_psi_t;


/* the parameter sets of one access unit, pointers into its PES */
typedef struct {
    uint32_t                    n[3];       /* VPS, SPS, PPS */
    sluice_str_t                ps[3][SLUICE_TSDEMUX_MAX_PS];
} sluice_tsdemux_sets_t;


/* a PES header */
typedef struct {
    size_t                      len;        /* bytes */
    size_t                      total;      /* 6 + PES_packet_length, 0 */
    uint64_t                    pts;        /* 33 bits */
    uint64_t                    dts;
    unsigned                    has_pts:1;
} sluice_tsdemux_pes_t;


typedef struct {
    uint32_t                    pid;
    uint32_t                    codec;      /* sluice_codec_t */
    int                         cc;         /* -1: none yet */
    char                        lang[SLUICE_MAX_LANG];

    unsigned                    configured:1;
    unsigned                    in_pes:1;   /* a PES is being gathered */
    unsigned                    header:1;   /* audio: its header cut out */
    unsigned                    has_base:1; /* audio: a PTS to count from */
    unsigned                    pending:1;  /* audio: a PTS from pts_off */

    uint8_t                    *buf;
    size_t                      len;
    size_t                      cap;
    size_t                      pes_start;  /* the PES being gathered */
    size_t                      pes_got;    /* its bytes, header included */
    size_t                      pes_total;  /* 6 + PES_packet_length, 0 */

    /* audio: frames from the PTS base; the next PES's PTS at pts_off */
    uint64_t                    base;
    uint64_t                    nframes;
    uint64_t                    next_pts;
    size_t                      pts_off;

    /* video: the last decode time, its step; the access unit written */
    uint64_t                    last_dts;
    uint64_t                    last_step;
    uint8_t                    *au;
    size_t                      au_cap;

    sluice_track_info_t         info;
} sluice_tsdemux_track_t;


struct sluice_tsdemux_s {
    sluice_tsdemux_handler_t    handler;
    sluice_tsdemux_stats_t      stats;

    uint8_t                     stage[2 * SLUICE_TSDEMUX_PACKET];
    size_t                      fill;

    unsigned                    synced:1;
    unsigned                    bad_data:1; /* a PES over the bound */
    unsigned                    stopped:1;  /* the handler said so */
    unsigned                    clock_set:1;

    uint32_t                    pmt_pid;
    uint32_t                    program;
    int                         pmt_version;
    sluice_tsdemux_psi_t        pat;
    sluice_tsdemux_psi_t        pmt;

    /* SCTE 35 (stream type 0x86): PIDs and their sections */
    uint32_t                    nscte35;
    uint32_t                    scte35_pid[SLUICE_TSDEMUX_MAX_SCTE35];
    sluice_tsdemux_psi_t        scte35[SLUICE_TSDEMUX_MAX_SCTE35];

    uint64_t                    clock;      /* the last time, unwrapped */

    uint32_t                    ntracks;
    sluice_tsdemux_track_t      tracks[SLUICE_TSDEMUX_MAX_TRACKS];

    uint32_t                    nignored;
    uint32_t                    ignored[SLUICE_TSDEMUX_MAX_IGNORED];
};


static sluice_status_t sluice_tsdemux_staged(sluice_tsdemux_t *d);
static sluice_status_t sluice_tsdemux_done(sluice_tsdemux_t *d,
    sluice_status_t rc);
static sluice_status_t sluice_tsdemux_packet(sluice_tsdemux_t *d,
    const uint8_t *p);
static int sluice_tsdemux_cc(int *last, uint32_t cc, unsigned disc);
static sluice_status_t sluice_tsdemux_psi(sluice_tsdemux_t *d,
    sluice_tsdemux_psi_t *psi, unsigned pusi, const uint8_t *p, size_t n);
static sluice_status_t sluice_tsdemux_gather(sluice_tsdemux_t *d,
    sluice_tsdemux_psi_t *psi, const uint8_t *p, size_t n);
static sluice_status_t sluice_tsdemux_section(sluice_tsdemux_t *d,
    sluice_tsdemux_psi_t *psi);
static void sluice_tsdemux_pat(sluice_tsdemux_t *d, const uint8_t *s,
    size_t len);
static void sluice_tsdemux_pmt(sluice_tsdemux_t *d, const uint8_t *s,
    size_t len);
static void sluice_tsdemux_stream(sluice_tsdemux_t *d, uint32_t type,
    uint32_t pid, const uint8_t *desc, size_t n);
static void sluice_tsdemux_lang(const uint8_t *desc, size_t n, char *lang);
static int sluice_tsdemux_scte35_stream(sluice_tsdemux_t *d, uint32_t type,
    uint32_t pid);
static sluice_status_t sluice_tsdemux_scte35_packet(sluice_tsdemux_t *d,
    uint32_t pid, unsigned pusi, unsigned disc, const uint8_t *p,
    size_t off);
static sluice_status_t sluice_tsdemux_scte35_section(sluice_tsdemux_t *d,
    sluice_tsdemux_psi_t *psi, const uint8_t *s, size_t len);
static void sluice_tsdemux_ignore(sluice_tsdemux_t *d, uint32_t pid);
static sluice_tsdemux_track_t *sluice_tsdemux_find(sluice_tsdemux_t *d,
    uint32_t pid);
static void sluice_tsdemux_reset(sluice_tsdemux_track_t *t);
static sluice_status_t sluice_tsdemux_pes(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t, unsigned pusi, const uint8_t *p, size_t n);
static sluice_status_t sluice_tsdemux_append(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t, const uint8_t *p, size_t n);
static sluice_status_t sluice_tsdemux_reserve(uint8_t **buf, size_t *cap,
    size_t need);
static sluice_status_t sluice_tsdemux_end(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t);
static void sluice_tsdemux_drop(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t);
static sluice_status_t sluice_tsdemux_pes_header(const uint8_t *p,
    size_t len, sluice_tsdemux_pes_t *h);
static uint64_t sluice_tsdemux_ts(const uint8_t *p);
static uint64_t sluice_tsdemux_unwrap(sluice_tsdemux_t *d, uint64_t ts);
static sluice_status_t sluice_tsdemux_video(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t);
static sluice_status_t sluice_tsdemux_video_au(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t, const uint8_t *es, size_t len, uint64_t dts,
    int32_t cts);
static void sluice_tsdemux_add_set(sluice_tsdemux_sets_t *sets,
    uint32_t kind, const sluice_str_t *nal);
static int sluice_tsdemux_next_nal(const uint8_t **pos, const uint8_t *end,
    sluice_str_t *nal);
static const uint8_t *sluice_tsdemux_zeros(const uint8_t *p,
    const uint8_t *end);
static void sluice_tsdemux_video_config(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t, sluice_tsdemux_sets_t *sets);
static sluice_status_t sluice_tsdemux_avc_info(sluice_tsdemux_track_t *t,
    sluice_tsdemux_sets_t *sets, sluice_track_info_t *info);
static sluice_status_t sluice_tsdemux_hevc_info(sluice_tsdemux_track_t *t,
    sluice_tsdemux_sets_t *sets, sluice_track_info_t *info);
static void sluice_tsdemux_announce(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t, const sluice_track_info_t *info);
static sluice_status_t sluice_tsdemux_audio(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t);
static sluice_status_t sluice_tsdemux_audio_header(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t);
static sluice_status_t sluice_tsdemux_adts(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t, const uint8_t *h, size_t len);
static void sluice_tsdemux_aac_config(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t, const uint8_t *h);
static sluice_status_t sluice_tsdemux_emit(sluice_tsdemux_t *d,
    sluice_tsdemux_track_t *t, uint64_t dts, int32_t cts, int key,
    const uint8_t *p, size_t len);


sluice_tsdemux_t *
sluice_tsdemux_create(const sluice_tsdemux_handler_t *h)
{
    sluice_tsdemux_t  *d;

    d = calloc(1, sizeof(sluice_tsdemux_t));
    if (d == NULL) {
        return NULL;
    }

    d->handler = *h;
    d->pmt_pid = SLUICE_TSDEMUX_NO_PID;
    d->pmt_version = -1;
    d->pat.cc = -1;
    d->pmt.cc = -1;
    d->pat.max = SLUICE_TSDEMUX_SECTION_MAX;
    d->pmt.max = SLUICE_TSDEMUX_SECTION_MAX;

    return d;
}


void
sluice_tsdemux_free(sluice_tsdemux_t *d)
{
    uint32_t  i;

    if (d == NULL) {
        return;
    }

    for (i = 0; i < d->ntracks; i++) {
        free(d->tracks[i].buf);
        free(d->tracks[i].au);
    }

    free(d);
}


uint32_t
sluice_tsdemux_ignored(const sluice_tsdemux_t *d)
{
    return d->stats.ignored;
}


const sluice_tsdemux_stats_t *
sluice_tsdemux_stats(const sluice_tsdemux_t *d)
{
    return &d->stats;
}


sluice_status_t
sluice_tsdemux_feed(sluice_tsdemux_t *d, const uint8_t *p, size_t len)
{
    size_t           n;
    sluice_status_t  rc;

    if (d->stopped) {
        return SLUICE_ERROR;
    }

    while (len) {

        /* whole packets in sync: read where they are */

        if (d->fill == 0 && d->synced) {
            while (len >= SLUICE_TSDEMUX_PACKET
                   && p[0] == SLUICE_TSDEMUX_SYNC)
            {
                rc = sluice_tsdemux_packet(d, p);
                if (rc != SLUICE_OK) {
                    return sluice_tsdemux_done(d, rc);
                }

                p += SLUICE_TSDEMUX_PACKET;
                len -= SLUICE_TSDEMUX_PACKET;
            }

            if (len == 0) {
                break;
            }
        }

        /* in sync: complete one packet; else take two to check a sync */

        n = d->synced ? SLUICE_TSDEMUX_PACKET : sizeof(d->stage);
        n = (n > d->fill) ? n - d->fill : 0;
        n = n < len ? n : len;

        memcpy(d->stage + d->fill, p, n);
        d->fill += n;
        p += n;
        len -= n;

        rc = sluice_tsdemux_staged(d);
        if (rc != SLUICE_OK) {
            return sluice_tsdemux_done(d, rc);
        }
    }

    return sluice_tsdemux_done(d, SLUICE_OK);
}


/* packets out of the staging buffer, a sync searched for when lost */

static sluice_status_t
sluice_tsdemux_staged(sluice_tsdemux_t *d)
{
    size_t           skip;
    uint8_t         *q;
    sluice_status_t  rc;

    for ( ;; ) {

        if (d->synced) {
            if (d->fill < SLUICE_TSDEMUX_PACKET) {
                return SLUICE_OK;
            }

            if (d->stage[0] != SLUICE_TSDEMUX_SYNC) {
                d->synced = 0;
                continue;
            }

            rc = sluice_tsdemux_packet(d, d->stage);
            skip = SLUICE_TSDEMUX_PACKET;

        } else {
            q = memchr(d->stage, SLUICE_TSDEMUX_SYNC, d->fill);
            skip = q ? (size_t) (q - d->stage) : d->fill;

            if (skip == 0) {
                if (d->fill <= SLUICE_TSDEMUX_PACKET) {
                    return SLUICE_OK;           /* the next sync unseen */
                }

                if (d->stage[SLUICE_TSDEMUX_PACKET] == SLUICE_TSDEMUX_SYNC) {
                    d->synced = 1;
                    continue;
                }

                skip = 1;
            }

            d->stats.discarded += skip;
            rc = SLUICE_OK;
        }

        d->fill -= skip;
        memmove(d->stage, d->stage + skip, d->fill);

        if (rc != SLUICE_OK) {
            return rc;
        }
    }
}


static sluice_status_t
sluice_tsdemux_done(sluice_tsdemux_t *d, sluice_status_t rc)
{
    if (rc == SLUICE_OK && d->bad_data) {
        rc = SLUICE_BAD_DATA;
    }

    d->bad_data = 0;

    return rc;
}


sluice_status_t
sluice_tsdemux_flush(sluice_tsdemux_t *d)
{
    uint32_t                 i;
    sluice_status_t          rc;
    sluice_tsdemux_track_t  *t;

    if (d->stopped) {
        return SLUICE_ERROR;
    }

    rc = SLUICE_OK;

    /* a last packet that had no next one to confirm its sync */

    if (!d->synced && d->fill == SLUICE_TSDEMUX_PACKET
        && d->stage[0] == SLUICE_TSDEMUX_SYNC)
    {
        rc = sluice_tsdemux_packet(d, d->stage);
        d->fill = 0;
    }

    d->stats.discarded += d->fill;
    d->fill = 0;
    d->synced = 0;

    for (i = 0; rc == SLUICE_OK && i < d->ntracks; i++) {
        t = &d->tracks[i];

        if (t->in_pes && t->codec != SLUICE_CODEC_AAC) {
            rc = sluice_tsdemux_end(d, t);
        }

        d->stats.discarded += (t->codec == SLUICE_CODEC_AAC) ? t->len : 0;
        sluice_tsdemux_reset(t);
    }

    d->pat.started = 0;
    d->pat.cc = -1;
    d->pmt.started = 0;
    d->pmt.cc = -1;

    for (i = 0; i < d->nscte35; i++) {
        d->scte35[i].started = 0;
        d->scte35[i].cc = -1;
    }

    return sluice_tsdemux_done(d, rc);
}


static sluice_status_t
sluice_tsdemux_packet(sluice_tsdemux_t *d, const uint8_t *p)
{
    int                      cont;
    size_t                   off;
    uint32_t                 pid, afc;
    unsigned                 pusi, disc;
    sluice_tsdemux_track_t  *t;

    d->stats.packets++;

    pid = ((uint32_t) (p[1] & 0x1f) << 8) | p[2];
    pusi = (p[1] & 0x40) != 0;
    afc = (p[3] >> 4) & 0x03;
    off = 4;
    disc = 0;

    if ((p[1] & 0x80) || afc == 0) {
        /* transport_error_indicator, a reserved adaptation_field_control */
        d->stats.bad_packets++;
        return SLUICE_OK;
    }

    if (pid == SLUICE_TSDEMUX_PID_NULL || !(afc & 1)) {
        return SLUICE_OK;                       /* no payload */
    }

    if (afc & 2) {
        if (p[4] > SLUICE_TSDEMUX_PACKET - 5) {
            d->stats.bad_packets++;
            return SLUICE_OK;
        }

        disc = (p[4] > 0) && (p[5] & 0x80);     /* discontinuity_indicator */
        off = 5 + p[4];
    }

    if (pid == 0) {
        cont = sluice_tsdemux_cc(&d->pat.cc, p[3] & 0x0f, disc);
        d->pat.started &= (cont >= 0);
        return cont ? sluice_tsdemux_psi(d, &d->pat, pusi, p + off,
                                         SLUICE_TSDEMUX_PACKET - off)
                    : SLUICE_OK;
    }

    if (pid == d->pmt_pid) {
        cont = sluice_tsdemux_cc(&d->pmt.cc, p[3] & 0x0f, disc);
        d->pmt.started &= (cont >= 0);
        return cont ? sluice_tsdemux_psi(d, &d->pmt, pusi, p + off,
                                         SLUICE_TSDEMUX_PACKET - off)
                    : SLUICE_OK;
    }

    t = sluice_tsdemux_find(d, pid);
    if (t == NULL) {
        return sluice_tsdemux_scte35_packet(d, pid, pusi, disc, p, off);
    }

    cont = sluice_tsdemux_cc(&t->cc, p[3] & 0x0f, disc);

    if (cont == 0) {
        return SLUICE_OK;                       /* a duplicate packet */
    }

    if (cont < 0) {
        d->stats.cc_errors++;

        if (t->in_pes) {
            d->stats.bad_pes++;
            sluice_tsdemux_drop(d, t);
        }
    }

    return sluice_tsdemux_pes(d, t, pusi, p + off,
                              SLUICE_TSDEMUX_PACKET - off);
}


/*
 * The continuity counter of a packet with payload: 1 if it follows the
 * last one (or starts, or a discontinuity is signalled), 0 for a
 * duplicate, -1 for a jump (packets lost).
 */

static int
sluice_tsdemux_cc(int *last, uint32_t cc, unsigned disc)
{
    int  prev;

    prev = *last;
    *last = (int) cc;

    if (prev < 0 || disc) {
        return 1;
    }

    if ((uint32_t) prev == cc) {
        return 0;
    }

    return ((uint32_t) (prev + 1) & 0x0f) == cc ? 1 : -1;
}


/* --- PSI ------------------------------------------------------------------ */


static sluice_status_t
sluice_tsdemux_psi(sluice_tsdemux_t *d, sluice_tsdemux_psi_t *psi,
    unsigned pusi, const uint8_t *p, size_t n)
{
    size_t           ptr;
    sluice_status_t  rc;

    if (!pusi) {
        return psi->started ? sluice_tsdemux_gather(d, psi, p, n)
                            : SLUICE_OK;
    }

    /* pointer_field: the end of the section before, then a new one */

    if (n == 0 || p[0] >= n) {
        d->stats.bad_sections++;
        psi->started = 0;
        return SLUICE_OK;
    }

    ptr = p[0];
    p++;
    n--;

    if (psi->started && ptr) {
        rc = sluice_tsdemux_gather(d, psi, p, ptr);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    psi->started = 1;
    psi->len = 0;
    psi->total = 0;

    return sluice_tsdemux_gather(d, psi, p + ptr, n - ptr);
}


/* section bytes; each section whole is read, the next may follow */

static sluice_status_t
sluice_tsdemux_gather(sluice_tsdemux_t *d, sluice_tsdemux_psi_t *psi,
    const uint8_t *p, size_t n)
{
    size_t           need;
    sluice_status_t  rc;

    while (n && psi->started) {

        if (psi->len == 0 && p[0] == 0xff) {
            psi->started = 0;                   /* stuffing to the end */
            break;
        }

        need = (psi->total ? psi->total : 3) - psi->len;
        need = need < n ? need : n;

        memcpy(psi->buf + psi->len, p, need);
        psi->len += need;
        p += need;
        n -= need;

        if (psi->total == 0 && psi->len == 3) {
            psi->total = 3 + (((size_t) (psi->buf[1] & 0x0f) << 8)
                              | psi->buf[2]);

            if (psi->total > psi->max) {
                d->stats.bad_sections++;
                psi->started = 0;
                break;
            }
        }

        if (psi->total && psi->len == psi->total) {
            rc = sluice_tsdemux_section(d, psi);
            psi->len = 0;
            psi->total = 0;

            if (rc != SLUICE_OK) {
                return rc;
            }
        }
    }

    return SLUICE_OK;
}


static sluice_status_t
sluice_tsdemux_section(sluice_tsdemux_t *d, sluice_tsdemux_psi_t *psi)
{
    size_t          len;
    const uint8_t  *s;

    s = psi->buf;
    len = psi->len;

    if (psi != &d->pat && psi != &d->pmt) {
        return sluice_tsdemux_scte35_section(d, psi, s, len);
    }

    /* long form: the header to last_section_number, then the CRC */

    if (len < 12 || !(s[1] & 0x80) || sluice_ts_crc32(s, len) != 0) {
        d->stats.bad_sections++;
        return SLUICE_OK;
    }

    if (!(s[5] & 0x01)) {
        return SLUICE_OK;                       /* not applicable yet */
    }

    if (psi == &d->pat && s[0] == 0x00) {
        sluice_tsdemux_pat(d, s, len);

    } else if (psi == &d->pmt && s[0] == 0x02) {
        sluice_tsdemux_pmt(d, s, len);
    }

    return SLUICE_OK;
}


/* the first program of the PAT's first section: its PMT PID */

static void
sluice_tsdemux_pat(sluice_tsdemux_t *d, const uint8_t *s, size_t len)
{
    size_t    i;
    uint32_t  program, pid;

    if (s[6] != 0) {
        return;                                 /* section_number */
    }

    for (i = 8; i + 4 <= len - 4; i += 4) {
        program = sluice_rb16(s + i);
        pid = sluice_rb16(s + i + 2) & 0x1fff;

        if (program == 0) {
            continue;                           /* the network PID */
        }

        if (pid == 0 || pid == SLUICE_TSDEMUX_PID_NULL) {
            d->stats.bad_sections++;
            return;
        }

        if (pid != d->pmt_pid || program != d->program) {
            d->pmt_pid = pid;
            d->program = program;
            d->pmt_version = -1;
            d->pmt.started = 0;
            d->pmt.cc = -1;
        }

        return;
    }
}


static void
sluice_tsdemux_pmt(sluice_tsdemux_t *d, const uint8_t *s, size_t len)
{
    int       version;
    size_t    pos, end, n;
    uint32_t  type, pid;

    version = (s[5] >> 1) & 0x1f;

    if (sluice_rb16(s + 3) != d->program || version == d->pmt_version) {
        return;
    }

    end = len - 4;
    pos = 12 + (sluice_rb16(s + 10) & 0x0fff);  /* program_info_length */

    if (pos > end) {
        d->stats.bad_sections++;
        return;
    }

    d->pmt_version = version;

    while (end - pos >= 5) {
        type = s[pos];
        pid = sluice_rb16(s + pos + 1) & 0x1fff;
        n = sluice_rb16(s + pos + 3) & 0x0fff;  /* ES_info_length */
        pos += 5;

        if (n > end - pos) {
            d->stats.bad_sections++;
            return;
        }

        sluice_tsdemux_stream(d, type, pid, s + pos, n);
        pos += n;
    }
}


/* an elementary stream of the PMT */

static void
sluice_tsdemux_stream(sluice_tsdemux_t *d, uint32_t type, uint32_t pid,
    const uint8_t *desc, size_t n)
{
    char                     lang[SLUICE_MAX_LANG];
    uint32_t                 codec;
    sluice_tsdemux_track_t  *t;

    codec = (type == SLUICE_TSDEMUX_TYPE_AVC) ? SLUICE_CODEC_AVC
            : (type == SLUICE_TSDEMUX_TYPE_HEVC) ? SLUICE_CODEC_HEVC
            : (type == SLUICE_TSDEMUX_TYPE_AAC) ? SLUICE_CODEC_AAC
            : SLUICE_CODEC_NONE;

    t = sluice_tsdemux_find(d, pid);

    if (sluice_tsdemux_scte35_stream(d, type, pid)) {
        if (t) {
            t->pid = SLUICE_TSDEMUX_NO_PID;     /* the track ends */
            sluice_tsdemux_reset(t);
        }

        return;
    }

    if (codec == SLUICE_CODEC_NONE || pid < 0x10
        || pid == SLUICE_TSDEMUX_PID_NULL || pid == d->pmt_pid)
    {
        if (t) {
            t->pid = SLUICE_TSDEMUX_NO_PID;     /* the track ends */
            sluice_tsdemux_reset(t);
        }

        sluice_tsdemux_ignore(d, pid);
        return;
    }

    if (t == NULL) {
        if (d->ntracks == SLUICE_TSDEMUX_MAX_TRACKS) {
            sluice_tsdemux_ignore(d, pid);
            return;
        }

        t = &d->tracks[d->ntracks++];
        t->pid = pid;
        t->codec = codec;
        sluice_tsdemux_reset(t);

    } else if (t->codec != codec) {
        /* another codec on the PID: a track configured anew */
        t->codec = codec;
        t->configured = 0;
        sluice_tsdemux_reset(t);
    }

    sluice_tsdemux_lang(desc, n, lang);

    if (strcmp(lang, t->lang) != 0) {
        memcpy(t->lang, lang, SLUICE_MAX_LANG);

        if (t->configured) {
            memcpy(t->info.lang, lang, SLUICE_MAX_LANG);

            if (d->handler.track) {
                d->handler.track(d->handler.data,
                                 (uint32_t) (t - d->tracks), &t->info);
            }
        }
    }
}


/*
 * SCTE 35 PIDs (stream type 0x86): listed, or no longer when the PID
 * comes with another type; 1 when it is one now
 */

static int
sluice_tsdemux_scte35_stream(sluice_tsdemux_t *d, uint32_t type,
    uint32_t pid)
{
    uint32_t  i;

    for (i = 0; i < d->nscte35; i++) {
        if (d->scte35_pid[i] != pid) {
            continue;
        }

        if (type == SLUICE_TSDEMUX_TYPE_SCTE35) {
            return 1;
        }

        d->nscte35--;
        d->scte35_pid[i] = d->scte35_pid[d->nscte35];
        d->scte35[i] = d->scte35[d->nscte35];

        return 0;
    }

    if (type != SLUICE_TSDEMUX_TYPE_SCTE35 || pid < 0x10
        || pid == SLUICE_TSDEMUX_PID_NULL || pid == d->pmt_pid)
    {
        return 0;
    }

    if (d->nscte35 == SLUICE_TSDEMUX_MAX_SCTE35) {
        sluice_tsdemux_ignore(d, pid);
        return 1;
    }

    i = d->nscte35++;
    d->scte35_pid[i] = pid;
    memset(&d->scte35[i], 0, sizeof(sluice_tsdemux_psi_t));
    d->scte35[i].cc = -1;
    d->scte35[i].max = SLUICE_TSDEMUX_SCTE35_MAX;

    return 1;
}


static sluice_status_t
sluice_tsdemux_scte35_packet(sluice_tsdemux_t *d, uint32_t pid,
    unsigned pusi, unsigned disc, const uint8_t *p, size_t off)
{
    int                    cont;
    uint32_t               i;
    sluice_tsdemux_psi_t  *psi;

    for (i = 0; i < d->nscte35; i++) {
        if (d->scte35_pid[i] == pid) {
            break;
        }
    }

    if (i == d->nscte35) {
        return SLUICE_OK;
    }

    psi = &d->scte35[i];

    cont = sluice_tsdemux_cc(&psi->cc, p[3] & 0x0f, disc);
    psi->started &= (cont >= 0);

    return cont ? sluice_tsdemux_psi(d, psi, pusi, p + off,
                                     SLUICE_TSDEMUX_PACKET - off)
                : SLUICE_OK;
}


/*
 * a whole splice_info_section to the handler, whose SCTE 35 parser
 * checks its CRC (and can say so, naming the stream)
 */

static sluice_status_t
sluice_tsdemux_scte35_section(sluice_tsdemux_t *d, sluice_tsdemux_psi_t *psi,
    const uint8_t *s, size_t len)
{
    if (len < 15 || s[0] != SLUICE_TSDEMUX_TABLE_SCTE35) {
        d->stats.bad_sections++;
        return SLUICE_OK;
    }

    d->stats.sections++;

    if (d->handler.section) {
        d->handler.section(d->handler.data,
                           d->scte35_pid[psi - d->scte35], s, len,
                           d->clock_set ? d->clock : 0);
    }

    return SLUICE_OK;
}


uint64_t
sluice_tsdemux_time(const sluice_tsdemux_t *d, uint64_t pts)
{
    int64_t  delta;

    pts &= SLUICE_TSDEMUX_TS_MASK;

    if (!d->clock_set) {
        return pts;
    }

    delta = (int64_t) ((pts - d->clock) & SLUICE_TSDEMUX_TS_MASK);

    if (delta >= (int64_t) (SLUICE_TSDEMUX_TS_WRAP / 2)) {
        delta -= (int64_t) SLUICE_TSDEMUX_TS_WRAP;
    }

    if (delta < 0 && (uint64_t) -delta > d->clock) {
        return 0;
    }

    return d->clock + delta;
}


/* ISO_639_language_descriptor (13818-1 2.6.18): its first language */

static void
sluice_tsdemux_lang(const uint8_t *desc, size_t n, char *lang)
{
    size_t  i, len;

    memset(lang, 0, SLUICE_MAX_LANG);

    for (i = 0; n - i >= 2; i += 2 + len) {
        len = desc[i + 1];

        if (len > n - i - 2) {
            return;
        }

        if (desc[i] == SLUICE_TSDEMUX_DESC_LANG && len >= 4) {
            if (memcmp(desc + i + 2, "und", 3) != 0
                && sluice_lang_valid(desc + i + 2, 3))
            {
                memcpy(lang, desc + i + 2, 3);
                lang[3] = '\0';
            }

            return;
        }
    }
}


static void
sluice_tsdemux_ignore(sluice_tsdemux_t *d, uint32_t pid)
{
    uint32_t  i;

    for (i = 0; i < d->nignored; i++) {
        if (d->ignored[i] == pid) {
            return;
        }
    }

    if (d->nignored < SLUICE_TSDEMUX_MAX_IGNORED) {
        d->ignored[d->nignored++] = pid;
        d->stats.ignored++;
    }
}


static sluice_tsdemux_track_t *
sluice_tsdemux_find(sluice_tsdemux_t *d, uint32_t pid)
{
    uint32_t  i;

    for (i = 0; i < d->ntracks; i++) {
        if (d->tracks[i].pid == pid) {
            return &d->tracks[i];
        }
    }

    return NULL;
}


/* no PES in progress, no bytes kept, no time to count audio from */

static void
sluice_tsdemux_reset(sluice_tsdemux_track_t *t)
{
    t->cc = -1;
    t->in_pes = 0;
    t->header = 0;
    t->has_base = 0;
    t->pending = 0;
    t->len = 0;
    t->pes_start = 0;
    t->pes_got = 0;
    t->pes_total = 0;
}


/* --- PES ------------------------------------------------------------------ */


static sluice_status_t
sluice_tsdemux_pes(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t,
    unsigned pusi, const uint8_t *p, size_t n)
{
    sluice_status_t  rc;

    if (pusi) {
        if (t->in_pes) {
            rc = sluice_tsdemux_end(d, t);
            if (rc != SLUICE_OK) {
                return rc;
            }
        }

        /* video: the PES alone; audio: after the bytes left */
        if (t->codec != SLUICE_CODEC_AAC) {
            t->len = 0;
        }

        t->in_pes = 1;
        t->header = 0;
        t->pes_start = t->len;
        t->pes_got = 0;
        t->pes_total = 0;

    } else if (!t->in_pes) {
        d->stats.discarded += n;                /* the PES start was lost */
        return SLUICE_OK;
    }

    if (t->pes_total && n > t->pes_total - t->pes_got) {
        n = t->pes_total - t->pes_got;          /* bytes after the PES */
    }

    if (n > SLUICE_TSDEMUX_MAX_PES - t->pes_got) {
        d->stats.bad_pes++;
        d->bad_data = 1;
        sluice_tsdemux_drop(d, t);
        return SLUICE_OK;
    }

    if (n == 0) {
        return SLUICE_OK;       /* nothing new; t->buf may be NULL yet */
    }

    rc = sluice_tsdemux_append(d, t, p, n);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (t->codec == SLUICE_CODEC_AAC) {
        return sluice_tsdemux_audio(d, t);
    }

    /* the PES_packet_length read once the header is there */

    if (t->pes_total == 0 && t->pes_got >= 6) {
        t->pes_total = sluice_rb16(t->buf + 4);
        t->pes_total += t->pes_total ? 6 : 0;
    }

    if (t->pes_total && t->pes_got >= t->pes_total) {
        return sluice_tsdemux_end(d, t);
    }

    return SLUICE_OK;
}


static sluice_status_t
sluice_tsdemux_append(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t,
    const uint8_t *p, size_t n)
{
    sluice_status_t  rc;

    if (n > t->cap - t->len) {
        rc = sluice_tsdemux_reserve(&t->buf, &t->cap, t->len + n);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    memcpy(t->buf + t->len, p, n);
    t->len += n;
    t->pes_got += n;

    return SLUICE_OK;
}


/* a buffer of need bytes at least, doubled: it grows to the largest PES */

static sluice_status_t
sluice_tsdemux_reserve(uint8_t **buf, size_t *cap, size_t need)
{
    size_t    n;
    uint8_t  *p;

    if (need <= *cap) {
        return SLUICE_OK;
    }

    n = *cap ? *cap : SLUICE_TSDEMUX_BUF_MIN;

    while (n < need) {
        n *= 2;
    }

    p = realloc(*buf, n);
    if (p == NULL) {
        return SLUICE_NO_MEMORY;
    }

    *buf = p;
    *cap = n;

    return SLUICE_OK;
}


/* the PES gathered is whole */

static sluice_status_t
sluice_tsdemux_end(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t)
{
    t->in_pes = 0;

    if (t->codec != SLUICE_CODEC_AAC) {
        return sluice_tsdemux_video(d, t);
    }

    if (!t->header) {
        /* too short for its own header */
        d->stats.bad_pes++;
        sluice_tsdemux_drop(d, t);
    }

    return SLUICE_OK;
}


/* the PES in progress lost; audio counts its frames from the next PTS */

static void
sluice_tsdemux_drop(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t)
{
    int  cc;

    if (t->codec == SLUICE_CODEC_AAC) {
        d->stats.discarded += t->len;
    }

    cc = t->cc;
    sluice_tsdemux_reset(t);
    t->cc = cc;
}


static sluice_status_t
sluice_tsdemux_pes_header(const uint8_t *p, size_t len,
    sluice_tsdemux_pes_t *h)
{
    uint32_t  flags;

    if (len < 9) {
        return SLUICE_AGAIN;
    }

    /* start code; the optional header ('10' first) that ES streams have */

    if (p[0] != 0 || p[1] != 0 || p[2] != 1 || (p[6] & 0xc0) != 0x80) {
        return SLUICE_BAD_DATA;
    }

    flags = p[7] >> 6;                          /* PTS_DTS_flags */
    h->len = 9 + (size_t) p[8];
    h->total = sluice_rb16(p + 4);
    h->total += h->total ? 6 : 0;

    if (flags == 1 || (h->total && h->total < h->len)
        || p[8] < (flags == 3 ? 10 : flags == 2 ? 5 : 0))
    {
        return SLUICE_BAD_DATA;
    }

    if (len < h->len) {
        return SLUICE_AGAIN;
    }

    h->has_pts = (flags & 2) != 0;
    h->pts = h->has_pts ? sluice_tsdemux_ts(p + 9) : 0;
    h->dts = (flags == 3) ? sluice_tsdemux_ts(p + 14) : h->pts;

    return SLUICE_OK;
}


static uint64_t
sluice_tsdemux_ts(const uint8_t *p)
{
    return ((uint64_t) (p[0] & 0x0e) << 29)
           | ((uint64_t) (sluice_rb16(p + 1) >> 1) << 15)
           | (sluice_rb16(p + 3) >> 1);
}


/* 33 bits to 64, within 2^32 of the last time of the program */

static uint64_t
sluice_tsdemux_unwrap(sluice_tsdemux_t *d, uint64_t ts)
{
    int64_t  delta;

    if (!d->clock_set) {
        d->clock_set = 1;
        d->clock = ts + (ts < SLUICE_TSDEMUX_EPOCH ? SLUICE_TSDEMUX_TS_WRAP
                                                   : 0);
        return d->clock;
    }

    delta = (int64_t) ((ts - d->clock) & SLUICE_TSDEMUX_TS_MASK);

    if (delta >= (int64_t) (SLUICE_TSDEMUX_TS_WRAP / 2)) {
        delta -= (int64_t) SLUICE_TSDEMUX_TS_WRAP;
    }

    if (delta < 0 && (uint64_t) -delta > d->clock) {
        return 0;                               /* before the clock began */
    }

    d->clock += delta;

    return d->clock;
}


/* --- video ---------------------------------------------------------------- */


static sluice_status_t
sluice_tsdemux_video(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t)
{
    size_t                len;
    int64_t               cts;
    uint64_t              dts;
    sluice_status_t       rc;
    sluice_tsdemux_pes_t  h;

    len = t->len;
    t->len = 0;

    rc = sluice_tsdemux_pes_header(t->buf, len, &h);

    if (rc != SLUICE_OK) {
        d->stats.bad_pes++;
        return SLUICE_OK;
    }

    if (h.total && h.total < len) {
        len = h.total;
    }

    if (h.has_pts) {
        dts = sluice_tsdemux_unwrap(d, h.dts);

        /* pts - dts, both 33 bits: within +-2^32 */
        cts = (int64_t) ((h.pts - h.dts) & SLUICE_TSDEMUX_TS_MASK);
        cts -= (cts >= (int64_t) (SLUICE_TSDEMUX_TS_WRAP / 2))
               ? (int64_t) SLUICE_TSDEMUX_TS_WRAP : 0;

        if (cts > INT32_MAX || cts < INT32_MIN) {
            cts = 0;
        }

        t->last_step = (t->last_dts && dts > t->last_dts)
                       ? dts - t->last_dts : t->last_step;

    } else {
        /* no time: one step after the last access unit */
        dts = t->last_dts + t->last_step;
        cts = 0;
    }

    t->last_dts = dts;

    return sluice_tsdemux_video_au(d, t, t->buf + h.len, len - h.len, dts,
                                   (int32_t) cts);
}


/*
 * The access unit in length-prefixed form: each NAL unit after a 4-byte
 * length, access unit delimiters left out; parameter sets noted.
 */

static sluice_status_t
sluice_tsdemux_video_au(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t,
    const uint8_t *es, size_t len, uint64_t dts, int32_t cts)
{
    int                     key;
    size_t                  n;
    uint8_t                *p;
    uint32_t                type, hevc;
    sluice_str_t            nal;
    const uint8_t          *pos, *end;
    sluice_status_t         rc;
    sluice_tsdemux_sets_t   sets;

    hevc = (t->codec == SLUICE_CODEC_HEVC);
    sets.n[0] = sets.n[1] = sets.n[2] = 0;
    key = 0;
    n = 0;
    pos = es;
    end = es + len;

    while (sluice_tsdemux_next_nal(&pos, end, &nal)) {

        if (nal.len < 1 + hevc) {
            continue;
        }

        type = hevc ? sluice_hevc_nal_type(nal.data) : (nal.data[0] & 0x1f);

        if (type == (hevc ? SLUICE_HEVC_NAL_AUD : SLUICE_AVC_NAL_AUD)) {
            continue;
        }

        if (hevc && type >= SLUICE_HEVC_NAL_VPS && type <= SLUICE_HEVC_NAL_PPS)
        {
            sluice_tsdemux_add_set(&sets, type - SLUICE_HEVC_NAL_VPS, &nal);

        } else if (!hevc && (type == SLUICE_AVC_NAL_SPS
                             || type == SLUICE_AVC_NAL_PPS))
        {
            sluice_tsdemux_add_set(&sets, type - SLUICE_AVC_NAL_SPS + 1,
                                   &nal);
        }

        key |= hevc ? (type >= SLUICE_HEVC_NAL_BLA_W_LP
                       && type <= SLUICE_HEVC_NAL_RSV_IRAP_23)
                    : (type == SLUICE_AVC_NAL_IDR);

        rc = sluice_tsdemux_reserve(&t->au, &t->au_cap, n + 4 + nal.len);
        if (rc != SLUICE_OK) {
            return rc;
        }

        p = sluice_wb32(t->au + n, (uint32_t) nal.len);
        memcpy(p, nal.data, nal.len);
        n += 4 + nal.len;
    }

    if (sets.n[0] || sets.n[1] || sets.n[2]) {
        sluice_tsdemux_video_config(d, t, &sets);
    }

    if (!t->configured) {
        d->stats.dropped++;
        return SLUICE_OK;
    }

    if (n == 0) {
        return SLUICE_OK;
    }

    return sluice_tsdemux_emit(d, t, dts, cts, key, t->au, n);
}


/* a parameter set of kind 0 (VPS), 1 (SPS) or 2 (PPS), once each */

static void
sluice_tsdemux_add_set(sluice_tsdemux_sets_t *sets, uint32_t kind,
    const sluice_str_t *nal)
{
    uint32_t       i;
    sluice_str_t  *ps;

    ps = sets->ps[kind];

    for (i = 0; i < sets->n[kind]; i++) {
        if (ps[i].len == nal->len
            && memcmp(ps[i].data, nal->data, nal->len) == 0)
        {
            return;
        }
    }

    if (sets->n[kind] < SLUICE_TSDEMUX_MAX_PS) {
        ps[sets->n[kind]++] = *nal;
    }
}


/*
 * The next NAL unit of an Annex B byte stream from *pos: after a start
 * code (00 00 01), to the next start code or zero byte run, trailing
 * zero bytes left out.  0 when there is none.
 */

static int
sluice_tsdemux_next_nal(const uint8_t **pos, const uint8_t *end,
    sluice_str_t *nal)
{
    const uint8_t  *p, *e;

    p = *pos;

    for ( ;; ) {
        p = sluice_tsdemux_zeros(p, end);

        if (p == end) {
            *pos = end;
            return 0;
        }

        if (p[2] == 1) {
            break;
        }

        p++;                                    /* 00 00 00: go on */
    }

    p += 3;
    e = sluice_tsdemux_zeros(p, end);

    while (e > p && e[-1] == 0) {
        e--;
    }

    nal->data = p;
    nal->len = (size_t) (e - p);
    *pos = e;

    return 1;
}


/*
 * The first 00 00 00 or 00 00 01 from p, or end: memchr() finds the
 * candidates for its middle zero (a few a kilobyte in coded video)
 */

static const uint8_t *
sluice_tsdemux_zeros(const uint8_t *p, const uint8_t *end)
{
    const uint8_t  *m;

    if (end - p < 3) {
        return end;
    }

    for ( ;; ) {
        m = memchr(p + 1, 0, (size_t) (end - p - 2));

        if (m == NULL) {
            return end;
        }

        if (m[-1] == 0 && m[1] <= 1) {
            return m - 1;
        }

        p = m;
    }
}


/*
 * The parameter sets of an access unit replace those of the same kind in
 * the record, which is announced if it changed.
 */

static void
sluice_tsdemux_video_config(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t,
    sluice_tsdemux_sets_t *sets)
{
    sluice_status_t      rc;
    sluice_track_info_t  info;

    if (t->codec == SLUICE_CODEC_AVC) {
        rc = sluice_tsdemux_avc_info(t, sets, &info);

    } else {
        rc = sluice_tsdemux_hevc_info(t, sets, &info);
    }

    if (rc == SLUICE_AGAIN) {
        return;                                 /* a kind still missing */
    }

    if (rc != SLUICE_OK) {
        d->stats.bad_config++;
        return;
    }

    sluice_tsdemux_announce(d, t, &info);
}


static sluice_status_t
sluice_tsdemux_avc_info(sluice_tsdemux_track_t *t,
    sluice_tsdemux_sets_t *sets, sluice_track_info_t *info)
{
    size_t               len;
    uint8_t              record[SLUICE_MAX_CODEC_CONFIG];
    sluice_status_t      rc;
    sluice_avc_config_t  c;

    /* the kinds the access unit lacks: from the record (in t->info) */

    if (t->configured
        && sluice_avc_parse_config(t->info.config, t->info.config_len, &c)
           == SLUICE_OK)
    {
        if (sets->n[1] == 0) {
            sets->n[1] = c.nsps;
            memcpy(sets->ps[1], c.sps, c.nsps * sizeof(sluice_str_t));
        }

        if (sets->n[2] == 0) {
            sets->n[2] = c.npps;
            memcpy(sets->ps[2], c.pps, c.npps * sizeof(sluice_str_t));
        }
    }

    if (sets->n[1] == 0 || sets->n[2] == 0) {
        return SLUICE_AGAIN;
    }

    rc = sluice_avc_make_config(sets->ps[1], sets->n[1], sets->ps[2],
                                sets->n[2], record, sizeof(record), &len);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_avc_parse_config(record, len, &c);
    if (rc != SLUICE_OK) {
        return rc;
    }

    return sluice_avc_fill_info(&c, info);
}


static sluice_status_t
sluice_tsdemux_hevc_info(sluice_tsdemux_track_t *t,
    sluice_tsdemux_sets_t *sets, sluice_track_info_t *info)
{
    size_t                len;
    uint8_t               record[SLUICE_MAX_CODEC_CONFIG];
    uint32_t              k, n;
    sluice_status_t       rc;
    sluice_str_t         *ps;
    sluice_hevc_config_t  c;

    if (t->configured
        && sluice_hevc_parse_config(t->info.config, t->info.config_len, &c)
           == SLUICE_OK)
    {
        for (k = 0; k < 3; k++) {
            if (sets->n[k]) {
                continue;
            }

            ps = (k == 0) ? c.vps : (k == 1) ? c.sps : c.pps;
            n = (k == 0) ? c.nvps : (k == 1) ? c.nsps : c.npps;
            sets->n[k] = n;
            memcpy(sets->ps[k], ps, n * sizeof(sluice_str_t));
        }
    }

    if (sets->n[0] == 0 || sets->n[1] == 0 || sets->n[2] == 0) {
        return SLUICE_AGAIN;
    }

    rc = sluice_hevc_make_config(sets->ps[0], sets->n[0], sets->ps[1],
                                 sets->n[1], sets->ps[2], sets->n[2], record,
                                 sizeof(record), &len);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_hevc_parse_config(record, len, &c);
    if (rc != SLUICE_OK) {
        return rc;
    }

    return sluice_hevc_fill_info(&c, info);
}


/* a track's configuration, handed over when new or changed */

static void
sluice_tsdemux_announce(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t,
    const sluice_track_info_t *info)
{
    if (t->configured && info->config_len == t->info.config_len
        && memcmp(info->config, t->info.config, info->config_len) == 0)
    {
        return;
    }

    t->info = *info;
    memcpy(t->info.lang, t->lang, SLUICE_MAX_LANG);
    t->configured = 1;

    if (d->handler.track) {
        d->handler.track(d->handler.data, (uint32_t) (t - d->tracks),
                         &t->info);
    }
}


/* --- audio ---------------------------------------------------------------- */


/* the ADTS frames whole in the buffer, handed over; the rest kept */

static sluice_status_t
sluice_tsdemux_audio(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t)
{
    size_t           pos, len, end;
    uint8_t         *h;
    sluice_status_t  rc;

    if (!t->header) {
        rc = sluice_tsdemux_audio_header(d, t);
        if (rc != SLUICE_OK || !t->header) {
            return rc;
        }
    }

    pos = 0;
    end = t->len;
    rc = SLUICE_OK;

    while (end - pos >= SLUICE_AAC_ADTS_HEADER_LEN) {
        h = t->buf + pos;

        /* syncword, layer 0; a frame length that holds its header */

        len = ((size_t) (h[3] & 0x03) << 11) | ((size_t) h[4] << 3)
              | (h[5] >> 5);

        if (h[0] != 0xff || (h[1] & 0xf6) != 0xf0
            || len < ((h[1] & 0x01) ? 7u : 9u) || ((h[2] >> 2) & 0x0f) > 12)
        {
            d->stats.discarded++;
            pos++;
            continue;
        }

        if (len > end - pos) {
            break;
        }

        /* the first frame that starts in the new PES: at its PTS */

        if (t->pending && pos >= t->pts_off) {
            t->pending = 0;
            t->has_base = 1;
            t->base = t->next_pts;
            t->nframes = 0;
        }

        rc = sluice_tsdemux_adts(d, t, h, len);
        pos += len;

        if (rc != SLUICE_OK) {
            break;
        }
    }

    t->len -= pos;
    memmove(t->buf, t->buf + pos, t->len);
    t->pts_off -= (t->pts_off > pos) ? pos : t->pts_off;

    return rc;
}


/* the PES header cut out of the buffer when whole; its PTS noted */

static sluice_status_t
sluice_tsdemux_audio_header(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t)
{
    uint8_t               *p;
    sluice_status_t        rc;
    sluice_tsdemux_pes_t   h;

    p = t->buf + t->pes_start;

    rc = sluice_tsdemux_pes_header(p, t->len - t->pes_start, &h);

    if (rc == SLUICE_AGAIN) {
        return SLUICE_OK;
    }

    if (rc != SLUICE_OK) {
        d->stats.bad_pes++;
        sluice_tsdemux_drop(d, t);
        return SLUICE_OK;
    }

    t->pes_total = h.total;
    t->header = 1;

    if (t->pes_total && t->pes_got > t->pes_total) {
        /* bytes after the PES in the packet: stuffing, not audio */
        t->len -= t->pes_got - t->pes_total;
        t->pes_got = t->pes_total;
    }

    memmove(p, p + h.len, t->len - t->pes_start - h.len);
    t->len -= h.len;

    if (h.has_pts) {
        t->pending = 1;
        t->next_pts = sluice_tsdemux_unwrap(d, h.pts);
        t->pts_off = t->pes_start;
    }

    return SLUICE_OK;
}


/* one ADTS frame of len bytes at h */

static sluice_status_t
sluice_tsdemux_adts(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t,
    const uint8_t *h, size_t len)
{
    size_t    hlen;
    uint64_t  dts;

    hlen = (h[1] & 0x01) ? 7 : 9;               /* protection_absent */

    sluice_tsdemux_aac_config(d, t, h);

    if ((h[6] & 0x03) != 0 || !t->configured || !t->has_base
        || len == hlen)
    {
        /* more than one raw data block; no config or time yet; empty */
        d->stats.dropped++;
        t->nframes++;
        return SLUICE_OK;
    }

    dts = t->base + t->nframes * SLUICE_TSDEMUX_AAC_FRAME * 90000
                    / t->info.sample_rate;
    t->nframes++;

    return sluice_tsdemux_emit(d, t, dts, 0, 1, h + hlen, len - hlen);
}


/* the AudioSpecificConfig of an ADTS header, announced when it changes */

static void
sluice_tsdemux_aac_config(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t,
    const uint8_t *h)
{
    uint8_t              asc[2];
    uint32_t             object, index, channels;
    sluice_aac_config_t  c;
    sluice_track_info_t  info;

    object = (h[2] >> 6) + 1;                   /* profile + 1 */
    index = (h[2] >> 2) & 0x0f;
    channels = ((uint32_t) (h[2] & 0x01) << 2) | (h[3] >> 6);

    asc[0] = (uint8_t) ((object << 3) | (index >> 1));
    asc[1] = (uint8_t) (((index & 1) << 7) | (channels << 3));

    if (t->configured && t->info.config_len == 2
        && memcmp(t->info.config, asc, 2) == 0)
    {
        return;
    }

    if (sluice_aac_parse_config(asc, 2, &c) != SLUICE_OK
        || sluice_aac_fill_info(&c, &info) != SLUICE_OK)
    {
        d->stats.bad_config++;
        return;
    }

    sluice_tsdemux_announce(d, t, &info);
}


static sluice_status_t
sluice_tsdemux_emit(sluice_tsdemux_t *d, sluice_tsdemux_track_t *t,
    uint64_t dts, int32_t cts, int key, const uint8_t *p, size_t len)
{
    if (d->handler.frame(d->handler.data, (uint32_t) (t - d->tracks), dts,
                         cts, key, p, len)
        != 0)
    {
        d->stopped = 1;
        return SLUICE_ERROR;
    }

    return SLUICE_OK;
}
