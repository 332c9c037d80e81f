
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The encoding ladder of a live event (AMS "Default720p",
 * "Default1080p" and custom presets): which layers an input gets, at
 * which size, rate and bitrate, and which input frames each layer keeps
 * and turns into keyframes.  Pure C: sluice-transcoder (src/transcoder/)
 * applies it, t/unit/test_ladder.c checks it.
 *
 * The rules (AMS, docs/architecture.md "Live encoding"):
 *
 *   - no upscaling: a layer taller than the input is dropped; when none
 *     remains, one layer at the input's size (even) and bitrate (or the
 *     smallest layer's bitrate when the input's is unknown);
 *   - frame rate: an input faster than a layer's MAXFPS (default 30) is
 *     divided by the smallest whole number that brings it under (60 ->
 *     30, 50 -> 25, 59.94 -> 29.97: every other frame);
 *   - stretch mode: none scales to exactly WxH; autosize fits the input's
 *     display aspect ratio inside WxH (the frame is the picture); autofit
 *     fits it inside WxH and boxes it in black to exactly WxH;
 *   - keyframes: a frame whose time t gives floor(t / gop) greater than
 *     the previous frame's starts a GOP and is kept and made an IDR on
 *     every layer; the frames after it are counted from 0, and a layer
 *     with a step of k keeps those whose count is a multiple of k.  Only
 *     input times decide, so layers (and two transcoders fed the same
 *     input) cut at the same frames.
 */


#ifndef _SLUICE_LADDER_H_INCLUDED_
#define _SLUICE_LADDER_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_LADDER_MAX_LAYERS  8
#define SLUICE_LADDER_MAX_FPS     30
#define SLUICE_LADDER_MAX_SPLICES 16    /* splice points waiting */


typedef enum {
    SLUICE_PROFILE_BASELINE = 0,
    SLUICE_PROFILE_MAIN,
    SLUICE_PROFILE_HIGH
} sluice_profile_e;


typedef enum {
    SLUICE_STRETCH_NONE = 0,
    SLUICE_STRETCH_AUTOSIZE,
    SLUICE_STRETCH_AUTOFIT
} sluice_stretch_e;


/* a configured layer: --layer WxH:KBPS:PROFILE[:MAXFPS] */
typedef struct {
    uint32_t          width;
    uint32_t          height;
    uint32_t          kbps;
    uint32_t          max_fps;          /* 0: SLUICE_LADDER_MAX_FPS */
    sluice_profile_e  profile;
} sluice_ladder_conf_t;


/* what is known of the input when its first picture is decoded */
typedef struct {
    uint32_t          width;
    uint32_t          height;
    uint32_t          sar_num;          /* pixel aspect; 0: square */
    uint32_t          sar_den;
    uint32_t          fps_num;          /* 0: unknown */
    uint32_t          fps_den;
    uint32_t          kbps;             /* video bitrate; 0: unknown */
} sluice_ladder_input_t;


/* an output layer */
typedef struct {
    uint32_t          width;            /* the encoded frame */
    uint32_t          height;
    uint32_t          pic_x;            /* the picture inside it */
    uint32_t          pic_y;
    uint32_t          pic_w;
    uint32_t          pic_h;
    uint32_t          kbps;
    uint32_t          fps_num;          /* output rate; 0: unknown */
    uint32_t          fps_den;
    uint32_t          frame_step;       /* keep 1 frame in frame_step */
    sluice_profile_e  profile;
    int               conf;             /* its configured layer, or -1 */
} sluice_ladder_layer_t;


/* per-frame decision of sluice_ladder_cadence_next() */
typedef struct {
    int64_t           last_t;           /* previous frame's time */
    uint32_t          index;            /* frames since the GOP start */
    uint32_t          nsplices;
    int64_t           splice[SLUICE_LADDER_MAX_SPLICES];    /* ascending */
    unsigned          started:1;
} sluice_ladder_cadence_t;


typedef enum {
    SLUICE_FRAME_DROP = -1,             /* time going backwards */
    SLUICE_FRAME_NEXT = 0,              /* inside a GOP */
    SLUICE_FRAME_GOP_START = 1          /* keyframe on every layer */
} sluice_frame_e;


/*
 * The output layers for an input: out[] gets at most n (and at least
 * one) entries, the top layer first; returns their number, 0 when the
 * input or the configuration is invalid.
 */
size_t sluice_ladder_compute(const sluice_ladder_conf_t *conf, size_t n,
    sluice_stretch_e stretch, const sluice_ladder_input_t *in,
    sluice_ladder_layer_t *out);

/*
 * The geometry of one layer: frame size and picture rectangle of an
 * input of in_w x in_h (pixel aspect sar_num:sar_den, 0: square) in a
 * box of w x h; all even.
 */
void sluice_ladder_geometry(sluice_ladder_layer_t *l, uint32_t w, uint32_t h,
    sluice_stretch_e stretch, const sluice_ladder_input_t *in);

/*
 * A frame rate declared (FLV metadata) or measured (millisecond times)
 * is snapped to the nearest usual rate (23.976, 24, 25, 29.97, 30, 48,
 * 50, 59.94, 60) when within 1% of it; else it stays as it is.
 */
void sluice_ladder_snap_fps(uint32_t *num, uint32_t *den);

/* how many input frames make one output frame: 1, or 2 for 60 -> 30... */
uint32_t sluice_ladder_frame_step(uint32_t fps_num, uint32_t fps_den,
    uint32_t max_fps);

/*
 * A frame of input time t (ms) is met: SLUICE_FRAME_GOP_START when it
 * starts a GOP of gop_ms or is the first frame at or after a splice
 * point (sluice_ladder_cadence_splice()), SLUICE_FRAME_DROP when t is
 * not after the previous frame's time, else SLUICE_FRAME_NEXT; *index
 * is its count from the GOP start (a layer of step k keeps it when
 * index % k == 0).
 */
sluice_frame_e sluice_ladder_cadence_next(sluice_ladder_cadence_t *c,
    int64_t t, int64_t gop_ms, uint32_t *index);

/*
 * A splice point at input time t (ms): the first frame at or after it
 * starts a GOP of its own (an extra one: the GOPs of gop_ms go on as
 * before).  SLUICE_OK; SLUICE_NOT_FOUND when a frame at or after t was
 * met already (too late); SLUICE_NO_MEMORY when SLUICE_LADDER_MAX_SPLICES
 * wait already (the latest is dropped for an earlier one).  The same
 * time twice is kept once.
 */
sluice_status_t sluice_ladder_cadence_splice(sluice_ladder_cadence_t *c,
    int64_t t);

/* the GOP number of time t: floor(t / gop_ms), negative times too */
int64_t sluice_ladder_gop_number(int64_t t, int64_t gop_ms);

/*
 * Argument parsers of sluice-transcoder: "WxH:KBPS:PROFILE[:MAXFPS]",
 * "none|autosize|autofit"; SLUICE_OK or SLUICE_BAD_REQUEST.
 */
sluice_status_t sluice_ladder_parse_layer(const char *s,
    sluice_ladder_conf_t *conf);
sluice_status_t sluice_ladder_parse_stretch(const char *s,
    sluice_stretch_e *stretch);
const char *sluice_ladder_profile_name(sluice_profile_e profile);


#endif /* _SLUICE_LADDER_H_INCLUDED_ */
