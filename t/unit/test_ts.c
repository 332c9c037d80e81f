
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the MPEG-TS muxer: ffmpeg makes an FLV (H.264 + AAC),
 * the FLV/AVC/AAC readers turn it into samples, the muxer writes TS
 * segments, and ffprobe/ffmpeg must read them back without error.
 * Without ffmpeg, only the self-contained checks run.
 *
 * End to end, with the playlist and MPD writers: the stream is cut into
 * 2 s fragments, written as files named like the AMS URLs (TS segments
 * for HLS, CMAF fragments for DASH), and ffmpeg plays the master
 * playlist and the MPD from disk, every frame.
 *
 *   cc -Isrc/media t/unit/test_ts.c src/media/sluice_*.c -o test_ts
 */


#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <time.h>

#include "media/container/sluice_ts.h"
#include "media/container/sluice_flv.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_aac.h"
#include "media/container/sluice_cmaf.h"
#include "media/manifest/sluice_hls.h"
#include "media/manifest/sluice_dash.h"
#include "media/manifest/sluice_mss.h"
#include "media/signal/sluice_id3.h"
#include <sys/stat.h>


static int  failures;
static int  checks;


#define CHECK(cond)                                                          \
    do {                                                                     \
        checks++;                                                            \
        if (!(cond)) {                                                       \
            failures++;                                                      \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);       \
        }                                                                    \
    } while (0)


#define MAX_SAMPLES  4096


typedef struct {
    sluice_track_info_t   info;
    sluice_sample_t       samples[MAX_SAMPLES];
    uint32_t              n;
} track_t;


static track_t   video;
static track_t   audio;
static uint8_t  *flv;
static char      dir[] = "/tmp/sluice_test_ts.XXXXXX";


static uint8_t *
read_file(const char *path, size_t *len)
{
    long     n;
    FILE    *f;
    uint8_t *p;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    p = malloc(n > 0 ? n : 1);

    if (p == NULL || fread(p, 1, n, f) != (size_t) n) {
        free(p);
        fclose(f);
        return NULL;
    }

    fclose(f);
    *len = n;

    return p;
}


static int
write_file(const char *path, const uint8_t *p, size_t len)
{
    FILE  *f;
    int    ok;

    f = fopen(path, "wb");
    if (f == NULL) {
        return 0;
    }

    ok = fwrite(p, 1, len, f) == len;

    return (fclose(f) == 0) && ok;
}


static void
add_video(sluice_flv_tag_t *tag)
{
    sluice_flv_video_t    v;
    sluice_avc_config_t   c;
    sluice_sample_t      *s;

    if (sluice_flv_parse_video(tag->data, tag->len, &v) != SLUICE_OK
        || v.codec != SLUICE_CODEC_AVC)
    {
        return;
    }

    if (v.packet_type == SLUICE_FLV_SEQUENCE_HEADER) {
        CHECK(sluice_avc_parse_config(v.data, v.len, &c) == SLUICE_OK);
        CHECK(sluice_avc_fill_info(&c, &video.info) == SLUICE_OK);
        return;
    }

    if (v.packet_type != SLUICE_FLV_FRAME || video.n == MAX_SAMPLES) {
        return;
    }

    s = &video.samples[video.n++];
    s->dts = (uint64_t) tag->timestamp * 90;
    s->cts = v.cts * 90;
    s->duration = 3000;
    s->size = (uint32_t) v.len;
    s->flags = v.key ? SLUICE_SAMPLE_KEY : 0;
    s->data = v.data;
}


static void
add_audio(sluice_flv_tag_t *tag)
{
    sluice_flv_audio_t    a;
    sluice_aac_config_t   c;
    sluice_sample_t      *s;

    if (sluice_flv_parse_audio(tag->data, tag->len, &a) != SLUICE_OK
        || a.codec != SLUICE_CODEC_AAC)
    {
        return;
    }

    if (a.packet_type == SLUICE_FLV_SEQUENCE_HEADER) {
        CHECK(sluice_aac_parse_config(a.data, a.len, &c) == SLUICE_OK);
        CHECK(sluice_aac_fill_info(&c, &audio.info) == SLUICE_OK);
        return;
    }

    if (audio.n == MAX_SAMPLES || audio.info.timescale == 0) {
        return;
    }

    s = &audio.samples[audio.n];
    s->dts = (uint64_t) audio.n * 1024;
    s->cts = 0;
    s->duration = 1024;
    s->size = (uint32_t) a.len;
    s->flags = SLUICE_SAMPLE_KEY;
    s->data = a.data;
    audio.n++;
}


static int
load_flv(void)
{
    char               cmd[512], path[256];
    long               seconds;
    size_t             len;
    sluice_flv_tag_t   tag;
    sluice_flv_file_t  f;

    if (system("ffmpeg -version >/dev/null 2>&1") != 0) {
        return 0;
    }

    /* SLUICE_TEST_SECONDS=30 KEEP=1: a longer stream to try with players */
    seconds = getenv("SLUICE_TEST_SECONDS")
              ? atol(getenv("SLUICE_TEST_SECONDS")) : 4;
    seconds = (seconds > 0 && seconds <= 60) ? seconds : 4;

    snprintf(path, sizeof(path), "%s/in.flv", dir);
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=30 "
             "-f lavfi -i sine=frequency=440:sample_rate=48000 -t %ld "
             "-c:v libx264 -profile:v high -bf 2 -g 30 -pix_fmt yuv420p "
             "-c:a aac -b:a 96k -ac 2 -f flv %s", seconds, path);

    if (system(cmd) != 0) {
        return 0;
    }

    flv = read_file(path, &len);
    if (flv == NULL || sluice_flv_file_init(&f, flv, len) != SLUICE_OK) {
        return 0;
    }

    while (sluice_flv_file_next(&f, &tag) == SLUICE_OK) {
        if (tag.type == SLUICE_FLV_TAG_VIDEO) {
            add_video(&tag);

        } else if (tag.type == SLUICE_FLV_TAG_AUDIO) {
            add_audio(&tag);
        }
    }

    return video.n > 60 && audio.n > 60;
}


/* size, write, and check both agree; returns the buffer */

static uint8_t *
mux(sluice_ts_segment_t *seg, size_t *len)
{
    size_t    size;
    uint8_t  *p;

    if (sluice_ts_segment_size(seg, &size) != SLUICE_OK) {
        return NULL;
    }

    CHECK(size % SLUICE_TS_PACKET == 0);

    p = malloc(size + 1);
    p[size] = 0xab;

    CHECK(sluice_ts_segment_write(seg, p, size) == SLUICE_OK);
    CHECK(p[size] == 0xab);

    /* too small: refused */
    CHECK(size < SLUICE_TS_PACKET
          || sluice_ts_segment_write(seg, p, size - SLUICE_TS_PACKET)
             != SLUICE_OK);

    *len = size;

    return p;
}


/* structure: sync bytes, continuity counters, PES starts per PID */

static void
check_packets(const uint8_t *p, size_t len, uint32_t *vpes, uint32_t *apes,
    uint32_t *pcrs)
{
    int       cc[0x2000];
    size_t    i;
    uint32_t  pid, afc;

    memset(cc, 0xff, sizeof(cc));
    *vpes = 0;
    *apes = 0;
    *pcrs = 0;

    for (i = 0; i < len; i += SLUICE_TS_PACKET) {
        CHECK(p[i] == 0x47);

        pid = ((p[i + 1] & 0x1f) << 8) | p[i + 2];
        afc = (p[i + 3] >> 4) & 3;

        if (cc[pid] >= 0 && ((cc[pid] + 1) & 0xf) != (p[i + 3] & 0xf)) {
            fprintf(stderr, "cc jump on pid %u at packet %zu\n", pid,
                    i / SLUICE_TS_PACKET);
            failures++;
        }

        cc[pid] = p[i + 3] & 0xf;

        if (afc & 2) {
            CHECK(p[i + 4] <= 183);
            if (p[i + 4] && (p[i + 5] & 0x10)) {
                (*pcrs)++;
            }
        }

        if (p[i + 1] & 0x40) {
            *vpes += (pid == SLUICE_TS_PID_VIDEO);
            *apes += (pid == SLUICE_TS_PID_AUDIO);
        }
    }
}


static int
run_ok(const char *cmd)
{
    int  rc;

    rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr, "failed: %s\n", cmd);
    }

    return rc == 0;
}


/* ffmpeg decodes every frame without a word on stderr */

static void
check_ffmpeg(const char *name, const uint8_t *p, size_t len,
    uint32_t nvideo, uint32_t naudio)
{
    char  path[256], cmd[1024];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    CHECK(write_file(path, p, len));

    snprintf(cmd, sizeof(cmd),
             "ffmpeg -v error -xerror -i %s -f null - 2>%s.err "
             "&& test ! -s %s.err", path, path, path);
    CHECK(run_ok(cmd));

    if (nvideo) {
        snprintf(cmd, sizeof(cmd),
                 "ffprobe -v error -select_streams v -count_frames "
                 "-show_entries stream=codec_name,nb_read_frames,width "
                 "-of csv=p=0 %s | grep -qx h264,320,%u", path, nvideo);
        CHECK(run_ok(cmd));
    }

    if (naudio) {
        snprintf(cmd, sizeof(cmd),
                 "ffprobe -v error -select_streams a -count_frames "
                 "-show_entries stream=codec_name,channels,nb_read_frames "
                 "-of csv=p=0 %s | grep -qx aac,2,%u", path, naudio);
        CHECK(run_ok(cmd));
    }
}


/* first video sample at or after dts with a keyframe */

static uint32_t
key_after(uint64_t dts)
{
    uint32_t  i;

    for (i = 0; i < video.n; i++) {
        if (video.samples[i].dts >= dts
            && (video.samples[i].flags & SLUICE_SAMPLE_KEY))
        {
            return i;
        }
    }

    return video.n;
}


static void
test_real(void)
{
    char                 cmd[512];
    size_t               len;
    uint8_t             *p;
    uint32_t             k, a, vpes, apes, pcrs;
    sluice_ts_segment_t  seg;

    /* whole file, both tracks */
    memset(&seg, 0, sizeof(seg));
    seg.video.info = &video.info;
    seg.video.samples = video.samples;
    seg.video.nsamples = video.n;
    seg.audio.info = &audio.info;
    seg.audio.samples = audio.samples;
    seg.audio.nsamples = audio.n;

    p = mux(&seg, &len);
    CHECK(p != NULL);
    if (p == NULL) {
        return;
    }

    check_packets(p, len, &vpes, &apes, &pcrs);
    CHECK(vpes == video.n);
    CHECK(pcrs == video.n);
    CHECK(apes >= audio.n / SLUICE_TS_PACKET && apes < audio.n);
    check_ffmpeg("av.ts", p, len, video.n, audio.n);
    free(p);

    /* second segment from the second keyframe; audio cut at its time */
    k = key_after(90000);
    CHECK(k > 0 && k < video.n);

    for (a = 0; a < audio.n && audio.samples[a].dts * 90000
                               < video.samples[k].dts * 48000; a++)
    {
        /* void */
    }

    seg.video.samples = video.samples + k;
    seg.video.nsamples = video.n - k;
    seg.audio.samples = audio.samples + a;
    seg.audio.nsamples = audio.n - a;

    p = mux(&seg, &len);
    CHECK(p != NULL);
    if (p) {
        check_ffmpeg("av2.ts", p, len, video.n - k, audio.n - a);

        /* starts at the cut: the first PTS is the sample's time */
        snprintf(cmd, sizeof(cmd),
                 "ffprobe -v error -select_streams v -show_entries "
                 "packet=dts -read_intervals %%+#1 -of csv=p=0 %s/av2.ts "
                 "| grep -v '^$' | head -1 | grep -Eqx '%llu,?'", dir,
                 (unsigned long long) video.samples[k].dts);
        CHECK(run_ok(cmd));
        free(p);
    }

    /* video only */
    seg.audio.info = NULL;
    p = mux(&seg, &len);
    CHECK(p != NULL);
    if (p) {
        check_ffmpeg("v.ts", p, len, video.n - k, 0);
        free(p);
    }

    /* audio only: PCR on the audio PID */
    seg.video.info = NULL;
    seg.audio.info = &audio.info;
    p = mux(&seg, &len);
    CHECK(p != NULL);
    if (p) {
        check_packets(p, len, &vpes, &apes, &pcrs);
        CHECK(vpes == 0 && pcrs == apes && apes > 0);
        check_ffmpeg("a.ts", p, len, 0, audio.n - a);
        free(p);
    }
}


static void
test_synthetic(void)
{
    size_t               len, size;
    uint8_t             *p;
    uint8_t              au[600];
    uint32_t             vpes, apes, pcrs;
    sluice_sample_t      s[3];
    sluice_ts_segment_t  seg;
    sluice_track_info_t  vi;

    /* an avcC with one SPS and one PPS (not a decodable stream) */
    static const uint8_t  avcc[] = {
        0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x0a,
        0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb,
        0x01, 0x00, 0x04, 0x68, 0xeb, 0xe3, 0xcb
    };

    memset(&vi, 0, sizeof(vi));
    vi.media_type = SLUICE_MEDIA_VIDEO;
    vi.codec = SLUICE_CODEC_AVC;
    vi.timescale = 90000;
    vi.config_len = sizeof(avcc);
    memcpy(vi.config, avcc, sizeof(avcc));

    /* payload sizes around the packet boundaries: stuffing of 0, 1, 2 */
    memset(au, 0x11, sizeof(au));
    au[0] = 0;
    au[1] = 0;
    au[4] = 0x65;

    memset(&seg, 0, sizeof(seg));
    seg.video.info = &vi;
    seg.video.samples = s;
    seg.video.nsamples = 1;

    for (len = 100; len < 560; len++) {
        au[2] = (uint8_t) ((len - 4) >> 8);
        au[3] = (uint8_t) (len - 4);

        memset(s, 0, sizeof(s));
        s[0].dts = 1ULL << 34;      /* wraps at 33 bits */
        s[0].cts = -3000;
        s[0].size = (uint32_t) len;
        s[0].flags = SLUICE_SAMPLE_KEY;
        s[0].data = au;

        if (sluice_ts_segment_size(&seg, &size) != SLUICE_OK) {
            CHECK(0);
            break;
        }

        p = malloc(size);
        CHECK(sluice_ts_segment_write(&seg, p, size) == SLUICE_OK);
        check_packets(p, size, &vpes, &apes, &pcrs);
        CHECK(vpes == 1 && pcrs == 1);

        /* AUD, SPS and PPS precede the slice (when no stuffing) */
        CHECK(len < 130 || memcmp(p + 2 * SLUICE_TS_PACKET + 12 + 19,
                     "\0\0\0\1\x09\xf0\0\0\0\1\x67\x64", 12) == 0);
        free(p);
    }

    /* a NAL length past the end of the sample */
    au[3] = 0xff;
    s[0].size = 100;
    CHECK(sluice_ts_segment_size(&seg, &size) == SLUICE_BAD_DATA);

    /* a codec TS does not carry here */
    vi.codec = SLUICE_CODEC_AAC;
    CHECK(sluice_ts_segment_size(&seg, &size) == SLUICE_UNSUPPORTED);

    seg.video.info = NULL;
    CHECK(sluice_ts_segment_size(&seg, &size) == SLUICE_NOT_FOUND);
}


/*
 * ID3 timed metadata: the PMT's descriptors, one PES per tag on PID
 * 0x102 with its PTS, after the first video access unit; without tags
 * the segment is byte for byte what it was
 */

static const uint8_t  id3_pointer[] = {
    0x25, 15, 0xff, 0xff, 'I', 'D', '3', ' ', 0xff, 'I', 'D', '3', ' ',
    0x00, 0x1f, 0x00, 0x01
};

static const uint8_t  id3_entry[] = {
    0x15, 0xe1, 0x02, 0xf0, 15,
    0x26, 13, 0xff, 0xff, 'I', 'D', '3', ' ', 0xff, 'I', 'D', '3', ' ',
    0x00, 0x0f
};


/* the payload of the PES that starts at packet i (one packet) */

static const uint8_t *
id3_pes(const uint8_t *p, size_t i, uint64_t *pts, size_t *len)
{
    size_t          af;
    const uint8_t  *h;

    af = (p[i + 3] & 0x20) ? 1 + p[i + 4] : 0;
    h = p + i + 4 + af;

    if (h[0] != 0 || h[1] != 0 || h[2] != 1 || h[3] != 0xbd
        || h[6] != 0x84 || h[7] != 0x80 || h[8] != 5)
    {
        return NULL;
    }

    *pts = ((uint64_t) (h[9] & 0x0e) << 29) | ((uint64_t) h[10] << 22)
           | ((uint64_t) (h[11] & 0xfe) << 14) | ((uint64_t) h[12] << 7)
           | (h[13] >> 1);
    *len = ((size_t) h[4] << 8 | h[5]) - 8;

    return h + 14;
}


static void
test_id3(void)
{
    size_t               len, plain, i, n, plen;
    uint8_t             *p, *q, tag[2][64], au[200];
    uint32_t             pid, pes, vpes, apes, pcrs;
    uint64_t             pts;
    const uint8_t       *payload;
    sluice_sample_t      s[2];
    sluice_ts_id3_t      m[2];
    sluice_id3_frame_t   f;
    sluice_track_info_t  vi;
    sluice_ts_segment_t  seg;

    static const uint8_t  avcc[] = {
        0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x0a,
        0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb,
        0x01, 0x00, 0x04, 0x68, 0xeb, 0xe3, 0xcb
    };

    memset(&vi, 0, sizeof(vi));
    vi.media_type = SLUICE_MEDIA_VIDEO;
    vi.codec = SLUICE_CODEC_AVC;
    vi.timescale = 90000;
    vi.config_len = sizeof(avcc);
    memcpy(vi.config, avcc, sizeof(avcc));

    memset(au, 0x11, sizeof(au));
    au[0] = 0;
    au[1] = 0;
    au[2] = 0;
    au[3] = sizeof(au) - 4;
    au[4] = 0x65;

    memset(s, 0, sizeof(s));
    s[0].dts = 900000;
    s[0].size = sizeof(au);
    s[0].flags = SLUICE_SAMPLE_KEY;
    s[0].data = au;
    s[1] = s[0];
    s[1].dts = 900000 + 90000;
    s[1].flags = 0;

    memset(&seg, 0, sizeof(seg));
    seg.video.info = &vi;
    seg.video.samples = s;
    seg.video.nsamples = 2;

    q = mux(&seg, &plain);
    CHECK(q != NULL);
    if (q == NULL) {
        return;
    }

    /* two tags: one before the first frame, one between the frames */

    for (i = 0; i < 2; i++) {
        f.frame = SLUICE_ID3_TXXX;
        f.owner = (sluice_str_t) sluice_string("sluice");
        f.data.data = (const uint8_t *) (i ? "second" : "first");
        f.data.len = i ? 6 : 5;
        n = sluice_id3_size(&f);
        CHECK(n > 0 && n <= sizeof(tag[i]));
        sluice_id3_write(tag[i], &f);
        m[i].tag.data = tag[i];
        m[i].tag.len = n;
    }

    m[0].time = 900000 - 9000;
    m[1].time = 900000 + 45000;

    seg.id3 = m;
    seg.nid3 = 2;

    p = mux(&seg, &len);
    CHECK(p != NULL);
    if (p == NULL) {
        free(q);
        return;
    }

    /* two packets more: one per tag */
    CHECK(len == plain + 2 * SLUICE_TS_PACKET);
    check_packets(p, len, &vpes, &apes, &pcrs);
    CHECK(vpes == 2 && pcrs == 2);

    /* the PMT: program info and the ID3 entry after the video's */
    CHECK(p[SLUICE_TS_PACKET + 5 + 10] == 0xf0
          && p[SLUICE_TS_PACKET + 5 + 11] == sizeof(id3_pointer));
    CHECK(memcmp(p + SLUICE_TS_PACKET + 5 + 12, id3_pointer,
                 sizeof(id3_pointer)) == 0);
    CHECK(memcmp(p + SLUICE_TS_PACKET + 5 + 12 + sizeof(id3_pointer) + 5,
                 id3_entry, sizeof(id3_entry)) == 0);
    CHECK(sluice_ts_crc32(p + SLUICE_TS_PACKET + 5,
                          3 + p[SLUICE_TS_PACKET + 7]) == 0);

    /* order: PAT, PMT, video AU, tag 0, tag 1, video AU */

    pes = 0;

    for (i = 2 * SLUICE_TS_PACKET; i < len; i += SLUICE_TS_PACKET) {
        pid = ((p[i + 1] & 0x1f) << 8) | p[i + 2];

        if (pid != SLUICE_TS_PID_ID3) {
            if (p[i + 1] & 0x40) {
                CHECK(pid == SLUICE_TS_PID_VIDEO);
                CHECK(pes == (i == 2 * SLUICE_TS_PACKET ? 0 : 2));
            }

            continue;
        }

        CHECK(p[i + 1] & 0x40);
        CHECK(pes < 2);
        if (pes >= 2) {
            break;
        }

        payload = id3_pes(p, i, &pts, &plen);
        CHECK(payload != NULL);
        if (payload) {
            CHECK(pts == m[pes].time);
            CHECK(plen == m[pes].tag.len);
            CHECK(memcmp(payload, m[pes].tag.data, plen) == 0);
            CHECK(payload + plen == p + i + SLUICE_TS_PACKET);
        }

        pes++;
    }

    CHECK(pes == 2);
    free(p);

    /* no tags: the same bytes as before */
    seg.nid3 = 0;
    p = mux(&seg, &len);
    CHECK(p && len == plain && memcmp(p, q, len) == 0);
    free(p);

    /* a tag too large for one PES, an empty one */
    seg.nid3 = 1;
    m[0].tag.len = 65001;
    CHECK(sluice_ts_segment_size(&seg, &len) == SLUICE_BAD_DATA);
    m[0].tag.len = 0;
    CHECK(sluice_ts_segment_size(&seg, &len) == SLUICE_BAD_DATA);

    free(q);
}


/* ffprobe sees the ID3 stream (timed_id3) beside real audio and video */

static void
test_id3_real(void)
{
    char                 path[256], cmd[1024];
    size_t               len, n;
    uint8_t             *p, tag[64];
    sluice_ts_id3_t      m;
    sluice_id3_frame_t   f;
    sluice_ts_segment_t  seg;

    f.frame = SLUICE_ID3_PRIV;
    f.owner = (sluice_str_t) sluice_string("com.example");
    f.data = (sluice_str_t) sluice_string("hello");
    n = sluice_id3_size(&f);
    sluice_id3_write(tag, &f);

    m.time = video.samples[10].dts;
    m.tag.data = tag;
    m.tag.len = n;

    memset(&seg, 0, sizeof(seg));
    seg.video.info = &video.info;
    seg.video.samples = video.samples;
    seg.video.nsamples = video.n;
    seg.audio.info = &audio.info;
    seg.audio.samples = audio.samples;
    seg.audio.nsamples = audio.n;
    seg.id3 = &m;
    seg.nid3 = 1;

    p = mux(&seg, &len);
    CHECK(p != NULL);
    if (p == NULL) {
        return;
    }

    check_ffmpeg("id3.ts", p, len, video.n, audio.n);

    snprintf(path, sizeof(path), "%s/id3.ts", dir);
    snprintf(cmd, sizeof(cmd),
             "ffprobe -v error -select_streams d -show_entries "
             "stream=codec_name -of csv=p=0 %s | grep -qx timed_id3", path);
    CHECK(run_ok(cmd));

    /*
     * the tag as sent, at its time; FFmpeg 5.1 drops the first 5 bytes of
     * every PES of stream type 0x15 (it takes them for the metadata
     * Access Unit cell of 13818-1 2.12.4, which Apple's ID3 in
     * private_stream_1 has not; hls.js reads the tag whole)
     */
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -v error -i %s -map 0:d -c copy -f data - "
             "| cmp -s - %s/id3.tag", path, dir);
    snprintf(path, sizeof(path), "%s/id3.tag", dir);
    CHECK(write_file(path, tag + 5, n - 5));
    CHECK(run_ok(cmd));

    snprintf(cmd, sizeof(cmd),
             "ffprobe -v error -select_streams d -show_entries packet=pts "
             "-of csv=p=0 %s/id3.ts | grep -Eqx '%llu,?'", dir,
             (unsigned long long) m.time);
    CHECK(run_ok(cmd));

    free(p);
}


/*
 * A sync sample with its own SPS and PPS (as MPEG-TS ingest gives them):
 * not repeated from the record, and PES_packet_length counts what the
 * packets carry
 */
static void
test_inband_ps(void)
{
    size_t               size, pos, af, n, es;
    uint8_t             *p, pes[4096];
    uint32_t             sps;
    sluice_sample_t      s;
    sluice_ts_segment_t  seg;
    sluice_track_info_t  vi;

    static const uint8_t  avcc[] = {
        0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x0a,
        0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb,
        0x01, 0x00, 0x04, 0x68, 0xeb, 0xe3, 0xcb
    };

    uint8_t  au[400] = {
        0, 0, 0, 10, 0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05,
        0xbb,
        0, 0, 0, 4, 0x68, 0xeb, 0xe3, 0xcb,
        0, 0, 0x01, 0x76, 0x65
    };

    memset(au + 27, 0x11, sizeof(au) - 27);

    memset(&vi, 0, sizeof(vi));
    vi.media_type = SLUICE_MEDIA_VIDEO;
    vi.codec = SLUICE_CODEC_AVC;
    vi.timescale = 90000;
    vi.config_len = sizeof(avcc);
    memcpy(vi.config, avcc, sizeof(avcc));

    memset(&s, 0, sizeof(s));
    s.dts = 90000;
    s.size = sizeof(au);
    s.flags = SLUICE_SAMPLE_KEY;
    s.data = au;

    memset(&seg, 0, sizeof(seg));
    seg.video.info = &vi;
    seg.video.samples = &s;
    seg.video.nsamples = 1;

    CHECK(sluice_ts_segment_size(&seg, &size) == SLUICE_OK);
    p = malloc(size);
    CHECK(sluice_ts_segment_write(&seg, p, size) == SLUICE_OK);

    /* the PES out of the video packets */
    n = 0;

    for (pos = 2 * SLUICE_TS_PACKET; pos + SLUICE_TS_PACKET <= size;
         pos += SLUICE_TS_PACKET)
    {
        af = (p[pos + 3] & 0x20) ? 1 + p[pos + 4] : 0;
        CHECK(n + SLUICE_TS_PACKET - 4 - af <= sizeof(pes));
        memcpy(pes + n, p + pos + 4 + af, SLUICE_TS_PACKET - 4 - af);
        n += SLUICE_TS_PACKET - 4 - af;
    }

    CHECK(n == 6 + (size_t) ((pes[4] << 8) | pes[5]));

    /* AUD, SPS, PPS, slice: 4-byte start codes, the SPS once */
    es = 9 + pes[8];
    CHECK(n == es + 6 + 3 * 4 + sizeof(au) - 3 * 4);

    for (pos = es, sps = 0; pos + 5 <= n; pos++) {
        sps += (memcmp(pes + pos, "\0\0\0\1\x67", 5) == 0);
    }

    CHECK(sps == 1);
    free(p);
}


/* --- end to end: fragments, TS segments, playlists, CMAF, MPD ---------- */


#define MAX_FRAGS  64


typedef struct {
    uint32_t              first;        /* sample index */
    uint32_t              n;
} range_t;


static range_t         vranges[MAX_FRAGS];
static range_t         aranges[MAX_FRAGS];
static sluice_pfrag_t  vpf[MAX_FRAGS];
static sluice_pfrag_t  apf[MAX_FRAGS];
static uint32_t        nfrags;


/* cut at the first keyframe of each 2 s; audio at the video cut times */

static void
cut(void)
{
    uint32_t  i, a, f;
    uint64_t  boundary;

    nfrags = 0;
    boundary = 0;

    for (i = 0; i < video.n; i++) {
        if ((video.samples[i].flags & SLUICE_SAMPLE_KEY)
            && video.samples[i].dts >= boundary && nfrags < MAX_FRAGS)
        {
            vranges[nfrags++].first = i;
            boundary = video.samples[i].dts + 180000 - 4500;
        }

        /* durations from the decode times */
        video.samples[i].duration = (i + 1 < video.n)
            ? (uint32_t) (video.samples[i + 1].dts - video.samples[i].dts)
            : 3000;
    }

    a = 0;

    for (f = 0; f < nfrags; f++) {
        vranges[f].n = (f + 1 < nfrags ? vranges[f + 1].first : video.n)
                       - vranges[f].first;

        aranges[f].first = a;

        while (a < audio.n
               && (f + 1 == nfrags
                   || audio.samples[a].dts * 90000
                      < video.samples[vranges[f + 1].first].dts * 48000))
        {
            a++;
        }

        aranges[f].n = a - aranges[f].first;
    }
}


static void
timeline(track_t *t, range_t *r, sluice_pfrag_t *pf)
{
    uint32_t  f, i;

    for (f = 0; f < nfrags; f++) {
        pf[f].time = t->samples[r[f].first].dts;
        pf[f].duration = 0;
        pf[f].seq = f;
        pf[f].flags = 0;

        for (i = 0; i < r[f].n; i++) {
            pf[f].duration += t->samples[r[f].first + i].duration;
        }
    }
}


static void
save(const char *name, sluice_buf_t *b)
{
    char  path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    CHECK(b->rc == SLUICE_OK && write_file(path, b->data, b->len));
}


static void *
test_alloc(void *ctx, size_t size)
{
    return malloc(size);
}


static void
save_ts(const char *sub, const char *name, uint64_t time,
    sluice_ts_segment_t *seg, sluice_format_t format)
{
    char      path[512];
    size_t    len;
    uint8_t  *p;

    p = mux(seg, &len);
    CHECK(p != NULL);

    if (p) {
        snprintf(path, sizeof(path),
                 "%s/%s/Fragments(%s=%llu,format=%s)%s",
                 dir, sub, name, (unsigned long long) time,
                 sluice_format_name(format),
                 sluice_url_segment_ext(format, SLUICE_URL_SEGMENT));
        CHECK(write_file(path, p, len));
        free(p);
    }
}


static void
e2e_setup(sluice_presentation_t *p, sluice_ptrack_t *pt)
{
    memset(p, 0, sizeof(*p));
    memset(pt, 0, 2 * sizeof(*pt));

    video.info.bitrate = 500000;
    audio.info.bitrate = 96000;

    pt[0].info = &video.info;
    pt[0].name = (sluice_str_t) sluice_string("video");
    pt[0].bitrate = 500000;
    pt[0].frags = vpf;
    pt[0].nfrags = nfrags;

    pt[1].info = &audio.info;
    pt[1].name = (sluice_str_t) sluice_string("audio");
    pt[1].bitrate = 96000;
    pt[1].frags = apf;
    pt[1].nfrags = nfrags;

    p->tracks = pt;
    p->ntracks = 2;
    p->live = 1;
    p->ended = 1;
    p->fragment_ms = 2000;
}


static void
e2e_hls(void)
{
    char                   cmd[1024], sub[2][64];
    uint32_t               f, i;
    sluice_buf_t           b;
    sluice_alloc_t         alloc = { test_alloc, NULL };
    sluice_ptrack_t        pt[2];
    sluice_ts_segment_t    seg;
    sluice_presentation_t  p;

    e2e_setup(&p, pt);

    for (i = 0; i < 2; i++) {
        snprintf(sub[i], sizeof(sub[i]), "QualityLevels(%u)", pt[i].bitrate);
        snprintf(cmd, sizeof(cmd), "%s/%s", dir, sub[i]);
        mkdir(cmd, 0755);
    }

    /* m3u8-aapl: one TS per track and fragment */
    for (f = 0; f < nfrags; f++) {
        memset(&seg, 0, sizeof(seg));
        seg.video.info = &video.info;
        seg.video.samples = video.samples + vranges[f].first;
        seg.video.nsamples = vranges[f].n;
        save_ts(sub[0], "video", vpf[f].time, &seg, SLUICE_FORMAT_HLS_TS);

        /* m3u8-aapl-v3: audio muxed with the video */
        seg.audio.info = &audio.info;
        seg.audio.samples = audio.samples + aranges[f].first;
        seg.audio.nsamples = aranges[f].n;
        save_ts(sub[0], "video", vpf[f].time, &seg, SLUICE_FORMAT_HLS_TS_V3);

        memset(&seg, 0, sizeof(seg));
        seg.audio.info = &audio.info;
        seg.audio.samples = audio.samples + aranges[f].first;
        seg.audio.nsamples = aranges[f].n;
        save_ts(sub[1], "audio", apf[f].time, &seg, SLUICE_FORMAT_HLS_TS);
    }

    sluice_buf_init(&b, &alloc, NULL, 65536);
    CHECK(sluice_hls_master(&b, &p, SLUICE_FORMAT_HLS_TS, NULL)
          == SLUICE_OK);
    save("master.m3u8", &b);
    free(b.data);

    for (i = 0; i < 2; i++) {
        sluice_buf_init(&b, &alloc, NULL, 65536);
        CHECK(sluice_hls_playlist(&b, &p, &pt[i], SLUICE_FORMAT_HLS_TS, NULL)
              == SLUICE_OK);
        snprintf(cmd, sizeof(cmd), "%s/Manifest(%s,format=m3u8-aapl)",
                 sub[i], i ? "audio" : "video");
        save(cmd, &b);
        free(b.data);
    }

    /* every frame of both tracks, through the master playlist */
    snprintf(cmd, sizeof(cmd),
             "cd %s && opts='-allowed_extensions ALL' "
             "&& ffmpeg -v error $opts -i master.m3u8 -map 0:v -map 0:a "
             "-fps_mode passthrough -f framecrc - 2>hls.err >hls.crc "
             "&& test ! -s hls.err "
             "&& test $(grep -c '^0,' hls.crc) = %u "
             "&& test $(grep -c '^1,' hls.crc) = %u",
             dir, video.n, audio.n);
    CHECK(run_ok(cmd));

    sluice_buf_init(&b, &alloc, NULL, 65536);
    CHECK(sluice_hls_master(&b, &p, SLUICE_FORMAT_HLS_TS_V3, NULL)
          == SLUICE_OK);
    save("v3.m3u8", &b);
    free(b.data);

    sluice_buf_init(&b, &alloc, NULL, 65536);
    CHECK(sluice_hls_playlist(&b, &p, &pt[0], SLUICE_FORMAT_HLS_TS_V3,
                              NULL)
          == SLUICE_OK);
    snprintf(cmd, sizeof(cmd), "%s/Manifest(video,format=m3u8-aapl-v3)",
             sub[0]);
    save(cmd, &b);
    free(b.data);

    snprintf(cmd, sizeof(cmd),
             "cd %s && opts='-allowed_extensions ALL' "
             "&& ffmpeg -v error $opts -i v3.m3u8 -map 0:v -map 0:a "
             "-fps_mode passthrough -f framecrc - 2>v3.err >v3.crc "
             "&& test ! -s v3.err "
             "&& test $(grep -c '^0,' v3.crc) = %u "
             "&& test $(grep -c '^1,' v3.crc) = %u",
             dir, video.n, audio.n);
    CHECK(run_ok(cmd));
}


static void
save_cmaf(const char *sub, const char *name, uint64_t time, track_t *t,
    range_t *r, uint32_t flags)
{
    char               path[512];
    size_t             len;
    uint8_t           *p;
    sluice_fragment_t  frag;

    memset(&frag, 0, sizeof(frag));
    frag.sequence = (uint32_t) (r - (t == &video ? vranges : aranges)) + 1;
    frag.time = time;
    frag.samples = t->samples + r->first;
    frag.nsamples = r->n;

    len = sluice_cmaf_fragment_size(&frag, 1, flags);
    CHECK(len > 0);
    p = malloc(len);
    CHECK(sluice_cmaf_fragment_write(p, &frag, 1, flags) == p + len);

    if (flags & SLUICE_CMAF_SMOOTH) {
        snprintf(path, sizeof(path), "%s/%s/Fragments(%s=%llu)",
                 dir, sub, name, (unsigned long long) time);

    } else {
        snprintf(path, sizeof(path), "%s/%s/Fragments(%s=%llu,format=%s)",
                 dir, sub, name, (unsigned long long) time,
                 sluice_format_name(SLUICE_FORMAT_DASH_CSF));
    }

    CHECK(write_file(path, p, len));
    free(p);
}


static void
save_init(const char *sub, const char *name, track_t *t)
{
    char      path[512];
    size_t    len;
    uint8_t  *p;

    len = sluice_cmaf_init_size(&t->info, 1);
    CHECK(len > 0);
    p = malloc(len);
    CHECK(sluice_cmaf_init_write(p, &t->info, 1) == p + len);

    snprintf(path, sizeof(path), "%s/%s/Fragments(%s=i,format=%s)",
             dir, sub, name, sluice_format_name(SLUICE_FORMAT_DASH_CSF));
    CHECK(write_file(path, p, len));
    free(p);
}


static void
e2e_dash(void)
{
    char                   cmd[1024], sub[2][64];
    uint32_t               f;
    sluice_buf_t           b;
    sluice_alloc_t         alloc = { test_alloc, NULL };
    sluice_ptrack_t        pt[2];
    sluice_presentation_t  p;

    e2e_setup(&p, pt);

    snprintf(sub[0], sizeof(sub[0]), "QualityLevels(%u)", pt[0].bitrate);
    snprintf(sub[1], sizeof(sub[1]), "QualityLevels(%u)", pt[1].bitrate);

    save_init(sub[0], "video", &video);
    save_init(sub[1], "audio", &audio);

    for (f = 0; f < nfrags; f++) {
        save_cmaf(sub[0], "video", vpf[f].time, &video, &vranges[f],
                  SLUICE_CMAF_STYP);
        save_cmaf(sub[1], "audio", apf[f].time, &audio, &aranges[f],
                  SLUICE_CMAF_STYP);

        /* Smooth: no player here to check them, kept with KEEP=1 */
        save_cmaf(sub[0], "video", vpf[f].time, &video, &vranges[f],
                  SLUICE_CMAF_SMOOTH);
        save_cmaf(sub[1], "audio", apf[f].time, &audio, &aranges[f],
                  SLUICE_CMAF_SMOOTH);
    }

    sluice_buf_init(&b, &alloc, NULL, 65536);
    CHECK(sluice_dash_mpd(&b, &p, SLUICE_FORMAT_DASH_CSF) == SLUICE_OK);
    save("manifest.mpd", &b);
    free(b.data);

    p.ended = 1;
    sluice_buf_init(&b, &alloc, NULL, 65536);
    CHECK(sluice_mss_manifest(&b, &p) == SLUICE_OK);
    save("Manifest", &b);
    free(b.data);

    /* the same as a live stream whose last fragment has just been added */
    p.ended = 0;
    p.now_ms = (int64_t) time(NULL) * 1000;
    p.epoch_ms = p.now_ms - (int64_t) ((vpf[nfrags - 1].time
                                        + vpf[nfrags - 1].duration) / 90);
    p.window_ms = 60000;

    sluice_buf_init(&b, &alloc, NULL, 65536);
    CHECK(sluice_dash_mpd(&b, &p, SLUICE_FORMAT_DASH_CSF) == SLUICE_OK);
    save("live.mpd", &b);
    free(b.data);

    sluice_buf_init(&b, &alloc, NULL, 65536);
    CHECK(sluice_mss_manifest(&b, &p) == SLUICE_OK);
    save("LiveManifest", &b);
    free(b.data);

    /* each track on its own: ffmpeg 5.1 drops a last frame with both */
    snprintf(cmd, sizeof(cmd),
             "cd %s && ffmpeg -v error -allowed_extensions ALL "
             "-i manifest.mpd -map 0:v -fps_mode passthrough -f framecrc - "
             "2>dash.err >dash.crc && test ! -s dash.err "
             "&& test $(grep -c '^0,' dash.crc) = %u "
             "&& ffmpeg -v error -allowed_extensions ALL "
             "-i manifest.mpd -map 0:a -f framecrc - "
             "2>dash.err >dash.crc && test ! -s dash.err "
             "&& test $(grep -c '^0,' dash.crc) = %u",
             dir, video.n, audio.n);
    CHECK(run_ok(cmd));
}


/* HLS fMP4: the DASH files under their m3u8-cmaf names */

static void
e2e_hls_cmaf(void)
{
    char                   cmd[1024];
    uint32_t               i;
    sluice_buf_t           b;
    sluice_alloc_t         alloc = { test_alloc, NULL };
    sluice_ptrack_t        pt[2];
    sluice_presentation_t  p;

    e2e_setup(&p, pt);

    snprintf(cmd, sizeof(cmd),
             "cd %s && for f in QualityLevels*/*format=mpd-time-csf*; do "
             "case \"$f\" in *=i,*) e=.mp4;; *) e=.m4s;; esac; "
             "ln \"$f\" \"$(echo \"$f\" | sed s/mpd-time-csf/m3u8-cmaf/)$e\"; "
             "done", dir);
    CHECK(run_ok(cmd));

    sluice_buf_init(&b, &alloc, NULL, 65536);
    CHECK(sluice_hls_master(&b, &p, SLUICE_FORMAT_HLS_CMAF, NULL)
          == SLUICE_OK);
    save("cmaf.m3u8", &b);
    free(b.data);

    for (i = 0; i < 2; i++) {
        sluice_buf_init(&b, &alloc, NULL, 65536);
        CHECK(sluice_hls_playlist(&b, &p, &pt[i], SLUICE_FORMAT_HLS_CMAF,
                                  NULL)
              == SLUICE_OK);
        snprintf(cmd, sizeof(cmd),
                 "QualityLevels(%u)/Manifest(%s,format=m3u8-cmaf)",
                 pt[i].bitrate, i ? "audio" : "video");
        save(cmd, &b);
        free(b.data);
    }

    snprintf(cmd, sizeof(cmd),
             "cd %s && opts='-allowed_extensions ALL' "
             "&& ffmpeg -v error $opts -i cmaf.m3u8 -map 0:v "
             "-fps_mode passthrough -f framecrc - 2>cmaf.err >cmaf.crc "
             "&& test ! -s cmaf.err "
             "&& test $(grep -c '^0,' cmaf.crc) = %u "
             "&& ffmpeg -v error $opts -i cmaf.m3u8 -map 0:a "
             "-f framecrc - 2>cmaf.err >cmaf.crc "
             "&& test ! -s cmaf.err "
             "&& test $(grep -c '^0,' cmaf.crc) = %u",
             dir, video.n, audio.n);
    CHECK(run_ok(cmd));
}


static void
test_e2e(void)
{
    cut();
    CHECK(nfrags >= 2);

    timeline(&video, vranges, vpf);
    timeline(&audio, aranges, apf);

    e2e_hls();
    e2e_dash();
    e2e_hls_cmaf();
}


/* H.265: stream type 0x24, AUD type 35, VPS/SPS/PPS from the hvcC */

static void
test_hevc(void)
{
    size_t               size;
    uint8_t             *p, *pes;
    uint8_t              au[] = { 0, 0, 0, 5, 0x26, 0x01, 0xaf, 0x11, 0x22 };
    sluice_sample_t      s;
    sluice_ts_segment_t  seg;
    sluice_track_info_t  vi;

    static const uint8_t  hvcc[] = {
        0x01, 0x01, 0x60, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x5d, 0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8, 0x00, 0x00, 0x0f,
        0x03,
        0xa0, 0x00, 0x01, 0x00, 0x03, 0x40, 0x01, 0x0c,   /* VPS */
        0xa1, 0x00, 0x01, 0x00, 0x03, 0x42, 0x01, 0x01,   /* SPS */
        0xa2, 0x00, 0x01, 0x00, 0x03, 0x44, 0x01, 0xc1    /* PPS */
    };

    memset(&vi, 0, sizeof(vi));
    vi.media_type = SLUICE_MEDIA_VIDEO;
    vi.codec = SLUICE_CODEC_HEVC;
    vi.timescale = 90000;
    vi.config_len = sizeof(hvcc);
    memcpy(vi.config, hvcc, sizeof(hvcc));

    memset(&s, 0, sizeof(s));
    s.size = sizeof(au);
    s.flags = SLUICE_SAMPLE_KEY;
    s.data = au;

    memset(&seg, 0, sizeof(seg));
    seg.video.info = &vi;
    seg.video.samples = &s;
    seg.video.nsamples = 1;

    CHECK(sluice_ts_segment_size(&seg, &size) == SLUICE_OK);
    CHECK(size == 3 * SLUICE_TS_PACKET);
    if (size != 3 * SLUICE_TS_PACKET) {
        return;
    }

    p = malloc(size);
    CHECK(sluice_ts_segment_write(&seg, p, size) == SLUICE_OK);

    /* PMT: stream_type 0x24 */
    CHECK(p[SLUICE_TS_PACKET + 5 + 12] == 0x24);

    /* the PES payload ends the packet (stuffing before it) */
    pes = p + 3 * SLUICE_TS_PACKET - (7 + 3 * 7 + 4 + 5);
    CHECK(memcmp(pes, "\0\0\0\1\x46\x01\x50"
                      "\0\0\0\1\x40\x01\x0c"
                      "\0\0\0\1\x42\x01\x01"
                      "\0\0\0\1\x44\x01\xc1"
                      "\0\0\0\1\x26\x01\xaf\x11\x22", 37) == 0);
    free(p);

    /* a truncated record */
    vi.config_len = 30;
    CHECK(sluice_ts_segment_size(&seg, &size) == SLUICE_BAD_DATA);
}

/* big-endian 32 bits */

static uint32_t
be32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}


static void *
pool_alloc(void *ctx, size_t size)
{
    void  **pool = ctx;
    size_t  i;

    for (i = 0; i < 256 && pool[i]; i++) { /* void */ }

    if (i == 256) {
        return NULL;
    }

    pool[i] = malloc(size);

    return pool[i];
}


/* x265 puts an SEI array in its hvcC: keep VPS, SPS and PPS */

static void
hvcc_trim(sluice_track_info_t *vi, const uint8_t *p, size_t len)
{
    size_t    pos, n, start;
    uint32_t  i, j, narrays, nnalus, kept;

    memcpy(vi->config, p, 23);
    vi->config_len = 23;
    narrays = p[22];
    kept = 0;
    pos = 23;

    for (i = 0; i < narrays && pos + 3 <= len; i++) {
        start = pos;
        nnalus = (p[pos + 1] << 8) | p[pos + 2];
        pos += 3;

        for (j = 0; j < nnalus && pos + 2 <= len; j++) {
            n = (p[pos] << 8) | p[pos + 1];
            pos += 2 + n;
        }

        n = pos - start;

        if ((p[start] & 0x3f) >= 32 && (p[start] & 0x3f) <= 34
            && pos <= len && vi->config_len + n <= SLUICE_MAX_CODEC_CONFIG)
        {
            memcpy(vi->config + vi->config_len, p + start, n);
            vi->config_len += (uint32_t) n;
            kept++;
        }
    }

    vi->config[22] = (uint8_t) kept;
}


/*
 * A real H.265 stream: ffmpeg writes fragmented MP4 (libx265), the hvcC
 * is taken from the moov, the samples from each moof + mdat by the CMAF
 * reader; ffmpeg must decode the TS segment without a word.
 */

static void
test_hevc_real(void)
{
    char                 cmd[1536], path[256];
    void                *pool[256];
    size_t               len, pos, size, box;
    uint8_t             *mp4, *p;
    uint32_t             n;
    sluice_alloc_t       alloc;
    sluice_fragment_t    f;
    sluice_sample_t     *all;
    sluice_ts_segment_t  seg;
    sluice_track_info_t  vi;

    snprintf(path, sizeof(path), "%s/hevc.mp4", dir);
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=25 "
             "-t 2 -c:v libx265 -x265-params log-level=error:keyint=25 "
             "-tag:v hvc1 -movflags frag_keyframe+empty_moov+default_base_moof"
             " -f mp4 %s", path);

    if (system(cmd) != 0 || (mp4 = read_file(path, &len)) == NULL) {
        printf("test_ts: libx265 missing, real H.265 skipped\n");
        return;
    }

    memset(pool, 0, sizeof(pool));
    alloc.alloc = pool_alloc;
    alloc.ctx = pool;

    memset(&vi, 0, sizeof(vi));
    vi.media_type = SLUICE_MEDIA_VIDEO;
    vi.codec = SLUICE_CODEC_HEVC;
    vi.timescale = 12800;
    all = calloc(256, sizeof(sluice_sample_t));
    n = 0;

    for (pos = 4; pos + 4 <= len; pos++) {
        if (memcmp(mp4 + pos, "hvcC", 4) == 0 && vi.config_len == 0) {
            box = be32(mp4 + pos - 4);
            CHECK(box > 8 + 23 && pos + box - 4 <= len);
            hvcc_trim(&vi, mp4 + pos + 4, box - 8);
        }

        if (memcmp(mp4 + pos, "mdhd", 4) == 0) {
            vi.timescale = be32(mp4 + pos + 16);
        }

        if (memcmp(mp4 + pos, "moof", 4) == 0) {
            box = be32(mp4 + pos - 4);
            box += be32(mp4 + pos - 4 + box);     /* the mdat after it */
            CHECK(sluice_cmaf_fragment_parse(mp4 + pos - 4, box, &alloc, &f)
                  == SLUICE_OK);

            if (f.nsamples <= 256 - n) {
                memcpy(all + n, f.samples, f.nsamples * sizeof(*all));
                n += f.nsamples;
            }

            pos += box - 5;
        }
    }

    CHECK(vi.config_len > 0 && n == 50);

    memset(&seg, 0, sizeof(seg));
    seg.video.info = &vi;
    seg.video.samples = all;
    seg.video.nsamples = n;

    if (sluice_ts_segment_size(&seg, &size) == SLUICE_OK) {
        p = malloc(size);
        CHECK(sluice_ts_segment_write(&seg, p, size) == SLUICE_OK);
        snprintf(path, sizeof(path), "%s/hevc.ts", dir);
        CHECK(write_file(path, p, size));
        free(p);

        snprintf(cmd, sizeof(cmd),
                 "ffmpeg -v error -xerror -i %s -f null - 2>%s.err "
                 "&& test ! -s %s.err && ffprobe -v error -count_frames "
                 "-show_entries stream=codec_name,nb_read_frames -of csv=p=0 "
                 "%s | grep -qx hevc,%u", path, path, path, path, n);
        CHECK(run_ok(cmd));

    } else {
        CHECK(0);
    }

    for (n = 0; n < 256 && pool[n]; n++) {
        free(pool[n]);
    }

    free(all);
    free(mp4);
}

int
main(void)
{
    char  cmd[64];

    test_synthetic();
    test_id3();
    test_hevc();
    test_inband_ps();

    if (mkdtemp(dir) != NULL && load_flv()) {
        test_real();
        test_id3_real();
        test_e2e();
        test_hevc_real();

    } else {
        printf("test_ts: ffmpeg or libx264 missing, real samples skipped\n");
    }

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (getenv("KEEP") == NULL) {
        (void) system(cmd);
    }
    free(flv);

    printf("test_ts: %d checks, %d failures\n", checks, failures);

    return failures ? 1 : 0;
}
