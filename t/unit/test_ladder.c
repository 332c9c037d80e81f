
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the encoding ladder rules (AMS Default720p and
 * Default1080p, no upscaling, frame rate, stretch modes, keyframes).
 */


#include "media/transcode/sluice_ladder.h"
#include "sluice_test.h"


#define H  SLUICE_PROFILE_HIGH

static const sluice_ladder_conf_t  d720[] = {
    { 1280, 720, 3500, 30, H }, { 960, 540, 2200, 30, H },
    { 704, 396, 1350, 30, H }, { 512, 288, 850, 30, H },
    { 384, 216, 550, 30, H }, { 340, 192, 200, 30, H }
};

static const sluice_ladder_conf_t  d1080[] = {
    { 1920, 1080, 5500, 30, H }, { 1280, 720, 3000, 30, H },
    { 960, 540, 1600, 30, H }, { 640, 360, 800, 30, H },
    { 480, 270, 400, 30, H }, { 320, 180, 200, 30, H }
};

#define N(a)  (sizeof(a) / sizeof(a[0]))


static sluice_ladder_input_t
input(uint32_t w, uint32_t h, uint32_t fps_num, uint32_t fps_den)
{
    sluice_ladder_input_t  in;

    memset(&in, 0, sizeof(in));
    in.width = w;
    in.height = h;
    in.fps_num = fps_num;
    in.fps_den = fps_den;

    return in;
}


/* the layers' sizes and bitrates as "WxH:KBPS WxH:KBPS..." */

static const char *
ladder(const sluice_ladder_conf_t *conf, size_t n, sluice_stretch_e stretch,
    const sluice_ladder_input_t *in)
{
    size_t                  i, k;
    static char             buf[512];
    sluice_ladder_layer_t   out[SLUICE_LADDER_MAX_LAYERS];

    k = sluice_ladder_compute(conf, n, stretch, in, out);
    buf[0] = '\0';

    for (i = 0; i < k; i++) {
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%ux%u:%u",
                 i ? " " : "", out[i].width, out[i].height, out[i].kbps);
    }

    return buf;
}


static void
test_default720p(void)
{
    sluice_ladder_input_t  in;

    in = input(1280, 720, 30, 1);
    SL_CHECK_STR_EQ(ladder(d720, N(d720), SLUICE_STRETCH_NONE, &in),
                    "1280x720:3500 960x540:2200 704x396:1350 512x288:850"
                    " 384x216:550 340x192:200");

    /* above the top layer: all six, downscaled */
    in = input(1920, 1080, 30, 1);
    SL_CHECK_STR_EQ(ladder(d720, N(d720), SLUICE_STRETCH_NONE, &in),
                    "1280x720:3500 960x540:2200 704x396:1350 512x288:850"
                    " 384x216:550 340x192:200");

    /* 360p: the three layers below it */
    in = input(640, 360, 30, 1);
    SL_CHECK_STR_EQ(ladder(d720, N(d720), SLUICE_STRETCH_NONE, &in),
                    "512x288:850 384x216:550 340x192:200");

    /* a layer as tall as the input is kept */
    in = input(512, 288, 30, 1);
    SL_CHECK_STR_EQ(ladder(d720, N(d720), SLUICE_STRETCH_NONE, &in),
                    "512x288:850 384x216:550 340x192:200");
}


static void
test_default1080p(void)
{
    sluice_ladder_input_t  in;

    in = input(1920, 1080, 30, 1);
    SL_CHECK_STR_EQ(ladder(d1080, N(d1080), SLUICE_STRETCH_NONE, &in),
                    "1920x1080:5500 1280x720:3000 960x540:1600 640x360:800"
                    " 480x270:400 320x180:200");

    in = input(1280, 720, 30, 1);
    SL_CHECK_STR_EQ(ladder(d1080, N(d1080), SLUICE_STRETCH_NONE, &in),
                    "1280x720:3000 960x540:1600 640x360:800 480x270:400"
                    " 320x180:200");
}


static void
test_tiny_input(void)
{
    size_t                 k;
    sluice_ladder_input_t  in;
    sluice_ladder_layer_t  out[SLUICE_LADDER_MAX_LAYERS];

    /* no bitrate known: the smallest layer's */
    in = input(160, 120, 30, 1);
    SL_CHECK_STR_EQ(ladder(d720, N(d720), SLUICE_STRETCH_NONE, &in),
                    "160x120:200");

    /* the input's bitrate when known, odd sizes rounded down to even */
    in = input(161, 121, 30, 1);
    in.kbps = 300;
    k = sluice_ladder_compute(d720, N(d720), SLUICE_STRETCH_NONE, &in, out);
    SL_CHECK_UEQ(k, (size_t) 1);
    SL_CHECK_UEQ(out[0].width, 160u);
    SL_CHECK_UEQ(out[0].height, 120u);
    SL_CHECK_UEQ(out[0].kbps, 300u);
    SL_CHECK_EQ(out[0].conf, -1);
    SL_CHECK_EQ(out[0].profile, SLUICE_PROFILE_HIGH);
    SL_CHECK_UEQ(out[0].frame_step, 1u);

    /* invalid */
    in = input(0, 0, 30, 1);
    SL_CHECK_UEQ(sluice_ladder_compute(d720, N(d720), SLUICE_STRETCH_NONE,
                                       &in, out), (size_t) 0);
    in = input(1280, 720, 30, 1);
    SL_CHECK_UEQ(sluice_ladder_compute(d720, 0, SLUICE_STRETCH_NONE,
                                       &in, out), (size_t) 0);
}


static void
test_fps(void)
{
    size_t                 k, i;
    sluice_ladder_conf_t   conf[2];
    sluice_ladder_input_t  in;
    sluice_ladder_layer_t  out[SLUICE_LADDER_MAX_LAYERS];

    SL_CHECK_UEQ(sluice_ladder_frame_step(60, 1, 30), 2u);
    SL_CHECK_UEQ(sluice_ladder_frame_step(50, 1, 30), 2u);
    SL_CHECK_UEQ(sluice_ladder_frame_step(60000, 1001, 30), 2u);
    SL_CHECK_UEQ(sluice_ladder_frame_step(30, 1, 30), 1u);
    SL_CHECK_UEQ(sluice_ladder_frame_step(30000, 1001, 30), 1u);
    SL_CHECK_UEQ(sluice_ladder_frame_step(25, 1, 30), 1u);
    SL_CHECK_UEQ(sluice_ladder_frame_step(24000, 1001, 30), 1u);
    /* measured from ms timestamps: 1000 / 33 */
    SL_CHECK_UEQ(sluice_ladder_frame_step(1000, 33, 30), 1u);
    SL_CHECK_UEQ(sluice_ladder_frame_step(120, 1, 30), 4u);
    SL_CHECK_UEQ(sluice_ladder_frame_step(60, 1, 60), 1u);
    SL_CHECK_UEQ(sluice_ladder_frame_step(0, 0, 30), 1u);

    /* 60 fps into Default720p: 30 fps on every layer */
    in = input(1280, 720, 60, 1);
    k = sluice_ladder_compute(d720, N(d720), SLUICE_STRETCH_NONE, &in, out);
    SL_CHECK_UEQ(k, (size_t) 6);
    for (i = 0; i < k; i++) {
        SL_CHECK_UEQ(out[i].frame_step, 2u);
        SL_CHECK_UEQ(out[i].fps_num, 60u);
        SL_CHECK_UEQ(out[i].fps_den, 2u);
    }

    /* 59.94 -> 29.97, 50 -> 25 */
    in = input(1280, 720, 60000, 1001);
    k = sluice_ladder_compute(d720, N(d720), SLUICE_STRETCH_NONE, &in, out);
    SL_CHECK_UEQ(out[0].fps_num, 60000u);
    SL_CHECK_UEQ(out[0].fps_den, 2002u);
    in = input(1280, 720, 50, 1);
    k = sluice_ladder_compute(d720, N(d720), SLUICE_STRETCH_NONE, &in, out);
    SL_CHECK_UEQ(out[5].fps_num, 50u);
    SL_CHECK_UEQ(out[5].fps_den, 2u);

    /* 30 and unknown rates kept */
    in = input(1280, 720, 30, 1);
    k = sluice_ladder_compute(d720, N(d720), SLUICE_STRETCH_NONE, &in, out);
    SL_CHECK_UEQ(out[0].frame_step, 1u);
    in = input(1280, 720, 0, 0);
    k = sluice_ladder_compute(d720, N(d720), SLUICE_STRETCH_NONE, &in, out);
    SL_CHECK_UEQ(out[0].frame_step, 1u);
    SL_CHECK_UEQ(out[0].fps_num, 0u);

    /* a layer's own MAXFPS */
    conf[0] = d720[0];
    conf[0].max_fps = 60;
    conf[1] = d720[1];
    in = input(1280, 720, 60, 1);
    k = sluice_ladder_compute(conf, 2, SLUICE_STRETCH_NONE, &in, out);
    SL_CHECK_UEQ(k, (size_t) 2);
    SL_CHECK_UEQ(out[0].frame_step, 1u);
    SL_CHECK_UEQ(out[1].frame_step, 2u);
}


static void
snap(uint32_t num, uint32_t den, uint32_t enum_, uint32_t eden)
{
    sluice_ladder_snap_fps(&num, &den);
    SL_CHECK_UEQ(num, enum_);
    SL_CHECK_UEQ(den, eden);
}


static void
test_snap(void)
{
    snap(30, 1, 30, 1);
    snap(7000, 233, 30, 1);                 /* 8 frames over 233 ms */
    snap(7000, 234, 30000, 1001);           /* 29.91 */
    snap(29000, 1000, 29000, 1000);         /* 29: nothing near */
    snap(2997, 100, 30000, 1001);           /* FLV metadata 29.97 */
    snap(5994, 100, 60000, 1001);
    snap(7000, 117, 60000, 1001);           /* 59.83 */
    snap(7000, 116, 60, 1);                 /* 60.34 */
    snap(50, 1, 50, 1);
    snap(2500, 100, 25, 1);
    snap(15, 1, 15, 1);
    snap(0, 0, 0, 0);
}


static void
test_stretch(void)
{
    sluice_ladder_input_t  in;
    sluice_ladder_layer_t  l;

    in = input(1920, 1080, 30, 1);

    sluice_ladder_geometry(&l, 1280, 1280, SLUICE_STRETCH_NONE, &in);
    SL_CHECK_UEQ(l.width, 1280u);
    SL_CHECK_UEQ(l.height, 1280u);
    SL_CHECK_UEQ(l.pic_x, 0u);
    SL_CHECK_UEQ(l.pic_y, 0u);
    SL_CHECK_UEQ(l.pic_w, 1280u);
    SL_CHECK_UEQ(l.pic_h, 1280u);

    sluice_ladder_geometry(&l, 1280, 1280, SLUICE_STRETCH_AUTOSIZE, &in);
    SL_CHECK_UEQ(l.width, 1280u);
    SL_CHECK_UEQ(l.height, 720u);
    SL_CHECK_UEQ(l.pic_x, 0u);
    SL_CHECK_UEQ(l.pic_y, 0u);
    SL_CHECK_UEQ(l.pic_w, 1280u);
    SL_CHECK_UEQ(l.pic_h, 720u);

    sluice_ladder_geometry(&l, 1280, 1280, SLUICE_STRETCH_AUTOFIT, &in);
    SL_CHECK_UEQ(l.width, 1280u);
    SL_CHECK_UEQ(l.height, 1280u);
    SL_CHECK_UEQ(l.pic_x, 0u);
    SL_CHECK_UEQ(l.pic_y, 280u);
    SL_CHECK_UEQ(l.pic_w, 1280u);
    SL_CHECK_UEQ(l.pic_h, 720u);

    /* a 4:3 input into 16:9: pillar boxes, heights kept */
    in = input(640, 480, 30, 1);
    sluice_ladder_geometry(&l, 1280, 720, SLUICE_STRETCH_AUTOFIT, &in);
    SL_CHECK_UEQ(l.width, 1280u);
    SL_CHECK_UEQ(l.height, 720u);
    SL_CHECK_UEQ(l.pic_w, 960u);
    SL_CHECK_UEQ(l.pic_h, 720u);
    SL_CHECK_UEQ(l.pic_x, 160u);
    SL_CHECK_UEQ(l.pic_y, 0u);
    sluice_ladder_geometry(&l, 1280, 720, SLUICE_STRETCH_AUTOSIZE, &in);
    SL_CHECK_UEQ(l.width, 960u);
    SL_CHECK_UEQ(l.height, 720u);

    /* the display aspect ratio, not the coded one: 1440x1080 at 4:3 */
    in = input(1440, 1080, 30, 1);
    in.sar_num = 4;
    in.sar_den = 3;
    sluice_ladder_geometry(&l, 1280, 1280, SLUICE_STRETCH_AUTOSIZE, &in);
    SL_CHECK_UEQ(l.width, 1280u);
    SL_CHECK_UEQ(l.height, 720u);

    /* odd results rounded to even: 16:9 into 340x192 */
    in = input(1280, 720, 30, 1);
    sluice_ladder_geometry(&l, 340, 340, SLUICE_STRETCH_AUTOFIT, &in);
    SL_CHECK_UEQ(l.pic_w, 340u);
    SL_CHECK_UEQ(l.pic_h, 192u);          /* 191.25 */
    SL_CHECK_UEQ(l.pic_y, 74u);
    SL_CHECK(l.pic_y + l.pic_h <= l.height);

    /* the whole ladder in autosize keeps each layer's box */
    in = input(1920, 1080, 30, 1);
    SL_CHECK_STR_EQ(ladder(d720, N(d720), SLUICE_STRETCH_AUTOSIZE, &in),
                    "1280x720:3500 960x540:2200 704x396:1350 512x288:850"
                    " 384x216:550 340x192:200");
}


static void
test_cadence(void)
{
    int                      i, starts;
    uint32_t                 idx;
    int64_t                  t;
    sluice_frame_e           f;
    sluice_ladder_cadence_t  c;

    SL_CHECK_EQ(sluice_ladder_gop_number(3600000, 2000), 1800);
    SL_CHECK_EQ(sluice_ladder_gop_number(1999, 2000), 0);
    SL_CHECK_EQ(sluice_ladder_gop_number(-1, 2000), -1);
    SL_CHECK_EQ(sluice_ladder_gop_number(-2000, 2000), -1);

    /* 30 fps from 3600000: a GOP start every 60 frames, on the boundary */
    memset(&c, 0, sizeof(c));
    starts = 0;

    for (i = 0; i < 300; i++) {
        t = 3600000 + (i * 1000 + 15) / 30;
        f = sluice_ladder_cadence_next(&c, t, 2000, &idx);
        if (f == SLUICE_FRAME_GOP_START) {
            SL_CHECK_EQ(i % 60, 0);
            SL_CHECK_UEQ(idx, 0u);
            starts++;

        } else {
            SL_CHECK_EQ(f, SLUICE_FRAME_NEXT);
            SL_CHECK_UEQ(idx, (uint32_t) (i % 60));
        }
    }
    SL_CHECK_EQ(starts, 5);

    /* the first frame starts a GOP wherever it is */
    memset(&c, 0, sizeof(c));
    SL_CHECK_EQ(sluice_ladder_cadence_next(&c, 3601234, 2000, &idx),
                SLUICE_FRAME_GOP_START);
    SL_CHECK_EQ(sluice_ladder_cadence_next(&c, 3601267, 2000, &idx),
                SLUICE_FRAME_NEXT);
    SL_CHECK_UEQ(idx, 1u);

    /* backwards and repeated times dropped, the count unchanged */
    SL_CHECK_EQ(sluice_ladder_cadence_next(&c, 3601267, 2000, &idx),
                SLUICE_FRAME_DROP);
    SL_CHECK_EQ(sluice_ladder_cadence_next(&c, 3600000, 2000, &idx),
                SLUICE_FRAME_DROP);
    SL_CHECK_EQ(sluice_ladder_cadence_next(&c, 3601300, 2000, &idx),
                SLUICE_FRAME_NEXT);
    SL_CHECK_UEQ(idx, 2u);

    /* the first frame after the boundary, not the one on it (2000 is
     * missing): 2010 starts the GOP */
    SL_CHECK_EQ(sluice_ladder_cadence_next(&c, 3601990, 2000, &idx),
                SLUICE_FRAME_NEXT);
    SL_CHECK_EQ(sluice_ladder_cadence_next(&c, 3602010, 2000, &idx),
                SLUICE_FRAME_GOP_START);

    /* a jump forward starts a GOP */
    SL_CHECK_EQ(sluice_ladder_cadence_next(&c, 3700001, 2000, &idx),
                SLUICE_FRAME_GOP_START);

    /*
     * splice points: the first frame at or after one starts a GOP of its
     * own (frames every 100 ms from 0, GOPs of 2000); the regular GOPs go
     * on; one already passed is refused, one twice kept once
     */
    memset(&c, 0, sizeof(c));
    SL_CHECK_EQ(sluice_ladder_cadence_splice(&c, 2950), SLUICE_OK);
    SL_CHECK_EQ(sluice_ladder_cadence_splice(&c, 1300), SLUICE_OK);
    SL_CHECK_EQ(sluice_ladder_cadence_splice(&c, 2950), SLUICE_OK);
    SL_CHECK_EQ(sluice_ladder_cadence_splice(&c, 4000), SLUICE_OK);
    SL_CHECK_UEQ(c.nsplices, 3u);

    for (i = 0; i < 60; i++) {
        t = (int64_t) i * 100;
        f = sluice_ladder_cadence_next(&c, t, 2000, &idx);

        if (i == 10) {
            SL_CHECK_EQ(sluice_ladder_cadence_splice(&c, 1000),
                        SLUICE_NOT_FOUND);
            SL_CHECK_EQ(sluice_ladder_cadence_splice(&c, 5050), SLUICE_OK);
        }

        if (i == 0 || i == 13 || i == 20 || i == 30 || i == 40 || i == 51)
        {
            SL_CHECK_EQ(f, SLUICE_FRAME_GOP_START);
            SL_CHECK_UEQ(idx, 0u);

        } else {
            SL_CHECK_EQ(f, SLUICE_FRAME_NEXT);
        }
    }
    SL_CHECK_UEQ(c.nsplices, 0u);

    /* full: an earlier point takes the latest one's place */
    memset(&c, 0, sizeof(c));
    for (i = 0; i < SLUICE_LADDER_MAX_SPLICES; i++) {
        SL_CHECK_EQ(sluice_ladder_cadence_splice(&c, 1000 + i * 10),
                    SLUICE_OK);
    }
    SL_CHECK_EQ(sluice_ladder_cadence_splice(&c, 9999), SLUICE_NO_MEMORY);
    SL_CHECK_EQ(sluice_ladder_cadence_splice(&c, 5), SLUICE_OK);
    SL_CHECK_EQ(c.splice[0], 5);
    SL_CHECK_EQ(c.splice[SLUICE_LADDER_MAX_SPLICES - 1],
                1000 + (SLUICE_LADDER_MAX_SPLICES - 2) * 10);

    /* 59.94 fps with a step of 2: the GOP start always kept, every other
     * frame after it (index even), about 30 per second */
    memset(&c, 0, sizeof(c));
    starts = 0;
    idx = 0;

    for (i = 0; i < 600; i++) {
        t = (int64_t) i * 1001 / 60;
        f = sluice_ladder_cadence_next(&c, t, 2000, &idx);
        starts += (idx % 2 == 0);
        if (f == SLUICE_FRAME_GOP_START) {
            SL_CHECK_UEQ(idx, 0u);
        }
    }
    SL_CHECK(starts >= 300 && starts <= 305);
}


static void
test_parse(void)
{
    sluice_stretch_e      s;
    sluice_ladder_conf_t  c;

    SL_CHECK_OK(sluice_ladder_parse_layer("1280x720:3500:high", &c));
    SL_CHECK_UEQ(c.width, 1280u);
    SL_CHECK_UEQ(c.height, 720u);
    SL_CHECK_UEQ(c.kbps, 3500u);
    SL_CHECK_UEQ(c.max_fps, 30u);
    SL_CHECK_EQ(c.profile, SLUICE_PROFILE_HIGH);

    SL_CHECK_OK(sluice_ladder_parse_layer("340x192:200:Baseline:25", &c));
    SL_CHECK_EQ(c.profile, SLUICE_PROFILE_BASELINE);
    SL_CHECK_UEQ(c.max_fps, 25u);
    SL_CHECK_OK(sluice_ladder_parse_layer("640x360:800:main", &c));
    SL_CHECK_EQ(c.profile, SLUICE_PROFILE_MAIN);

    SL_CHECK_EQ(sluice_ladder_parse_layer("1280x720:3500", &c),
                SLUICE_BAD_REQUEST);
    SL_CHECK_EQ(sluice_ladder_parse_layer("1280x720:3500:extreme", &c),
                SLUICE_BAD_REQUEST);
    SL_CHECK_EQ(sluice_ladder_parse_layer("1281x720:3500:high", &c),
                SLUICE_BAD_REQUEST);
    SL_CHECK_EQ(sluice_ladder_parse_layer("1280x720:3500:high:0", &c),
                SLUICE_BAD_REQUEST);
    SL_CHECK_EQ(sluice_ladder_parse_layer("1280x720:3500:high:30x", &c),
                SLUICE_BAD_REQUEST);
    SL_CHECK_EQ(sluice_ladder_parse_layer("x720:3500:high", &c),
                SLUICE_BAD_REQUEST);
    SL_CHECK_EQ(sluice_ladder_parse_layer("99999x720:3500:high", &c),
                SLUICE_BAD_REQUEST);
    SL_CHECK_EQ(sluice_ladder_parse_layer("", &c), SLUICE_BAD_REQUEST);

    SL_CHECK_OK(sluice_ladder_parse_stretch("none", &s));
    SL_CHECK_EQ(s, SLUICE_STRETCH_NONE);
    SL_CHECK_OK(sluice_ladder_parse_stretch("AutoSize", &s));
    SL_CHECK_EQ(s, SLUICE_STRETCH_AUTOSIZE);
    SL_CHECK_OK(sluice_ladder_parse_stretch("autofit", &s));
    SL_CHECK_EQ(s, SLUICE_STRETCH_AUTOFIT);
    SL_CHECK_EQ(sluice_ladder_parse_stretch("fill", &s), SLUICE_BAD_REQUEST);

    SL_CHECK_STR_EQ(sluice_ladder_profile_name(SLUICE_PROFILE_MAIN), "main");
}


int
main(void)
{
    SL_RUN(test_default720p);
    SL_RUN(test_default1080p);
    SL_RUN(test_tiny_input);
    SL_RUN(test_fps);
    SL_RUN(test_snap);
    SL_RUN(test_stretch);
    SL_RUN(test_cadence);
    SL_RUN(test_parse);
    return SL_DONE();
}
