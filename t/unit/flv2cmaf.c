
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * flv2cmaf: read an FLV file (H.264 + AAC), cut fragments at keyframes on
 * fragment-duration boundaries the way ingest does, and write per track
 * DIR/{video,audio}/init.mp4 and DIR/{video,audio}/{time}.m4s.  With -s the
 * fragments are Smooth (PIFF) fragments, with -c each written fragment is
 * parsed back and compared with the samples written.
 *
 *   flv2cmaf [-s] [-c] [-d fragment_ms] in.flv outdir
 *
 * test_cmaf_real.c includes this file with SLUICE_FLV2CMAF_LIB defined to
 * reuse the conversion without main().
 */


#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "media/codec/sluice_bits.h"
#include "media/container/sluice_amf.h"
#include "media/container/sluice_flv.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_aac.h"
#include "media/container/sluice_cmaf.h"


typedef struct {
    sluice_track_info_t   info;
    int                   have_info;
    sluice_aac_config_t   aac;
    sluice_sample_t      *samples;
    uint32_t              nsamples;
    uint32_t              nalloc;
    uint32_t              nfragments;
    uint32_t              track_id;
    const char           *name;
} f2c_track_t;


typedef struct {
    f2c_track_t           video;
    f2c_track_t           audio;
    sluice_amf_metadata_t meta;
    int                   have_meta;
    uint8_t              *file;
    size_t                file_len;
    uint64_t             *cuts;         /* cut times, ms */
    uint32_t              ncuts;
    uint32_t              frag_ms;
    uint32_t              flags;        /* SLUICE_CMAF_* */
    int                   check;        /* parse back and compare */
    int                   errors;
} f2c_t;


static void *
f2c_alloc(void *ctx, size_t size)
{
    return malloc(size);
}


static int
f2c_fail(f2c_t *c, const char *msg)
{
    fprintf(stderr, "flv2cmaf: %s\n", msg);
    c->errors++;

    return -1;
}


static int
f2c_read_file(f2c_t *c, const char *path)
{
    long   n;
    FILE  *f;

    f = fopen(path, "rb");

    if (f == NULL) {
        return f2c_fail(c, "cannot open input");
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    c->file = malloc(n > 0 ? (size_t) n : 1);

    if (c->file == NULL || fread(c->file, 1, (size_t) n, f) != (size_t) n) {
        fclose(f);
        return f2c_fail(c, "cannot read input");
    }

    c->file_len = (size_t) n;
    fclose(f);

    return 0;
}


static int
f2c_add(f2c_t *c, f2c_track_t *t, uint64_t dts, int32_t cts, uint32_t key,
    const uint8_t *data, size_t len)
{
    sluice_sample_t  *s;

    if (t->nsamples == t->nalloc) {
        t->nalloc = t->nalloc ? t->nalloc * 2 : 256;
        t->samples = realloc(t->samples, t->nalloc * sizeof(sluice_sample_t));

        if (t->samples == NULL) {
            return f2c_fail(c, "no memory");
        }
    }

    s = &t->samples[t->nsamples++];
    memset(s, 0, sizeof(sluice_sample_t));
    s->dts = dts;
    s->cts = cts;
    s->size = (uint32_t) len;
    s->flags = key ? SLUICE_SAMPLE_KEY : 0;
    s->data = data;

    return 0;
}


static int
f2c_video(f2c_t *c, sluice_flv_tag_t *tag)
{
    int                  idr;
    sluice_flv_video_t   v;
    sluice_avc_config_t  avc;

    if (sluice_flv_parse_video(tag->data, tag->len, &v) != SLUICE_OK) {
        return f2c_fail(c, "bad video tag");
    }

    if (v.codec != SLUICE_CODEC_AVC) {
        return f2c_fail(c, "video is not H.264");
    }

    if (v.packet_type == SLUICE_FLV_SEQUENCE_HEADER) {
        if (sluice_avc_parse_config(v.data, v.len, &avc) != SLUICE_OK
            || sluice_avc_fill_info(&avc, &c->video.info) != SLUICE_OK)
        {
            return f2c_fail(c, "bad AVC sequence header");
        }

        c->video.have_info = 1;
        return 0;
    }

    if (v.packet_type != SLUICE_FLV_FRAME || !c->video.have_info) {
        return 0;
    }

    idr = sluice_avc_has_idr(v.data, v.len, c->video.info.nal_length_size);

    if (idr < 0 || idr != (int) v.key) {
        return f2c_fail(c, "keyframe flag and IDR disagree");
    }

    return f2c_add(c, &c->video, (uint64_t) tag->timestamp * 90,
                   v.cts * 90, v.key, v.data, v.len);
}


static int
f2c_audio(f2c_t *c, sluice_flv_tag_t *tag)
{
    uint64_t            dts;
    sluice_flv_audio_t  a;

    if (sluice_flv_parse_audio(tag->data, tag->len, &a) != SLUICE_OK) {
        return f2c_fail(c, "bad audio tag");
    }

    if (a.codec != SLUICE_CODEC_AAC) {
        return f2c_fail(c, "audio is not AAC");
    }

    if (a.packet_type == SLUICE_FLV_SEQUENCE_HEADER) {
        if (sluice_aac_parse_config(a.data, a.len, &c->audio.aac) != SLUICE_OK
            || sluice_aac_fill_info(&c->audio.aac, &c->audio.info)
               != SLUICE_OK)
        {
            return f2c_fail(c, "bad AAC sequence header");
        }

        c->audio.have_info = 1;
        return 0;
    }

    if (a.packet_type != SLUICE_FLV_FRAME || !c->audio.have_info) {
        return 0;
    }

    dts = sluice_rescale(tag->timestamp, 1000, c->audio.info.timescale);

    return f2c_add(c, &c->audio, dts, 0, 1, a.data, a.len);
}


/* durations from the next sample's dts; the last repeats the one before */
static void
f2c_durations(f2c_track_t *t, uint32_t last)
{
    uint32_t  i;

    for (i = 0; i + 1 < t->nsamples; i++) {
        t->samples[i].duration =
                        (uint32_t) (t->samples[i + 1].dts - t->samples[i].dts);
    }

    if (t->nsamples) {
        t->samples[t->nsamples - 1].duration =
                       t->nsamples > 1 ? t->samples[t->nsamples - 2].duration
                                       : last;
    }
}


/* cut at video keyframes whose round(t / frag_ms) passes the fragment */
static int
f2c_cuts(f2c_t *c)
{
    uint32_t          i;
    uint64_t          ms, seq, n;
    sluice_sample_t  *s;

    c->cuts = malloc((c->video.nsamples + 1) * sizeof(uint64_t));

    if (c->cuts == NULL) {
        return f2c_fail(c, "no memory");
    }

    seq = 0;

    for (i = 0; i < c->video.nsamples; i++) {
        s = &c->video.samples[i];
        ms = s->dts / 90;

        if (i == 0) {
            seq = (ms + c->frag_ms / 2) / c->frag_ms;
            continue;
        }

        n = (ms + c->frag_ms / 2) / c->frag_ms;

        if ((s->flags & SLUICE_SAMPLE_KEY) && n > seq) {
            c->cuts[c->ncuts++] = s->dts;      /* 90 kHz */
            seq = n;
        }
    }

    return 0;
}


static int
f2c_compare(f2c_t *c, f2c_track_t *t, sluice_fragment_t *f, uint8_t *buf,
    size_t len)
{
    uint32_t           i;
    sluice_alloc_t     a;
    sluice_fragment_t  back;

    a.alloc = f2c_alloc;
    a.ctx = NULL;

    if (sluice_cmaf_fragment_parse(buf, len, &a, &back) != SLUICE_OK) {
        return f2c_fail(c, "written fragment does not parse");
    }

    if (back.nsamples != f->nsamples || back.time != f->samples[0].dts
        || back.sequence != f->sequence)
    {
        free(back.samples);
        return f2c_fail(c, "parsed fragment header differs");
    }

    for (i = 0; i < f->nsamples; i++) {
        if (back.samples[i].dts != f->samples[i].dts
            || back.samples[i].cts != f->samples[i].cts
            || back.samples[i].duration != f->samples[i].duration
            || back.samples[i].size != f->samples[i].size
            || back.samples[i].flags != f->samples[i].flags
            || memcmp(back.samples[i].data, f->samples[i].data,
                      f->samples[i].size) != 0)
        {
            free(back.samples);
            return f2c_fail(c, "parsed sample differs");
        }
    }

    free(back.samples);

    return 0;
}


static int
f2c_write(f2c_t *c, const char *path, uint8_t *buf, size_t len)
{
    FILE  *f;

    f = fopen(path, "wb");

    if (f == NULL || fwrite(buf, 1, len, f) != len) {
        if (f) {
            fclose(f);
        }

        return f2c_fail(c, "cannot write output");
    }

    return fclose(f) == 0 ? 0 : f2c_fail(c, "cannot write output");
}


static int
f2c_fragment(f2c_t *c, f2c_track_t *t, const char *dir, uint32_t first,
    uint32_t n)
{
    char               path[1024];
    size_t             size;
    uint8_t           *buf, *end;
    sluice_fragment_t  f;

    f.sequence = ++t->nfragments;
    f.samples = &t->samples[first];
    f.nsamples = n;
    f.time = f.samples[0].dts;

    size = sluice_cmaf_fragment_size(&f, t->track_id, c->flags);
    buf = malloc(size ? size : 1);

    if (size == 0 || buf == NULL) {
        free(buf);
        return f2c_fail(c, "fragment size");
    }

    end = sluice_cmaf_fragment_write(buf, &f, t->track_id, c->flags);

    if (end == NULL || (size_t) (end - buf) != size) {
        free(buf);
        return f2c_fail(c, "fragment size and write disagree");
    }

    if (c->check) {
        f2c_compare(c, t, &f, buf, size);
    }

    snprintf(path, sizeof(path), "%s/%s/%020llu.m4s", dir, t->name,
             (unsigned long long) f.time);

    f2c_write(c, path, buf, size);
    free(buf);

    return 0;
}


static int
f2c_track(f2c_t *c, f2c_track_t *t, const char *dir)
{
    char      path[1024];
    size_t    size;
    uint8_t  *buf, *end;
    uint32_t  i, first, k;
    uint64_t  cut;

    if (t->nsamples == 0) {
        return 0;
    }

    snprintf(path, sizeof(path), "%s/%s", dir, t->name);

    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        return f2c_fail(c, "mkdir");
    }

    size = sluice_cmaf_init_size(&t->info, t->track_id);
    buf = malloc(size ? size : 1);

    if (size == 0 || buf == NULL) {
        free(buf);
        return f2c_fail(c, "init size");
    }

    end = sluice_cmaf_init_write(buf, &t->info, t->track_id);

    if (end == NULL || (size_t) (end - buf) != size) {
        free(buf);
        return f2c_fail(c, "init size and write disagree");
    }

    snprintf(path, sizeof(path), "%s/%s/init.mp4", dir, t->name);
    f2c_write(c, path, buf, size);
    free(buf);

    /* split at the cut times (90 kHz, rescaled to the track) */

    first = 0;
    k = 0;

    for (i = 0; i < t->nsamples; i++) {

        if (k == c->ncuts) {
            break;
        }

        cut = sluice_rescale(c->cuts[k], 90000, t->info.timescale);

        if (t->samples[i].dts >= cut) {
            if (i > first) {
                f2c_fragment(c, t, dir, first, i - first);
            }

            first = i;
            k++;
            i--;                        /* several cuts before a sample */
        }
    }

    if (first < t->nsamples) {
        f2c_fragment(c, t, dir, first, t->nsamples - first);
    }

    return 0;
}


static int
f2c_convert(f2c_t *c, const char *in, const char *dir)
{
    sluice_flv_tag_t   tag;
    sluice_status_t    rc;
    sluice_flv_file_t  flv;

    c->video.name = "video";
    c->video.track_id = 1;
    c->audio.name = "audio";
    c->audio.track_id = 2;

    if (f2c_read_file(c, in) != 0) {
        return -1;
    }

    if (sluice_flv_file_init(&flv, c->file, c->file_len) != SLUICE_OK) {
        return f2c_fail(c, "not an FLV file");
    }

    for ( ;; ) {
        rc = sluice_flv_file_next(&flv, &tag);

        if (rc == SLUICE_NOT_FOUND) {
            break;
        }

        if (rc != SLUICE_OK) {
            return f2c_fail(c, "bad FLV tag");
        }

        switch (tag.type) {

        case SLUICE_FLV_TAG_VIDEO:
            f2c_video(c, &tag);
            break;

        case SLUICE_FLV_TAG_AUDIO:
            f2c_audio(c, &tag);
            break;

        case SLUICE_FLV_TAG_SCRIPT:
            if (sluice_amf_parse_metadata(tag.data, tag.len, &c->meta)
                == SLUICE_OK)
            {
                c->have_meta = 1;
            }

            break;
        }

        if (c->errors) {
            return -1;
        }
    }

    f2c_durations(&c->video, 3000);
    f2c_durations(&c->audio, c->audio.aac.frame_length);

    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        return f2c_fail(c, "mkdir");
    }

    if (f2c_cuts(c) != 0) {
        return -1;
    }

    f2c_track(c, &c->video, dir);
    f2c_track(c, &c->audio, dir);

    return c->errors ? -1 : 0;
}


static void
f2c_free(f2c_t *c)
{
    free(c->file);
    free(c->cuts);
    free(c->video.samples);
    free(c->audio.samples);
}


#ifndef SLUICE_FLV2CMAF_LIB

int
main(int argc, char **argv)
{
    int    i, rc;
    f2c_t  c;

    memset(&c, 0, sizeof(f2c_t));
    c.frag_ms = 2000;
    c.flags = SLUICE_CMAF_STYP;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-s") == 0) {
            c.flags = SLUICE_CMAF_SMOOTH;

        } else if (strcmp(argv[i], "-c") == 0) {
            c.check = 1;

        } else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
            c.frag_ms = (uint32_t) atoi(argv[++i]);

        } else {
            break;
        }
    }

    if (argc - i != 2 || c.frag_ms == 0) {
        fprintf(stderr, "usage: flv2cmaf [-s] [-c] [-d ms] in.flv outdir\n");
        return 2;
    }

    rc = f2c_convert(&c, argv[i], argv[i + 1]);

    printf("video: %u samples, %u fragments, %s %ux%u\n",
           c.video.nsamples, c.video.nfragments, c.video.info.codec_string,
           c.video.info.width, c.video.info.height);
    printf("audio: %u samples, %u fragments, %s %u Hz %u ch\n",
           c.audio.nsamples, c.audio.nfragments, c.audio.info.codec_string,
           c.audio.info.sample_rate, c.audio.info.channels);

    f2c_free(&c);

    return rc == 0 ? 0 : 1;
}

#endif
