#!/usr/bin/env bash
#
# Copyright (C) 2026, The Sluice authors.
#
# Live encoding benchmark (issue 11): Sluice's live encoding event
# (nginx + sluice-transcoder) against the ffmpeg CLI encoding the same
# ladder with the same x264 settings, one after the other in one run,
# and the delay the transcoder adds to the live edge.
#
#   bench/transcode.sh [options]
#
#   -d SECONDS      measured period of each phase (default 60)
#   -w SECONDS      warm-up before measuring (default 10)
#   --only LIST     phases to run, in that order, comma-separated: sluice,
#                   ffmpeg, delay, soak (default sluice,ffmpeg,delay, plus
#                   soak with --soak)
#   --soak MINUTES  also run the soak phase for that long (default off;
#                   not for CI)
#   --nginx DIR     directory with nginx, ngx_rtmp_module.so and
#                   ngx_http_sluice_module.so (default build/objs)
#   --transcoder P  sluice-transcoder binary (default $SLUICE_TRANSCODER,
#                   else build/transcoder/sluice-transcoder)
#   --work DIR      work directory (default /tmp/sluice-bench-transcode);
#                   the input is cached there
#   --workers N     worker_processes of nginx (default 1)
#   --interval S    playlist polling interval of the delay phase
#                   (default 0.1)
#   --perf          also profile the transcoder and ffmpeg with
#                   `perf record` over their measured periods (their CPU
#                   figures then include perf's sampling: compare runs
#                   without it)
#   --record FILE   append the results to FILE as rows of the two tables
#                   of docs/benchmarks.md, "Live encoding (issue 11)":
#                   CPU (when sluice and ffmpeg ran) and delay
#
# Input: 60 s of 1280x720 30 fps H.264 High (6 Mbps, keyframe every 2 s)
# + AAC-LC 128 kb/s 48 kHz, made once from testsrc2 with temporal noise
# on every plane (detail that changes in every frame: nothing is cheap to
# encode), cached in the work directory and looped.
#
# Phases (each with an nginx of its own, started and stopped):
#
#   sluice  nginx with `sluice_transcoder`; a live event of encodingType
#           Standard (Default720p: 6 layers 1280x720 3500k ... 340x192
#           200k, H.264 High, 30 fps, AAC 128k, 2 s GOP) created and
#           started through the REST API; `ffmpeg -re -stream_loop -1
#           -c copy` publishes the input over RTMP; the worker spawns
#           sluice-transcoder, whose layers come back through RTMP.  CPU
#           (utime + stime, /proc/PID/stat, all threads) of the
#           transcoder and, apart, of nginx (master and workers: ingest
#           of the feed and of the 7 layers, fragments, index) between
#           two of the transcoder's progress lines that nginx logs
#           (every 10 s, at notice), the first after the warm-up, the
#           last the period or a little more later: their frames=
#           give the frames encoded in it exactly; their fps, lag_ms and
#           dropped whether it kept real time.
#   ffmpeg  the peer: one ffmpeg reads the same input at -re (decoder
#           with 1 thread, as the transcoder's), split + scale (bilinear)
#           into the 6 sizes, 6 libx264 encodes with the transcoder's
#           settings (preset veryfast, profile high, bitrate = maxrate,
#           bufsize 2x, x264-params keyint=infinite:scenecut=0:bframes=0:
#           rc-lookahead=10:sync-lookahead=0:sliced-threads=0:force-cfr=1:
#           threads=N with the transcoder's N per size, forced IDR every
#           2 s of input time) + AAC 128k, each output FLV to /dev/null.
#           Its CPU the same way, sampled right after a block of its
#           -progress output (every 0.5 s): frame= gives the frames
#           encoded; output time gained / wall time whether it kept real
#           time.
#   delay   one publisher (ffmpeg -re -c copy, tee muxer) feeds the same
#           frames at the same moments to a pass-through event and to an
#           encoding event on the same nginx; bench/fragdelay.pl polls
#           their HLS media playlists every --interval seconds and, per
#           fragment start time, reports how much later each layer listed
#           it than the pass-through rendition did: the delay the
#           transcoder adds to the live edge (target: one fragment +
#           0.5 s).
#   soak    the encoding event for --soak minutes; every 10 s the
#           transcoder's RSS, its lag_ms and dropped (getStatus), and the
#           RSS of nginx's workers; min / max / last of each.
#
# Result: CPU-seconds per minute of input encoded (CPU / (frames of the
# top layer / 30 / 60): per minute of wall time when real time is kept;
# when the machine starves them, the transcoder skips GOPs and ffmpeg
# falls behind, and this keeps the two comparable), the ratio
# transcoder / ffmpeg (target <= 1.0), real time or not for each, the
# added delay, and the machine's busy time over each period (a machine
# shared with other work shows).  Only loopback addresses are used
# (ports 19371 and 18371); every process started here is stopped on
# exit.  Total time of the default phases: about 3 x (warm-up + period)
# + 60 s.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

DURATION=60
WARMUP=10
ONLY=
SOAK=0
NGINX_DIR="${SLUICE_MODULES_DIR:-$ROOT/build/objs}"
TRANSCODER="${SLUICE_TRANSCODER:-$ROOT/build/transcoder/sluice-transcoder}"
WORK=/tmp/sluice-bench-transcode
WORKERS=1
INTERVAL=0.1
PERF=0
RECORD=

RTMP_PORT=19371
HTTP_PORT=18371

# Default720p (src/core/ngx_sluice_ladder.c): WxH:kbps
LADDER="1280x720:3500 960x540:2200 704x396:1350 512x288:850 384x216:550 340x192:200"
GOP_S=2
FPS=30

API_PORT=$HTTP_PORT      # the Sluice API (bench/lib.sh)

PIDS=()
STARTED=()

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"


usage() {
    sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}


while [ $# -gt 0 ]; do
    case "$1" in
        -d) DURATION="$2"; shift 2 ;;
        -w) WARMUP="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        --soak) SOAK="$2"; shift 2 ;;
        --nginx) NGINX_DIR="$2"; shift 2 ;;
        --transcoder) TRANSCODER="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        --workers) WORKERS="$2"; shift 2 ;;
        --interval) INTERVAL="$2"; shift 2 ;;
        --perf) PERF=1; shift ;;
        --record) RECORD="$2"; shift 2 ;;
        -h|--help) usage ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "-d must be a positive integer"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "-w must be an integer"
[[ "$SOAK" =~ ^[0-9]+$ ]] || die "--soak must be a number of minutes"
[[ "$WORKERS" =~ ^[1-9][0-9]*$ ]] || die "--workers must be positive"
[[ "$INTERVAL" =~ ^[0-9]*\.?[0-9]+$ ]] || die "--interval must be seconds"

if [ -z "$ONLY" ]; then
    ONLY=sluice,ffmpeg,delay
    [ "$SOAK" -gt 0 ] && ONLY="$ONLY,soak"
fi
for p in ${ONLY//,/ }; do
    case "$p" in sluice|ffmpeg|delay|soak) ;;
        *) die "--only: sluice, ffmpeg, delay or soak, not '$p'" ;;
    esac
done
if [[ ",$ONLY," == *",soak,"* ]] && [ "$SOAK" -eq 0 ]; then
    die "--only soak needs --soak MINUTES"
fi

want() {
    [[ ",$ONLY," == *",$1,"* ]]
}

NGINX="$NGINX_DIR/nginx"
if want sluice || want delay || want soak; then
    [ -x "$NGINX" ] || die "$NGINX not found (./build.sh build, or --nginx DIR)"
    for m in ngx_rtmp_module.so ngx_http_sluice_module.so; do
        [ -f "$NGINX_DIR/$m" ] || die "$NGINX_DIR/$m not found"
    done
    [ -x "$TRANSCODER" ] \
        || die "$TRANSCODER not found (./build.sh build, or --transcoder)"
fi
for p in ffmpeg curl perl; do
    command -v "$p" >/dev/null || die "$p is needed"
done
if [ "$PERF" = 1 ]; then
    command -v perf >/dev/null || die "--perf: perf is needed"
fi

TICKS=$(getconf CLK_TCK)
NCPU=$(nproc)


# --- process bookkeeping ----------------------------------------------

stop_nginx() {
    local i="$1" m

    m=$(cat "$WORK/$i/logs/nginx.pid" 2>/dev/null) || return 0
    "$NGINX" -p "$WORK/$i" -c conf/nginx.conf -s stop 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$m" 2>/dev/null || break
        sleep 0.1
    done
}


cleanup() {
    local p i

    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for i in "${STARTED[@]}"; do
        stop_nginx "$i"
    done
    sleep 1
    for p in "${PIDS[@]}"; do
        kill -9 "$p" 2>/dev/null || true
    done
}

trap cleanup EXIT
trap 'exit 130' INT TERM


loadavg() {
    cut -d' ' -f1-3 /proc/loadavg
}


# --- the input --------------------------------------------------------

FIXTURE="$WORK/input-720p30-noise-6M.flv"

make_fixture() {
    [ -s "$FIXTURE" ] && return
    log "encoding the input (60 s 1280x720 30 fps testsrc2 + noise, 6 Mbps, GOP 60, AAC)"
    ffmpeg -nostdin -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=size=1280x720:rate=$FPS,noise=alls=12:allf=t+u" \
        -f lavfi -i sine=frequency=440:sample_rate=48000 -t 60 \
        -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p \
        -b:v 6000k -maxrate 6000k -bufsize 12000k \
        -g $((GOP_S * FPS)) -keyint_min $((GOP_S * FPS)) -sc_threshold 0 \
        -c:a aac -b:a 128k -ac 2 -ar 48000 \
        -f flv "$FIXTURE.tmp"
    mv "$FIXTURE.tmp" "$FIXTURE"
}


# --- nginx ------------------------------------------------------------

write_conf() {
    local d="$WORK/$1"

    rm -rf "$d"
    mkdir -p "$d/conf" "$d/logs" "$d/data"
    {
        echo "load_module $NGINX_DIR/ngx_rtmp_module.so;"
        echo "load_module $NGINX_DIR/ngx_http_sluice_module.so;"
        echo "worker_processes $WORKERS;"
        # notice: the transcoder's progress lines, every 10 s
        echo "error_log logs/error.log notice;"
        echo "pid logs/nginx.pid;"
        if [ "$(id -u)" = 0 ]; then
            echo "user root;"
        fi
        cat <<EOF
thread_pool sluice threads=4;

events { worker_connections 1024; }

rtmp {
    server {
        listen 127.0.0.1:$RTMP_PORT;

        application live {
            live on;
            sluice_ingest on;
            sluice_thread_pool sluice;
        }
    }
}

http {
    access_log off;
    sendfile on;

    sluice_zone sluice 64m;
    sluice_data_path data;
    sluice_account $ACCOUNT;
    sluice_api_key $API_KEY;
    sluice_ingest_url rtmp://127.0.0.1:$RTMP_PORT;
    sluice_preview_url http://127.0.0.1:$HTTP_PORT;
    sluice_transcoder $TRANSCODER;

    server {
        listen 127.0.0.1:$HTTP_PORT;

        location ~* ^/subscriptions/ {
            sluice_api;
        }

        location / {
            sluice_packager;
            sluice_live_window 60s;
        }
    }
}
EOF
    } > "$d/conf/nginx.conf"
}


start_nginx() {
    local i="$1"

    for port in $RTMP_PORT $HTTP_PORT; do
        port_free "$port" || die "port $port is in use"
    done
    write_conf "$i"
    "$NGINX" -p "$WORK/$i" -c conf/nginx.conf -t -q \
        || die "$i: nginx -t failed"
    "$NGINX" -p "$WORK/$i" -c conf/nginx.conf \
        || die "$i: nginx did not start"
    STARTED+=("$i")
    for _ in $(seq 50); do
        [ -s "$WORK/$i/logs/nginx.pid" ] && return
        sleep 0.1
    done
    die "$i: no pid file"
}


# master and workers
nginx_pids() {
    local master

    master=$(cat "$WORK/$1/logs/nginx.pid")
    echo "$master"
    ps -o pid= --ppid "$master" | tr -d ' '
}


nginx_workers() {
    ps -o pid= --ppid "$(cat "$WORK/$1/logs/nginx.pid")" | tr -d ' '
}


# sluice-transcoder processes: children of the workers
transcoder_pids() {
    local w

    for w in $(nginx_workers "$1"); do
        ps -o pid=,comm= --ppid "$w" | awk '$2 ~ /^sluice-transco/ { print $1 }'
    done
}


# utime + stime in clock ticks of processes (all their threads)
ticks() {
    local p total=0 f

    for p in "$@"; do
        [ -r "/proc/$p/stat" ] || continue
        # fields after the ")" of comm: utime is the 12th, stime the 13th
        f=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
        set -- $f
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}


rss_kb() {
    local p total=0 r

    for p in "$@"; do
        r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
        total=$((total + ${r:-0}))
    done
    echo "$total"
}


cpu_s() {
    perl -e "printf '%.2f', $1 / $TICKS"
}


# --- Sluice API -------------------------------------------------------

# event INSTANCE NAME TYPE: creates and starts live event NAME of
# encodingType TYPE (PassthroughBasic or Standard, Default720p);
# prints "INGEST_URL PREVIEW_BASE"
event() {
    local i="$1" name="$2" type="$3" d="$WORK/$1/api" code state
    local token all kfi enc ingest loc

    token="$(printf '%s-%027d' "$name" 0 | cut -c1-32)"
    all='{"ip":{"allow":[{"name":"all","address":"0.0.0.0","subnetPrefixLength":0}]}}'
    if [ "$type" = Standard ]; then
        # live encoding: keyFrameIntervalDuration must be empty; the GOP
        # and fragment duration are encoding.keyFrameInterval
        kfi='""'
        enc="{\"encodingType\":\"Standard\",\"presetName\":\"Default720p\",\"keyFrameInterval\":\"PT${GOP_S}S\"}"
    else
        kfi="\"PT${GOP_S}S\""
        enc="{\"encodingType\":\"$type\"}"
    fi
    event_start "$name" \
        "{\"location\":\"local\",\"properties\":{\"input\":{\"streamingProtocol\":\"RTMP\",\"accessToken\":\"$token\",\"keyFrameIntervalDuration\":$kfi,\"accessControl\":$all},\"preview\":{\"accessControl\":$all},\"encoding\":$enc}}" \
        "$d" || return 1

    ingest=$(json_get "$d/$name.json" properties.input.endpoints.0.url)
    loc=$(json_get "$d/$name.json" properties.preview.previewLocator)
    [ -n "$ingest" ] || ingest="rtmp://127.0.0.1:$RTMP_PORT/live/$token"
    [ -n "$loc" ] || { log "liveEvents/$name: no preview locator"; return 1; }
    echo "$ingest http://127.0.0.1:$HTTP_PORT/$loc/preview.ism"
}


# the transcoder's state from getStatus: "pid layers fps lag_ms dropped"
xc_status() {
    local i="$1" name="$2" f="$WORK/$1/api/$2.status.json"

    api POST "liveEvents/$name/getStatus" '{}' "$f" >/dev/null 2>&1 || true
    perl -ne 'if (/Transcoder running \(pid (\d+), started \d+ times\): (\d+) layers, ([\d.]+) frames\/s, lag (-?\d+) ms, (\d+) GOPs dropped/) {
        print "$1 $2 $3 $4 $5\n"; exit }' "$f" 2>/dev/null
}


# wait_transcoder INSTANCE SECONDS: its pid once it runs with its layers
wait_transcoder() {
    local st

    for _ in $(seq $(($2 * 2))); do
        st=$(xc_status "$1" enc)
        set -- "$1" "$2" $st
        if [ $# -ge 4 ] && [ "$4" -gt 0 ]; then
            echo "$3"
            return 0
        fi
        set -- "$1" "$2"
        sleep 0.5
    done
    return 1
}


# --- publishers -------------------------------------------------------

publish() {
    local url="$1" logf="$2"

    ffmpeg -nostdin -hide_banner -loglevel warning -re -stream_loop -1 \
        -i "$FIXTURE" -c copy -f flv "$url" > "$logf" 2>&1 &
    PIDS+=($!)
    PUB=$!
}


# --- perf ---------------------------------------------------------------

perf_start() {
    local pid="$1" out="$2"

    PERF_PID=
    [ "$PERF" = 1 ] || return 0
    perf record -F 499 -o "$out" -p "$pid" -- sleep "$DURATION" \
        > "$out.log" 2>&1 &
    PERF_PID=$!
    PIDS+=($PERF_PID)
}


perf_report() {
    local out="$1" what="$2"

    [ "$PERF" = 1 ] && [ -s "$out" ] || return 0
    wait "$PERF_PID" 2>/dev/null || true
    perf report -i "$out" --no-children --sort dso,sym --stdio 2>/dev/null \
        | grep -v "^#" | grep -E "^ +[0-9]" | head -15 > "$out.top" || true
    perf report -i "$out" --no-children --sort dso --stdio 2>/dev/null \
        | grep -v '^#' | grep -E '^ +[0-9]' | head -12 > "$out.dso" || true
    log "perf ($what): $out.top, $out.dso"
}


# --- phase: Sluice ------------------------------------------------------

# next_notice LOG PID: waits (up to 15 s) for the next progress line of
# transcoder PID that nginx logs (every 10 s) after byte NOTICE_OFF of
# LOG; sets NOTICE_FRAMES, NOTICE_DROPPED and NOTICE_OFF (the end of the
# log read) at once, so that CPU times sampled right after it and its
# frame count go together
NOTICE_OFF=0
next_notice() {
    local log="$1" pid="$2" size line

    for _ in $(seq 150); do
        size=$(stat -c %s "$log")
        if [ "$size" -gt "$NOTICE_OFF" ]; then
            line=$(tail -c +"$((NOTICE_OFF + 1))" "$log" \
                | head -c $((size - NOTICE_OFF)) \
                | grep -o "transcoder $pid: progress frames=[0-9]* fps=[0-9.]* lag_ms=-\?[0-9]* dropped=[0-9]*" \
                | tail -1) || true
            NOTICE_OFF=$size
            if [ -n "$line" ]; then
                line="${line#*frames=}"
                NOTICE_FRAMES="${line%% *}"
                NOTICE_DROPPED="${line##*dropped=}"
                return 0
            fi
        fi
        sleep 0.1
    done
    return 1
}


# progress lines of transcoder PID in LOG after byte OFFSET up to byte END:
# "notices fps_mean fps_min lag_max lag_last dropped_last layers"
progress_summary() {
    tail -c +"$(($3 + 1))" "$1" | head -c "$(($4 - $3))" | perl -ne '
        BEGIN { $p = shift @ARGV }
        next unless /transcoder \Q$p\E: progress frames=\d+ fps=([\d.]+) lag_ms=(-?\d+) dropped=(\d+) layers=(\d+)/;
        push @fps, $1; push @lag, $2; ($drop, $layers) = ($3, $4);
        END {
            unless (@fps) { print "0 - - - - - -\n"; exit }
            my $s = 0; $s += $_ for @fps;
            my ($min) = sort { $a <=> $b } @fps;
            my ($max) = sort { $b <=> $a } @lag;
            printf "%d %.2f %.2f %d %d %d %d\n", scalar @fps, $s / @fps,
                $min, $max, $lag[-1], $drop, $layers;
        }' "$2"
}


phase_sluice() {
    local i=sluice xc urls ingest x0 x1 n0 n1 m0 m1 start pub log off0
    local f0 f1 d0 d1

    log "sluice: nginx + encoding event (Default720p)"
    start_nginx "$i"
    log="$WORK/$i/logs/error.log"
    urls=$(event "$i" enc Standard) || die "sluice: live event API failed"
    set -- $urls
    ingest="$1"
    publish "$ingest/cam" "$WORK/$i/logs/publisher.log"
    pub=$PUB
    start=$(date +%s)

    xc=$(wait_transcoder "$i" 60) \
        || die "sluice: no transcoder with its layers after 60 s (see $log)"
    log "sluice: transcoder $xc running; warm-up ${WARMUP}s"
    sleep $((WARMUP - ($(date +%s) - start) > 0 ? WARMUP - ($(date +%s) - start) : 0))

    # the period runs from one logged progress line to another (every
    # 10 s): the frames encoded in it are then exact
    NOTICE_OFF=$(stat -c %s "$log")
    next_notice "$log" "$xc" \
        || die "sluice: no progress line of transcoder $xc in 15 s"
    f0=$NOTICE_FRAMES d0=$NOTICE_DROPPED
    S_XC_PIDS0="$(transcoder_pids "$i" | tr '\n' ' ')"
    x0=$(ticks $S_XC_PIDS0)
    n0=$(ticks $(nginx_pids "$i"))
    m0=$(machine_ticks)
    S_T0=$(date +%s.%N)
    off0=$NOTICE_OFF
    perf_start "$xc" "$WORK/$i/perf.data"

    log "sluice: measuring ${DURATION}s (to the next progress line after it)"
    sleep $((DURATION - 1))
    NOTICE_OFF=$(stat -c %s "$log")
    if next_notice "$log" "$xc"; then
        f1=$NOTICE_FRAMES d1=$NOTICE_DROPPED
    else
        f1='' d1=''
    fi
    S_XC_PIDS1="$(transcoder_pids "$i" | tr '\n' ' ')"
    x1=$(ticks $S_XC_PIDS0)
    n1=$(ticks $(nginx_pids "$i"))
    m1=$(machine_ticks)
    S_T1=$(date +%s.%N)
    S_XC_RSS=$(rss_kb $S_XC_PIDS1)
    S_NGX_RSS=$(rss_kb $(nginx_pids "$i"))
    S_STATUS=$(xc_status "$i" enc)

    S_ELAPSED=$(perl -e "printf '%.1f', $S_T1 - $S_T0")
    S_XC_CPU=$(cpu_s $((x1 - x0)))
    S_NGX_CPU=$(cpu_s $((n1 - n0)))
    S_MACHINE=$(cpu_s $((m1 - m0)))
    S_PROGRESS=$(progress_summary "$log" "$xc" "$off0" "$NOTICE_OFF")
    if [ -n "$f1" ]; then
        S_FRAMES=$((f1 - f0))
        S_DROPPED=$((d1 - d0))
    else
        S_FRAMES=
        S_DROPPED=
    fi
    S_STARTS=$(grep -c 'transcoder [0-9]* started' "$log" || true)
    S_PUB=$(kill -0 "$pub" 2>/dev/null && echo running || echo "NOT running")

    perf_report "$WORK/$i/perf.data" transcoder
    kill "$pub" 2>/dev/null || true
    stop_nginx "$i"
}


# --- phase: ffmpeg ------------------------------------------------------

# threads of a layer, as sluice_tc_encoder_threads(): 1 + pixels / 600000,
# at most the CPUs and 4
layer_threads() {
    local w="${1%x*}" h="${1#*x}" n

    n=$((1 + w * h / 600000))
    [ "$n" -gt "$NCPU" ] && n=$NCPU
    [ "$n" -gt 4 ] && n=4
    echo "$n"
}


# FF_ARGS: the filter graph and the outputs of the peer
ffmpeg_args() {
    local fc="[0:v]split=6" n=0 l size kbps t

    for l in $LADDER; do
        fc="${fc}[s$n]"
        n=$((n + 1))
    done
    n=0
    for l in $LADDER; do
        size="${l%:*}"
        fc="$fc;[s$n]scale=${size%x*}:${size#*x}:flags=bilinear[v$n]"
        n=$((n + 1))
    done
    FF_ARGS=(-filter_complex "$fc")

    n=0
    for l in $LADDER; do
        size="${l%:*}"
        kbps="${l#*:}"
        t=$(layer_threads "$size")
        FF_ARGS+=(-map "[v$n]" -an -c:v libx264 -preset veryfast
            -profile:v high -pix_fmt yuv420p -b:v "${kbps}k"
            -maxrate "${kbps}k" -bufsize "$((kbps * 2))k" -threads "$t"
            -forced-idr 1 -force_key_frames "expr:gte(t,n_forced*$GOP_S)"
            -x264-params "keyint=infinite:scenecut=0:bframes=0:rc-lookahead=10:sync-lookahead=0:sliced-threads=0:force-cfr=1:threads=$t"
            -f flv -y /dev/null)
        n=$((n + 1))
    done
    FF_ARGS+=(-map 0:a -vn -c:a aac -b:a 128k -ac 2 -f flv -y /dev/null)
}


# the last block of an ffmpeg -progress file: "BLOCKS FRAME OUT_TIME_US"
progress_block() {
    perl -ne '
        $f = $1 if /^frame=(\d+)/; $t = $1 if /^out_time_us=(\d+)/;
        if (/^progress=/) { $n++; ($F, $T) = ($f, $t) }
        END { printf "%d %d %d\n", $n // 0, $F // 0, $T // 0 }' "$1"
}


# waits (up to 5 s) for a new block of the -progress file (every 0.5 s);
# prints "FRAME OUT_TIME_US" of it
next_block() {
    local n0 b

    set -- "$1" $(progress_block "$1")
    n0=$2
    for _ in $(seq 50); do
        b=$(progress_block "$1")
        set -- "$1" $b
        if [ "$2" -gt "$n0" ]; then
            echo "$3 $4"
            return 0
        fi
        sleep 0.05
    done
    echo "$3 $4"
}


phase_ffmpeg() {
    local d="$WORK/ffmpeg" pid f0 f1 o0 o1 m0 m1 fr0 fr1 args

    log "ffmpeg: the same ladder with the ffmpeg CLI"
    rm -rf "$d"
    mkdir -p "$d"
    ffmpeg_args
    args=(ffmpeg -nostdin -hide_banner -loglevel warning -stats_period 0.5
        -progress "$d/progress" -threads 1 -re -stream_loop -1
        -i "$FIXTURE" "${FF_ARGS[@]}")
    printf '%q ' "${args[@]}" > "$d/command"
    echo >> "$d/command"
    "${args[@]}" > "$d/ffmpeg.log" 2>&1 &
    pid=$!
    PIDS+=($pid)

    log "ffmpeg: pid $pid; warm-up ${WARMUP}s"
    sleep "$WARMUP"
    kill -0 "$pid" 2>/dev/null \
        || die "ffmpeg: exited early: $(tail -5 "$d/ffmpeg.log")"

    # sampled right after a progress block: its frame count goes with
    # the CPU times
    set -- $(next_block "$d/progress")
    fr0=$1 o0=$2
    f0=$(ticks "$pid")
    m0=$(machine_ticks)
    F_T0=$(date +%s.%N)
    perf_start "$pid" "$d/perf.data"

    log "ffmpeg: measuring ${DURATION}s"
    sleep "$DURATION"

    set -- $(next_block "$d/progress")
    fr1=$1 o1=$2
    f1=$(ticks "$pid")
    m1=$(machine_ticks)
    F_T1=$(date +%s.%N)
    F_RSS=$(rss_kb "$pid")
    kill -0 "$pid" 2>/dev/null && F_ALIVE=running || F_ALIVE="NOT running"

    F_ELAPSED=$(perl -e "printf '%.1f', $F_T1 - $F_T0")
    F_CPU=$(cpu_s $((f1 - f0)))
    F_MACHINE=$(cpu_s $((m1 - m0)))
    F_FRAMES=$((fr1 - fr0))
    # output time gained over the period / wall time
    F_SPEED=$(perl -e "printf '%.3f', ($o1 - $o0) / 1e6 / ($F_T1 - $F_T0)")
    F_BEHIND=$(perl -e "printf '%.1f', ($F_T1 - $F_T0) - ($o1 - $o0) / 1e6")
    F_LAST_SPEED=$(perl -ne '$s = $1 if /^speed=\s*([\d.]+)x/; END { print $s // "?" }' "$d/progress")

    perf_report "$d/perf.data" ffmpeg
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
}


# --- phase: delay -------------------------------------------------------

phase_delay() {
    local i=delay urls pt enc pub origin out m0 t0

    log "delay: a pass-through and an encoding event fed by one publisher"
    start_nginx "$i"
    urls=$(event "$i" pass PassthroughBasic) || die "delay: live event API failed"
    set -- $urls
    pt=("$1" "$2")
    urls=$(event "$i" enc Standard) || die "delay: live event API failed"
    set -- $urls
    enc=("$1" "$2")

    origin=$(date +%s.%N)
    ffmpeg -nostdin -hide_banner -loglevel warning -re -stream_loop -1 \
        -i "$FIXTURE" -map 0:v -map 0:a -c copy -f tee \
        "[f=flv]${pt[0]}/cam|[f=flv]${enc[0]}/cam" \
        > "$WORK/$i/logs/publisher.log" 2>&1 &
    pub=$!
    PIDS+=($pub)

    wait_transcoder "$i" 60 >/dev/null \
        || die "delay: no transcoder with its layers after 60 s"
    log "delay: warm-up ${WARMUP}s, then polling the playlists for ${DURATION}s"
    sleep "$WARMUP"

    out="$WORK/$i/fragdelay.txt"
    m0=$(machine_ticks)
    t0=$(date +%s.%N)
    perl "$ROOT/bench/fragdelay.pl" \
        --ref "${pt[1]}/manifest(format=m3u8-cmaf)" \
        --test "${enc[1]}/manifest(format=m3u8-cmaf)" \
        --duration "$DURATION" --interval "$INTERVAL" --origin "$origin" \
        --out "$WORK/$i/fragments.tsv" > "$out" 2>&1 || true
    D_MACHINE=$(cpu_s $(($(machine_ticks) - m0)))
    D_ELAPSED=$(perl -e "printf '%.1f', $(date +%s.%N) - $t0")
    D_JSON=$(tail -1 "$out")
    D_TEXT=$(grep -v '^{' "$out" || true)
    D_STATUS=$(xc_status "$i" enc)
    D_PUB=$(kill -0 "$pub" 2>/dev/null && echo running || echo "NOT running")

    kill "$pub" 2>/dev/null || true
    stop_nginx "$i"
}


# --- phase: soak --------------------------------------------------------

phase_soak() {
    local i=soak urls pub start now end f st xc xr nr

    log "soak: the encoding event for $SOAK minutes, a sample every 10 s"
    start_nginx "$i"
    urls=$(event "$i" enc Standard) || die "soak: live event API failed"
    set -- $urls
    publish "$1/cam" "$WORK/$i/logs/publisher.log"
    pub=$PUB
    wait_transcoder "$i" 60 >/dev/null \
        || die "soak: no transcoder with its layers after 60 s"

    f="$WORK/$i/samples.tsv"
    printf 'seconds\ttranscoder_pid\ttranscoder_rss_kb\tlag_ms\tdropped\tfps\tnginx_workers_rss_kb\ttranscoder_cpu_s\tload1\n' > "$f"
    start=$(date +%s)
    end=$((start + SOAK * 60))
    while :; do
        now=$(date +%s)
        st=$(xc_status "$i" enc)
        set -- $st
        xc=$(transcoder_pids "$i" | head -1)
        xr=$(rss_kb $xc)
        nr=$(rss_kb $(nginx_workers "$i"))
        printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' $((now - start)) \
            "${xc:--}" "$xr" "${4:--}" "${5:--}" "${3:--}" "$nr" \
            "$(cpu_s "$(ticks $xc)")" "$(cut -d' ' -f1 /proc/loadavg)" >> "$f"
        [ "$now" -ge "$end" ] && break
        sleep $((10 - ($(date +%s) - now) > 0 ? 10 - ($(date +%s) - now) : 1))
        if [ $(( (now - start) % 300 )) -lt 10 ]; then
            log "soak: $((now - start)) s: $(tail -1 "$f" | cut -f3-7)"
        fi
    done
    K_PUB=$(kill -0 "$pub" 2>/dev/null && echo running || echo "NOT running")
    K_STARTS=$(grep -c 'transcoder [0-9]* started' "$WORK/$i/logs/error.log" || true)
    kill "$pub" 2>/dev/null || true
    stop_nginx "$i"

    # min / max / last over the samples after the warm-up
    K_SUMMARY=$(perl -F'\t' -lane '
        BEGIN { $w = shift @ARGV }
        next if $. == 1 || $F[0] < $w;
        $n++;
        for my $c ([2, "xc_rss"], [3, "lag"], [6, "ngx_rss"]) {
            my ($k, $v) = ($c->[1], $F[$c->[0]]);
            next unless $v =~ /^-?\d+$/;
            $min{$k} = $v if !defined $min{$k} || $v < $min{$k};
            $max{$k} = $v if !defined $max{$k} || $v > $max{$k};
            $last{$k} = $v;
        }
        $drop = $F[4]; $pids{$F[1]} = 1;
        END {
            printf "%d samples; transcoder RSS min %.1f / max %.1f / last %.1f MB;"
                . " lag_ms min %d / max %d / last %d; nginx workers RSS min %.1f"
                . " / max %.1f / last %.1f MB; dropped at the end %s;"
                . " transcoder pids %d\n", $n,
                $min{xc_rss} / 1024, $max{xc_rss} / 1024, $last{xc_rss} / 1024,
                $min{lag}, $max{lag}, $last{lag},
                $min{ngx_rss} / 1024, $max{ngx_rss} / 1024, $last{ngx_rss} / 1024,
                $drop, scalar keys %pids;
        }' "$WARMUP" "$f")
}


# --- run ----------------------------------------------------------------

mkdir -p "$WORK"
make_fixture

LOAD0=$(loadavg)
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
log "load average before: $LOAD0"

for p in ${ONLY//,/ }; do
    "phase_$p"
done

LOAD1=$(loadavg)
log "load average after: $LOAD1"

per_min() {
    perl -e "printf '%.1f', $1 * 60 / $2"
}

# CPU-s per minute of input encoded: CPU / (frames of the top layer / fps)
per_input_min() {
    perl -e "printf '%.1f', $2 > 0 ? $1 * 60 / ($2 / $FPS) : 0"
}

echo
echo "## Result ($DATE, $NCPU CPUs, load average before $LOAD0, after $LOAD1)"
echo
echo "Input: $(basename "$FIXTURE"); Default720p: $LADDER (kbps), AAC 128k;" \
     "warm-up ${WARMUP} s, measured ${DURATION} s per phase"

S_PER=; F_PER=; S_NGX_PER=; RATIO=n/a; S_RT=n/a; F_RT=n/a; DELAY=n/a
if want sluice; then
    set -- $S_PROGRESS
    S_PER=$(per_input_min "$S_XC_CPU" "${S_FRAMES:-0}")
    S_NGX_PER=$(per_input_min "$S_NGX_CPU" "${S_FRAMES:-0}")
    S_FPS=$(perl -e "printf '%.2f', ${S_FRAMES:-0} / $S_ELAPSED")
    S_RT="$S_FPS fps, lag_ms <= $4, dropped $S_DROPPED"
    echo "- sluice-transcoder: $S_XC_CPU CPU-s in $S_ELAPSED s" \
         "($(per_min "$S_XC_CPU" "$S_ELAPSED") per minute of wall time)," \
         "${S_FRAMES:-?} frames encoded = $S_FPS fps:" \
         "**$S_PER CPU-s per minute of input encoded**;" \
         "RSS $((S_XC_RSS / 1024)) MB; its progress lines over the period" \
         "($1): fps mean $2 min $3, lag_ms max $4 last $5; dropped" \
         "${S_DROPPED:-?} frames in the period ($6 since its start);" \
         "layers $7; transcoders started: $S_STARTS; pids at the start" \
         "and end of the period: ${S_XC_PIDS0% } / ${S_XC_PIDS1% }"
    echo "- nginx (master + $WORKERS worker(s)): $S_NGX_CPU CPU-s =" \
         "$S_NGX_PER CPU-s per minute of input; RSS $((S_NGX_RSS / 1024))" \
         "MB; publisher $S_PUB; getStatus at the end (pid layers fps lag" \
         "dropped): ${S_STATUS:-?}"
    echo "- machine over the sluice period: $S_MACHINE CPU-s busy of" \
         "$(perl -e "printf '%.0f', $NCPU * $S_ELAPSED") (all processes)"
fi
if want ffmpeg; then
    F_PER=$(per_input_min "$F_CPU" "$F_FRAMES")
    F_FPS=$(perl -e "printf '%.2f', $F_FRAMES / $F_ELAPSED")
    F_RT="$F_FPS fps, speed $F_SPEED"
    echo "- ffmpeg: $F_CPU CPU-s in $F_ELAPSED s" \
         "($(per_min "$F_CPU" "$F_ELAPSED") per minute of wall time)," \
         "$F_FRAMES frames encoded = $F_FPS fps:" \
         "**$F_PER CPU-s per minute of input encoded**; RSS" \
         "$((F_RSS / 1024)) MB; output time / wall time over the period:" \
         "$F_SPEED (fell behind by $F_BEHIND s; its speed= at the end" \
         "${F_LAST_SPEED}x); $F_ALIVE at the end"
    echo "- machine over the ffmpeg period: $F_MACHINE CPU-s busy of" \
         "$(perl -e "printf '%.0f', $NCPU * $F_ELAPSED")"
fi
if [ -n "$S_PER" ] && [ -n "$F_PER" ]; then
    RATIO=$(perl -e "printf '%.2f', $F_PER > 0 ? $S_PER / $F_PER : 0")
    echo "- ratio sluice-transcoder / ffmpeg, per minute of input encoded:" \
         "**$RATIO** (target <= 1.0); transcoder + nginx / ffmpeg:" \
         "$(perl -e "printf '%.2f', $F_PER > 0 ? ($S_PER + $S_NGX_PER) / $F_PER : 0")"
fi
if want delay; then
    echo "- delay (pass-through and encoding event fed the same frames," \
         "playlists polled every $INTERVAL s; machine $D_MACHINE CPU-s" \
         "busy of $(perl -e "printf '%.0f', $NCPU * $D_ELAPSED");" \
         "publisher $D_PUB;" \
         "getStatus at the end: ${D_STATUS:-?}):"
    echo "$D_TEXT" | sed 's/^/    /'
    DELAY=$(echo "$D_JSON" | perl -MJSON::PP -ne '
        my $j = eval { decode_json($_) } or exit;
        my $l = $j->{ladder};
        printf "%.2f / %.2f / %.2f", @$l{qw(median p90 max)} if $l->{n};')
    echo "- added delay of the whole ladder, median / p90 / max: ${DELAY:-n/a} s" \
         "(target <= fragment + 0.5 s = $((GOP_S)).5 s)"
fi
if want soak; then
    echo "- soak ($SOAK min, publisher $K_PUB, transcoders started" \
         "$K_STARTS): $K_SUMMARY; samples in $WORK/soak/samples.tsv"
fi
if [ "$PERF" = 1 ]; then
    for f in "$WORK/sluice/perf.data" "$WORK/ffmpeg/perf.data"; do
        [ -s "$f.dso" ] || continue
        echo "- perf $f:"
        sed 's/^/    /' "$f.dso"
        sed 's/^/    /' "$f.top"
    done
fi

if [ -n "$RECORD" ]; then
    busy() {
        perl -e "printf '%.0f%%', 100 * $1 / ($NCPU * $2)"
    }
    if [ -n "$S_PER" ] && [ -n "$F_PER" ]; then
        order=$(echo "$ONLY" | tr ',' '\n' \
            | sed -n 's/^sluice$/S/p; s/^ffmpeg$/F/p' | paste -sd, - \
            | sed 's/,/, /')
        printf '| %s | %s / %s | %s / %s | %s | %s | %s | %s | %s | %s, %s, %s | %s, %s |\n' \
            "$DATE" "${LOAD0%% *}" "${LOAD1%% *}" \
            "$(busy "$S_MACHINE" "$S_ELAPSED")" \
            "$(busy "$F_MACHINE" "$F_ELAPSED")" "$order" \
            "$S_PER" "$S_NGX_PER" "$F_PER" "$RATIO" \
            "$S_FPS" "$(set -- $S_PROGRESS; echo "$4")" "${S_DROPPED:-?}" \
            "$F_FPS" "$F_SPEED" >> "$RECORD"
    fi
    if want delay; then
        echo "$D_JSON" | perl -MJSON::PP -ne '
            BEGIN { ($d, $busy) = splice @ARGV, 0, 2 }
            my $j = eval { decode_json($_) } or exit;
            my ($l, $r, $a) = @$j{qw(ladder ref_abs ladder_abs)};
            exit unless $l->{n};
            printf "| %s | %s busy | %.2f / %.2f / %.2f s | %.2f / %.2f s"
                . " | %.2f / %.2f s |\n", $d, $busy,
                @$l{qw(median p90 max)}, @$r{qw(median max)},
                @$a{qw(median max)};' "$DATE" \
            "$(busy "$D_MACHINE" "$D_ELAPSED")" >> "$RECORD"
    fi
    log "rows appended to $RECORD"
fi
