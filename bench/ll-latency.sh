#!/usr/bin/env bash
#
# Copyright (C) 2026, The Sluice authors.
#
# Low-latency benchmark (issue 14), in one run: glass-to-glass latency in
# real players, the time from a part being complete to a blocked
# playlist reload being answered, and the CPU cost of LL-HLS against
# normal HLS.
#
#   bench/ll-latency.sh [options]
#
#   -d SECONDS      measured period of each phase (default 60)
#   -w SECONDS      warm-up before measuring (default 10)
#   -n N            streams per instance in the cpu phase (default 4)
#   -v N            viewers per stream in the cpu phase (default 2; 0:
#                   none, the cost of ingest and parts alone)
#   -c N            blocking clients in the block phase (default 4)
#   --only LIST     phases, comma-separated: players, block, cpu
#                   (default all three, in that order)
#   --nginx DIR     directory with nginx, ngx_rtmp_module.so and
#                   ngx_http_sluice_module.so (default build/objs)
#   --transcoder P  sluice-transcoder (default $SLUICE_TRANSCODER, else
#                   build/transcoder/sluice-transcoder)
#   --work DIR      work directory (default /tmp/sluice-bench-ll)
#
# Input: 60 s of 640x360 30 fps testsrc2 H.264 (1 Mbps, keyframe every
# 30 frames: 1 s GOPs) + AAC, made once, cached in the work directory,
# looped (ffmpeg -re -stream_loop -1 -c copy).  Every nginx has 2 workers,
# a thread pool and `aio threads`, parts of 500 ms (the default).
#
# Phases (each with its own nginx instances, started and stopped):
#
#   players  one nginx with two LowLatencyV2 events fed by ONE publisher
#            (ffmpeg -f tee: the same frames at the same moments): a
#            pass-through (PassthroughBasic, 1 s fragments) and a live
#            encoding event (Standard, Default720p, keyFrameInterval
#            PT1S: the 640x360 input gives its 3 layers up to 640x360).
#            t/browser/play.js --low-latency plays each preview with
#            hls.js (m3u8-cmaf, LL-HLS) and dash.js (mpd-time-cmaf,
#            LL-DASH) in headless Chromium, the two players of an event
#            at once (pass-through first, then encoding; the transcoder
#            runs throughout), the players' own settings for the rest
#            (hls.js: lowLatencyMode, PART-HOLD-BACK, catch-up up to
#            1.2x; dash.js: the MPD's ServiceDescription, 2 s target,
#            0.96-1.04x).  Glass-to-glass: a sample a second over the
#            period, after the warm-up (play.js --latency-after), of the
#            wall clock minus the wall-clock time of the frame shown
#            (program date time / availabilityStartTime + currentTime),
#            median and p95.  Sluice dates media when it arrives (its
#            epoch comes from the first fragments' arrival), so this is
#            the time since the origin received the frame.  The
#            encoding event's figures are also given plus the difference
#            of the two events' availabilityStartTime (the same input
#            frames have the same timeline times in both): from the
#            source's arrival, should its epoch come from the layers'
#            later arrival (it came within 0.1 s of the pass-through's
#            in the runs of docs/benchmarks.md: the source's).
#   block    one nginx, one LowLatencyV2 pass-through event;
#            bench/llviewer.pl x N (-c) follow the video media playlist
#            with blocking reloads, each watching the track's directory
#            with inotify: the time from the write of the part that
#            answers a parked reload (the parts file's IN_MODIFY after
#            which it holds the part) to the answer being read (median,
#            p99 over all clients).  Which worker a client's
#            connection lands on is the kernel's choice (2 workers,
#            ingest on one of them): both paths are in the figures.
#   cpu      two nginx instances from the same binary at once, each with
#            N events fed by N publishers of the same input: "hls"
#            (streamOptions Default) and "ll" (LowLatencyV2).  Per
#            stream, V viewers: on "hls" bench/viewer.pl --kind hls (the
#            master and both media playlists every second, every new
#            segment once), on "ll" bench/llviewer.pl on the video and on
#            the audio playlist (blocking reloads, every new part once),
#            as hls.js does in each mode.  CPU (utime + stime of the
#            master and workers, /proc/PID/stat) over the period after
#            the warm-up: CPU-seconds per stream-minute, and ll / hls.
#
# Only loopback addresses are used (ports 1938x, 1838x); every process
# started here is stopped on exit.  Total time about 3.5 x (warm-up +
# period) + 1 min.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

DURATION=60
WARMUP=10
STREAMS=4
VIEWERS=2
CLIENTS=4
ONLY=players,block,cpu
NGINX_DIR="${SLUICE_MODULES_DIR:-$ROOT/build/objs}"
TRANSCODER="${SLUICE_TRANSCODER:-$ROOT/build/transcoder/sluice-transcoder}"
WORK=/tmp/sluice-bench-ll
API_PORT=

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
        -n) STREAMS="$2"; shift 2 ;;
        -v) VIEWERS="$2"; shift 2 ;;
        -c) CLIENTS="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        --nginx) NGINX_DIR="$2"; shift 2 ;;
        --transcoder) TRANSCODER="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        -h|--help) usage ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

[[ "$VIEWERS" =~ ^[0-9]+$ ]] || die "-v must be an integer"
for v in DURATION STREAMS CLIENTS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "-w must be an integer"
for p in ${ONLY//,/ }; do
    case "$p" in players|block|cpu) ;;
        *) die "--only: players, block or cpu, not '$p'" ;;
    esac
done

want() {
    [[ ",$ONLY," == *",$1,"* ]]
}

NGINX="$NGINX_DIR/nginx"
[ -x "$NGINX" ] || die "$NGINX not found (./build.sh build, or --nginx DIR)"
for m in ngx_rtmp_module.so ngx_http_sluice_module.so; do
    [ -f "$NGINX_DIR/$m" ] || die "$NGINX_DIR/$m not found"
done
if want players; then
    [ -x "$TRANSCODER" ] \
        || die "$TRANSCODER not found (./build.sh build, or --transcoder)"
    command -v node >/dev/null || die "players: node is needed"
    [ -x "${SLUICE_CHROMIUM:-/usr/bin/chromium}" ] \
        || die "players: chromium is needed"
    [ -d "$ROOT/t/browser/node_modules/dashjs" ] \
        || die "players: npm ci --prefix t/browser"
fi
for p in ffmpeg curl perl; do
    command -v "$p" >/dev/null || die "$p is needed"
done

TICKS=$(getconf CLK_TCK)


# --- processes ----------------------------------------------------------

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
}

trap cleanup EXIT
trap 'exit 130' INT TERM


# the busy time of the machine (every CPU, every process) since $1 ticks
machine_s() {
    perl -e "printf '%.0f%%', 100 * ($(machine_ticks) - $1) / $TICKS / $2"
}


# --- the input ----------------------------------------------------------

FIXTURE="$WORK/input-360p30-gop1.flv"

make_fixture() {
    [ -s "$FIXTURE" ] && return
    mkdir -p "$WORK"
    log "encoding the input (60 s 640x360 30 fps, 1 s GOP, AAC)"
    ffmpeg -nostdin -hide_banner -loglevel error -y \
        -f lavfi -i testsrc2=size=640x360:rate=30 \
        -f lavfi -i sine=frequency=440:sample_rate=48000 -t 60 \
        -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p \
        -b:v 1000k -maxrate 1000k -bufsize 1000k -g 30 -keyint_min 30 \
        -sc_threshold 0 -c:a aac -b:a 128k -ac 2 -ar 48000 \
        -f flv "$FIXTURE.tmp"
    mv "$FIXTURE.tmp" "$FIXTURE"
}


# publish URL... : one ffmpeg (-f tee with several URLs); its pid in PUB
publish() {
    local tee="" u

    for u in "$@"; do
        tee="$tee${tee:+|}[f=flv]$u"
    done
    ffmpeg -nostdin -hide_banner -loglevel warning -re -stream_loop -1 \
        -i "$FIXTURE" -map 0:v -map 0:a -c copy -f tee "$tee" \
        >> "$WORK/publishers.log" 2>&1 &
    PUB=$!
    PIDS+=("$PUB")
}


# --- nginx ----------------------------------------------------------------

# start_nginx NAME RTMP_PORT HTTP_PORT: an instance in $WORK/NAME
start_nginx() {
    local i="$1" rtmp="$2" http="$3" d="$WORK/$1"

    port_free "$rtmp" && port_free "$http" \
        || die "$i: port $rtmp or $http in use"
    rm -rf "$d"
    mkdir -p "$d/conf" "$d/logs" "$d/data"
    {
        echo "load_module $NGINX_DIR/ngx_rtmp_module.so;"
        echo "load_module $NGINX_DIR/ngx_http_sluice_module.so;"
        echo "worker_processes 2;"
        echo "error_log logs/error.log notice;"
        echo "pid logs/nginx.pid;"
        [ "$(id -u)" = 0 ] && echo "user root;"
        cat <<EOF
thread_pool sluice threads=4;

events { worker_connections 4096; }

rtmp {
    server {
        listen 127.0.0.1:$rtmp;

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
    sluice_ingest_url rtmp://127.0.0.1:$rtmp;
    sluice_preview_url http://127.0.0.1:$http;
$( [ -x "$TRANSCODER" ] && echo "    sluice_transcoder $TRANSCODER;" )

    server {
        listen 127.0.0.1:$http;

        location ~* ^/subscriptions/ {
            sluice_api;
        }

        location / {
            sluice_packager;
            sluice_live_window 60s;
            aio threads=sluice;
        }
    }
}
EOF
    } > "$d/conf/nginx.conf"
    "$NGINX" -p "$d" -c conf/nginx.conf -t -q || die "$i: nginx -t failed"
    "$NGINX" -p "$d" -c conf/nginx.conf || die "$i: nginx did not start"
    STARTED+=("$i")
    for _ in $(seq 50); do
        [ -s "$d/logs/nginx.pid" ] && return
        sleep 0.1
    done
    die "$i: no pid file"
}


# event INSTANCE HTTP_PORT NAME TYPE OPTION: live event NAME of
# encodingType TYPE (PassthroughBasic or Standard) with streamOptions
# [OPTION]; prints "INGEST_URL PREVIEW_BASE"
event() {
    local i="$1" http="$2" name="$3" type="$4" opt="$5" d="$WORK/$1/api"
    local token all kfi enc ingest loc

    API_PORT=$http
    token="$(printf '%s-%027d' "$name" 0 | cut -c1-32)"
    all='{"ip":{"allow":[{"name":"all","address":"0.0.0.0","subnetPrefixLength":0}]}}'
    if [ "$type" = Standard ]; then
        kfi='""'
        enc='{"encodingType":"Standard","presetName":"Default720p","keyFrameInterval":"PT1S"}'
    else
        kfi='"PT1S"'
        enc="{\"encodingType\":\"$type\"}"
    fi
    event_start "$name" \
        "{\"location\":\"local\",\"properties\":{\"input\":{\"streamingProtocol\":\"RTMP\",\"accessToken\":\"$token\",\"keyFrameIntervalDuration\":$kfi,\"accessControl\":$all},\"preview\":{\"accessControl\":$all},\"encoding\":$enc,\"streamOptions\":[\"$opt\"]}}" \
        "$d" >&2 || return 1

    ingest=$(json_get "$d/$name.json" properties.input.endpoints.0.url)
    loc=$(json_get "$d/$name.json" properties.preview.previewLocator)
    [ -n "$ingest" ] || ingest="rtmp://127.0.0.1:$((http + 1000))/live/$token"
    [ -n "$loc" ] || { log "liveEvents/$name: no preview locator"; return 1; }
    echo "$ingest http://127.0.0.1:$http/$loc/preview.ism"
}


# wait_media BASE SECONDS: the HLS master lists a video variant and its
# playlist 3 segments; prints the video and audio media playlist URLs
wait_media() {
    local base="$1" m v a n

    for _ in $(seq $(($2 * 2))); do
        m=$(curl -s -m 5 "$base/manifest(format=m3u8-cmaf).m3u8" || true)
        v=$(printf '%s\n' "$m" | grep -m1 '^QualityLevels.*video' || true)
        a=$(printf '%s\n' "$m" | grep -o -m1 'QualityLevels([0-9]*)/Manifest(audio[^"]*' || true)
        if [ -n "$v" ]; then
            n=$(curl -s -m 5 "$base/$v" | grep -c '^#EXTINF' || true)
            if [ "${n:-0}" -ge 3 ]; then
                echo "$base/$v $base/$a"
                return 0
            fi
        fi
        sleep 0.5
    done
    return 1
}


# the availabilityStartTime of a DASH MPD, ms since the epoch
ast_ms() {
    curl -s -m 5 "$1/manifest(format=mpd-time-cmaf).mpd" | perl -MTime::Local=timegm -ne '
        if (/availabilityStartTime="(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(\.\d+)?Z"/) {
            printf "%.0f\n", 1000 * timegm($6, $5, $4, $3, $2 - 1, $1)
                + 1000 * ($7 // 0);
            exit;
        }'
}


# --- phase: players -------------------------------------------------------

# play OUT PLAYER URL: one play.js run in the background
play() {
    node "$ROOT/t/browser/play.js" --verbose --player "$2" --url "$3" \
        --low-latency --latency-after "$WARMUP" \
        --latency-samples "$DURATION" --seconds $((WARMUP + DURATION)) \
        --timeout $((WARMUP + DURATION + 90)) \
        > "$1.json" 2> "$1.log" &
    PIDS+=($!)
    PLAYS+=($!)
}


# one line of a play.js result
play_line() {
    perl -MJSON::PP -e '
        my ($f, $name, $shift) = @ARGV;
        local $/; open my $h, "<", $f or exit;
        my ($l) = grep { /^\{/ } split /\n/, <$h>;
        my $r = eval { decode_json($l // "") } or do {
            print "$name: no result\n"; exit };
        my $x = $r->{latency} // {};
        my $q = $r->{requests} // {};
        printf "%-28s %s median %5s ms, p95 %5s (min %s, max %s; %d samples;"
            . " player %s ms)%s; stalls %d (%.1f s); requests: %d parts,"
            . " %d blocking, %d chunked%s\n",
            $name, $r->{ok} ? "ok " : "NOT OK",
            map({ $_ // "-" } @$x{qw(median p95 min max)}),
            $x->{samples} // 0, $x->{player} // "-",
            (defined $x->{median} && $shift
             ? sprintf("; from the source: median %d, p95 %d",
                       $x->{median} + $shift, $x->{p95} + $shift) : ""),
            $r->{stalls} // 0, $r->{stallSeconds} // 0,
            $q->{parts} // 0, $q->{blocking} // 0, $q->{chunked} // 0,
            $r->{ok} ? "" : " [" . ($r->{error} // "") . "]";
    ' "$@"
}


phase_players() {
    local i=players pass enc pm em shift m0 t0 p

    log "players: a pass-through and an encoding LowLatencyV2 event, one publisher"
    start_nginx "$i" 19381 18381
    pass=($(event "$i" 18381 pass PassthroughBasic LowLatencyV2)) \
        || die "players: live event API failed"
    enc=($(event "$i" 18381 enc Standard LowLatencyV2)) \
        || die "players: live event API failed"
    publish "${pass[0]}/cam" "${enc[0]}/cam"

    wait_media "${pass[1]}" 30 >/dev/null || die "players: no pass-through media"
    wait_media "${enc[1]}" 90 >/dev/null || die "players: no encoded layers"
    shift=$(( $(ast_ms "${enc[1]}") - $(ast_ms "${pass[1]}") ))
    log "players: encoding event's epoch ${shift} ms after the pass-through's"

    for ev in pass enc; do
        m0=$(machine_ticks)
        t0=$SECONDS
        PLAYS=()
        if [ "$ev" = pass ]; then
            p="${pass[1]}"
        else
            p="${enc[1]}"
        fi
        log "players: hls.js and dash.js on '$ev', $((WARMUP + DURATION)) s"
        play "$WORK/$i/$ev-hls" hls "$p/manifest(format=m3u8-cmaf).m3u8"
        play "$WORK/$i/$ev-dash" dash "$p/manifest(format=mpd-time-cmaf).mpd"
        wait "${PLAYS[@]}" || true
        P_MACHINE[$ev]="$(machine_s "$m0" $((SECONDS - t0)))"
    done
    P_SHIFT=$shift

    kill "$PUB" 2>/dev/null || true
    stop_nginx "$i"
}


# --- phase: block ---------------------------------------------------------

phase_block() {
    local i=block ev urls v dir last n m0

    log "block: $CLIENTS blocking clients on a LowLatencyV2 pass-through event"
    start_nginx "$i" 19382 18382
    ev=($(event "$i" 18382 blk PassthroughBasic LowLatencyV2)) \
        || die "block: live event API failed"
    publish "${ev[0]}/cam"
    urls=($(wait_media "${ev[1]}" 30)) || die "block: no media"
    v="${urls[0]}"

    # the video track's directory: the one with the newest fragment
    last=$(curl -s -m 5 "$v" | grep -o '^Fragments(video=[0-9]*' | tail -1 \
           | grep -o '[0-9]*$')
    dir=$(dirname "$(ls "$WORK/$i"/data/live/*/*/*/"$last.m4s" | head -1)")
    [ -d "$dir" ] || die "block: no track directory for fragment $last"

    sleep "$WARMUP"
    m0=$(machine_ticks)
    for n in $(seq "$CLIENTS"); do
        perl "$ROOT/bench/llviewer.pl" --url "$v" --duration "$DURATION" \
            --watch "$dir" --out "$WORK/$i/samples-$n.txt" \
            > "$WORK/$i/client-$n.json" 2>&1 &
        PIDS+=($!)
    done
    wait_clients "$WORK/$i/client-" "$CLIENTS"
    B_MACHINE="$(machine_s "$m0" "$DURATION")"
    B_RESULT=$(cat "$WORK/$i"/samples-*.txt | perl -e '
        my @s = sort { $a <=> $b } map { (split)[0] } <STDIN>;
        my $p = sub { @s ? $s[int($_[0] / 100 * @s + 0.999999) - 1] : -1 };
        printf "%d samples: median %.2f ms, p90 %.2f, p99 %.2f, max %.2f",
            scalar @s, $p->(50), $p->(90), $p->(99), $p->(100);')
    B_COUNTS=$(cat "$WORK/$i"/client-*.json | perl -MJSON::PP -ne '
        my $r = eval { decode_json($_) } or next;
        $t{$_} += $r->{$_} // 0 for qw(reloads parts errors notparked nonew
                                        late unseen);
        END { print join(", ", map { "$_ $t{$_}" } sort keys %t) }')

    kill "$PUB" 2>/dev/null || true
    stop_nginx "$i"
}


# wait_clients PREFIX N: until the N background clients wrote their line
wait_clients() {
    local n

    for _ in $(seq $(( (DURATION + 60) * 5 ))); do
        n=$(cat "$1"*.json 2>/dev/null | grep -c '^{' || true)
        [ "${n:-0}" -ge "$2" ] && return 0
        sleep 0.2
    done
    log "only ${n:-0} of $2 clients ended"
}


# --- phase: cpu -----------------------------------------------------------

phase_cpu() {
    local k ev urls n a0 b0 a1 b1 m0

    log "cpu: $STREAMS streams per instance, Default (hls) and LowLatencyV2 (ll)"
    start_nginx hls 19383 18383
    start_nginx ll 19384 18384
    for k in $(seq "$STREAMS"); do
        ev=($(event hls 18383 "h$k" PassthroughBasic Default)) \
            || die "cpu: live event API failed"
        publish "${ev[0]}/cam"
        CPU_HLS+=("${ev[1]}")
        ev=($(event ll 18384 "l$k" PassthroughBasic LowLatencyV2)) \
            || die "cpu: live event API failed"
        publish "${ev[0]}/cam"
        CPU_LL+=("${ev[1]}")
    done

    n=0
    for k in $(seq "$STREAMS"); do
        wait_media "${CPU_HLS[$((k - 1))]}" 30 >/dev/null \
            || die "cpu: no media on hls stream $k"
        urls=($(wait_media "${CPU_LL[$((k - 1))]}" 30)) \
            || die "cpu: no media on ll stream $k"
        for _ in $(seq "$VIEWERS"); do
            n=$((n + 1))
            perl "$ROOT/bench/viewer.pl" --kind hls --duration \
                $((WARMUP + DURATION + 5)) \
                --url "${CPU_HLS[$((k - 1))]}/manifest(format=m3u8-cmaf).m3u8" \
                > "$WORK/hls/viewer-$n.json" 2>&1 &
            PIDS+=($!)
            perl "$ROOT/bench/llviewer.pl" --url "${urls[0]}" \
                --duration $((WARMUP + DURATION + 5)) \
                > "$WORK/ll/viewer-v$n.json" 2>&1 &
            PIDS+=($!)
            perl "$ROOT/bench/llviewer.pl" --url "${urls[1]}" \
                --duration $((WARMUP + DURATION + 5)) \
                > "$WORK/ll/viewer-a$n.json" 2>&1 &
            PIDS+=($!)
        done
    done

    sleep "$WARMUP"
    a0=$(instance_ticks hls)
    b0=$(instance_ticks ll)
    m0=$(machine_ticks)
    sleep "$DURATION"
    a1=$(instance_ticks hls)
    b1=$(instance_ticks ll)
    C_MACHINE="$(machine_s "$m0" "$DURATION")"

    C_HLS=$(perl -e "printf '%.3f', ($a1 - $a0) / $TICKS / $STREAMS / ($DURATION / 60)")
    C_LL=$(perl -e "printf '%.3f', ($b1 - $b0) / $TICKS / $STREAMS / ($DURATION / 60)")
    C_RATIO=$(perl -e "printf '%.2f', $C_HLS > 0 ? $C_LL / $C_HLS : 0")

    wait_clients "$WORK/hls/viewer-" "$n"
    wait_clients "$WORK/ll/viewer-" $((2 * n))
    C_VIEWERS=$(cat "$WORK"/hls/viewer-*.json "$WORK"/ll/viewer-*.json \
        2>/dev/null | perl -MJSON::PP -ne '
        my $r = eval { decode_json($_) } or next;
        my $k = exists $r->{reloads} ? "ll" : "hls";
        $t{$k}{$_} += $r->{$_} // 0
            for qw(manifests segments reloads parts errors bytes);
        END { for my $k (sort keys %t) {
            printf "%s: %s; ", $k, join(", ", map { "$_ $t{$k}{$_}" }
                grep { $t{$k}{$_} } sort keys %{$t{$k}}) } }' || true)

    stop_nginx hls
    stop_nginx ll
}


# --- main -----------------------------------------------------------------

declare -A P_MACHINE=()
CPU_HLS=()
CPU_LL=()
PLAYS=()

make_fixture
log "load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs," \
    "build $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)"

want players && phase_players
want block && phase_block
want cpu && phase_cpu

echo
echo "== Low latency (bench/ll-latency.sh, $DURATION s periods, warm-up $WARMUP s) =="
if want players; then
    echo "glass-to-glass (wall clock - wall-clock time of the frame shown):"
    play_line "$WORK/players/pass-hls.json" "pass-through, hls.js" 0
    play_line "$WORK/players/pass-dash.json" "pass-through, dash.js" 0
    play_line "$WORK/players/enc-hls.json" "encoding, hls.js" "$P_SHIFT"
    play_line "$WORK/players/enc-dash.json" "encoding, dash.js" "$P_SHIFT"
    echo "  (encoding event's epoch ${P_SHIFT} ms after the pass-through's;"
    echo "   machine busy ${P_MACHINE[pass]:-?} / ${P_MACHINE[enc]:-?} of one CPU)"
fi
if want block; then
    echo "part file appeared -> parked reload answered ($CLIENTS clients):"
    echo "  $B_RESULT"
    echo "  ($B_COUNTS; machine busy $B_MACHINE of one CPU)"
fi
if want cpu; then
    echo "CPU per stream-minute ($STREAMS streams, $VIEWERS viewers each):"
    echo "  HLS (Default):        $C_HLS s"
    echo "  LL-HLS (LowLatencyV2): $C_LL s   ratio $C_RATIO"
    echo "  ($C_VIEWERS machine busy $C_MACHINE of one CPU)"
fi
