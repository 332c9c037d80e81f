#!/usr/bin/env bash
#
# Copyright (C) 2026, The Sluice authors.
#
# Viewer load (issue 16): many concurrent HTTP/1.1 keep-alive viewers of
# live events in every format, against one Sluice instance.
#
#   bench/load-viewers.sh [options]
#
#   -e N             live events (default 10)
#   -c N             viewers: keep-alive connections (default 10000)
#   -d SECONDS       measured period (default 60)
#   -w SECONDS       warm-up before the viewers start (default 20: the
#                    events have several fragments)
#   --interval MS    a viewer's pause between two requests (default 1000;
#                    each pause drawn between half and 1.5 times it)
#   --manifest-share PCT
#                    the share of viewers that fetch manifests, the others
#                    fetch segments (default 40)
#   --threads N      wrk threads per wrk process (default 1)
#   --workers N      nginx worker_processes (default 2)
#   --nginx DIR      nginx and the modules (default build/objs)
#   --work DIR       work directory (default /tmp/sluice-bench-load); the
#                    fixture is cached there
#
# N pass-through live events (RTMP, created and started through the
# API), each pushed by ffmpeg -re -stream_loop -1 -c copy of the cached
# 3 Mbps 720p30 fixture.  bench/loadurls.pl reads their preview
# manifests in four formats (HLS TS m3u8-aapl, HLS CMAF m3u8-cmaf, DASH
# mpd-time-cmaf, Smooth) and keeps two lists up to date (every 2 s): the
# manifests a player polls, and the init segments and last 3 segments
# of every rendition of every format.  Two wrk processes (Debian package
# wrk; installed when missing and running as root) with bench/load.lua
# load them at once: one with the manifest viewers, one with the segment
# viewers, so that each reports its own latency; each connection sends
# a request, waits for the answer, pauses about --interval ms, and so on.
# The open-file limits (ulimit -n, worker_rlimit_nofile,
# worker_connections) are raised to fit.
#
# Result: per kind and in total, requests/s, MB/s, latency p50/p90/p99/
# max (request sent to last byte), errors (connect, read, write, timeout,
# HTTP status >= 400); the targets of issue 16 (0 errors, p99 segment
# < 50 ms) are checked and the exit status is 1 when one is missed.
# Only loopback addresses (ports 19391, 18391); every process started
# here is stopped on exit.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

EVENTS=10
CONNS=10000
DURATION=60
WARMUP=20
INTERVAL=1000
MSHARE=40
THREADS=1
WORKERS=2
NGINX_DIR="${SLUICE_MODULES_DIR:-$ROOT/build/objs}"
WORK=/tmp/sluice-bench-load
RTMP_PORT=19391
HTTP_PORT=18391
API_PORT=$HTTP_PORT

PIDS=()
STARTED=()

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"


while [ $# -gt 0 ]; do
    case "$1" in
        -e) EVENTS="$2"; shift 2 ;;
        -c) CONNS="$2"; shift 2 ;;
        -d) DURATION="$2"; shift 2 ;;
        -w) WARMUP="$2"; shift 2 ;;
        --interval) INTERVAL="$2"; shift 2 ;;
        --manifest-share) MSHARE="$2"; shift 2 ;;
        --threads) THREADS="$2"; shift 2 ;;
        --workers) WORKERS="$2"; shift 2 ;;
        --nginx) NGINX_DIR="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        -h|--help) sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

for v in EVENTS CONNS DURATION INTERVAL THREADS WORKERS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
[[ "$MSHARE" =~ ^[0-9]+$ ]] && [ "$MSHARE" -lt 100 ] \
    || die "--manifest-share must be 0 to 99"

NGINX="$NGINX_DIR/nginx"
[ -x "$NGINX" ] || die "$NGINX not found (./build.sh build, or --nginx DIR)"
for p in ffmpeg curl perl; do
    command -v "$p" >/dev/null || die "$p is needed"
done
need_program wrk wrk

# wrk: one descriptor per viewer; nginx: one per viewer and the files
raise_nofile $((CONNS * 2 + 4096))
NOFILE=$(ulimit -Sn)
[ "$NOFILE" -ge $((CONNS + 1024)) ] \
    || die "ulimit -n is $NOFILE, $((CONNS + 1024)) needed for $CONNS viewers"


trap stop_started EXIT
trap 'exit 130' INT TERM


mkdir -p "$WORK"
FIXTURE="$WORK/fixture-720p30-3M.flv"
make_flv_fixture "$FIXTURE"

port_free "$RTMP_PORT" && port_free "$HTTP_PORT" \
    || die "port $RTMP_PORT or $HTTP_PORT is in use"

write_passthrough_conf load "$RTMP_PORT" "$HTTP_PORT" "$WORKERS" \
    $((CONNS + 2048))
start_nginx load
D="$WORK/load"

BASES=()
for k in $(seq "$EVENTS"); do
    urls=$(passthrough_event "load$k" "$(printf 'l%031d' "$k")" "$D/api" \
        "$RTMP_PORT") || die "live event load$k did not start"
    set -- $urls
    ffmpeg -nostdin -hide_banner -loglevel warning -re -stream_loop -1 \
        -i "$FIXTURE" -c copy -f flv "$1/stream" > "$D/logs/ffmpeg-$k.log" \
        2>&1 &
    PIDS+=($!)
    BASES+=(--base "$2")
done

log "$EVENTS events published; warm-up ${WARMUP}s"
sleep "$WARMUP"

perl "$ROOT/bench/loadurls.pl" --out "$D" "${BASES[@]}" \
    || die "some event has no segment in some format (see above)"
perl "$ROOT/bench/loadurls.pl" --out "$D" "${BASES[@]}" \
    --duration $((DURATION + 10)) 2> "$D/logs/loadurls.log" &
PIDS+=($!)

MCONNS=$((CONNS * MSHARE / 100))
SCONNS=$((CONNS - MCONNS))

run_wrk() {
    local kind="$1" conns="$2" t="$THREADS"

    [ "$conns" -gt 0 ] || return 0
    [ "$t" -le "$conns" ] || t="$conns"
    LOAD_LIST="$D/$kind.txt" LOAD_INTERVAL="$INTERVAL" \
    LOAD_OUT="$D/wrk-$kind.json" \
        wrk -t "$t" -c "$conns" -d "${DURATION}s" --timeout 10s \
            -s "$ROOT/bench/load.lua" "http://127.0.0.1:$HTTP_PORT/" \
            > "$D/logs/wrk-$kind.log" 2>&1 &
    PIDS+=($!)
    WRKS+=($!)
}

rm -f "$D"/wrk-*.json
WRKS=()
T0=$(instance_ticks load)
M0=$(machine_ticks)
log "$CONNS viewers ($MCONNS manifests, $SCONNS segments, one request" \
    "per ~${INTERVAL} ms each) for ${DURATION}s"
run_wrk manifests "$MCONNS"
run_wrk segments "$SCONNS"

PEAK=0
END=$(($(date +%s) + DURATION + 15))
while [ "$(date +%s)" -lt "$END" ]; do
    running=0
    for p in "${WRKS[@]}"; do
        kill -0 "$p" 2>/dev/null && running=1
    done
    [ "$running" = 1 ] || break
    r=$(instance_rss_kb load)
    [ "$r" -gt "$PEAK" ] && PEAK=$r
    sleep 1
done
T1=$(instance_ticks load)
M1=$(machine_ticks)

alive=0
for p in "${PIDS[@]:0:$EVENTS}"; do
    kill -0 "$p" 2>/dev/null && alive=$((alive + 1))
done

echo
echo "## Result: $CONNS viewers of $EVENTS live events, ${DURATION}s"
echo
perl -MJSON::PP -e '
    my ($d, $target, @kinds) = @ARGV;
    my %all;
    my $ok = 1;
    printf "%-10s %8s %9s %8s %8s %8s %8s %8s  %s\n", "kind", "viewers",
        "req/s", "MB/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors";
    for my $k (@kinds) {
        my ($kind, $conns) = split /=/, $k;
        next unless $conns;
        open my $f, "<", "$d/wrk-$kind.json" or do {
            print "$kind: no result (see $d/logs/wrk-$kind.log)\n";
            $ok = 0;
            next;
        };
        my $j = decode_json(join "", <$f>);
        my $s = $j->{duration_us} / 1e6;
        my $e = $j->{errors};
        my $errs = 0;
        $errs += $_ for values %$e;
        printf "%-10s %8d %9.0f %8.1f %8.1f %8.1f %8.1f %8.1f  %d (%s)\n",
            $kind, $conns, $j->{requests} / $s, $j->{bytes} / $s / 1e6,
            map({ $j->{latency_us}{$_} / 1000 } qw(p50 p90 p99 max)),
            $errs, join(", ", map { "$_ $e->{$_}" } sort keys %$e);
        $ok = 0 if $errs;
        if ($kind eq "segments" && $j->{latency_us}{p99} >= $target * 1000) {
            print "  segment p99 over the ${target} ms target\n";
            $ok = 0;
        }
        $all{requests} += $j->{requests} / $s;
        $all{bytes} += $j->{bytes} / $s;
    }
    printf "%-10s %8s %9.0f %8.1f\n", "total", "", $all{requests} // 0,
        ($all{bytes} // 0) / 1e6;
    print $ok ? "targets met (0 errors, p99 segment < $target ms)\n"
              : "TARGETS MISSED\n";
    exit($ok ? 0 : 1);
' "$D" 50 "manifests=$MCONNS" "segments=$SCONNS" && OK=0 || OK=1

TICKS=$(getconf CLK_TCK)
echo "nginx: $(perl -e "printf '%.1f', ($T1 - $T0) / $TICKS") CPU-s" \
     "over the period, peak RSS $((PEAK / 1024)) MB (all processes);" \
     "machine busy $(perl -e "printf '%.1f', ($M1 - $M0) / $TICKS") CPU-s" \
     "on $(nproc) CPUs (wrk and ffmpeg included); publishers running:" \
     "$alive/$EVENTS"
[ "$alive" = "$EVENTS" ] || OK=1
exit "$OK"
