# bench/lib.sh: what bench/run.sh, bench/transcode.sh and bench/ingest.sh
# share, sourced by
# all three.  The sourcing script sets API_PORT, API_BASE, API_VERSION and
# API_KEY (the Sluice API of the nginx it started).

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
