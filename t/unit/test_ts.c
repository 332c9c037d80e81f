
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the MPEG-TS muxer: ffmpeg makes an FLV (H.264 + AAC),
 * the FLV/AVC/AAC readers turn it into samples, the muxer writes TS
 * segments, and ffprobe/ffmpeg must read them back without error.
 * Without ffmpeg, only the self-contained checks run.
 *
 *   cc -Isrc/media t/unit/test_ts.c src/media/sluice_ts.c \
 *       src/media/sluice_avc.c src/media/sluice_aac.c \
 *       src/media/sluice_flv.c src/media/sluice_bits.c -o test_ts
 */


#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sluice_ts.h"
#include "sluice_flv.h"
#include "sluice_avc.h"
#include "sluice_aac.h"


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
    size_t             len;
    sluice_flv_tag_t   tag;
    sluice_flv_file_t  f;

    if (system("ffmpeg -version >/dev/null 2>&1") != 0) {
        return 0;
    }

    snprintf(path, sizeof(path), "%s/in.flv", dir);
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=30 "
             "-f lavfi -i sine=frequency=440:sample_rate=48000 -t 4 "
             "-c:v libx264 -profile:v high -bf 2 -g 30 -pix_fmt yuv420p "
             "-c:a aac -b:a 96k -ac 2 -f flv %s", path);

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


int
main(void)
{
    char  cmd[64];

    test_synthetic();

    if (mkdtemp(dir) != NULL && load_flv()) {
        test_real();

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
