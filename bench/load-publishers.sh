#!/usr/bin/env bash
#
# Copyright (C) 2026, The Sluice authors.
#
# Publisher load (issue 16): how many concurrent RTMP publishers of
# 3 Mbps pass-through live events one Sluice instance holds while
# viewers play, stepping the count up until fragments arrive late.
#
#   bench/load-publishers.sh [options]
#
#   --steps "N..."   the publisher counts to try, rising (default
#                    "50 100 200 300 400 500 600 800 1000")
#   -m SECONDS       measured period of each step (default 30)
#   -w SECONDS       settling time after a step's publishers started
#                    (default 10)
#   --sample K       events whose fragments are timed per step (default
#                    20, spread over all the events)
#   --viewers K      events with one HLS and one DASH viewer
#                    (bench/viewer.pl) during each measured period
#                    (default 10)
#   --late SECONDS   a fragment is late when listed more than this after
#                    the frame that closes it was sent (default 1.0)
#   --late-share PCT a step fails when more than PCT % of its timed
#                    fragments are late (default 1), or one is missing, or
#                    a publisher's connection closed
#   --workers N      nginx worker_processes (default 2)
#   --nginx DIR      nginx and the modules (default build/objs)
#   --work DIR       work directory (default /tmp/sluice-bench-pub)
#
# The publishers are bench/rtmpflood.c (built here with cc): one process
# per step, each of its connections replaying the tags of the cached FLV
# fixture (30 s 720p30 H.264 3 Mbps + AAC, the one of bench/run.sh) in
# real time, looped, from one epoll loop, so that the load generator
# costs little next to the server.  Each publisher has its own live
# event (pass-through, created and started through the API before its
# step; sluice_max_live_events and the zone sized for the last step, a
# fragment ring of 40 per track).  A step adds publishers to reach its
# count (those of the steps before keep running), waits -w, then for -m
# seconds times the fragments of --sample events with
# bench/fragarrival.pl (first listed in the HLS playlist vs the moment
# the publisher sent the frame closing the fragment) while --viewers
# events are watched.
#
# Prints a table: per step, publishers publishing, the ingest bit rate,
# nginx CPU (% of one CPU) and the publishers' CPU, fragments timed,
# late, missing, delay median / p99 / max, the publishers' own lag (the
# most a tag was written after its time: rtmpflood or the server
# behind), failed connections.  The figure is the last count with no
# late fragment.  Only loopback addresses (ports 19392, 18392); every
# process started here is stopped on exit.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

STEPS="50 100 200 300 400 500 600 800 1000"
MEASURE=30
SETTLE=10
SAMPLE=20
VIEWERS=10
LATE=1.0
LATE_SHARE=1
WORKERS=2
NGINX_DIR="${SLUICE_MODULES_DIR:-$ROOT/build/objs}"
WORK=/tmp/sluice-bench-pub
RTMP_PORT=19392
HTTP_PORT=18392
API_PORT=$HTTP_PORT

PIDS=()
STARTED=()

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"


while [ $# -gt 0 ]; do
    case "$1" in
        --steps) STEPS="$2"; shift 2 ;;
        -m) MEASURE="$2"; shift 2 ;;
        -w) SETTLE="$2"; shift 2 ;;
        --sample) SAMPLE="$2"; shift 2 ;;
        --viewers) VIEWERS="$2"; shift 2 ;;
        --late) LATE="$2"; shift 2 ;;
        --late-share) LATE_SHARE="$2"; shift 2 ;;
        --workers) WORKERS="$2"; shift 2 ;;
        --nginx) NGINX_DIR="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        -h|--help) sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

prev=0
for s in $STEPS; do
    [[ "$s" =~ ^[1-9][0-9]*$ ]] && [ "$s" -gt "$prev" ] \
        || die "--steps: rising positive integers"
    prev=$s
done
MAX=$prev
for v in MEASURE SAMPLE WORKERS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done

NGINX="$NGINX_DIR/nginx"
[ -x "$NGINX" ] || die "$NGINX not found (./build.sh build, or --nginx DIR)"
for p in ffmpeg curl perl cc; do
    command -v "$p" >/dev/null || die "$p is needed"
done

raise_nofile $((MAX * 4 + 4096))
[ "$(ulimit -Sn)" -ge $((MAX * 2 + 1024)) ] \
    || die "ulimit -n is $(ulimit -Sn), too low for $MAX publishers"

FLOODS=()

cleanup() {
    local p i

    for p in "${PIDS[@]}" "${FLOODS[@]}"; do
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

FLOOD="$WORK/rtmpflood"
cc -O2 -Wall -o "$FLOOD" "$ROOT/bench/rtmpflood.c" \
    || die "cc bench/rtmpflood.c failed"

port_free "$RTMP_PORT" && port_free "$HTTP_PORT" \
    || die "port $RTMP_PORT or $HTTP_PORT is in use"

# room for the events in the zone (about 100 kB each with a 60 s window,
# 64 MB more for the rest), and a fragment ring of 80 s per track: the
# disk holds 80 s of every stream (1000 streams: about 30 GB)
[ "$MAX" -le 4096 ] || die "at most 4096 live events (sluice_max_live_events)"
PT_ZONE="$((64 + MAX / 8))m"
PT_RING=40
PT_MAX_EVENTS=$((MAX > 64 ? MAX : 64))
write_passthrough_conf pub "$RTMP_PORT" "$HTTP_PORT" "$WORKERS" \
    $((MAX * 2 + 1024))
start_nginx pub
D="$WORK/pub"
TICKS=$(getconf CLK_TCK)

declare -a BASE ORIGIN
HAVE=0

# the utime + stime ticks of the rtmpflood processes
flood_ticks() {
    local p total=0 f

    for p in "${FLOODS[@]}"; do
        [ -r "/proc/$p/stat" ] || continue
        f=$(sed 's/^.*) //' "/proc/$p/stat")
        set -- $f
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}

# grows the events and publishers from HAVE to $1
add_publishers() {
    local want="$1" k urls apps=() out n

    for k in $(seq $((HAVE + 1)) "$want"); do
        urls=$(passthrough_event "pub$k" "$(printf 'p%031d' "$k")" \
            "$D/api" "$RTMP_PORT") || die "live event pub$k did not start"
        set -- $urls
        BASE[$k]="$2"
        apps+=("${1#rtmp://*/}/s")
    done

    out="$D/logs/flood-$want.log"
    # tokens from HAVE+1: the output's indexes count from 0
    "$FLOOD" -f "$FIXTURE" -p "$RTMP_PORT" -s 2 "${apps[@]}" > "$out" 2>&1 &
    FLOODS+=($!)

    n=$((want - HAVE))
    for _ in $(seq 100); do
        [ "$(grep -c '^publish ' "$out")" -ge "$n" ] && break
        grep -q '^closed ' "$out" && break
        sleep 0.2
    done
    while read -r _ idx _ _ origin; do
        ORIGIN[$((HAVE + 1 + idx))]="$origin"
    done < <(grep '^publish ' "$out")
    [ "$(grep -c '^publish ' "$out")" -ge "$n" ] \
        || die "only $(grep -c '^publish ' "$out") of $n publishers" \
               "started: $(grep -m1 '^closed ' "$out" || true)"
    HAVE=$want
}

# flood_stat FIELD HOW FROM TO: FIELD of the stats lines of every
# rtmpflood log written between the times FROM and TO (+ 5 s): HOW avg
# (the average of each log, summed over the logs), last (the last line of
# each, summed) or max (the largest of all)
flood_stat() {
    perl -e '
        my ($k, $how, $from, $to, @files) = @ARGV;
        my $r = 0;
        for my $f (@files) {
            open my $h, "<", $f or next;
            my @v;
            while (<$h>) {
                my @w = split;
                next unless $w[0] eq "stats" && $w[1] >= $from
                    && $w[1] <= $to + 5;
                my %x = @w[2 .. $#w];
                push @v, $x{$k};
            }
            next unless @v;
            if ($how eq "max") {
                for (@v) { $r = $_ if $_ > $r }
            } elsif ($how eq "last") {
                $r += $v[-1];
            } else {
                my $s = 0;
                $s += $_ for @v;
                $r += $s / @v;
            }
        }
        print $r;' "$@" "$D"/logs/flood-*.log
}

ROWS="$D/rows.txt"
: > "$ROWS"
FIGURE=0
FAILED_AT=

for step in $STEPS; do
    log "step $step: creating and publishing $((step - HAVE)) more events"
    add_publishers "$step"
    log "step $step: $HAVE publishing; settling ${SETTLE}s"
    sleep "$SETTLE"

    # the timed events, spread over all; the viewed ones too
    specs=()
    ns=$SAMPLE
    [ "$ns" -le "$HAVE" ] || ns=$HAVE
    for j in $(seq 0 $((ns - 1))); do
        k=$((1 + j * HAVE / ns))
        specs+=("${ORIGIN[$k]}@${BASE[$k]}/manifest(format=m3u8-cmaf)")
    done
    VPIDS=()
    nv=$VIEWERS
    [ "$nv" -le "$HAVE" ] || nv=$HAVE
    for j in $(seq 1 "$nv"); do
        k=$((1 + (j - 1) * HAVE / nv))
        for kind in hls dash; do
            fmt=m3u8-aapl
            [ $kind = dash ] && fmt=mpd-time-cmaf
            perl "$ROOT/bench/viewer.pl" --kind $kind --duration "$MEASURE" \
                --url "${BASE[$k]}/manifest(format=$fmt)" \
                > "$D/logs/viewer-$step-$kind-$j.json" 2>&1 &
            VPIDS+=($!)
        done
    done

    t0=$(instance_ticks pub)
    f0=$(flood_ticks)
    s0=$(date +%s.%N)
    perl "$ROOT/bench/fragarrival.pl" --duration "$MEASURE" --late "$LATE" \
        --out "$D/logs/arrivals-$step.tsv" "${specs[@]}" \
        > "$D/logs/arrivals-$step.json" || die "fragarrival.pl failed"
    t1=$(instance_ticks pub)
    f1=$(flood_ticks)
    s1=$(date +%s.%N)
    wait "${VPIDS[@]}" 2>/dev/null || true

    verr=$(cat "$D"/logs/viewer-"$step"-*.json | perl -MJSON::PP -ne '
        my $j = eval { decode_json($_) } or next;
        $e += $j->{errors}; $n++ unless $j->{ok};
        END { print 0 + $e, " errors, ", 0 + $n, " not ok" }')

    perl -MJSON::PP -e '
        my ($file, $step, $pub, $mbps, $ng, $fl, $lag, $failed, $share,
            $verr, $rows) = @ARGV;
        open my $f, "<", $file or die;
        my $j = decode_json(join "", <$f>);
        my $bad = $failed > 0 || $j->{missing} > 0 || !$j->{timed}
            || $j->{late} > $j->{timed} * $share / 100;
        my $fmt = sub { defined $_[0] ? sprintf("%.2f", $_[0]) : "n/a" };
        open my $o, ">>", $rows or die;
        printf $o "| %d | %d | %.0f | %.0f | %.0f | %d | %d | %d "
            . "| %s / %s / %s | %s | %d | %s | %s |\n",
            $step, $pub, $mbps, $ng, $fl, $j->{timed}, $j->{late},
            $j->{missing}, $fmt->($j->{median}), $fmt->($j->{p99}),
            $fmt->($j->{max}), $lag, $failed, $verr,
            $bad ? "LATE" : "ok";
        exit($bad ? 1 : 0);
    ' "$D/logs/arrivals-$step.json" "$step" \
        "$(flood_stat publishing last "$s0" "$s1")" \
        "$(flood_stat mbps avg "$s0" "$s1")" \
        "$(perl -e "print 100 * ($t1 - $t0) / $TICKS / ($s1 - $s0)")" \
        "$(perl -e "print 100 * ($f1 - $f0) / $TICKS / ($s1 - $s0)")" \
        "$(flood_stat lag_ms max "$s0" "$s1")" \
        "$(flood_stat failed last "$s0" "$s1")" \
        "$LATE_SHARE" "$verr" "$ROWS" && ok=1 || ok=0
    tail -1 "$ROWS" >&2
    if [ "$ok" = 1 ]; then
        FIGURE=$step
    else
        FAILED_AT=$step
        break
    fi
done

echo
echo "## Result: RTMP publishers (3 Mbps pass-through), $WORKERS workers," \
     "$(nproc) CPUs"
echo
printf '%s' "| publishers | publishing | Mbps in | nginx CPU % " \
    "| publishers CPU % | fragments timed | late (> ${LATE} s) | missing " \
    "| delay p50 / p99 / max s | publisher lag ms | failed | viewers " \
    "| step |"
echo
printf '%s' "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- " \
    "| ---: | ---: | --- | --- |"
echo
cat "$ROWS"
echo
if [ -n "$FAILED_AT" ]; then
    echo "fragments late (or missing, or a publisher lost) at $FAILED_AT" \
         "publishers; held: $FIGURE"
else
    echo "no late fragment up to $FIGURE publishers (the last step)"
fi
