# bench/lib.sh: what the bench/*.sh scripts share, sourced by each.  The
# sourcing script sets API_PORT (the Sluice API of the nginx it started),
# and for start_nginx and instance_*: NGINX (the binary), WORK (instance
# NAME's prefix is $WORK/NAME) and the array STARTED.  The API's key,
# account, path and version are the benchmarks' own, below.

API_KEY=sluice-bench-key
ACCOUNT=bench
API_BASE="/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/bench/providers/Microsoft.Media/mediaServices/$ACCOUNT"
API_VERSION=2022-08-01

die() {
    printf 'bench: %s\n' "$*" >&2
    exit 1
}


log() {
    printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}


port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}


# the whole machine's busy clock ticks (every CPU) since boot
machine_ticks() {
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}


# api METHOD PATH DATA OUT  -> HTTP status; the body in OUT
api() {
    local method="$1" path="$2" data="${3:-}" out="$4"
    local url="http://127.0.0.1:$API_PORT$API_BASE/$path"

    url="$url?api-version=$API_VERSION"
    if [ -n "$data" ]; then
        curl -sS -m 10 -o "$out" -w '%{http_code}' -X "$method" \
            -H "Authorization: Bearer $API_KEY" \
            -H 'Content-Type: application/json' --data "$data" "$url"
    else
        curl -sS -m 10 -o "$out" -w '%{http_code}' -X "$method" \
            -H "Authorization: Bearer $API_KEY" "$url"
    fi
}


# json_get FILE KEY.KEY.0.KEY  -> value (empty if absent)
json_get() {
    perl -MJSON::PP -e '
        local $/; open my $f, "<", $ARGV[0] or exit;
        my $v = eval { JSON::PP->new->decode(<$f>) } or exit;
        for my $k (split /\./, $ARGV[1]) {
            $v = ref $v eq "ARRAY" ? $v->[$k] : ref $v eq "HASH" ? $v->{$k}
               : undef;
        }
        print $v if defined $v && !ref $v;' "$1" "$2"
}


# event_wait NAME STATE TRIES DIR: polls liveEvents/NAME (0.2 s apart) into
# DIR/NAME.json until its resourceState is STATE; 1 if it never is
event_wait() {
    local name="$1" want="$2" tries="$3" d="$4" state=""

    for _ in $(seq "$tries"); do
        api GET "liveEvents/$name" '' "$d/$name.json" >/dev/null || true
        state=$(json_get "$d/$name.json" properties.resourceState)
        [ "$state" = "$want" ] && return 0
        sleep 0.2
    done
    log "liveEvents/$name: resourceState '$state', not $want"
    return 1
}


# event_start NAME BODY DIR: PUT liveEvents/NAME with BODY, then start it
# and wait until it runs; its JSON in DIR/NAME.json
event_start() {
    local name="$1" body="$2" d="$3" code

    mkdir -p "$d"
    code=$(api PUT "liveEvents/$name" "$body" "$d/$name.put.json")
    case "$code" in
        200|201|202) ;;
        *) log "PUT liveEvents/$name: HTTP $code $(head -c 300 "$d/$name.put.json")"
           return 1 ;;
    esac

    # (a Stopped that never comes is left to the start to report)
    event_wait "$name" Stopped 100 "$d" 2>/dev/null || true

    code=$(api POST "liveEvents/$name/start" '{}' "$d/$name.start.json")
    case "$code" in
        200|202|204) ;;
        *) log "POST liveEvents/$name/start: HTTP $code $(head -c 300 "$d/$name.start.json")"
           return 1 ;;
    esac

    event_wait "$name" Running 150 "$d"
}


# the master and worker pids of instance $1 (its prefix $WORK/$1)
instance_pids() {
    local master

    master=$(cat "$WORK/$1/logs/nginx.pid")
    echo "$master"
    ps -o pid= --ppid "$master" | tr -d ' '
}


# utime + stime in clock ticks of all processes of an instance
instance_ticks() {
    local p total=0 f

    for p in $(instance_pids "$1"); do
        [ -r "/proc/$p/stat" ] || continue
        # fields after the ")" of comm: utime is the 12th, stime the 13th
        f=$(sed 's/^.*) //' "/proc/$p/stat")
        set -- $f
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}


# start_nginx NAME: starts the instance whose prefix is $WORK/NAME (its
# conf/nginx.conf written) with $NGINX, appends NAME to STARTED and waits
# for its pid file
# on exit: the processes of PIDS killed, the instances of STARTED stopped
stop_started() {
    local p i

    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for i in "${STARTED[@]}"; do
        "$NGINX" -p "$WORK/$i" -c conf/nginx.conf -s stop 2>/dev/null || true
    done
}


start_nginx() {
    local i="$1"

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


# the RSS (kB) of all processes of instance $1
instance_rss_kb() {
    local p total=0 r

    for p in $(instance_pids "$1"); do
        r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
        total=$((total + ${r:-0}))
    done
    echo "$total"
}


# make_flv_fixture FILE: the benchmarks' stream, encoded once and cached:
# 30 s 1280x720 30 fps H.264 3 Mbps (keyframe every 2 s) + AAC, FLV
make_flv_fixture() {
    local f="$1"

    [ -s "$f" ] && return
    log "encoding the fixture (30 s 1280x720 30 fps, 3 Mbps, GOP 60, AAC)"
    ffmpeg -nostdin -hide_banner -loglevel error -y \
        -f lavfi -i testsrc2=size=1280x720:rate=30 \
        -f lavfi -i sine=frequency=440:sample_rate=48000 -t 30 \
        -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p \
        -b:v 3000k -maxrate 3000k -bufsize 6000k \
        -g 60 -keyint_min 60 -sc_threshold 0 \
        -c:a aac -b:a 128k -ac 2 -ar 48000 \
        -f flv "$f.tmp"
    mv "$f.tmp" "$f"
}


# passthrough_event NAME TOKEN DIR RTMP_PORT: pass-through live event NAME
# (RTMP, access token TOKEN, every address allowed, a preview locator)
# created and started through the API at $API_PORT, its JSON in DIR;
# prints "INGEST_URL PREVIEW_BASE" (PREVIEW_BASE: .../preview.ism)
passthrough_event() {
    local name="$1" token="$2" d="$3" rtmp_port="$4"
    local ingest preview loc all

    all='{"ip":{"allow":[{"name":"all","address":"0.0.0.0","subnetPrefixLength":0}]}}'
    event_start "$name" \
        "{\"location\":\"local\",\"properties\":{\"input\":{\"streamingProtocol\":\"RTMP\",\"accessToken\":\"$token\",\"keyFrameIntervalDuration\":\"PT2S\",\"accessControl\":$all},\"preview\":{\"accessControl\":$all},\"encoding\":{\"encodingType\":\"PassthroughBasic\"}}}" \
        "$d" || return 1

    ingest=$(json_get "$d/$name.json" properties.input.endpoints.0.url)
    loc=$(json_get "$d/$name.json" properties.preview.previewLocator)
    preview=$(json_get "$d/$name.json" properties.preview.endpoints.0.url)
    [ -n "$ingest" ] || ingest="rtmp://127.0.0.1:$rtmp_port/live/$token"
    if [ -n "$loc" ]; then
        preview="http://127.0.0.1:$API_PORT/$loc/preview.ism"
    elif [ -n "$preview" ]; then
        preview="${preview%/manifest*}"
    else
        log "liveEvents/$name: no preview locator"
        return 1
    fi
    echo "$ingest $preview"
}


# raise_nofile N: the soft limit of open files of this shell to N (the
# hard limit too when allowed), else as high as the hard limit; not in a
# subshell: read the result with ulimit -Sn
raise_nofile() {
    if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$1" ]; then
        ulimit -Hn "$1" 2>/dev/null || true
    fi
    ulimit -Sn "$1" 2>/dev/null || ulimit -Sn "$(ulimit -Hn)" 2>/dev/null \
        || true
}


# need_program PROG PACKAGE: PROG on the PATH, else installed from the
# Debian package PACKAGE when running as root with apt-get, else dies
# saying how to get it
need_program() {
    command -v "$1" >/dev/null && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing $2 (apt-get install $2)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends "$2" >/dev/null \
            || die "$1 is needed: apt-get install $2 failed"
    fi
    command -v "$1" >/dev/null || die "$1 is needed (apt-get install $2)"
}


# write_passthrough_conf NAME RTMP_PORT HTTP_PORT WORKERS CONNECTIONS
# [HTTP_LINES]: conf/nginx.conf (and logs/, data/) of instance NAME under
# $WORK (emptied first) from the binary's directory $NGINX_DIR: an RTMP
# application "live" with sluice_ingest, the API ($API_KEY, account
# $ACCOUNT), the packager (60 s live window) and HTTP_LINES in the
# server; WORKERS workers of CONNECTIONS connections each, the open-file
# limit raised to match.  Optional: PT_ZONE (sluice_zone size, default
# 64m), PT_RING (sluice_fragment_ring), PT_MAX_EVENTS
# (sluice_max_live_events), PT_SHUTDOWN (worker_shutdown_timeout).
write_passthrough_conf() {
    local i="$1" rtmp="$2" http="$3" workers="$4" conns="$5" extra="${6:-}"
    local d="$WORK/$1"

    rm -rf "$d"
    mkdir -p "$d/conf" "$d/logs" "$d/data"
    {
        echo "load_module $NGINX_DIR/ngx_rtmp_module.so;"
        echo "load_module $NGINX_DIR/ngx_http_sluice_module.so;"
        echo "worker_processes $workers;"
        echo "worker_rlimit_nofile $((conns * 2 + 1024));"
        echo "error_log logs/error.log warn;"
        echo "pid logs/nginx.pid;"
        [ -n "${PT_SHUTDOWN:-}" ] \
            && echo "worker_shutdown_timeout $PT_SHUTDOWN;"
        [ "$(id -u)" = 0 ] && echo "user root;"
        cat <<EOC
thread_pool sluice threads=4;

events { worker_connections $conns; }

rtmp {
    server {
        listen 127.0.0.1:$rtmp;

        application live {
            live on;
            sluice_ingest on;
            sluice_thread_pool sluice;
            ${PT_RING:+sluice_fragment_ring $PT_RING;}
        }
    }
}

http {
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    keepalive_timeout 120s;

    sluice_zone sluice ${PT_ZONE:-64m};
    ${PT_MAX_EVENTS:+sluice_max_live_events $PT_MAX_EVENTS;}
    sluice_data_path data;
    sluice_account $ACCOUNT;
    sluice_api_key $API_KEY;
    sluice_ingest_url rtmp://127.0.0.1:$rtmp;
    sluice_preview_url http://127.0.0.1:$http;

    server {
        listen 127.0.0.1:$http backlog=$conns;

        location ~* ^/subscriptions/ {
            sluice_api;
        }

        location / {
            sluice_packager;
            sluice_live_window 60s;
        }
$extra
    }
}
EOC
    } > "$d/conf/nginx.conf"
}
