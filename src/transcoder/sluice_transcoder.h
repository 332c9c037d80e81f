
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * sluice-transcoder: one contribution feed (FLV on stdin) into an ABR
 * ladder published back into nginx's RTMP ingest (docs/architecture.md,
 * "Live encoding: sluice-transcoder").  Its own program, never inside
 * nginx; FFmpeg's libraries and the pure ladder rules of
 * src/media/transcode/.
 *
 * Threads:
 *
 *   reader      stdin -> FLV demuxer -> input queue (packets)
 *   main        input queue -> decoders; video frames -> layer queues;
 *               audio: resample, encode, publish
 *   layer i     its queue -> scale -> encode -> publish (one per layer)
 *   status      a progress line on stdout every 2 s
 *
 * Files: sluice_transcoder.c (arguments, signals, the main loop),
 * _input.c (stdin, demuxer, reader thread), _queue.c (the queues between
 * threads), _video.c (decoder, ladder, layer threads), _audio.c,
 * _output.c (RTMP publishing), _status.c (status lines, logging).
 */


#ifndef _SLUICE_TRANSCODER_H_INCLUDED_
#define _SLUICE_TRANSCODER_H_INCLUDED_


#include <pthread.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#include <libavutil/audio_fifo.h>

#include "media/transcode/sluice_ladder.h"


#define SLUICE_TC_MAX_AUDIO     8
#define SLUICE_TC_NO_TS         INT64_MIN

/* decoded frames waiting for a layer: the main thread blocks above it */
#define SLUICE_TC_LAYER_QUEUE   4
/* input packets waiting for the main thread: the reader blocks above it */
#define SLUICE_TC_INPUT_QUEUE   16384
/* a step of input time larger than this is a jump, not elapsed time */
#define SLUICE_TC_JUMP_MS       1000


/* a FIFO of pointers between threads */
typedef struct {
    pthread_mutex_t          lock;
    pthread_cond_t           cond;
    void                   **items;
    size_t                   head;
    size_t                   count;
    size_t                   size;
    unsigned                 closed:1;
} sluice_tc_queue_t;


/* one item of the input queue: a packet, new codec parameters with it */
typedef struct {
    AVPacket                *pkt;           /* NULL: end of input; DATA:
                                               a splice point at its pts */
    AVCodecParameters       *par;           /* changed, or NULL */
    AVRational               rate;          /* video: FLV metadata's */
    int64_t                  clock;         /* the reader's clock, ms */
    enum AVMediaType         type;
} sluice_tc_item_t;


/* an RTMP publication: FLV over librtmp-free libavformat "rtmp" */
typedef struct {
    AVFormatContext         *oc;
    AVStream                *st;
    char                    *url;
    const char              *name;          /* "sluice-v0" (logs) */
    int64_t                  packets;
    int64_t                  bytes;
} sluice_tc_output_t;


typedef struct sluice_tc_s  sluice_tc_t;


typedef struct {
    sluice_tc_t             *tc;
    int                      index;
    sluice_ladder_layer_t    l;

    AVCodecContext          *enc;

    /* scaling, in the main thread (sluice_transcoder_scale.c) */
    struct SwsContext       *sws;
    AVBufferPool            *pool;          /* the scaled pictures */
    AVFrame                 *cur;           /* this frame's, as a source */
    int                      src;           /* scaled from: a layer, -1 */
    unsigned                 is_src:1;      /* a smaller layer's source */
    unsigned                 identity:1;    /* the decoded frame as is */

    sluice_tc_output_t       out;
    sluice_tc_queue_t        queue;
    pthread_t                thread;
    char                     name[16];      /* "sluice-v0" */

    int64_t                  newest_out;    /* ms, atomic */
    int64_t                  encoded;       /* frames, atomic */
    unsigned                 started:1;
} sluice_tc_layer_t;


typedef struct {
    sluice_tc_t             *tc;
    unsigned                 kbps;
    AVCodecContext          *enc;
    sluice_tc_output_t       out;
    char                     name[16];
} sluice_tc_audio_out_t;


struct sluice_tc_s {
    /* arguments */
    const char              *output;
    const char              *key;
    const char              *encoder;
    const char              *preset;
    const char              *name;
    int64_t                  gop_ms;
    sluice_stretch_e         stretch;
    sluice_ladder_conf_t     conf[SLUICE_LADDER_MAX_LAYERS];
    size_t                   nconf;
    unsigned                 audio_kbps[SLUICE_TC_MAX_AUDIO];
    size_t                   naudio;

    /* input */
    AVFormatContext         *ic;
    AVIOContext             *pb;
    sluice_tc_queue_t        input;
    pthread_t                reader;
    int64_t                  newest_in_audio;   /* ms, atomic */
    int64_t                  in_clock;      /* video read, ms, atomic */
    int64_t                  proc_clock;    /* video taken, ms, atomic */

    /* video */
    AVCodecContext          *vdec;
    sluice_ladder_cadence_t  cadence;
    AVFrame                 *pending[16];   /* before the ladder is known */
    size_t                   npending;
    sluice_tc_layer_t        layers[SLUICE_LADDER_MAX_LAYERS];
    size_t                   nlayers;       /* atomic once set */
    int64_t                  last_video;    /* last frame taken, atomic */
    uint32_t                 in_kbps;       /* from the metadata, or 0 */
    AVRational               in_fps;        /* from the metadata, or 0 */
    int64_t                  resume;        /* after a skip or jump, ms */
    int64_t                  dropped;       /* input frames, atomic */
    int                      vin_w;         /* the layers' geometry for */
    int                      vin_h;
    int                      vin_fmt;
    unsigned                 skipping:1;

    /* audio */
    AVCodecContext          *adec;
    SwrContext              *swr;
    AVAudioFifo             *fifo;
    AVFrame                 *aframe;
    int64_t                  fifo_pos;      /* sample of the fifo's start */
    int                      rate;          /* of the encoders */
    int                      in_rate;       /* of the resampler's input */
    int                      in_fmt;
    AVChannelLayout          in_layout;
    sluice_tc_audio_out_t    audio[SLUICE_TC_MAX_AUDIO];
    size_t                   naudio_open;
    int64_t                  newest_audio_out;  /* ms, atomic */

    /* status */
    pthread_t                status;
    int                      failed;        /* atomic: exit status 1 */
};


/* sluice_transcoder.c */
extern volatile int  sluice_tc_stopping;
void sluice_tc_stop(sluice_tc_t *tc, int failed);

/* sluice_transcoder_queue.c */
int sluice_tc_queue_init(sluice_tc_queue_t *q, size_t size);
int sluice_tc_queue_push(sluice_tc_queue_t *q, void *item, size_t max);
void *sluice_tc_queue_pop(sluice_tc_queue_t *q);
void sluice_tc_queue_close(sluice_tc_queue_t *q);
size_t sluice_tc_queue_count(sluice_tc_queue_t *q);
void sluice_tc_queue_free(sluice_tc_queue_t *q);

/* sluice_transcoder_input.c */
int sluice_tc_input_start(sluice_tc_t *tc, int stop_fd);
void sluice_tc_input_join(sluice_tc_t *tc);
void sluice_tc_item_free(sluice_tc_item_t *item);

/* sluice_transcoder_video.c */
int sluice_tc_video_check(sluice_tc_t *tc);
int sluice_tc_video_params(sluice_tc_t *tc, const AVCodecParameters *par);
int sluice_tc_video_packet(sluice_tc_t *tc, const AVPacket *pkt);
void sluice_tc_video_reset(sluice_tc_t *tc);
void sluice_tc_video_splice(sluice_tc_t *tc, int64_t t);
void sluice_tc_video_finish(sluice_tc_t *tc);

/* sluice_transcoder_scale.c */
void sluice_tc_scale_begin(sluice_tc_t *tc, const AVFrame *in);
AVFrame *sluice_tc_scale(sluice_tc_t *tc, size_t i, AVFrame *in);
void sluice_tc_scale_done(sluice_tc_t *tc);
void sluice_tc_scale_free(sluice_tc_layer_t *layer);

/* sluice_transcoder_audio.c */
int sluice_tc_audio_params(sluice_tc_t *tc, const AVCodecParameters *par);
int sluice_tc_audio_packet(sluice_tc_t *tc, const AVPacket *pkt);
void sluice_tc_audio_finish(sluice_tc_t *tc);

/* sluice_transcoder_output.c */
int sluice_tc_output_open(sluice_tc_t *tc, sluice_tc_output_t *o,
    const char *name, const AVCodecContext *enc);
int sluice_tc_output_write(sluice_tc_output_t *o, AVPacket *pkt,
    AVRational tb);
void sluice_tc_output_close(sluice_tc_output_t *o);

/* sluice_transcoder_status.c */
typedef enum {
    SLUICE_TC_LOG_VIDEO_DECODE = 0,
    SLUICE_TC_LOG_AUDIO_DECODE,
    SLUICE_TC_LOG_VIDEO_BACKWARDS,
    SLUICE_TC_LOG_AUDIO_BACKWARDS,
    SLUICE_TC_LOG_VIDEO_CHANGE,
    SLUICE_TC_LOG_VIDEO_SIZE,
    SLUICE_TC_LOG_AUDIO_CHANGE,
    SLUICE_TC_LOG_INPUT,
    SLUICE_TC_LOG_LIBAV,
    SLUICE_TC_LOG_KINDS
} sluice_tc_log_e;

void sluice_tc_log_init(const char *name);
void sluice_tc_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
void sluice_tc_warn(sluice_tc_log_e kind, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *sluice_tc_av_err(int err, char *buf, size_t size);
int sluice_tc_status_start(sluice_tc_t *tc);
void sluice_tc_status_stop(sluice_tc_t *tc);
void sluice_tc_status_layers(sluice_tc_t *tc);
int64_t sluice_tc_lag(sluice_tc_t *tc);

#define sluice_tc_load(p)      __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define sluice_tc_store(p, v)  __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define sluice_tc_add(p, v)    __atomic_add_fetch(p, v, __ATOMIC_ACQ_REL)


#endif /* _SLUICE_TRANSCODER_H_INCLUDED_ */
