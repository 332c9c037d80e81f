#!/usr/bin/env bash
#
# Copyright (C) 2026, The Sluice authors.
#
# Soak (issue 16): live events recording and watched for hours while
# nginx is reloaded and its workers killed; is memory flat, is anything
# missing from the archives?
#
#   bench/soak.sh [options]
#
#   --duration SECONDS   how long (default 7200)
#   --reload SECONDS     nginx -s reload every SECONDS (default 600)
#   --kill SECONDS       kill -9 of one worker every SECONDS (default 900)
#   --sample SECONDS     memory sampled every SECONDS (default 60)
#   -e N                 live events (default 10)
#   --workers N          worker_processes (default 2)
#   --shutdown-timeout T worker_shutdown_timeout (e.g. 60s; default none:
#                        old workers keep their RTMP publishers)
#   --nginx DIR          nginx and the modules (default build/objs)
#   --work DIR           work directory (default /tmp/sluice-bench-soak)
#   --ports RTMP,HTTP    the two ports (default 19393,18393: two soaks at
#                        once need their own)
#
# N pass-through live events, each with a live output recording into
# its own asset (archive window 25 h), pushed by ffmpeg -re
# -stream_loop -1 -c copy of the cached 3 Mbps fixture (a publisher that
# exits, its worker killed, is started again within a second, as an
# encoder reconnects), and watched by one HLS and one DASH viewer
# (bench/viewer.pl) for the whole run, from the moment it plays.  Every
# --reload seconds nginx is reloaded; every --kill seconds one worker
# process (at random, among the current workers and the old ones still
# shutting down: these keep the RTMP connections they hold until the
# encoders disconnect) gets SIGKILL.  Every --sample seconds: the RSS of
# every nginx process (summed: master, workers, old workers still
# shutting down), their count, and the zone's pages in use
# (sluice_zone_used_bytes of the metrics page).  Samples in
# WORK/soak/samples.tsv.
#
# At the end: the slopes (least squares, kB per hour) of the RSS and of
# the zone in use, first / last / max; then, the publishers stopped,
# bench/archivecheck.pl on every asset (each index record's fragment
# present with its size, times following each other, holes only where
# flagged as discontinuities); the publisher restarts and the viewers'
# errors.  Exit status 1 when an archive has a fault.  Only loopback
# addresses (ports 19393, 18393 unless --ports).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

DURATION=7200
RELOAD=600
KILL=900
SAMPLE=60
EVENTS=10
WORKERS=2
NGINX_DIR="${SLUICE_MODULES_DIR:-$ROOT/build/objs}"
WORK=/tmp/sluice-bench-soak
RTMP_PORT=19393
HTTP_PORT=18393
API_PORT=$HTTP_PORT

PIDS=()
STARTED=()

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"


while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION="$2"; shift 2 ;;
        --reload) RELOAD="$2"; shift 2 ;;
        --shutdown-timeout) PT_SHUTDOWN="$2"; shift 2 ;;
        --kill) KILL="$2"; shift 2 ;;
        --sample) SAMPLE="$2"; shift 2 ;;
        -e) EVENTS="$2"; shift 2 ;;
        --workers) WORKERS="$2"; shift 2 ;;
        --nginx) NGINX_DIR="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        --ports) RTMP_PORT="${2%,*}"; HTTP_PORT="${2#*,}"
                 API_PORT=$HTTP_PORT; shift 2 ;;
        -h|--help) sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

for v in DURATION RELOAD KILL SAMPLE EVENTS WORKERS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done

NGINX="$NGINX_DIR/nginx"
[ -x "$NGINX" ] || die "$NGINX not found (./build.sh build, or --nginx DIR)"
for p in ffmpeg curl perl; do
    command -v "$p" >/dev/null || die "$p is needed"
done

declare -A PUB RESTARTS

cleanup() {
    local p i

    for p in "${PIDS[@]}" "${PUB[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for i in "${STARTED[@]}"; do
        "$NGINX" -p "$WORK/$i" -c conf/nginx.conf -s stop 2>/dev/null || true
    done
}

trap cleanup EXIT
trap 'exit 130' INT TERM


mkdir -p "$WORK"
FIXTURE="$WORK/fixture-720p30-3M.flv"
make_flv_fixture "$FIXTURE"

port_free "$RTMP_PORT" && port_free "$HTTP_PORT" \
    || die "port $RTMP_PORT or $HTTP_PORT is in use"

write_passthrough_conf soak "$RTMP_PORT" "$HTTP_PORT" "$WORKERS" 1024 \
    "$(printf '\n        location = /metrics {\n%s\n        }' \
        '            sluice_metrics;')"
start_nginx soak
D="$WORK/soak"
EVLOG="$D/logs/soak-events.log"
: > "$EVLOG"

note() {
    log "$*"
    printf '%s %s\n' "$(date +%s)" "$*" >> "$EVLOG"
}

api_ok() {
    case "$1" in 200|201|202|204) return 0 ;; esac
    return 1
}

declare -A INGEST PREVIEW

for k in $(seq "$EVENTS"); do
    urls=$(passthrough_event "soak$k" "$(printf 's%031d' "$k")" "$D/api" \
        "$RTMP_PORT") || die "live event soak$k did not start"
    set -- $urls
    INGEST[$k]="$1/stream"
    BASE="$2"

    code=$(api PUT "assets/soak$k-archive" '{"properties":{}}' \
        "$D/api/asset$k.json")
    api_ok "$code" || die "PUT assets/soak$k-archive: HTTP $code"
    code=$(api PUT "liveEvents/soak$k/liveOutputs/archive" \
        "{\"properties\":{\"assetName\":\"soak$k-archive\",\"archiveWindowLength\":\"PT25H\",\"manifestName\":\"archive\"}}" \
        "$D/api/output$k.json")
    api_ok "$code" || die "PUT liveOutputs/archive of soak$k: HTTP $code"

    PREVIEW[$k]="$BASE"
    RESTARTS[$k]=-1
done

# publishers: started, and started again when one exits
supervise() {
    local k

    for k in $(seq "$EVENTS"); do
        if [ -z "${PUB[$k]:-}" ] || ! kill -0 "${PUB[$k]}" 2>/dev/null; then
            [ -n "${PUB[$k]:-}" ] && wait "${PUB[$k]}" 2>/dev/null || true
            ffmpeg -nostdin -hide_banner -loglevel warning -re \
                -stream_loop -1 -i "$FIXTURE" -c copy -f flv \
                "${INGEST[$k]}" >> "$D/logs/ffmpeg-$k.log" 2>&1 &
            PUB[$k]=$!
            RESTARTS[$k]=$((RESTARTS[$k] + 1))
            if [ "${RESTARTS[$k]}" -gt 0 ]; then
                note "publisher $k started again"
            fi
        fi
    done
}

# the worker processes, those shutting down after a reload too (they
# keep their RTMP publishers until these disconnect)
workers() {
    local master p

    master=$(cat "$D/logs/nginx.pid")
    for p in $(ps -o pid= --ppid "$master"); do
        tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null \
            | grep -q 'worker process' && echo "$p"
    done
    return 0
}

zone_used() {
    curl -sS -m 5 "http://127.0.0.1:$HTTP_PORT/metrics" 2>/dev/null \
        | awk '$1 == "sluice_zone_used_bytes" { print int($2 / 1024) }'
}

SAMPLES="$D/samples.tsv"
printf 'seconds\trss_kb\tprocesses\tzone_used_kb\n' > "$SAMPLES"

sample() {
    printf '%d\t%d\t%d\t%s\n' $(($(date +%s) - T0)) "$(instance_rss_kb soak)" \
        "$(instance_pids soak | wc -l)" "$(zone_used || echo '')" \
        >> "$SAMPLES"
}

supervise

# the viewers, once every event plays
for k in $(seq "$EVENTS"); do
    for _ in $(seq 150); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' -m 5 \
            "${PREVIEW[$k]}/manifest(format=mpd-time-cmaf)")" = 200 ] && break
        sleep 0.2
    done
    perl "$ROOT/bench/viewer.pl" --kind hls --duration "$DURATION" \
        --url "${PREVIEW[$k]}/manifest(format=m3u8-aapl)" \
        > "$D/logs/viewer-hls-$k.json" 2>&1 &
    PIDS+=($!)
    perl "$ROOT/bench/viewer.pl" --kind dash --duration "$DURATION" \
        --url "${PREVIEW[$k]}/manifest(format=mpd-time-cmaf)" \
        > "$D/logs/viewer-dash-$k.json" 2>&1 &
    PIDS+=($!)
done

T0=$(date +%s)
NEXT_RELOAD=$((T0 + RELOAD))
NEXT_KILL=$((T0 + KILL))
NEXT_SAMPLE=$T0
END=$((T0 + DURATION))
RELOADS=0
KILLS=0
note "soak: $EVENTS events, ${DURATION}s, reload every ${RELOAD}s," \
     "kill every ${KILL}s, sample every ${SAMPLE}s"

while [ "$(date +%s)" -lt "$END" ]; do
    now=$(date +%s)
    if [ "$now" -ge "$NEXT_SAMPLE" ]; then
        sample
        NEXT_SAMPLE=$((NEXT_SAMPLE + SAMPLE))
    fi
    if [ "$now" -ge "$NEXT_RELOAD" ]; then
        if "$NGINX" -p "$D" -c conf/nginx.conf -s reload; then
            note "reload"
        else
            note "reload FAILED"
        fi
        RELOADS=$((RELOADS + 1))
        NEXT_RELOAD=$((NEXT_RELOAD + RELOAD))
    fi
    if [ "$now" -ge "$NEXT_KILL" ]; then
        mapfile -t ws < <(workers)
        if [ "${#ws[@]}" -gt 0 ]; then
            w=${ws[$((RANDOM % ${#ws[@]}))]}
            if kill -9 "$w"; then
                note "kill -9 worker $w"
            fi
            KILLS=$((KILLS + 1))
        fi
        NEXT_KILL=$((NEXT_KILL + KILL))
    fi
    supervise
    sleep 1
done
sample

log "stopping the publishers; checking the archives"
for k in $(seq "$EVENTS"); do
    kill -INT "${PUB[$k]}" 2>/dev/null || true
done
for k in $(seq "$EVENTS"); do
    wait "${PUB[$k]}" 2>/dev/null || true
done
sleep 3
for p in "${PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
done
sleep 1

ASSETS=()
for k in $(seq "$EVENTS"); do
    id=$(json_get "$D/api/asset$k.json" properties.assetId)
    ASSETS+=("$D/data/assets/${id:-soak$k-archive}")
done

echo
echo "## Result: soak of ${DURATION}s, $EVENTS events, $RELOADS reloads," \
     "$KILLS workers killed"
echo
perl -e '
    my ($file) = @ARGV;
    open my $f, "<", $file or die "$file: $!\n";
    <$f>;
    my (@t, %col);
    while (<$f>) {
        chomp;
        my ($s, $rss, $np, $zone) = split /\t/;
        push @t, $s / 3600;
        push @{$col{rss}}, $rss;
        push @{$col{procs}}, $np;
        push @{$col{zone}}, $zone eq "" ? undef : $zone;
    }
    sub slope {
        my ($x, $y) = @_;
        my @i = grep { defined $y->[$_] } 0 .. $#$y;
        return undef if @i < 2;
        my ($mx, $my) = (0, 0);
        $mx += $x->[$_] / @i, $my += $y->[$_] / @i for @i;
        my ($sxy, $sxx) = (0, 0);
        for (@i) {
            $sxy += ($x->[$_] - $mx) * ($y->[$_] - $my);
            $sxx += ($x->[$_] - $mx) ** 2;
        }
        return $sxx ? $sxy / $sxx : undef;
    }
    for my $k ([ "rss", "RSS of all nginx processes" ],
               [ "zone", "zone pages in use" ]) {
        my @v = grep { defined } @{$col{$k->[0]}};
        next unless @v;
        my ($max) = sort { $b <=> $a } @v;
        my $s = slope(\@t, $col{$k->[0]});
        printf "- %s: first %d kB, last %d kB, max %d kB, slope %s kB/hour"
            . " (%d samples)\n", $k->[1], $v[0], $v[-1], $max,
            defined $s ? sprintf("%+.0f", $s) : "n/a", scalar @v;
    }
    my ($pmax) = sort { $b <=> $a } @{$col{procs}};
    printf "- nginx processes: first %d, last %d, max %d\n",
        $col{procs}[0], $col{procs}[-1], $pmax;
' "$SAMPLES"

total=0
for k in $(seq "$EVENTS"); do
    total=$((total + RESTARTS[$k]))
done
echo "- publishers started again: $total"
VIEWS=$(cat "$D"/logs/viewer-*.json 2>/dev/null | perl -MJSON::PP -ne '
    my $j = eval { decode_json($_) } or next;
    $n++; $s += $j->{segments}; $e += $j->{errors};
    END { printf "%d, %d segments, %d errors", $n, $s, $e }')
echo "- viewers: $VIEWS"
echo "- archives:"
perl "$ROOT/bench/archivecheck.pl" "${ASSETS[@]}" | sed 's/^/    /' \
    && OK=0 || OK=1
echo "- events: $EVLOG; samples: $SAMPLES"
exit "$OK"
