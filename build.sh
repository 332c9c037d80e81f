#!/usr/bin/env bash
#
# Sluice build driver.
#
#   ./build.sh [--sanitize] COMMAND
#
# Commands:
#   deps     install missing Debian packages, fetch nginx + nginx-rtmp sources
#   build    deps, then configure (only when needed) and build nginx + modules
#   unit     build and run the C unit tests t/unit/test_*.c (no nginx)
#   fuzz     build the fuzz targets t/fuzz/fuzz_*.c and run each briefly
#   fuzz-build  build them only (bench/fuzz.sh: the fuzzing campaign)
#   bench-cues  build and run bench/cues.c (-O2): HLS playlist build time
#            with 0 and 100 cues in a 25 h window (docs/benchmarks.md)
#   prove    run the Perl integration tests: prove -j4 (-j3 sanitized)
#            -I t/lib t/*.t, the longest first (SLOW_SUITES)
#            (or the files given: ./build.sh prove t/000-smoke.t)
#   test     deps, build, unit, prove; the unit tests, the fuzz smoke (not
#            with --sanitize) and the Debian build of t/090 in the
#            background during prove
#   run      build, then run a quickstart nginx in the foreground (build/run)
#   debian   build Sluice against Debian's own nginx package (build/debian)
#   env      print the environment variables the tests use
#   clean    remove build/
#
# --sanitize (or SLUICE_SANITIZE=1) selects the ASan+UBSan variant, built
# into build/asan; every command then uses it.
#
# Outputs (normal variant; replace build/ with build/asan/ for --sanitize):
#   build/objs/nginx                   nginx binary  (SLUICE_NGINX)
#   build/objs/ngx_rtmp_module.so      nginx-rtmp-module
#   build/objs/ngx_http_sluice_module.so   Sluice   (SLUICE_MODULES_DIR)
#   build/objs/ngx_stream_module.so    nginx stream (TLS for RTMPS ingest)
#   build/transcoder/sluice-transcoder live encoder (SLUICE_TRANSCODER)
#   build/console/                     the web console with its players
#                                      (both variants; ./build.sh run serves
#                                      it at /console/)

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

NGINX_VERSION=1.22.1
RTMP_VERSION=1.2.2
SRC_DIR="$ROOT/build/src"
NGINX_SRC="$SRC_DIR/nginx-$NGINX_VERSION"
RTMP_SRC="$SRC_DIR/nginx-rtmp-module-$RTMP_VERSION"

SANITIZE="${SLUICE_SANITIZE:-0}"
SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"
# nginx itself triggers UBSan's alignment and shift checks on purpose
# (unaligned ngx_hash reads, ngx_rbtree and time conversions); those are
# not Sluice bugs, so they are left out.  See set_variant below.
SAN_EXCLUDE=""

FUZZ_SECONDS="${SLUICE_FUZZ_SECONDS:-10}"
# one input running longer than this (wall clock) is a failure
FUZZ_TIMEOUT="${SLUICE_FUZZ_TIMEOUT:-10}"

APT_PACKAGES="build-essential dpkg-dev xz-utils libpcre2-dev zlib1g-dev
    libssl-dev ffmpeg libipc-run-perl libtest-tcp-perl libio-socket-ssl-perl
    gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
    gstreamer1.0-plugins-bad gstreamer1.0-libav clang libclang-rt-14-dev
    openssl chromium libavcodec-dev libavformat-dev libavutil-dev
    libswscale-dev libswresample-dev libavfilter-dev libx264-dev
    libxml-libxml-perl srt-tools pkg-config python3-prometheus-client
    strace"


log() {
    printf '==> %s\n' "$*" >&2
}


die() {
    printf 'build.sh: %s\n' "$*" >&2
    exit 1
}


set_variant() {
    if [ "$SANITIZE" = 1 ]; then
        BUILD_DIR="$ROOT/build/asan"
        CC_OPT="$SAN_FLAGS $SAN_EXCLUDE"
        LD_OPT="$SAN_FLAGS"
    else
        BUILD_DIR="$ROOT/build"
        CC_OPT=""
        LD_OPT=""
    fi

    OBJS="$BUILD_DIR/objs"
    export SLUICE_NGINX="$OBJS/nginx"
    export SLUICE_MODULES_DIR="$OBJS"
    export SLUICE_TRANSCODER="$BUILD_DIR/transcoder/sluice-transcoder"
    export SLUICE_SANITIZE="$SANITIZE"
    export SLUICE_ROOT="$ROOT"

    # for nginx built with sanitizers (harmless otherwise): nginx never
    # frees its pools at exit, and every dynamic module defines its own
    # ngx_modules; t/lib/ubsan.supp lists known reports in nginx's code
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:detect_odr_violation=0}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:suppressions=$ROOT/t/lib/ubsan.supp}"
}


as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root to run: $*"
    fi
}


# --- deps -----------------------------------------------------------------

missing_packages() {
    local p missing=""

    for p in $APT_PACKAGES; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
             | grep -q 'install ok installed'
        then
            missing="$missing $p"
        fi
    done

    command -v node >/dev/null || missing="$missing nodejs"
    command -v npm >/dev/null || missing="$missing npm"

    echo "$missing"
}


ensure_packages() {
    local missing

    missing="$(missing_packages)"
    [ -z "${missing// /}" ] && return 0

    log "installing:$missing"
    as_root apt-get -qq update
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -qq -y --no-install-recommends install $missing >/dev/null
}


ensure_deb_src() {
    local f=/etc/apt/sources.list.d/sluice-src.sources
    local want

    want="Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"

    if [ "$(cat "$f" 2>/dev/null)" != "$want" ]; then
        printf '%s\n' "$want" | as_root tee "$f" >/dev/null
    fi
}


fetch_sources() {
    local nginx_tar="nginx_$NGINX_VERSION.orig.tar.gz"
    local rtmp_tar="libnginx-mod-rtmp_$RTMP_VERSION+dfsg.orig.tar.xz"

    mkdir -p "$SRC_DIR"

    if [ ! -f "$SRC_DIR/$nginx_tar" ] || [ ! -f "$SRC_DIR/$rtmp_tar" ]; then
        log "fetching nginx and nginx-rtmp-module sources (apt-get source)"
        ensure_deb_src
        as_root apt-get -qq update
        # The rtmp .debian.tar.xz answers 404 and apt exits non-zero;
        # only the orig tarballs matter, checked below.
        (cd "$SRC_DIR" && apt-get -qq source --download-only \
            nginx libnginx-mod-rtmp >/dev/null 2>&1) || true
        [ -f "$SRC_DIR/$nginx_tar" ] || die "could not fetch $nginx_tar"
        [ -f "$SRC_DIR/$rtmp_tar" ] || die "could not fetch $rtmp_tar"
    fi

    if [ ! -f "$NGINX_SRC/configure" ]; then
        log "unpacking nginx $NGINX_VERSION"
        tar -C "$SRC_DIR" -xzf "$SRC_DIR/$nginx_tar"
    fi

    if [ ! -f "$RTMP_SRC/config" ]; then
        log "unpacking nginx-rtmp-module $RTMP_VERSION"
        rm -rf "$RTMP_SRC.tmp"
        mkdir -p "$RTMP_SRC.tmp"
        tar -C "$RTMP_SRC.tmp" -xJf "$SRC_DIR/$rtmp_tar"
        # the tarball holds a single top directory whatever its name
        mv "$RTMP_SRC.tmp"/* "$RTMP_SRC"
        rmdir "$RTMP_SRC.tmp"
    fi
}


# npm packages of the JavaScript test helpers: t/browser (hls.js, dash.js,
# Shaka, playwright-core), t/sdk (the Azure SDK), any t/*/package.json;
# and the players of the web console (console/package.json)
ensure_npm() {
    local pj b

    for pj in "$ROOT"/t/*/package.json "$ROOT"/console/package.json; do
        [ -f "$pj" ] || continue
        b="$(dirname "$pj")"
        if [ -f "$b/node_modules/.package-lock.json" ] \
           && [ ! "$b/package-lock.json" -nt "$b/node_modules/.package-lock.json" ]
        then
            continue
        fi

        log "installing the npm packages of ${b#"$ROOT"/}"
        if [ -f "$b/package-lock.json" ]; then
            npm ci --prefix "$b" --no-audit --no-fund --loglevel=error \
                >/dev/null
        else
            npm install --prefix "$b" --no-audit --no-fund --loglevel=error \
                >/dev/null
        fi || log "npm failed in ${b#"$ROOT"/}: its tests will be skipped"
    done
}


cmd_deps() {
    ensure_packages
    fetch_sources
    ensure_npm
}


# --- build ----------------------------------------------------------------

# The stream module as Debian builds it (dynamic, with ssl): TLS in front
# of the RTMP listener for RTMPS ingest (docs/directives.md, "RTMPS").
# HTTP/2 as Debian builds it: low-latency blocking requests over h2.
configure_args() {
    printf '%s\n' \
        --with-compat --with-threads --with-http_ssl_module --with-debug \
        --with-http_v2_module \
        --with-stream=dynamic --with-stream_ssl_module \
        --prefix="$BUILD_DIR/prefix" --builddir="$OBJS" \
        --add-dynamic-module="$RTMP_SRC" --add-dynamic-module="$ROOT"
    [ -n "$CC_OPT" ] && printf '%s\n' "--with-cc-opt=$CC_OPT"
    [ -n "$LD_OPT" ] && printf '%s\n' "--with-ld-opt=$LD_OPT"
    return 0
}


# What decides whether configure must run again: its arguments, the
# module config file and the list (not the contents) of source files.
configure_hash() {
    {
        configure_args
        cat "$ROOT/config"
        find "$ROOT/src" -name '*.[ch]' | LC_ALL=C sort
    } | sha256sum | cut -d' ' -f1
}


cmd_build() {
    local hash stamp

    cmd_deps

    mkdir -p "$BUILD_DIR"
    exec 9>"$BUILD_DIR/.lock"
    flock 9

    stamp="$BUILD_DIR/.configure-hash"
    hash="$(configure_hash)"

    if [ ! -f "$OBJS/Makefile" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ]
    then
        log "configuring nginx into ${OBJS#"$ROOT"/}"
        rm -f "$stamp"
        local args=()
        mapfile -t args < <(configure_args)
        (cd "$NGINX_SRC" && ./configure "${args[@]}" \
            >"$BUILD_DIR/configure.log" 2>&1) \
            || { tail -30 "$BUILD_DIR/configure.log"; die "configure failed"; }
        echo "$hash" >"$stamp"
    fi

    # objs/Makefile is a dependency of every object: after a configure
    # everything is rebuilt, otherwise only what changed (seconds)
    (cd "$NGINX_SRC" && make -s -j"$(nproc)" -f "$OBJS/Makefile" binary) \
        || die "nginx build failed"
    (cd "$NGINX_SRC" && make -s -j"$(nproc)" -f "$OBJS/Makefile" modules) \
        || die "module build failed"
    build_transcoder
    build_console

    exec 9>&-
    verify_modules
    log "built ${SLUICE_NGINX#"$ROOT"/} and modules in ${OBJS#"$ROOT"/}"
}


# --- the live encoder (src/transcoder/) ------------------------------------

# sluice-transcoder: its own program (never inside nginx), src/transcoder/
# and the pure sources of src/media, src/util it uses, linked with FFmpeg's
# libraries (Debian's -dev packages, in APT_PACKAGES).  An object is
# compiled again when its source, any header or the flags changed.
TRANSCODER_LIB_SRCS="src/media/transcode/sluice_ladder.c"
TRANSCODER_LIBS="libavformat libavcodec libswscale libswresample libavutil"

build_transcoder() {
    local dir="$BUILD_DIR/transcoder" bin c o newest_h objs=() flags relink=0
    local ff_cflags ff_libs

    bin="$dir/sluice-transcoder"
    mkdir -p "$dir/obj"
    ff_cflags="$(pkg-config --cflags $TRANSCODER_LIBS)" \
        || die "transcoder: pkg-config cannot find FFmpeg's libraries"
    ff_libs="$(pkg-config --libs $TRANSCODER_LIBS)"
    flags="-std=gnu99 -O2 -g -Wall -Wextra -Wpointer-arith"
    flags="$flags -Wno-unused-parameter -Werror -pthread $CC_OPT"

    if [ "$(cat "$dir/.flags" 2>/dev/null)" != "$flags $ff_cflags" ]; then
        rm -f "$dir"/obj/*.o
        echo "$flags $ff_cflags" >"$dir/.flags"
    fi

    newest_h=yes
    if [ -f "$dir/.stamp" ]; then
        newest_h="$(find "$ROOT/src" -name '*.h' -newer "$dir/.stamp" \
                    | head -1)"
    fi

    for c in $TRANSCODER_LIB_SRCS $(cd "$ROOT" && ls src/transcoder/*.c); do
        o="$dir/obj/$(basename "$c" .c).o"
        if [ -n "$newest_h" ] || [ ! -f "$o" ] || [ "$ROOT/$c" -nt "$o" ]
        then
            # shellcheck disable=SC2086
            gcc $flags $ff_cflags -I"$ROOT/src" -c "$ROOT/$c" -o "$o" \
                || die "transcoder: compiling $c failed"
            relink=1
        fi
        objs+=("$o")
    done

    if [ "$relink" = 1 ] || [ ! -x "$bin" ]; then
        # shellcheck disable=SC2086
        gcc -pthread $LD_OPT "${objs[@]}" $ff_libs -o "$bin.tmp" \
            || die "transcoder: linking failed"
        mv "$bin.tmp" "$bin"
    fi
    touch "$dir/.stamp"
}


# --- the web console (console/) --------------------------------------------

# build/console/ (whatever the variant): what nginx serves at /console/
# (README, "Web console"): the console's own files (console/*.html,
# *.css, js/) and, in lib/, the players' builds from console/node_modules
# (npm, pinned by console/package-lock.json, installed by ensure_npm)
# with their licences.  Nothing is fetched at run time.  Assembled
# beside (a name per process: the two variants' builds may run at once),
# then swapped in only when something changed.
CONSOLE_LIBS="hls.js/dist/hls.min.js hls.js/LICENSE:hls.js.LICENSE
    dashjs/dist/modern/umd/dash.all.min.js
    dashjs/dist/modern/umd/dash.all.min.js.LICENSE.txt
    dashjs/dist/modern/umd/dash.mss.min.js dashjs/LICENSE.md:dash.js.LICENSE
    shaka-player/dist/shaka-player.compiled.js
    shaka-player/LICENSE:shaka-player.LICENSE"

build_console() {
    local src="$ROOT/console" out="$ROOT/build/console" tmp f from to
    local missing=""

    tmp="$out.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp/lib"
    cp "$src"/*.html "$src"/*.css "$tmp/"
    cp -R "$src/js" "$tmp/js"

    for f in $CONSOLE_LIBS; do
        from="${f%%:*}"
        to="${f#*:}"
        [ "$to" = "$f" ] && to="$(basename "$from")"
        if [ -f "$src/node_modules/$from" ]; then
            cp "$src/node_modules/$from" "$tmp/lib/$to"
        else
            missing="$missing $from"
        fi
    done
    [ -n "$missing" ] && log "console: players missing (npm failed?):" \
        "$missing; the console will not play"

    if [ -d "$out" ] && diff -r -q "$tmp" "$out" >/dev/null 2>&1; then
        rm -rf "$tmp"
        return 0
    fi
    [ -d "$out" ] && mv "$out" "$out.old.$$"
    mv "$tmp" "$out"
    rm -rf "$out.old.$$"
}


# --- unit tests and fuzzing ------------------------------------------------

# Compile each source of src/media and src/util once into $1 (with the
# compiler and flags that follow), again only when it or a header changed.
compile_lib_objects() {
    local objdir="$1" cc="$2" c o newest_h
    shift 2

    mkdir -p "$objdir"
    LIB_OBJECTS=()
    newest_h="$(find "$ROOT/src" -name '*.h' -newer "$objdir/.stamp" \
                2>/dev/null | head -1)"
    [ -f "$objdir/.stamp" ] || newest_h=yes

    # flags are part of the stamp: other flags, other objects
    if [ "$(cat "$objdir/.flags" 2>/dev/null)" != "$cc $*" ]; then
        rm -f "$objdir"/*.o
        echo "$cc $*" >"$objdir/.flags"
    fi

    for c in $(find "$ROOT/src/media" "$ROOT/src/util" -name '*.c' \
               | LC_ALL=C sort)
    do
        o="$objdir/$(basename "$c" .c).o"
        if [ -n "$newest_h" ] || [ ! -f "$o" ] || [ "$c" -nt "$o" ]; then
            "$cc" "$@" $UNIT_INCS -c "$c" -o "$o" || return 1
        fi
        LIB_OBJECTS+=("$o")
    done
    touch "$objdir/.stamp"
}


UNIT_INCS="-I$ROOT/src -I$ROOT/t/unit"
# src/media/crypto uses OpenSSL's EVP (libssl-dev, in APT_PACKAGES)
UNIT_LIBS="-lm -lcrypto"


cmd_unit() {
    local dir="$BUILD_DIR/unit" cflags t name out last failed=()
    # nginx's own warning set (-Wno-unused-parameter: callbacks, as in nginx)
    local flags=(-std=gnu99 -Wall -Wextra -Wpointer-arith -Wno-unused-parameter
                 -Werror -g -O1)

    if [ "$SANITIZE" = 1 ]; then
        # shellcheck disable=SC2206
        flags+=($SAN_FLAGS -fno-sanitize-recover=all)
    fi

    mkdir -p "$dir"
    exec 8>"$dir/.lock"
    flock 8

    compile_lib_objects "$dir/obj" gcc "${flags[@]}" \
        || die "unit: compiling src/media, src/util failed"

    for t in "$ROOT"/t/unit/test_*.c; do
        [ -f "$t" ] || continue
        name="$(basename "$t" .c)"
        if ! gcc "${flags[@]}" $UNIT_INCS "$t" "${LIB_OBJECTS[@]}" $UNIT_LIBS \
             -o "$dir/$name"
        then
            failed+=("$name (build)")
            continue
        fi

        local rc=0
        out="$(cd "$dir" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS= \
               "$dir/$name" 2>"$dir/$name.stderr")" || rc=$?
        last="$(printf '%s\n' "$out" | tail -1)"
        printf '%-22s %s\n' "$name" "$last"

        # "N passed, M failed" (sluice_test.h) or "N checks, M failures"
        if [ "$rc" != 0 ] || { [[ "$last" =~ ([0-9]+)\ fail ]] \
                               && [ "${BASH_REMATCH[1]}" != 0 ]; }
        then
            failed+=("$name")
            [ "$rc" != 0 ] && printf '    exit status %s\n' "$rc"
            tail -30 "$dir/$name.stderr" | sed 's/^/    /'
        fi
    done

    if [ ${#failed[@]} -gt 0 ]; then
        die "unit tests failed: ${failed[*]}"
    fi
    log "unit tests passed"
}


# bench/cues.c against the pure sources compiled with -O2 (as nginx
# builds them), in build/bench; arguments: the rounds
cmd_bench_cues() {
    local dir="$BUILD_DIR/bench"
    local flags=(-std=gnu99 -Wall -Wextra -Wpointer-arith
                 -Wno-unused-parameter -Werror -g -O2)

    mkdir -p "$dir"
    exec 8>"$dir/.lock"
    flock 8

    compile_lib_objects "$dir/obj" gcc "${flags[@]}" \
        || die "bench-cues: compiling src/media, src/util failed"
    # shellcheck disable=SC2086
    gcc "${flags[@]}" $UNIT_INCS "$ROOT/bench/cues.c" "${LIB_OBJECTS[@]}" \
        $UNIT_LIBS -o "$dir/bench_cues" || die "bench-cues: build failed"
    "$dir/bench_cues" "$@"
}


# Build every t/fuzz/fuzz_*.c into $BUILD_DIR/fuzz/fuzz_NAME ($jobs
# compilers at once); FUZZ_NAMES: the targets built, FUZZ_FAILED: the ones
# that did not build ("NAME (build)").  The caller holds the fuzz lock.
fuzz_build() {
    local dir="$BUILD_DIR/fuzz" jobs="$1" t name all=()
    local flags=(-g -O1 -Wall -fno-omit-frame-pointer)

    FUZZ_NAMES=()
    FUZZ_FAILED=()

    compile_lib_objects "$dir/obj" clang "${flags[@]}" \
        -fsanitize=fuzzer-no-link,address,undefined \
        || die "fuzz: compiling src/media, src/util failed"

    for t in "$ROOT"/t/fuzz/fuzz_*.c; do
        name="$(basename "$t" .c)"
        name="${name#fuzz_}"
        all+=("$name")
        rm -f "$dir/$name.build.rc"
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
            wait -n || true
        done
        # shellcheck disable=SC2086
        ( rc=0
          clang "${flags[@]}" -fsanitize=fuzzer,address,undefined \
              $UNIT_INCS "$t" "${LIB_OBJECTS[@]}" $UNIT_LIBS \
              -o "$dir/fuzz_$name" \
              >"$dir/$name.build.log" 2>&1 || rc=$?
          echo "$rc" >"$dir/$name.build.rc" ) &
    done
    wait

    for name in "${all[@]}"; do
        cat "$dir/$name.build.log" >&2
        if [ "$(cat "$dir/$name.build.rc" 2>/dev/null)" = 0 ]; then
            FUZZ_NAMES+=("$name")
        else
            FUZZ_FAILED+=("$name (build)")
        fi
    done
}


fuzz_lock() {
    mkdir -p "$BUILD_DIR/fuzz"
    exec 8>"$BUILD_DIR/fuzz/.lock"
    flock 8
}


# the targets only (bench/fuzz.sh runs them its own way)
cmd_fuzz_build() {
    local jobs="${SLUICE_FUZZ_JOBS:-$(nproc)}"

    if ! ls "$ROOT"/t/fuzz/fuzz_*.c >/dev/null 2>&1; then
        die "fuzz-build: no targets in t/fuzz"
    fi

    fuzz_lock
    fuzz_build "$jobs"
    [ ${#FUZZ_FAILED[@]} -eq 0 ] || die "fuzz targets failed: ${FUZZ_FAILED[*]}"
    log "fuzz targets built: ${BUILD_DIR#"$ROOT"/}/fuzz/fuzz_NAME" \
        "(${#FUZZ_NAMES[@]})"
}


cmd_fuzz() {
    local dir="$BUILD_DIR/fuzz" name corpus seeds rc
    local names=() failed=()
    local jobs="${SLUICE_FUZZ_JOBS:-$(nproc)}" start=$SECONDS

    if ! ls "$ROOT"/t/fuzz/fuzz_*.c >/dev/null 2>&1; then
        log "fuzz: no targets in t/fuzz, skipped"
        return 0
    fi

    fuzz_lock

    # build every target first ($jobs compilers at once), then fuzz them
    # $jobs at a time (one core each): every target still gets
    # FUZZ_SECONDS of fuzzing
    fuzz_build "$jobs"
    names=("${FUZZ_NAMES[@]}")
    failed=("${FUZZ_FAILED[@]}")
    for name in "${names[@]}"; do
        rm -f "$dir/$name.rc"
    done

    log "fuzz ${#names[@]} targets for ${FUZZ_SECONDS}s each, $jobs at a time"
    for name in "${names[@]}"; do
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
            wait -n || true
        done

        # new inputs go to build/, the seeds in the repository stay as they are
        corpus="$dir/corpus/$name"
        seeds="$ROOT/t/fuzz/corpus/$name"
        mkdir -p "$corpus" "$dir/artifacts"
        [ -d "$seeds" ] || seeds=""

        # shellcheck disable=SC2086
        ( rc=0
          ASAN_OPTIONS= UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
              "$dir/fuzz_$name" \
              -max_total_time="$FUZZ_SECONDS" \
              -timeout="$FUZZ_TIMEOUT" -rss_limit_mb=2048 \
              -print_final_stats=0 -artifact_prefix="$dir/artifacts/$name-" \
              "$corpus" $seeds >"$dir/$name.log" 2>&1 || rc=$?
          echo "$rc" >"$dir/$name.rc" ) &
    done
    wait

    # the results in the targets' order, each with its own log
    for name in "${names[@]}"; do
        rc="$(cat "$dir/$name.rc" 2>/dev/null || echo '?')"
        if [ "$rc" != 0 ]; then
            failed+=("$name")
            printf '    %s: exit status %s, log %s\n' "$name" "$rc" \
                "${dir#"$ROOT"/}/$name.log"
            grep -A25 -m1 'ERROR\|runtime error\|==[0-9]*==' "$dir/$name.log" \
                || tail -30 "$dir/$name.log"
            ls "$dir/artifacts/$name-"* 2>/dev/null || true
        else
            tail -1 "$dir/$name.log" | sed "s/^/    $name: /"
        fi
    done

    if [ ${#failed[@]} -gt 0 ]; then
        die "fuzz targets failed: ${failed[*]}"
    fi
    log "fuzz smoke passed in $((SECONDS - start)) s"
}


# --- integration tests -----------------------------------------------------

# The longest suites (docs/benchmarks.md, "CI times"), longest first:
# prove -jN starts them first, so the run does not end with one of them
# running alone.  The encoding suites (t/092, t/089: a core each, for
# minutes) come after the browser players, which starve beside them
# (t/074 timed out so with t/092 first).  The other suites follow in name
# order (t/090 last: the Debian build that ./build.sh test starts in the
# background is done by then).
SLOW_SUITES="t/053-players-reconnect.t t/050-players.t t/030-ingest.t
    t/077-hls-encryption-players.t t/078-sdk-encryption.t t/074-dvr-seek.t
    t/126-asset-gaps-players.t t/128-asset-gaps-window-players.t
    t/076-dash-encryption.t t/060-record.t t/061-record-crash.t
    t/033-ingest-batch.t t/051-gstreamer.t t/083-manifest-options.t
    t/079-cbcs-slice-headers.t t/093-player-switching.t t/072-vod.t
    t/100-ingest-srt.t t/098-redundant-ingest.t t/097-captions.t
    t/094-ingest-fmp4.t t/095-ingest-ertmp-hevc.t t/102-cue-ingest.t
    t/103-cue-hls.t t/104-cue-dash-smooth.t t/107-ll-players.t
    t/106-ll-hls.t t/113-console.t t/121-crash-consistency.t
    t/125-manifest-renditions.t t/114-out-of-sync.t
    t/132-preview-discontinuity-sequence.t t/092-live-encoding.t
    t/089-transcoder.t t/105-splice-encoding.t"


# every t/*.t, the slow ones first
prove_order() {
    local f

    for f in $SLOW_SUITES; do
        [ -f "$f" ] && echo "$f"
    done
    for f in t/*.t; do
        case " $(echo $SLOW_SUITES) " in
            *" $f "*) ;;
            *) echo "$f" ;;
        esac
    done
}


cmd_prove() {
    # Five suites at a time: they mostly wait for real-time media (the
    # normal build at -j4: 421 CPU-s in 716 s, 0.59 of 2 cores; the
    # sanitizer build at -j3: 169 CPU-s in 470 s; 2026-12-08).  CI time:
    # docs/benchmarks.md.
    local jobs="${SLUICE_PROVE_JOBS:-5}" what="$*"

    [ -x "$SLUICE_NGINX" ] || cmd_build

    # Test::Sluice gives every test its own ports and directory, so test
    # files can run in parallel
    if [ $# -eq 0 ] && [ "$SANITIZE" = 1 ]; then
        # the browser player suites (t/050, t/053, t/074, t/077, t/078,
        # t/093, t/107, t/126, t/128) check the players more than our
        # code, which the other suites already run under the sanitizers
        # (key delivery and tokens:
        # t/028, t/029, t/075; the SDK: t/025, t/080), and the Debian
        # build is not a sanitizer build: leave them to the normal pass
        # (CI time); so are t/095 and t/096 (Enhanced RTMP tags and RTMPS:
        # nginx-rtmp's paths and the stream module's TLS, whose Sluice code,
        # the HEVC configuration and the ingest core, t/094 runs), t/051
        # (GStreamer's players: their packaging is t/052's), t/089 (the
        # transcoder's ladders and pacing under load; its code runs under
        # the sanitizers in t/092), t/105 (splice points through the
        # transcoder: the cadence is unit-tested under the sanitizers, the
        # cuts in the ingest core are t/102's), t/113 (the web console
        # in Chromium: the API routes and telemetry it calls are t/010's,
        # t/022's, t/109's) and t/110 (low latency over HTTP/2: nginx's
        # own HTTP/2 code makes unaligned loads and stores UBSan reports;
        # the parking it exercises is t/106's, which runs here)
        set -- $(prove_order | grep -v -e '^t/05[013]-' -e '^t/07[478]-' \
                                     -e '^t/089-' -e '^t/09[03]-' \
                                     -e '^t/09[56]-' -e '^t/105-' \
                                     -e '^t/107-' -e '^t/110-' \
                                     -e '^t/113-' -e '^t/12[68]-')
        what="$# suites of t/, the slow ones first"
    elif [ $# -eq 0 ]; then
        set -- $(prove_order)
        what="$# suites of t/, the slow ones first"
    fi
    log "prove -j$jobs $what (nginx: ${SLUICE_NGINX#"$ROOT"/})"
    # --timer: each suite's time in the log (docs/benchmarks.md)
    prove -j"$jobs" --timer -I "$ROOT/t/lib" "$@"
}


cmd_test() {
    local start=$SECONDS rc=0 fuzz_pid="" fuzz_rc=0 deb_pid="" unit_pid
    local unit_rc=0

    cmd_build

    # The C unit tests (about 40 s of compiling and running, serial) run
    # beside prove too, at the lowest priority; their report comes after
    # prove's and fails the run like prove's.
    mkdir -p "$BUILD_DIR/unit"
    log "unit tests in the background (nice 19):" \
        "${BUILD_DIR#"$ROOT"/}/unit/unit.log"
    # (the variant goes with SLUICE_SANITIZE, exported)
    nice -n 19 "$ROOT/build.sh" unit >"$BUILD_DIR/unit/unit.log" 2>&1 &
    unit_pid=$!

    # The fuzz smoke (the targets are always built with ASan+UBSan: once
    # is enough, not with --sanitize) and the build against Debian's
    # nginx (which t/090 needs) use the CPU; the nginx-level tests mostly
    # wait for media in real time (prove -j2 uses about half a core of
    # two on average).  So both run during prove, in the background at
    # the lowest priority (nice 19): they take the CPU prove leaves idle
    # and give it back as soon as a test wants it.  Each fuzz target is
    # still fuzzed for SLUICE_FUZZ_SECONDS of wall clock (fewer runs when
    # the tests are busy), with a 30 s limit per input instead of 10 s,
    # as a starved process is slow; the report comes after prove's.
    # SLUICE_FUZZ_BACKGROUND=0: the fuzz smoke before prove instead, with
    # the machine to itself.
    if [ "$SANITIZE" != 1 ] && [ "${SLUICE_FUZZ_BACKGROUND:-1}" = 0 ]; then
        cmd_fuzz
    elif [ "$SANITIZE" != 1 ] && ls "$ROOT"/t/fuzz/fuzz_*.c >/dev/null 2>&1
    then
        mkdir -p "$BUILD_DIR/fuzz"
        log "fuzz smoke in the background (nice 19):" \
            "${BUILD_DIR#"$ROOT"/}/fuzz/smoke.log"
        SLUICE_FUZZ_TIMEOUT="${SLUICE_FUZZ_TIMEOUT:-30}" \
            nice -n 19 "$ROOT/build.sh" fuzz \
            >"$BUILD_DIR/fuzz/smoke.log" 2>&1 &
        fuzz_pid=$!
        if [ $# -eq 0 ] && [ -f "$ROOT/t/090-debian-nginx.t" ]; then
            nice -n 19 "$ROOT/build.sh" debian \
                >"$ROOT/build/debian.log" 2>&1 &
            deb_pid=$!
        fi
        # shellcheck disable=SC2064
        trap "kill $fuzz_pid $deb_pid $unit_pid 2>/dev/null || true" INT TERM
    fi

    cmd_prove "$@" || rc=$?

    wait "$unit_pid" || unit_rc=$?
    cat "$BUILD_DIR/unit/unit.log" >&2

    if [ -n "$fuzz_pid" ]; then
        # (t/090 reports the Debian build: its own run waited for this one)
        [ -n "$deb_pid" ] && { wait "$deb_pid" || true; }
        wait "$fuzz_pid" || fuzz_rc=$?
        trap - INT TERM
        cat "$BUILD_DIR/fuzz/smoke.log" >&2
    fi

    [ "$rc" = 0 ] || die "prove failed"
    [ "$unit_rc" = 0 ] || die "unit tests failed"
    [ "$fuzz_rc" = 0 ] || die "fuzz smoke failed"
    log "all tests passed in $((SECONDS - start)) s"
}


# A module with an undefined symbol links fine and fails only at dlopen():
# check that nginx -t loads both modules.
verify_modules() {
    local d="$BUILD_DIR/verify" out

    mkdir -p "$d/logs"
    cat >"$d/nginx.conf" <<EOF
load_module $OBJS/ngx_rtmp_module.so;
load_module $OBJS/ngx_http_sluice_module.so;
error_log $d/error.log;
pid $d/nginx.pid;
events {}
EOF
    if ! out="$("$SLUICE_NGINX" -p "$d/" -c nginx.conf -e error.log -t 2>&1)"
    then
        printf '%s\n' "$out" >&2
        die "the built modules do not load"
    fi
}


# --- quickstart ------------------------------------------------------------

QS_KEY=sluice-quickstart-key
QS_TOKEN=quickstart
QS_LOCATOR=8f2a6c3e-5b1d-4e7a-9c0f-3d4b5a6e7f80
QS_API="http://127.0.0.1:8080/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/quickstart/providers/Microsoft.Media/mediaServices/local"


make_cert() {
    local crt="$1" key="$2"

    [ -s "$crt" ] && [ -s "$key" ] && return 0
    log "making a self-signed certificate for 127.0.0.1 and localhost"
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost \
        -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
        -keyout "$key" -out "$crt" 2>/dev/null
    chmod 600 "$key"
}


print_next_steps() {
    local ev="$QS_API/liveEvents/quickstart"
    local rtmp="rtmp://127.0.0.1:1935/live/$QS_TOKEN"
    local preview="https://127.0.0.1:8443/$QS_LOCATOR/preview.ism"

    cat <<EOF

Sluice is running (nginx -p build/run/, logs in build/run/logs/).
Ctrl-C stops it.

1. Create and start a live event (in another terminal):

   curl -sS -X PUT '$ev?api-version=2022-08-01' \\
     -H 'Authorization: Bearer $QS_KEY' -H 'Content-Type: application/json' \\
     -d '{"location":"local","properties":{"input":{"streamingProtocol":"RTMP",
          "accessToken":"$QS_TOKEN","keyFrameIntervalDuration":"PT2S"},
          "preview":{"previewLocator":"$QS_LOCATOR"}}}'
   curl -sS -X POST '$ev/start?api-version=2022-08-01' \\
     -H 'Authorization: Bearer $QS_KEY' -d ''

2. Push three renditions (keyframes every 2 s, aligned):

   ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=30 \\
     -f lavfi -i sine=frequency=440:sample_rate=48000 \\
     -filter_complex '[0:v]split=3[a][b][c];[b]scale=960:540[b2];[c]scale=640:360[c2]' \\
     -map '[a]' -map 1:a -c:v libx264 -preset veryfast -g 60 -keyint_min 60 \\
       -sc_threshold 0 -b:v 2500k -c:a aac -b:a 128k -f flv $rtmp/720p \\
     -map '[b2]' -map 1:a -c:v libx264 -preset veryfast -g 60 -keyint_min 60 \\
       -sc_threshold 0 -b:v 1200k -c:a aac -b:a 128k -f flv $rtmp/540p \\
     -map '[c2]' -map 1:a -c:v libx264 -preset veryfast -g 60 -keyint_min 60 \\
       -sc_threshold 0 -b:v 600k -c:a aac -b:a 128k -f flv $rtmp/360p

   OBS: server $rtmp, stream key any name, keyframe interval 2 s.
   RTMPS: the same with rtmps://127.0.0.1:2935/live/$QS_TOKEN (the
   certificate is self-signed: ffmpeg takes it, other encoders may not).

3. Watch the preview (self-signed certificate: curl -k, or accept it in
   the browser at https://127.0.0.1:8443/ first):

   HLS (TS)     $preview/manifest(format=m3u8-aapl)
   HLS (fMP4)   $preview/manifest(format=m3u8-cmaf)
   DASH         $preview/manifest(format=mpd-time-cmaf)
   Smooth       $preview/manifest

   Plain HTTP serves the same URLs on port 8080:

   ffplay 'http://127.0.0.1:8080/$QS_LOCATOR/preview.ism/manifest(format=m3u8-cmaf)'

EOF
}


cmd_run() {
    local run="$ROOT/build/run" pid rc=0

    cmd_build

    mkdir -p "$run/conf" "$run/logs" "$run/data" "$run/modules"
    ln -sf "$OBJS/ngx_rtmp_module.so" "$run/modules/ngx_rtmp_module.so"
    ln -sf "$OBJS/ngx_http_sluice_module.so" \
        "$run/modules/ngx_http_sluice_module.so"
    ln -sf "$OBJS/ngx_stream_module.so" "$run/modules/ngx_stream_module.so"
    mkdir -p "$run/transcoder"
    ln -sf "$SLUICE_TRANSCODER" "$run/transcoder/sluice-transcoder"
    # the console (location /console/ of quickstart.conf)
    ln -sfn "$ROOT/build/console" "$run/console"

    if [ ! -f "$run/conf/nginx.conf" ] \
       || [ "$ROOT/conf.examples/quickstart.conf" -nt "$run/conf/nginx.conf" ]
    then
        cp "$ROOT/conf.examples/quickstart.conf" "$run/conf/nginx.conf"
    fi
    make_cert "$run/conf/sluice.crt" "$run/conf/sluice.key"

    "$SLUICE_NGINX" -p "$run/" -c conf/nginx.conf -t -q \
        || die "nginx -t failed on build/run/conf/nginx.conf"

    "$SLUICE_NGINX" -p "$run/" -c conf/nginx.conf -g 'daemon off;' &
    pid=$!
    # first Ctrl-C: graceful stop (QUIT); a second one: fast stop (TERM)
    trap 'trap "kill -TERM \$pid 2>/dev/null || true" INT TERM;
          kill -QUIT "$pid" 2>/dev/null || true' INT TERM

    sleep 0.5
    kill -0 "$pid" 2>/dev/null && print_next_steps

    # wait returns early when a signal arrives: wait again until nginx is gone
    while kill -0 "$pid" 2>/dev/null; do
        wait "$pid" || rc=$?
    done
    trap - INT TERM
    log "nginx stopped"
    return "$rc"
}


# --- against Debian's nginx --------------------------------------------------

DEBIAN_NGINX_SRC=/usr/share/nginx/src


ensure_debian_nginx() {
    local p missing="" policy=/usr/sbin/policy-rc.d made_policy=0

    for p in nginx nginx-dev libnginx-mod-rtmp; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q 'install ok installed' || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0

    log "installing Debian's nginx:$missing (the service is not started)"
    # keep the packaged nginx service from starting on port 80
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod 755 "$policy"
        made_policy=1
    fi
    as_root apt-get -qq update
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -qq -y install $missing >/dev/null || {
        [ "$made_policy" = 1 ] && as_root rm -f "$policy"
        return 1
    }
    [ "$made_policy" = 1 ] && as_root rm -f "$policy"
    return 0
}


# Debian's packaged flags (CFLAGS, CPPFLAGS, LDFLAGS) without -Wdate-time,
# which breaks nginx-rtmp's headers under -Werror
debian_flags() {
    local f

    for f in $(dpkg-buildflags --get "$1"); do
        case "$f" in
            -Wdate-time|-ffile-prefix-map=*) ;;
            *) printf '%s ' "$f" ;;
        esac
    done
}


cmd_debian() {
    local dir="$ROOT/build/debian" hash stamp args=() cc ld out

    # one at a time, package installation included (./build.sh test starts
    # one in the background, t/090 runs another)
    mkdir -p "$dir"
    exec 9>"$ROOT/build/.debian.lock"
    flock 9

    ensure_packages
    fetch_sources
    ensure_debian_nginx || die "cannot install nginx nginx-dev libnginx-mod-rtmp"
    [ -f "$DEBIAN_NGINX_SRC/conf_flags" ] || die "no $DEBIAN_NGINX_SRC/conf_flags"

    # shellcheck disable=SC1091
    . "$DEBIAN_NGINX_SRC/conf_flags"

    # nginx-rtmp is not compiled here (Debian's .so is used): Sluice only
    # needs its headers
    cc="$(debian_flags CFLAGS)$(debian_flags CPPFLAGS)-fPIC -I$RTMP_SRC"
    ld="$(debian_flags LDFLAGS)-fPIC"
    args=("${NGX_CONF_FLAGS[@]}" "--with-cc-opt=$cc" "--with-ld-opt=$ld"
          "--builddir=$dir" "--add-dynamic-module=$ROOT")

    stamp="$dir/.configure-hash"
    hash="$({ printf '%s\n' "${args[@]}"; cat "$ROOT/config"; \
              dpkg-query -W -f='${Version}' nginx-dev; \
              find "$ROOT/src" -name '*.[ch]' | LC_ALL=C sort; } \
            | sha256sum | cut -d' ' -f1)"

    if [ ! -f "$dir/Makefile" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ]
    then
        log "configuring Debian's nginx $(dpkg-query -W -f='${Version}' \
            nginx-dev) sources into build/debian"
        rm -f "$stamp"
        (cd "$DEBIAN_NGINX_SRC" && ./configure "${args[@]}" \
            >"$dir/configure.log" 2>&1) \
            || { tail -30 "$dir/configure.log"; die "configure failed"; }
        echo "$hash" >"$stamp"
    fi

    make -s -j"$(nproc)" -f "$dir/Makefile" -C "$DEBIAN_NGINX_SRC" modules \
        || die "module build against Debian's nginx failed"
    exec 9>&-

    # the packaged nginx loads the packaged nginx-rtmp, then Sluice
    mkdir -p "$dir/verify/logs"
    cat >"$dir/verify/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
load_module $dir/ngx_http_sluice_module.so;
error_log $dir/verify/error.log;
pid $dir/verify/nginx.pid;
events {}
EOF
    out="$(/usr/sbin/nginx -p "$dir/verify/" -c nginx.conf -e error.log -t \
           2>&1)" || { printf '%s\n' "$out" >&2;
                       die "/usr/sbin/nginx cannot load the module"; }
    log "built build/debian/ngx_http_sluice_module.so for /usr/sbin/nginx"
}


cmd_env() {
    printf 'export SLUICE_NGINX=%q\n' "$SLUICE_NGINX"
    printf 'export SLUICE_MODULES_DIR=%q\n' "$SLUICE_MODULES_DIR"
    printf 'export SLUICE_TRANSCODER=%q\n' "$SLUICE_TRANSCODER"
    printf 'export SLUICE_SANITIZE=%q\n' "$SLUICE_SANITIZE"
    printf 'export SLUICE_ROOT=%q\n' "$SLUICE_ROOT"
}


cmd_clean() {
    rm -rf "$ROOT/build"
}


usage() {
    sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}


main() {
    local cmd="" a args=()

    for a in "$@"; do
        case "$a" in
            --sanitize) SANITIZE=1 ;;
            -h|--help|help) usage 0 ;;
            *)
                if [ -z "$cmd" ]; then
                    cmd="$a"
                else
                    args+=("$a")
                fi
                ;;
        esac
    done

    set_variant

    case "${cmd:-build}" in
        deps)   cmd_deps ;;
        build)  cmd_build ;;
        unit)   cmd_unit ;;
        fuzz)   cmd_fuzz ;;
        fuzz-build) cmd_fuzz_build ;;
        bench-cues) cmd_bench_cues "${args[@]}" ;;
        prove)  cmd_prove "${args[@]}" ;;
        test)   cmd_test "${args[@]}" ;;
        run)    cmd_run ;;
        debian) cmd_debian ;;
        env)    cmd_env ;;
        clean)  cmd_clean ;;
        *)      usage 1 ;;
    esac
}


main "$@"
