#!/usr/bin/env bash
#
# Copyright (C) 2026, The Sluice authors.
#
# CPU benchmark of the ingest protocols: the same streams pushed to Sluice
# over plain RTMP, over RTMPS (TLS ended by nginx's stream module, PROXY
# protocol to the RTMP listener: docs/directives.md, "RTMPS ingest"), over
# fragmented MP4 (HTTP POST, as ffmpeg -f ismv sends it) and over SRT
# (MPEG-TS, sluice_srt_listen), side by side, one nginx instance per
# protocol from one binary.
#
#   bench/ingest.sh [options]
#
#   -n N            streams per protocol (default 10)
#   -d SECONDS      measured period (default 60)
#   -w SECONDS      warm-up before measuring (default 15)
#   -p "P..."       the protocols, among rtmp fmp4 rtmps rtmpsn srt (default all;
#                   rtmp is always measured: the ratios are to it)
#   --nginx DIR     directory with nginx, ngx_rtmp_module.so and
#                   ngx_http_sluice_module.so (default build/objs)
#   --work DIR      work directory (default /tmp/sluice-bench-ingest); the
#                   fixture is cached there
#
# Every stream is ffmpeg -re -stream_loop -1 -c copy of a pre-encoded
# 3 Mbps 720p30 H.264/AAC file (keyframe every 2 s) into its own live
# event, created and started through the REST API.  No viewer: the cost
# of ingest (receiving, fragmenting, storing) alone.  CPU time (utime +
# stime of every process of the instance, all threads) is sampled after
# the warm-up and after the period.  Result: CPU-seconds per
# stream-minute of each protocol, and the ratios to plain RTMP.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

N=10
DURATION=60
WARMUP=15
NGINX_DIR="${SLUICE_MODULES_DIR:-$ROOT/build/objs}"
WORK=/tmp/sluice-bench-ingest

# one instance per protocol: its RTMP and HTTP ports
declare -A RTMP_PORT=([rtmp]=19371 [fmp4]=19372 [rtmps]=19373 [srt]=19375
                      [rtmpsn]=19377)
declare -A HTTP_PORT=([rtmp]=18371 [fmp4]=18372 [rtmps]=18373 [srt]=18375
                      [rtmpsn]=18377)
RTMPS_PORT=19374            # the TLS side of the rtmps instance
SRT_PORT=19376              # UDP, the srt instance
PROTOCOLS=(rtmp fmp4 rtmps rtmpsn srt)

PIDS=()
STARTED=()

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"


while [ $# -gt 0 ]; do
    case "$1" in
        -n) N="$2"; shift 2 ;;
        -d) DURATION="$2"; shift 2 ;;
        -w) WARMUP="$2"; shift 2 ;;
        -p) PROTOCOLS=(rtmp)
            for x in $2; do [ "$x" = rtmp ] || PROTOCOLS+=("$x"); done
            shift 2 ;;
        --nginx) NGINX_DIR="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        -h|--help) sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "-n must be a positive integer"
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "-d must be a positive integer"

NGINX="$NGINX_DIR/nginx"
[ -x "$NGINX" ] || die "$NGINX not found (./build.sh build, or --nginx DIR)"
TICKS=$(getconf CLK_TCK)


trap stop_started EXIT
trap 'exit 130' INT TERM


FIXTURE="$WORK/fixture-720p30-3M.mp4"

make_fixture() {
    [ -s "$FIXTURE" ] && return
    log "encoding the fixture (30 s 1280x720 30 fps, 3 Mbps, GOP 60, AAC)"
    ffmpeg -nostdin -hide_banner -loglevel error -y \
        -f lavfi -i testsrc2=size=1280x720:rate=30 \
        -f lavfi -i sine=frequency=440:sample_rate=48000 -t 30 \
        -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p \
        -b:v 3000k -maxrate 3000k -bufsize 6000k \
        -g 60 -keyint_min 60 -sc_threshold 0 \
        -c:a aac -b:a 128k -ac 2 -ar 48000 -f mp4 "$FIXTURE.tmp"
    mv "$FIXTURE.tmp" "$FIXTURE"
}


# the same configuration for every instance: both ingests, the API
write_conf() {
    local i="$1" d="$WORK/$1"

    PP=
    [ "$i" = rtmps ] && PP=' proxy_protocol'

    rm -rf "$d"
    mkdir -p "$d/conf" "$d/logs" "$d/data"
    {
        echo "load_module $NGINX_DIR/ngx_rtmp_module.so;"
        echo "load_module $NGINX_DIR/ngx_http_sluice_module.so;"
        [ "$i" = rtmps ] && echo "load_module $NGINX_DIR/ngx_stream_module.so;"
        echo "worker_processes 1;"
        echo "error_log logs/error.log warn;"
        echo "pid logs/nginx.pid;"
        [ "$(id -u)" = 0 ] && echo "user root;"
        cat <<EOF
thread_pool sluice threads=4;

events { worker_connections 1024; }

rtmp {
    server {
        listen 127.0.0.1:${RTMP_PORT[$i]}$PP;
        $([ "$i" = rtmpsn ] && echo "sluice_ssl_certificate $WORK/bench.crt;")
        $([ "$i" = rtmpsn ] && echo "sluice_ssl_certificate_key $WORK/bench.key;")

        application live {
            live on;
            sluice_ingest on;
        }
    }
}

http {
    access_log off;

    sluice_zone sluice 64m;
    sluice_data_path data;
    sluice_account $ACCOUNT;
    sluice_api_key $API_KEY;
    sluice_ingest_url rtmp://127.0.0.1:${RTMP_PORT[$i]};
    sluice_ingest_url http://127.0.0.1:${HTTP_PORT[$i]};
    $([ "$i" = srt ] && echo "sluice_srt_listen 127.0.0.1:$SRT_PORT;")

    server {
        listen 127.0.0.1:${HTTP_PORT[$i]};

        location ~* ^/subscriptions/ {
            sluice_api;
        }

        location ~* /ingest\.isml {
            sluice_fmp4_ingest;
        }

        location / {
            sluice_packager;
        }
    }
}
EOF
        if [ "$i" = rtmps ]; then
            cat <<EOF

stream {
    server {
        listen 127.0.0.1:$RTMPS_PORT ssl;
        ssl_certificate $WORK/bench.crt;
        ssl_certificate_key $WORK/bench.key;
        proxy_pass 127.0.0.1:${RTMP_PORT[$i]};
        proxy_protocol on;
    }
}
EOF
        fi
    } > "$d/conf/nginx.conf"

    "$NGINX" -p "$d" -c conf/nginx.conf \
        || die "$i: nginx did not start"
    STARTED+=("$i")
    for _ in $(seq 50); do
        [ -s "$d/logs/nginx.pid" ] && return
        sleep 0.1
    done
    die "$i: no pid file"
}


# live event k of instance i, started; its first input endpoint
start_stream() {
    local i="$1" k="$2" proto name token all

    proto=RTMP
    [ "$i" = fmp4 ] && proto=FragmentedMP4
    [ "$i" = srt ] && proto=SRT
    name="bench$k"
    token=$(printf 'b%031d' "$k")
    all='{"ip":{"allow":[{"name":"all","address":"0.0.0.0","subnetPrefixLength":0}]}}'

    API_PORT=${HTTP_PORT[$i]}
    event_start "$name" \
        "{\"location\":\"local\",\"properties\":{\"input\":{\"streamingProtocol\":\"$proto\",\"accessToken\":\"$token\",\"keyFrameIntervalDuration\":\"PT2S\",\"accessControl\":$all},\"encoding\":{\"encodingType\":\"PassthroughBasic\"}}}" \
        "$WORK/$i/api" || die "$i: live event $name did not start"

    if [ "$i" = rtmpsn ]; then
        ffmpeg -nostdin -hide_banner -loglevel warning -re -stream_loop -1 \
            -i "$FIXTURE" -c copy -f flv \
            "rtmps://127.0.0.1:${RTMP_PORT[$i]}/live/$token/s$k" \
            > "$WORK/$i/logs/ffmpeg-$k.log" 2>&1 &
    elif [ "$i" = rtmps ]; then
        ffmpeg -nostdin -hide_banner -loglevel warning -re -stream_loop -1 \
            -i "$FIXTURE" -c copy -f flv \
            "rtmps://127.0.0.1:$RTMPS_PORT/live/$token/s$k" \
            > "$WORK/$i/logs/ffmpeg-$k.log" 2>&1 &
    elif [ "$i" = srt ]; then
        ffmpeg -nostdin -hide_banner -loglevel warning -re -stream_loop -1 \
            -i "$FIXTURE" -c copy -f mpegts \
            "srt://127.0.0.1:$SRT_PORT?streamid=#!::r=$token/s$k,m=publish" \
            > "$WORK/$i/logs/ffmpeg-$k.log" 2>&1 &
    elif [ "$i" = fmp4 ]; then
        ffmpeg -nostdin -hide_banner -loglevel warning -re -stream_loop -1 \
            -i "$FIXTURE" -c copy -movflags isml+frag_keyframe+delay_moov \
            -f ismv "http://127.0.0.1:${HTTP_PORT[$i]}/$token/ingest.isml/Streams(s$k)" \
            > "$WORK/$i/logs/ffmpeg-$k.log" 2>&1 &
    else
        ffmpeg -nostdin -hide_banner -loglevel warning -re -stream_loop -1 \
            -i "$FIXTURE" -c copy -f flv \
            "rtmp://127.0.0.1:${RTMP_PORT[$i]}/live/$token/s$k" \
            > "$WORK/$i/logs/ffmpeg-$k.log" 2>&1 &
    fi
    PIDS+=($!)
}


mkdir -p "$WORK"
make_fixture

if [ ! -s "$WORK/bench.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost \
        -keyout "$WORK/bench.key" -out "$WORK/bench.crt" 2>/dev/null \
        || die "openssl req failed"
fi

for i in "${PROTOCOLS[@]}"; do
    port_free "${RTMP_PORT[$i]}" && port_free "${HTTP_PORT[$i]}" \
        && { [ "$i" != rtmps ] || port_free "$RTMPS_PORT"; } \
        || die "$i: ports ${RTMP_PORT[$i]}, ${HTTP_PORT[$i]} in use"
    write_conf "$i"
done

for k in $(seq "$N"); do
    for i in "${PROTOCOLS[@]}"; do
        start_stream "$i" "$k"
    done
done

log "$N streams per protocol; warm-up ${WARMUP}s"
sleep "$WARMUP"

declare -A T0 T1
m0=$(machine_ticks)
for i in "${PROTOCOLS[@]}"; do
    T0[$i]=$(instance_ticks "$i")
done

log "measuring ${DURATION}s"
sleep "$DURATION"

m1=$(machine_ticks)
for i in "${PROTOCOLS[@]}"; do
    T1[$i]=$(instance_ticks "$i")
done

# every publisher still running, every event stored fragments
alive=0
for p in "${PIDS[@]}"; do
    kill -0 "$p" 2>/dev/null && alive=$((alive + 1))
done
[ "$alive" = $((N * ${#PROTOCOLS[@]})) ] \
    || die "only $alive of $((N * ${#PROTOCOLS[@]})) publishers still run"

for i in "${PROTOCOLS[@]}"; do
    frags=$(find "$WORK/$i/data/live" -name '*.m4s' | wc -l)
    [ "$frags" -ge $((N * 2)) ] || die "$i: only $frags fragments stored"
done

perl -e '
    my ($n, $dur, $hz, $m, @r) = @ARGV;
    my %cpu = @r;
    printf "%-6s %10s %16s %8s\n", "ingest", "CPU s", "CPU s/stream-min",
        "/ rtmp";
    for my $i (grep { exists $cpu{$_} } qw(rtmp fmp4 rtmps rtmpsn srt)) {
        my $s = $cpu{$i} / $hz;
        printf "%-6s %10.2f %16.4f %8.2f\n", $i, $s, $s / $n / ($dur / 60),
            $cpu{$i} / ($cpu{rtmp} || 1);
    }
    printf "(machine busy %.0f%% of one CPU)\n", 100 * $m / $hz / $dur;
' "$N" "$DURATION" "$TICKS" $((m1 - m0)) \
    $(for i in "${PROTOCOLS[@]}"; do echo "$i $((T1[$i] - T0[$i]))"; done)
