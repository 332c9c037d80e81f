
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The input of sluice-transcoder: an FLV stream on stdin, read by its
 * own thread through libavformat's flv demuxer (a live feed: no seeking,
 * no probing, streams found as their tags come) into the input queue.
 * Reading never waits for the encoders, so the lag (newest packet read
 * against newest frame encoded) is known and the main thread can skip
 * input when it falls behind.  Codec parameters are read here only (the
 * demuxer changes them): an item carries a copy when they change (first
 * packet, codec change, a different sequence header).
 */


#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "transcoder/sluice_transcoder.h"


#define SLUICE_TC_READ_BUF  32768


static int sluice_tc_read(void *opaque, uint8_t *buf, int size);
static void *sluice_tc_reader(void *arg);
static int sluice_tc_reader_loop(sluice_tc_t *tc, AVCodecParameters **seen,
    AVCodecParameters **sent);
static int sluice_tc_input_splice(sluice_tc_t *tc, AVPacket *pkt);
static void sluice_tc_input_clock(sluice_tc_t *tc, AVPacket *pkt,
    int64_t *last);
static int sluice_tc_input_par(AVCodecParameters **seen,
    AVCodecParameters **sent, AVStream *st, AVPacket *pkt,
    AVCodecParameters **changed);
static AVCodecParameters *sluice_tc_par_copy(const AVCodecParameters *par);
static int sluice_tc_par_same(const AVCodecParameters *a,
    const AVCodecParameters *b);


static int  sluice_tc_stop_fd = -1;


int
sluice_tc_input_start(sluice_tc_t *tc, int stop_fd)
{
    uint8_t  *buf;

    sluice_tc_stop_fd = stop_fd;

    if (sluice_tc_queue_init(&tc->input, 256) != 0) {
        return -1;
    }

    buf = av_malloc(SLUICE_TC_READ_BUF);
    if (buf == NULL) {
        return -1;
    }

    tc->pb = avio_alloc_context(buf, SLUICE_TC_READ_BUF, 0, tc,
                                sluice_tc_read, NULL, NULL);
    if (tc->pb == NULL) {
        av_free(buf);
        return -1;
    }

    tc->pb->seekable = 0;

    if (pthread_create(&tc->reader, NULL, sluice_tc_reader, tc) != 0) {
        return -1;
    }

    return 0;
}


void
sluice_tc_input_join(sluice_tc_t *tc)
{
    sluice_tc_item_t  *item;

    /* the reader may wait on a full queue: close it, drain it */

    sluice_tc_queue_close(&tc->input);

    while ((item = sluice_tc_queue_pop(&tc->input)) != NULL) {
        sluice_tc_item_free(item);
    }

    pthread_join(tc->reader, NULL);

    avformat_close_input(&tc->ic);

    if (tc->pb) {
        av_freep(&tc->pb->buffer);
        avio_context_free(&tc->pb);
    }

    sluice_tc_queue_free(&tc->input);
}


void
sluice_tc_item_free(sluice_tc_item_t *item)
{
    av_packet_free(&item->pkt);
    avcodec_parameters_free(&item->par);
    av_free(item);
}


/* stdin, until EOF or until the stop pipe is readable (SIGTERM) */

static int
sluice_tc_read(void *opaque, uint8_t *buf, int size)
{
    ssize_t        n;
    struct pollfd  pfd[2];

    for ( ;; ) {
        pfd[0].fd = STDIN_FILENO;
        pfd[0].events = POLLIN;
        pfd[0].revents = 0;
        pfd[1].fd = sluice_tc_stop_fd;
        pfd[1].events = POLLIN;
        pfd[1].revents = 0;

        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }

            return AVERROR(errno);
        }

        if (pfd[1].revents) {
            return AVERROR_EOF;
        }

        if (pfd[0].revents == 0) {
            continue;
        }

        n = read(STDIN_FILENO, buf, size);

        if (n > 0) {
            return (int) n;
        }

        if (n == 0) {
            return AVERROR_EOF;
        }

        if (errno != EINTR && errno != EAGAIN) {
            return AVERROR(errno);
        }
    }
}


static void *
sluice_tc_reader(void *arg)
{
    int                   rc;
    char                  err[AV_ERROR_MAX_STRING_SIZE];
    sluice_tc_t          *tc;
    AVCodecParameters    *seen[2], *sent[2];
    const AVInputFormat  *flv;

    tc = arg;
    seen[0] = NULL;
    seen[1] = NULL;
    sent[0] = NULL;
    sent[1] = NULL;

    flv = av_find_input_format("flv");

    tc->ic = avformat_alloc_context();
    if (tc->ic == NULL || flv == NULL) {
        sluice_tc_error("input: no FLV demuxer");
        sluice_tc_stop(tc, 1);
        goto done;
    }

    tc->ic->pb = tc->pb;
    tc->ic->flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_NOBUFFER;

    rc = avformat_open_input(&tc->ic, NULL, flv, NULL);
    if (rc < 0) {
        if (rc != AVERROR_EOF) {
            sluice_tc_error("input: not an FLV stream on stdin: %s",
                            sluice_tc_av_err(rc, err, sizeof(err)));
            sluice_tc_stop(tc, 1);
        }

        goto done;
    }

    rc = sluice_tc_reader_loop(tc, seen, sent);

    if (rc < 0 && rc != AVERROR_EOF && rc != AVERROR_EXIT) {
        sluice_tc_error("input: read error: %s",
                        sluice_tc_av_err(rc, err, sizeof(err)));
        sluice_tc_stop(tc, 1);
    }

done:

    avcodec_parameters_free(&seen[0]);
    avcodec_parameters_free(&seen[1]);
    avcodec_parameters_free(&sent[0]);
    avcodec_parameters_free(&sent[1]);

    /* the main thread finishes what is queued, then ends */
    sluice_tc_queue_close(&tc->input);

    return NULL;
}


static int
sluice_tc_reader_loop(sluice_tc_t *tc, AVCodecParameters **seen,
    AVCodecParameters **sent)
{
    int                 rc, video;
    int64_t             ts, last;
    AVPacket           *pkt;
    AVStream           *st;
    sluice_tc_item_t   *item;
    AVCodecParameters  *par;

    last = SLUICE_TC_NO_TS;

    for ( ;; ) {
        pkt = av_packet_alloc();
        if (pkt == NULL) {
            return AVERROR(ENOMEM);
        }

        rc = av_read_frame(tc->ic, pkt);

        if (rc == AVERROR(EAGAIN)) {
            av_packet_free(&pkt);
            continue;
        }

        if (rc < 0) {
            av_packet_free(&pkt);
            return rc;
        }

        st = tc->ic->streams[pkt->stream_index];

        if (st->codecpar->codec_type == AVMEDIA_TYPE_DATA) {
            rc = sluice_tc_input_splice(tc, pkt);
            if (rc < 0) {
                return rc;
            }

            continue;
        }

        video = (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO);
        ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;

        if ((!video && st->codecpar->codec_type != AVMEDIA_TYPE_AUDIO)
            || ts == AV_NOPTS_VALUE || pkt->size == 0)
        {
            av_packet_free(&pkt);
            continue;
        }

        /* in ms: the flv demuxer's time base is 1/1000 */
        ts = av_rescale_q(ts, st->time_base, (AVRational) { 1, 1000 });
        pkt->pts = ts;
        pkt->dts = pkt->dts != AV_NOPTS_VALUE
                   ? av_rescale_q(pkt->dts, st->time_base,
                                  (AVRational) { 1, 1000 })
                   : ts;
        pkt->time_base = (AVRational) { 1, 1000 };

        rc = sluice_tc_input_par(&seen[video ? 0 : 1], &sent[video ? 0 : 1],
                                 st, pkt, &par);
        if (rc < 0) {
            av_packet_free(&pkt);
            return rc;
        }

        item = av_mallocz(sizeof(sluice_tc_item_t));
        if (item == NULL) {
            av_packet_free(&pkt);
            avcodec_parameters_free(&par);
            return AVERROR(ENOMEM);
        }

        item->pkt = pkt;
        item->par = par;
        item->type = video ? AVMEDIA_TYPE_VIDEO : AVMEDIA_TYPE_AUDIO;
        item->rate = st->avg_frame_rate;

        if (video) {
            sluice_tc_input_clock(tc, pkt, &last);

        } else if (ts > sluice_tc_load(&tc->newest_in_audio)) {
            sluice_tc_store(&tc->newest_in_audio, ts);
        }

        item->clock = sluice_tc_load(&tc->in_clock);

        if (sluice_tc_queue_push(&tc->input, item, SLUICE_TC_INPUT_QUEUE)
            != 0)
        {
            sluice_tc_item_free(item);
            return AVERROR_EXIT;
        }
    }
}


/*
 * A script-data tag the flv demuxer does not know comes as a packet of a
 * data stream, its body whole.  The worker writes one of its own,
 * "onSluiceSplice" and a number (AMF0), for each splice point it knows
 * ahead (sluice_splice_conditioning): its time in ms of the timeline.
 * It goes to the main thread in its place among the packets.  Other
 * data (onCuePoint, onTextData...) is not ours: freed.
 */

static int
sluice_tc_input_splice(sluice_tc_t *tc, AVPacket *pkt)
{
    int                i;
    double             ms;
    uint64_t           bits;
    const uint8_t     *p;
    sluice_tc_item_t  *item;

    static const uint8_t  name[] = {
        0x02, 0x00, 0x0e, 'o', 'n', 'S', 'l', 'u', 'i', 'c', 'e',
        'S', 'p', 'l', 'i', 'c', 'e', 0x00
    };

    p = pkt->data;

    if (pkt->size < (int) sizeof(name) + 8
        || memcmp(p, name, sizeof(name)) != 0)
    {
        av_packet_free(&pkt);
        return 0;
    }

    p += sizeof(name);
    bits = 0;

    for (i = 0; i < 8; i++) {
        bits = (bits << 8) | p[i];
    }

    memcpy(&ms, &bits, sizeof(ms));

    if (!(ms >= 0 && ms < 9.0e15)) {
        av_packet_free(&pkt);
        return 0;
    }

    item = av_mallocz(sizeof(sluice_tc_item_t));
    if (item == NULL) {
        av_packet_free(&pkt);
        return AVERROR(ENOMEM);
    }

    pkt->pts = (int64_t) ms;
    pkt->dts = pkt->pts;
    pkt->time_base = (AVRational) { 1, 1000 };

    item->pkt = pkt;
    item->type = AVMEDIA_TYPE_DATA;
    item->clock = sluice_tc_load(&tc->in_clock);

    if (sluice_tc_queue_push(&tc->input, item, SLUICE_TC_INPUT_QUEUE) != 0) {
        sluice_tc_item_free(item);
        return AVERROR_EXIT;
    }

    return 0;
}


/*
 * The reader's clock: input time read, counted from video decoding times
 * without the jumps (a step back, or forward by more than
 * SLUICE_TC_JUMP_MS), so that a jump in the input's times is not taken
 * for lag (sluice_tc_lag()).
 */

static void
sluice_tc_input_clock(sluice_tc_t *tc, AVPacket *pkt, int64_t *last)
{
    int64_t  d;

    if (*last != SLUICE_TC_NO_TS) {
        d = pkt->dts - *last;

        if (d > 0 && d <= SLUICE_TC_JUMP_MS) {
            sluice_tc_add(&tc->in_clock, d);
        }
    }

    *last = pkt->dts;
}


/*
 * *changed: the parameters to decode with from this packet on, when
 * they differ from those passed on last (*sent).  They change when the
 * demuxer changes the stream's (the first sequence header, a codec
 * change: another stream; *seen is what it had), or when a packet brings
 * a later sequence header (NEW_EXTRADATA side data: the flv demuxer
 * keeps the stream's first one).
 */

static int
sluice_tc_input_par(AVCodecParameters **seen, AVCodecParameters **sent,
    AVStream *st, AVPacket *pkt, AVCodecParameters **changed)
{
    size_t              len;
    uint8_t            *side;
    AVCodecParameters  *par;

    *changed = NULL;

    side = av_packet_get_side_data(pkt, AV_PKT_DATA_NEW_EXTRADATA, &len);

    if (*seen == NULL || !sluice_tc_par_same(*seen, st->codecpar)
        || st->codecpar->codec_id != (*seen)->codec_id)
    {
        avcodec_parameters_free(seen);
        *seen = sluice_tc_par_copy(st->codecpar);
        if (*seen == NULL) {
            return AVERROR(ENOMEM);
        }

        par = sluice_tc_par_copy(st->codecpar);

    } else if (side && len) {
        par = sluice_tc_par_copy(*sent ? *sent : st->codecpar);
        if (par) {
            av_freep(&par->extradata);
            par->extradata_size = 0;
            par->extradata = av_mallocz(len + AV_INPUT_BUFFER_PADDING_SIZE);
            if (par->extradata == NULL) {
                avcodec_parameters_free(&par);

            } else {
                memcpy(par->extradata, side, len);
                par->extradata_size = (int) len;
            }
        }

    } else {
        return 0;
    }

    av_packet_free_side_data(pkt);

    if (par == NULL) {
        return AVERROR(ENOMEM);
    }

    if (*sent && sluice_tc_par_same(*sent, par)) {
        avcodec_parameters_free(&par);
        return 0;
    }

    avcodec_parameters_free(sent);
    *sent = par;

    *changed = sluice_tc_par_copy(par);

    return *changed ? 0 : AVERROR(ENOMEM);
}


static AVCodecParameters *
sluice_tc_par_copy(const AVCodecParameters *par)
{
    AVCodecParameters  *p;

    p = avcodec_parameters_alloc();

    if (p && avcodec_parameters_copy(p, par) < 0) {
        avcodec_parameters_free(&p);
    }

    return p;
}


/* what makes a decoder start again: the codec, the sequence header */

static int
sluice_tc_par_same(const AVCodecParameters *a, const AVCodecParameters *b)
{
    return a->codec_id == b->codec_id
           && a->extradata_size == b->extradata_size
           && (a->extradata_size == 0
               || memcmp(a->extradata, b->extradata, a->extradata_size) == 0);
}
