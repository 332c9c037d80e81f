
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * sluice-transcoder: arguments, signals and the main loop.
 *
 *   sluice-transcoder --output rtmp://127.0.0.1:1935/live/TOKEN --key HEX
 *       --gop 2000 --stretch none|autosize|autofit
 *       --layer 1280x720:3500:high[:30] --layer 960x540:2200:high ...
 *       --audio 128 [--audio 96 ...]
 *       [--encoder libx264] [--preset veryfast] [--name EVENTNAME]
 *
 * Exit status: 0 after stdin's end or SIGTERM (everything encoded and
 * published, the publications closed), 1 when an encoder, a publication
 * or the input fails, 2 on bad arguments.
 */


#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "transcoder/sluice_transcoder.h"


#define SLUICE_TC_LAG_GOPS  2


static int sluice_tc_args(sluice_tc_t *tc, int argc, char **argv);
static int sluice_tc_arg_key(const char *s);
static int sluice_tc_arg_uint(const char *s, long min, long max, long *v);
static void sluice_tc_usage(void);
static int sluice_tc_signals(void);
static void sluice_tc_on_signal(int signo);
static void sluice_tc_run(sluice_tc_t *tc);
static int sluice_tc_skip(sluice_tc_t *tc, const AVPacket *pkt);


volatile int       sluice_tc_stopping;
static int         sluice_tc_stop_pipe[2] = { -1, -1 };
static sluice_tc_t sluice_tc;


int
main(int argc, char **argv)
{
    int           rc;
    pid_t         parent;
    sluice_tc_t  *tc;

    /* never outlive the nginx worker that started us */
    parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) {
        return 1;
    }

    tc = &sluice_tc;
    tc->newest_in_audio = SLUICE_TC_NO_TS;
    tc->newest_audio_out = SLUICE_TC_NO_TS;
    tc->resume = SLUICE_TC_NO_TS;
    tc->last_video = SLUICE_TC_NO_TS;

    rc = sluice_tc_args(tc, argc, argv);
    if (rc != 0) {
        return rc;
    }

    sluice_tc_log_init(tc->name);

    if (sluice_tc_signals() != 0) {
        sluice_tc_error("signals: %s", strerror(errno));
        return 1;
    }

    avformat_network_init();

    /* an encoder that cannot work fails now, not at the first frame */
    if (sluice_tc_video_check(tc) != 0) {
        return 1;
    }

    if (sluice_tc_status_start(tc) != 0) {
        sluice_tc_error("cannot start the status thread");
        return 1;
    }

    if (sluice_tc_input_start(tc, sluice_tc_stop_pipe[0]) != 0) {
        sluice_tc_error("cannot start reading stdin");
        return 1;
    }

    sluice_tc_run(tc);

    sluice_tc_input_join(tc);
    sluice_tc_video_finish(tc);
    sluice_tc_audio_finish(tc);
    sluice_tc_status_stop(tc);

    avformat_network_deinit();

    return sluice_tc_load(&tc->failed) ? 1 : 0;
}


/* the main loop: input packets to the decoders until the input ends */

static void
sluice_tc_run(sluice_tc_t *tc)
{
    sluice_tc_item_t  *item;

    while ((item = sluice_tc_queue_pop(&tc->input)) != NULL) {
        if (sluice_tc_load(&tc->failed)) {
            sluice_tc_item_free(item);
            continue;
        }

        if (item->type == AVMEDIA_TYPE_DATA) {
            sluice_tc_video_splice(tc, item->pkt->pts);

        } else if (item->type == AVMEDIA_TYPE_VIDEO) {
            if (item->par) {
                sluice_tc_video_params(tc, item->par);
            }

            if (item->rate.num > 0 && item->rate.den > 0) {
                tc->in_fps = item->rate;
            }

            sluice_tc_store(&tc->proc_clock, item->clock);

            if (!sluice_tc_skip(tc, item->pkt)) {
                sluice_tc_video_packet(tc, item->pkt);
            }

        } else {
            if (item->par) {
                sluice_tc_audio_params(tc, item->par);
            }

            if (!tc->skipping) {
                sluice_tc_audio_packet(tc, item->pkt);
            }
        }

        sluice_tc_item_free(item);
    }
}


/*
 * Falling behind: when the lag passes two GOPs, input is skipped up to
 * the next input keyframe in a later GOP than the last frame taken, where
 * decoding starts again.  1: skip this packet.
 */

static int
sluice_tc_skip(sluice_tc_t *tc, const AVPacket *pkt)
{
    int64_t  lag, last;

    if (!tc->skipping) {
        if (tc->nlayers == 0) {
            return 0;
        }

        lag = sluice_tc_lag(tc);
        if (lag <= SLUICE_TC_LAG_GOPS * tc->gop_ms) {
            return 0;
        }

        tc->skipping = 1;
        sluice_tc_error("falling behind: %lld ms behind the input (more than"
                        " %d GOPs): skipping input to the next keyframe of a"
                        " new GOP", (long long) lag, SLUICE_TC_LAG_GOPS);
    }

    last = tc->last_video;

    if ((pkt->flags & AV_PKT_FLAG_KEY)
        && (last == SLUICE_TC_NO_TS
            || sluice_ladder_gop_number(pkt->pts, tc->gop_ms)
               > sluice_ladder_gop_number(last, tc->gop_ms)))
    {
        tc->skipping = 0;
        sluice_tc_store(&tc->resume, pkt->pts);
        sluice_tc_video_reset(tc);
        sluice_tc_error("resumed at %lld ms (%lld input frames dropped in"
                        " all)", (long long) pkt->pts,
                        (long long) sluice_tc_load(&tc->dropped));
        return 0;
    }

    sluice_tc_add(&tc->dropped, 1);

    return 1;
}


/* stop reading (the main loop then ends as at the input's end) */

void
sluice_tc_stop(sluice_tc_t *tc, int failed)
{
    ssize_t  n;

    if (failed) {
        sluice_tc_store(&tc->failed, 1);
    }

    if (sluice_tc_stopping == 0) {
        sluice_tc_stopping = 1;
    }

    n = write(sluice_tc_stop_pipe[1], "x", 1);
    (void) n;
}


static void
sluice_tc_on_signal(int signo)
{
    int      saved;
    ssize_t  n;

    saved = errno;

    if (sluice_tc_stopping == 0) {
        sluice_tc_stopping = 1;
    }

    n = write(sluice_tc_stop_pipe[1], "x", 1);
    (void) n;

    errno = saved;
}


static int
sluice_tc_signals(void)
{
    struct sigaction  sa;

    if (pipe(sluice_tc_stop_pipe) != 0) {
        return -1;
    }

    fcntl(sluice_tc_stop_pipe[1], F_SETFL, O_NONBLOCK);
    fcntl(sluice_tc_stop_pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(sluice_tc_stop_pipe[1], F_SETFD, FD_CLOEXEC);

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sluice_tc_on_signal;
    sigemptyset(&sa.sa_mask);

    if (sigaction(SIGTERM, &sa, NULL) != 0
        || sigaction(SIGINT, &sa, NULL) != 0)
    {
        return -1;
    }

    /* a publication's socket closed by nginx: an error, not a signal */
    signal(SIGPIPE, SIG_IGN);

    return 0;
}


/* --- arguments ------------------------------------------------------------ */


static int
sluice_tc_args(sluice_tc_t *tc, int argc, char **argv)
{
    int   c;
    long  v;

    static const struct option  options[] = {
        { "output", required_argument, NULL, 'o' },
        { "key", required_argument, NULL, 'k' },
        { "gop", required_argument, NULL, 'g' },
        { "stretch", required_argument, NULL, 's' },
        { "layer", required_argument, NULL, 'l' },
        { "audio", required_argument, NULL, 'a' },
        { "encoder", required_argument, NULL, 'e' },
        { "preset", required_argument, NULL, 'p' },
        { "name", required_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };

    tc->encoder = "libx264";
    tc->gop_ms = 2000;
    tc->stretch = SLUICE_STRETCH_NONE;
    opterr = 0;

    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {

        case 'o':
            if (strncmp(optarg, "rtmp://", 7) != 0 || optarg[7] == '\0') {
                sluice_tc_error("--output \"%s\": an rtmp:// URL expected",
                                optarg);
                return 2;
            }
            tc->output = optarg;
            break;

        case 'k':
            if (sluice_tc_arg_key(optarg) != 0) {
                sluice_tc_error("--key: 1 to 256 hexadecimal digits"
                                " expected");
                return 2;
            }
            tc->key = optarg;
            break;

        case 'g':
            if (sluice_tc_arg_uint(optarg, 500, 20000, &v) != 0) {
                sluice_tc_error("--gop \"%s\": milliseconds from 500 to"
                                " 20000 expected", optarg);
                return 2;
            }
            tc->gop_ms = v;
            break;

        case 's':
            if (sluice_ladder_parse_stretch(optarg, &tc->stretch)
                != SLUICE_OK)
            {
                sluice_tc_error("--stretch \"%s\": none, autosize or autofit"
                                " expected", optarg);
                return 2;
            }
            break;

        case 'l':
            if (tc->nconf == SLUICE_LADDER_MAX_LAYERS) {
                sluice_tc_error("--layer: at most %d layers",
                                SLUICE_LADDER_MAX_LAYERS);
                return 2;
            }

            if (sluice_ladder_parse_layer(optarg, &tc->conf[tc->nconf])
                != SLUICE_OK)
            {
                sluice_tc_error("--layer \"%s\": WxH:KBPS:PROFILE[:MAXFPS]"
                                " expected (even sizes, profile baseline,"
                                " main or high)", optarg);
                return 2;
            }
            tc->nconf++;
            break;

        case 'a':
            if (tc->naudio == SLUICE_TC_MAX_AUDIO) {
                sluice_tc_error("--audio: at most %d bitrates",
                                SLUICE_TC_MAX_AUDIO);
                return 2;
            }

            if (sluice_tc_arg_uint(optarg, 32, 512, &v) != 0) {
                sluice_tc_error("--audio \"%s\": kb/s from 32 to 512"
                                " expected", optarg);
                return 2;
            }
            tc->audio_kbps[tc->naudio++] = (unsigned) v;
            break;

        case 'e':
            tc->encoder = optarg;
            break;

        case 'p':
            tc->preset = optarg;
            break;

        case 'n':
            tc->name = optarg;
            break;

        case 'h':
            sluice_tc_usage();
            exit(0);

        default:
            sluice_tc_error("unknown or incomplete option \"%s\"",
                            argv[optind - 1]);
            return 2;
        }
    }

    if (optind < argc) {
        sluice_tc_error("unexpected argument \"%s\"", argv[optind]);
        return 2;
    }

    if (tc->output == NULL || tc->key == NULL || tc->nconf == 0) {
        sluice_tc_error("--output, --key and at least one --layer are"
                        " required (--help)");
        return 2;
    }

    if (tc->naudio == 0) {
        tc->audio_kbps[tc->naudio++] = 128;
    }

    return 0;
}


static int
sluice_tc_arg_key(const char *s)
{
    size_t  i;

    for (i = 0; s[i]; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')
              || (s[i] >= 'A' && s[i] <= 'F')))
        {
            return -1;
        }
    }

    return (i == 0 || i > 256) ? -1 : 0;
}


static int
sluice_tc_arg_uint(const char *s, long min, long max, long *v)
{
    char  *end;

    if (*s < '0' || *s > '9') {
        return -1;
    }

    errno = 0;
    *v = strtol(s, &end, 10);

    if (errno || *end != '\0' || *v < min || *v > max) {
        return -1;
    }

    return 0;
}


static void
sluice_tc_usage(void)
{
    printf("usage: sluice-transcoder --output rtmp://HOST:PORT/live/TOKEN"
           " --key HEX\n"
           "    [--gop MS] [--stretch none|autosize|autofit]\n"
           "    --layer WxH:KBPS:PROFILE[:MAXFPS] [--layer ...]"
           " [--audio KBPS ...]\n"
           "    [--encoder libx264] [--preset veryfast] [--name EVENT]\n"
           "\n"
           "Reads an FLV stream on stdin and publishes each layer to\n"
           "OUTPUT/sluice-vN?sluice_key=KEY and each audio bitrate to\n"
           "OUTPUT/sluice-aKBPS?sluice_key=KEY.\n");
}
