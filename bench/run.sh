#!/usr/bin/env bash
#
# Copyright (C) 2026, The Sluice authors.
#
# CPU benchmark: Sluice ingest + packaging against nginx-rtmp-module's own
# `hls on; dash on;`, side by side, from one nginx binary.
#
#   bench/run.sh [options]
#
#   -n N            copy-publishers per server (default 4)
#   -d SECONDS      measured period (default 60)
#   -w SECONDS      warm-up before measuring (default 15)
#   --only WHICH    rtmp, sluice or both (default both)
#   --nginx DIR     directory with nginx, ngx_rtmp_module.so and
#                   ngx_http_sluice_module.so (default build/objs; run
#                   ./build.sh build first)
#   --work DIR      work directory (default /tmp/sluice-bench); the
#                   fixture is cached there
#   --workers N     worker_processes of each instance (default 1)
#   --no-viewers    publishers only: the cost of ingest alone
#   --floor         also run a third instance with nginx-rtmp `live on;`
#                   only (no HLS/DASH): the cost of receiving RTMP that
#                   both servers pay
#   --batch TIME    sluice_ingest_batch of the Sluice instance (default:
#                   the directive's default, 100ms; 0: receive batching
#                   off, every frame read as it arrives, as nginx-rtmp does)
#   --record FILE   append the result row to the table at the end of FILE
#                   (docs/benchmarks.md)
#   --telemetry     instead of nginx-rtmp against Sluice: Sluice with its
#                   telemetry and metrics (the default, its /metrics
#                   scraped as Prometheus would) against Sluice with
#                   `sluice_telemetry off;`, side by side in the same run;
#                   prints the ratio on / off (issue 15: at most 1.02)
#   --scrape SECONDS  --telemetry: the scrape interval (default 15,
#                   Prometheus' default; 0: no scrape)
#
# Two nginx instances with their own prefixes run from the same binary:
#
#   rtmp    nginx-rtmp application with hls on; dash on; (2 s fragments)
#           and a static http server for its files
#   sluice  nginx-rtmp application with sluice_ingest on; plus the Sluice
#           API and packager; one live event per publisher, created and
#           started through the REST API
#   sluiceoff  (--telemetry, in place of rtmp) the same with
#           sluice_telemetry off; and no metrics location
#
# Each server gets N publishers (ffmpeg -re -stream_loop -1 -c copy of a
# pre-encoded 3 Mbps 720p30 H.264/AAC file, keyframe every 2 s) and, per
# stream, one HLS viewer and one DASH viewer (bench/viewer.pl: polls the
# manifest every second and downloads each new segment once).  CPU time
# (utime + stime from /proc/PID/stat, all threads) of every process of each
# instance (master, workers, helpers) is sampled after the warm-up and
# after the measured period.  Result: CPU-seconds per stream-minute, and
# the ratio Sluice / nginx-rtmp.
#
# Only loopback addresses are used.  Every process started here is stopped
# on exit.  Total time is about warm-up + period + 20 s.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

N=4
DURATION=60
WARMUP=15
ONLY=both
NGINX_DIR="${SLUICE_MODULES_DIR:-$ROOT/build/objs}"
WORK=/tmp/sluice-bench
WORKERS=1
BATCH=
RECORD=
VIEWERS=1
FLOOR=0
TELEMETRY=0

RTMP_PORT_A=19361
HTTP_PORT_A=18361
RTMP_PORT_B=19362
HTTP_PORT_B=18362
RTMP_PORT_C=19363
RTMP_PORT_D=19364
HTTP_PORT_D=18364

# scrape interval of the metrics of the Sluice instance (--telemetry), s
SCRAPE_EVERY=15

API_PORT=$HTTP_PORT_B      # the Sluice API (bench/lib.sh)

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
        -n) N="$2"; shift 2 ;;
        -d) DURATION="$2"; shift 2 ;;
        -w) WARMUP="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        --nginx) NGINX_DIR="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        --workers) WORKERS="$2"; shift 2 ;;
        --no-viewers) VIEWERS=0; shift ;;
        --floor) FLOOR=1; shift ;;
        --batch) BATCH="$2"; shift 2 ;;
        --record) RECORD="$2"; shift 2 ;;
        --telemetry) TELEMETRY=1; shift ;;
        --scrape) SCRAPE_EVERY="$2"; shift 2 ;;
        -h|--help) usage ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

case "$ONLY" in rtmp|sluice|both) ;; *) die "--only rtmp|sluice|both" ;; esac
if [ "$TELEMETRY" = 1 ]; then
    [ "$ONLY" = both ] || die "--telemetry runs two Sluice instances: no --only"
    [ -z "$RECORD" ] || die "--telemetry: no --record (the table is rtmp/sluice)"
fi
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "-n must be a positive integer"
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "-d must be a positive integer"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "-w must be an integer"
[[ "$SCRAPE_EVERY" =~ ^[0-9]+$ ]] || die "--scrape must be an integer"

NGINX="$NGINX_DIR/nginx"
[ -x "$NGINX" ] || die "$NGINX not found (./build.sh build, or --nginx DIR)"
[ -f "$NGINX_DIR/ngx_rtmp_module.so" ] \
    || die "$NGINX_DIR/ngx_rtmp_module.so not found"
if [ "$ONLY" != rtmp ] && [ ! -f "$NGINX_DIR/ngx_http_sluice_module.so" ]
then
    die "$NGINX_DIR/ngx_http_sluice_module.so not found"
fi
for p in ffmpeg curl perl; do
    command -v "$p" >/dev/null || die "$p is needed"
done

TICKS=$(getconf CLK_TCK)


# --- process bookkeeping ----------------------------------------------

cleanup() {
    local p

    stop_started
    sleep 1
    for p in "${PIDS[@]}"; do
        kill -9 "$p" 2>/dev/null || true
    done
}

trap cleanup EXIT
trap 'exit 130' INT TERM


# --- fixture ----------------------------------------------------------

FIXTURE="$WORK/fixture-720p30-3M.flv"

make_fixture() {
    make_flv_fixture "$FIXTURE"
}


# --- configurations ---------------------------------------------------

globals() {
    echo "load_module $NGINX_DIR/ngx_rtmp_module.so;"
    if [ "$1" = sluice ]; then
        echo "load_module $NGINX_DIR/ngx_http_sluice_module.so;"
    fi
    echo "worker_processes $WORKERS;"
    echo "error_log logs/error.log warn;"
    echo "pid logs/nginx.pid;"
    if [ "$(id -u)" = 0 ]; then
        echo "user root;"
    fi
}


write_rtmp_conf() {
    local d="$WORK/rtmp"

    rm -rf "$d"
    mkdir -p "$d/conf" "$d/logs" "$d/html/hls" "$d/html/dash"
    {
        globals rtmp
        cat <<EOF
events { worker_connections 1024; }

rtmp {
    server {
        listen 127.0.0.1:$RTMP_PORT_A;

        application live {
            live on;
            hls on;
            hls_path $d/html/hls;
            hls_fragment 2s;
            hls_playlist_length 20s;
            dash on;
            dash_path $d/html/dash;
            dash_fragment 2s;
            dash_playlist_length 20s;
        }
    }
}

http {
    access_log off;
    types {
        application/vnd.apple.mpegurl m3u8;
        video/mp2t ts;
        application/dash+xml mpd;
        video/mp4 m4v;
        audio/mp4 m4a;
    }
    sendfile on;

    server {
        listen 127.0.0.1:$HTTP_PORT_A;

        location / {
            root $d/html;
            add_header Cache-Control no-cache;
            add_header Access-Control-Allow-Origin *;
        }
    }
}
EOF
    } > "$d/conf/nginx.conf"
}


write_floor_conf() {
    local d="$WORK/floor"

    rm -rf "$d"
    mkdir -p "$d/conf" "$d/logs"
    {
        globals floor
        cat <<EOF
events { worker_connections 1024; }

rtmp {
    server {
        listen 127.0.0.1:$RTMP_PORT_C;

        application live {
            live on;
        }
    }
}
EOF
    } > "$d/conf/nginx.conf"
}


# write_sluice_conf [INSTANCE RTMP_PORT HTTP_PORT on|off]: the Sluice
# instance (default sluice, ports B); "off": sluice_telemetry off; "on"
# with --telemetry: a metrics location too
write_sluice_conf() {
    local i="${1:-sluice}" rtmp="${2:-$RTMP_PORT_B}" http="${3:-$HTTP_PORT_B}"
    local tel="${4:-on}" d extra="" metrics=""

    d="$WORK/$i"
    if [ "$tel" = off ]; then
        extra="sluice_telemetry off;"
    elif [ "$TELEMETRY" = 1 ]; then
        metrics="location = /metrics { sluice_metrics; }"
    fi

    rm -rf "$d"
    mkdir -p "$d/conf" "$d/logs" "$d/data"
    {
        globals sluice
        cat <<EOF
thread_pool sluice threads=4;

events { worker_connections 1024; }

rtmp {
    server {
        listen 127.0.0.1:$rtmp;

        application live {
            live on;
            sluice_ingest on;
            sluice_thread_pool sluice;
            sluice_ingest_batch ${BATCH:-100ms};
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
    sluice_ingest_url rtmp://127.0.0.1:$rtmp;
    sluice_preview_url http://127.0.0.1:$http;
    $extra

    server {
        listen 127.0.0.1:$http;

        location ~* ^/subscriptions/ {
            sluice_api;
        }

        $metrics

        location / {
            sluice_packager;
            sluice_live_window 60s;
        }
    }
}
EOF
    } > "$d/conf/nginx.conf"
}


write_sluiceoff_conf() {
    write_sluice_conf sluiceoff "$RTMP_PORT_D" "$HTTP_PORT_D" off
}


# --- Sluice API -------------------------------------------------------

# creates and starts live event bench$1 in instance $2 (default sluice,
# whose HTTP port is $3); prints "INGEST_URL PREVIEW_BASE"
sluice_event() {
    local i="${2:-sluice}" rtmp=$RTMP_PORT_B
    # (api() and passthrough_event() of bench/lib.sh read API_PORT: this
    # instance's)
    local API_PORT="${3:-$HTTP_PORT_B}"

    [ "$i" = sluiceoff ] && rtmp=$RTMP_PORT_D
    passthrough_event "bench$1" "$(printf 'b%031d' "$1")" \
        "$WORK/$i/api" "$rtmp"
}


# --- publishers and viewers -------------------------------------------

declare -A PUBS

publish() {
    local i="$1" url="$2" logf="$3"

    ffmpeg -nostdin -hide_banner -loglevel warning -re -stream_loop -1 \
        -i "$FIXTURE" -c copy -f flv "$url" > "$logf" 2>&1 &
    PIDS+=($!)
    PUBS[$i]+="$! "
}


viewer() {
    local kind="$1" url="$2" out="$3"

    perl "$ROOT/bench/viewer.pl" --kind "$kind" --url "$url" \
        --duration "$DURATION" > "$out" 2>&1 &
    PIDS+=($!)
}


# --- run ----------------------------------------------------------------

mkdir -p "$WORK"
make_fixture

INSTANCES=()
if [ "$TELEMETRY" = 1 ]; then
    INSTANCES+=(sluice sluiceoff)
else
    [ "$ONLY" != sluice ] && INSTANCES+=(rtmp)
    [ "$ONLY" != rtmp ] && INSTANCES+=(sluice)
fi
[ "$FLOOR" = 1 ] && INSTANCES+=(floor)

for port in $RTMP_PORT_A $HTTP_PORT_A $RTMP_PORT_B $HTTP_PORT_B \
    $RTMP_PORT_C $RTMP_PORT_D $HTTP_PORT_D
do
    port_free "$port" || die "port $port is in use"
done

declare -A HLS_URLS DASH_URLS NOTE

for i in "${INSTANCES[@]}"; do
    "write_${i}_conf"
    start_nginx "$i"
    log "$i: nginx started ($(instance_pids "$i" | wc -l) processes)"
    NOTE[$i]=""
done

if [[ " ${INSTANCES[*]} " == *" rtmp "* ]]; then
    for s in $(seq "$N"); do
        publish rtmp "rtmp://127.0.0.1:$RTMP_PORT_A/live/s$s" \
            "$WORK/rtmp/logs/ffmpeg-$s.log"
        HLS_URLS[rtmp]+="http://127.0.0.1:$HTTP_PORT_A/hls/s$s.m3u8 "
        DASH_URLS[rtmp]+="http://127.0.0.1:$HTTP_PORT_A/dash/s$s.mpd "
    done
fi

if [ "$FLOOR" = 1 ]; then
    for s in $(seq "$N"); do
        publish floor "rtmp://127.0.0.1:$RTMP_PORT_C/live/s$s" \
            "$WORK/floor/logs/ffmpeg-$s.log"
    done
fi

for i in sluice sluiceoff; do
    [[ " ${INSTANCES[*]} " == *" $i "* ]] || continue
    hport=$HTTP_PORT_B
    [ "$i" = sluiceoff ] && hport=$HTTP_PORT_D
    for s in $(seq "$N"); do
        if ! urls=$(sluice_event "$s" "$i" "$hport"); then
            NOTE[$i]="live event API failed"
            break
        fi
        set -- $urls
        # the ingest endpoint is the application + access token; add a
        # stream name as an encoder would (the same one for every event)
        publish "$i" "$1/stream" "$WORK/$i/logs/ffmpeg-$s.log"
        base="$2"
        HLS_URLS[$i]+="$base/manifest(format=m3u8-aapl).m3u8 "
        DASH_URLS[$i]+="$base/manifest(format=mpd-time-cmaf).mpd "
    done
done

# --telemetry: Prometheus' part, a scrape of the "on" instance every
# SCRAPE_EVERY s, counted in that instance's CPU
scraper() {
    while :; do
        curl -s -m 5 -o /dev/null "http://127.0.0.1:$HTTP_PORT_B/metrics" \
            || true
        sleep "$SCRAPE_EVERY"
    done
}

if [ "$TELEMETRY" = 1 ] && [ "$SCRAPE_EVERY" != 0 ] \
   && [ -z "${NOTE[sluice]}" ]
then
    scraper &
    PIDS+=($!)
fi

log "warm-up ${WARMUP}s with $N publishers per server"
sleep "$WARMUP"

declare -A T0 T1 RSS

for i in "${INSTANCES[@]}"; do
    [ -n "${NOTE[$i]}" ] && continue
    [ "$VIEWERS" = 1 ] || continue
    n=0
    for u in ${HLS_URLS[$i]:-}; do
        n=$((n + 1))
        viewer hls "$u" "$WORK/$i/logs/viewer-hls-$n.json"
    done
    n=0
    for u in ${DASH_URLS[$i]:-}; do
        n=$((n + 1))
        viewer dash "$u" "$WORK/$i/logs/viewer-dash-$n.json"
    done
done

for i in "${INSTANCES[@]}"; do
    T0[$i]=$(instance_ticks "$i")
done
M0=$(machine_ticks)
START=$(date +%s.%N)

log "measuring ${DURATION}s"
sleep "$DURATION"

for i in "${INSTANCES[@]}"; do
    T1[$i]=$(instance_ticks "$i")
    RSS[$i]=$(instance_rss_kb "$i")
done
M1=$(machine_ticks)
END=$(date +%s.%N)

sleep 3     # let the viewers print their results

ELAPSED=$(perl -e "printf '%.1f', $END - $START")

# publishers still running at the end
alive() {
    local c=0 p

    for p in ${PUBS[$1]:-}; do
        if kill -0 "$p" 2>/dev/null; then
            c=$((c + 1))
        fi
    done
    echo "$c"
}

viewer_summary() {
    perl -MJSON::PP -e '
        my ($segs, $bytes, $errs, $bad, $n) = (0, 0, 0, 0, 0);
        my @failed;
        for my $f (@ARGV) {
            open my $h, "<", $f or next;
            local $/;
            my $j = eval { JSON::PP->new->decode(<$h>) };
            $n++;
            unless ($j) { $bad++; next }
            $segs += $j->{segments}; $bytes += $j->{bytes};
            $errs += $j->{errors};
            $bad++ unless $j->{ok};
            push @failed, @{$j->{failed}};
        }
        printf "%d viewers, %d not ok, %d segments, %.1f MB, %d errors%s",
            $n, $bad, $segs, $bytes / 1e6, $errs,
            @failed ? " (e.g. $failed[0])" : "";' "$@"
}

declare -A CPU PER
echo
echo "## Result"
echo
for i in "${INSTANCES[@]}"; do
    if [ -n "${NOTE[$i]}" ]; then
        echo "- $i: ${NOTE[$i]}"
        continue
    fi
    CPU[$i]=$(perl -e "printf '%.2f', (${T1[$i]} - ${T0[$i]}) / $TICKS")
    PER[$i]=$(perl -e "printf '%.3f', ${CPU[$i]} / ($N * $ELAPSED / 60)")
    if [ "$i" = floor ]; then
        V="RTMP ingest only"
    elif [ "$VIEWERS" = 1 ]; then
        V="HLS: $(viewer_summary "$WORK/$i"/logs/viewer-hls-*.json);"
        V="$V DASH: $(viewer_summary "$WORK/$i"/logs/viewer-dash-*.json)"
    else
        V="no viewers"
    fi
    echo "- $i: ${CPU[$i]} CPU-s in ${ELAPSED} s for $N streams =" \
         "${PER[$i]} CPU-s per stream-minute; RSS $((RSS[$i] / 1024)) MB;" \
         "publishers running: $(alive "$i")/$N; $V"
done

echo "- machine: $(perl -e "printf '%.2f', ($M1 - $M0) / $TICKS") CPU-s" \
     "busy over the period on $(nproc) CPUs (every process, publishers and" \
     "viewers included, and kernel threads such as file writeback)"

RATIO=n/a
if [ -n "${PER[rtmp]:-}" ] && [ -n "${PER[sluice]:-}" ]; then
    RATIO=$(perl -e "printf '%.2f', ${PER[sluice]} / ${PER[rtmp]}")
    echo "- ratio Sluice / nginx-rtmp: $RATIO"
fi

if [ -n "${PER[sluiceoff]:-}" ] && [ -n "${PER[sluice]:-}" ]; then
    # from the clock ticks, not the rounded figures; one tick of either
    # side moves the ratio by about 1 / ticks
    perl -e 'my ($on, $off) = @ARGV;
             printf "- ratio telemetry and metrics on / off: %.4f (%+.2f%%)"
                  . "; %d / %d clock ticks (one tick: %.2f%%)\n",
                  $on / $off, ($on / $off - 1) * 100, $on, $off,
                  100 / $off;' \
        "$((T1[sluice] - T0[sluice]))" "$((T1[sluiceoff] - T0[sluiceoff]))"
fi

if [ -n "$RECORD" ]; then
    MACHINE="$(nproc) x $(grep -m1 'model name' /proc/cpuinfo \
        | cut -d: -f2 | sed 's/^ *//'), Linux $(uname -r)"
    printf '| %s | %s | %s | %s | %s / %s | %s | %s | %s | %s | %s | %s |\n' \
        "$(date -u +%Y-%m-%dT%H:%MZ)" "$MACHINE" "$WORKERS" "$N" \
        "$WARMUP" "$ELAPSED" "$([ "$VIEWERS" = 1 ] && echo 2 || echo 0)" \
        "${BATCH:-100ms}" \
        "${PER[rtmp]:-n/a}" "${PER[sluice]:-n/a}" "$RATIO" \
        "${PER[floor]:-n/a}" >> "$RECORD"
    log "row appended to $RECORD"
fi
