#!/usr/bin/env bash
#
# Copyright (C) 2026, The Sluice authors.
#
# Fuzzing campaign (issue 16): every libFuzzer target t/fuzz/fuzz_*.c, built
# by ./build.sh fuzz-build (clang -fsanitize=fuzzer,address,undefined), runs
# for a given time, a few at once (one core each); then executions,
# coverage, corpus and crashes per target and a markdown table of them
# (docs/benchmarks.md, "Fuzzing campaign").
#
#   bench/fuzz.sh [options] [TARGET...]
#
#   -t, --seconds S   fuzzing time per target (default 600)
#   -j, --jobs N      targets fuzzed at once (default nproc)
#   --merge           afterwards, merge the new inputs that cover new
#                     edges into t/fuzz/corpus/NAME (libFuzzer -merge=1
#                     -use_counters=0: edges, not hit counts, so the
#                     committed corpus grows but stays minimal; inputs
#                     larger than --max-file are left out) and copy each
#                     crash input there as crash-SHA1, so that the CI
#                     smoke (./build.sh fuzz) replays it
#   --seeds           first make the seeds from real samples
#                     (bench/fuzz-seeds.pl: ffmpeg) in t/fuzz/corpus
#   --max-file BYTES  largest input --merge adds (default 4096)
#   --timeout S       one input running longer is a crash (default 10)
#   --nice N          niceness of the fuzzers (default 10: a shared machine)
#   --work DIR        the campaign's own corpus, logs and crash inputs
#                     (default build/fuzz-campaign; kept between runs, so
#                     the corpus grows run after run)
#   TARGET...         the targets to fuzz (names: flv, tsdemux...; default
#                     all)
#
# Each target NAME fuzzes WORK/corpus/NAME (where libFuzzer writes the
# inputs it finds) with the seeds t/fuzz/corpus/NAME read-only beside it;
# crash inputs go to WORK/artifacts/NAME/, its log to WORK/logs/NAME.log.
# UBSan stops at its first report (halt_on_error), so undefined behaviour
# is a crash like an ASan report, a leak, a timeout or running out of
# memory (2 GB).  libFuzzer stops a target at its first crash.
#
# Exit status: 0 when no target crashed, 1 otherwise.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SEEDS_DIR="$ROOT/t/fuzz/corpus"

SECONDS_EACH=600
JOBS="$(nproc)"
MERGE=0
SEEDS=0
MAX_FILE=4096
TIMEOUT=10
NICE=10
WORK="$ROOT/build/fuzz-campaign"
TARGETS=()

# what the fuzzers run with: the campaign's own settings, not the caller's
FUZZ_ASAN_OPTIONS="detect_leaks=1"
FUZZ_UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"


die() {
    printf 'fuzz.sh: %s\n' "$*" >&2
    exit 2
}


log() {
    printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}


usage() {
    sed -n '3,40p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}


# files and bytes of the inputs in the directories given: "N B"
corpus_size() {
    local d n=0 b=0 f

    for d in "$@"; do
        [ -d "$d" ] || continue
        f="$(find "$d" -maxdepth 1 -type f -printf '%s\n' \
             | awk '{ n++; b += $1 } END { print n + 0, b + 0 }')"
        n=$((n + ${f% *}))
        b=$((b + ${f#* }))
    done
    echo "$n $b"
}


# Figures of one libFuzzer log, as shell assignments: the first coverage
# line (INITED: what the corpus covered before) and the last (DONE, or the
# last status line before a crash), -print_final_stats=1, the crash.
log_figures() {
    awk -v root="$ROOT/" '
        function field(name,    i) {
            for (i = 1; i < NF; i++) {
                if ($i == name ":") {
                    return $(i + 1)
                }
            }
            return ""
        }
        /\tINITED / && cov0 == "" {
            cov0 = field("cov"); ft0 = field("ft"); corp0 = field("corp")
        }
        /^#[0-9]+\t/ && / cov: / {
            cov = field("cov"); ft = field("ft"); corp = field("corp")
        }
        /^stat::number_of_executed_units:/ { execs = $2 }
        /^stat::average_exec_per_sec:/ { rate = $2 }
        /^stat::new_units_added:/ { added = $2 }
        /^stat::peak_rss_mb:/ { rss = $2 }
        /^SUMMARY: / && what == "" {
            what = $0; sub(/^SUMMARY: /, "", what)
        }
        /ERROR: libFuzzer: / && what == "" {
            what = $0; sub(/.*ERROR: libFuzzer: /, "", what)
        }
        END {
            gsub(/\047/, "", what)
            sub(/ in *$/, "", what)
            while ((i = index(what, root)) > 0) {
                what = substr(what, 1, i - 1) substr(what, i + length(root))
            }
            printf "cov0=%s ft0=%s corp0=%s\n", cov0, ft0, corp0
            printf "cov=%s ft=%s corp=%s\n", cov, ft, corp
            printf "execs=%s rate=%s added=%s rss=%s\n", execs, rate, added, rss
            printf "what=\047%s\047\n", what
        }' "$1"
}


# the crash inputs one run wrote (libFuzzer: "Test unit written to PATH")
# (a slow-unit-* is libFuzzer's note of its slowest input, not a crash)
log_artifacts() {
    sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$1" \
        | grep -v '/slow-unit-' | sort -u
}


# fuzz NAME: one target, its figures in WORK/logs/NAME.vars
fuzz_one() {
    local name="$1" bin="$WORK/bin/fuzz_$1" rc=0 before
    local corpus="$WORK/corpus/$1" seeds="$SEEDS_DIR/$1" arts="$WORK/artifacts/$1"
    local out="$WORK/logs/$1"

    mkdir -p "$corpus" "$arts"
    [ -d "$seeds" ] || seeds=""
    # shellcheck disable=SC2086
    before="$(corpus_size "$corpus" $seeds)"

    # shellcheck disable=SC2086
    ASAN_OPTIONS="$FUZZ_ASAN_OPTIONS" UBSAN_OPTIONS="$FUZZ_UBSAN_OPTIONS" \
        nice -n "$NICE" "$bin" -max_total_time="$SECONDS_EACH" \
            -timeout="$TIMEOUT" -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$arts/" "$corpus" $seeds \
            >"$out.log" 2>&1 || rc=$?

    {
        echo "rc=$rc"
        echo "files0='$before'"
        # shellcheck disable=SC2086
        echo "files='$(corpus_size "$corpus" $seeds)'"
        log_figures "$out.log"
    } >"$out.vars"

    # shellcheck disable=SC1090
    . "$out.vars"
    if [ "$rc" = 0 ]; then
        log "$name: $execs runs, $rate exec/s, cov $cov0 -> $cov"
    else
        log "$name: CRASH after $execs runs: $what"
    fi
}


# merge NAME: the new inputs that add coverage into t/fuzz/corpus/NAME,
# then the crash inputs as crash-SHA1
merge_one() {
    local name="$1" bin="$WORK/bin/fuzz_$1" seeds="$SEEDS_DIR/$1"
    local tmp="$WORK/merge/$1" out="$WORK/logs/$1" a sha n0 n1

    rm -rf "$tmp"
    mkdir -p "$tmp" "$seeds"
    find "$WORK/corpus/$name" -maxdepth 1 -type f -size -$((MAX_FILE + 1))c \
        -exec cp -t "$tmp" {} +

    n0="$(find "$seeds" -maxdepth 1 -type f | wc -l)"
    ASAN_OPTIONS="$FUZZ_ASAN_OPTIONS" UBSAN_OPTIONS="$FUZZ_UBSAN_OPTIONS" \
        nice -n "$NICE" "$bin" -merge=1 -use_counters=0 \
            -timeout="$TIMEOUT" -rss_limit_mb=2048 -artifact_prefix="$tmp/" \
            "$seeds" "$tmp" \
            >"$out.merge.log" 2>&1 \
        || log "$name: merge failed (log ${out#"$ROOT"/}.merge.log)"
    n1="$(find "$seeds" -maxdepth 1 -type f | wc -l)"
    echo "merged=$((n1 - n0))" >>"$out.vars"

    # (not the empty input, which libFuzzer always runs first, nor one the
    # corpus holds already)
    while read -r a; do
        [ -s "$a" ] || continue
        sha="$(sha1sum "$a" | cut -d' ' -f1)"
        if sha1sum "$seeds"/* 2>/dev/null | grep -q "^$sha "; then
            log "$name: crash input $a is in ${seeds#"$ROOT"/} already"
            continue
        fi
        cp "$a" "$seeds/crash-$sha"
        log "$name: crash input ${seeds#"$ROOT"/}/crash-$sha (replayed by" \
            "./build.sh fuzz: fix it)"
    done < <(log_artifacts "$out.log")
    rm -rf "$tmp"
}


report_one() {
    local name="$1" out="$WORK/logs/$1" a
    local rc files0 files cov0 ft0 corp0 cov ft corp execs rate added rss
    local what merged=""

    # shellcheck disable=SC1090
    . "$out.vars"

    printf '%s\n' "$name"
    printf '    executions  %s (%s exec/s), peak RSS %s MB\n' \
        "${execs:-?}" "${rate:-?}" "${rss:-?}"
    printf '    coverage    cov %s -> %s edges, ft %s -> %s features\n' \
        "${cov0:-?}" "${cov:-?}" "${ft0:-?}" "${ft:-?}"
    printf '    corpus      %s -> %s inputs (libFuzzer), files %s -> %s' \
        "${corp0:-?}" "${corp:-?}" "${files0% *}" "${files% *}"
    printf ' (%s -> %s bytes); %s new\n' "${files0#* }" "${files#* }" \
        "${added:-?}"
    [ -n "$merged" ] && printf '    merged      %s inputs into %s\n' \
        "$merged" "t/fuzz/corpus/$name"
    if [ "$rc" = 0 ]; then
        printf '    crashes     0\n'
    else
        printf '    crashes     1 (exit status %s): %s\n' "$rc" "$what"
        while read -r a; do
            printf '                %s\n' "${a#"$ROOT"/}"
        done < <(log_artifacts "$out.log")
        printf '    log         %s\n' "${out#"$ROOT"/}.log"
    fi
}


table_row() {
    local name="$1" out="$WORK/logs/$1" crashes
    local rc files0 files cov0 ft0 corp0 cov ft corp execs rate added rss
    local what merged=""

    # shellcheck disable=SC1090
    . "$out.vars"
    crashes=0
    [ "$rc" = 0 ] || crashes="1: ${what%% in *}"
    printf '| %s | %s | %s | %s → %s | %s → %s | %s → %s |' "$name" \
        "${execs:-?}" "${rate:-?}" "${cov0:-?}" "${cov:-?}" "${ft0:-?}" \
        "${ft:-?}" "${corp0%%/*}" "${corp%%/*}"
    [ "$MERGE" = 1 ] && printf ' %s |' "${merged:-0}"
    printf ' %s |\n' "$crashes"
}


main() {
    local name start=$SECONDS crashed=() sz all=()

    while [ $# -gt 0 ]; do
        case "$1" in
            -t|--seconds) SECONDS_EACH="${2:?}"; shift ;;
            -j|--jobs) JOBS="${2:?}"; shift ;;
            --merge) MERGE=1 ;;
            --seeds) SEEDS=1 ;;
            --max-file) MAX_FILE="${2:?}"; shift ;;
            --timeout) TIMEOUT="${2:?}"; shift ;;
            --nice) NICE="${2:?}"; shift ;;
            --work) WORK="${2:?}"; shift ;;
            -h|--help) usage 0 ;;
            -*) usage 1 ;;
            *) TARGETS+=("$1") ;;
        esac
        shift
    done

    [[ "$SECONDS_EACH" =~ ^[1-9][0-9]*$ ]] || die "--seconds: a number"
    [[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "--jobs: a number"
    case "$WORK" in /*) ;; *) WORK="$PWD/$WORK" ;; esac

    for name in "$ROOT"/t/fuzz/fuzz_*.c; do
        name="$(basename "$name" .c)"
        all+=("${name#fuzz_}")
    done
    for name in ${TARGETS[@]+"${TARGETS[@]}"}; do
        [ -f "$ROOT/t/fuzz/fuzz_$name.c" ] \
            || die "no target $name (t/fuzz/fuzz_$name.c); targets:" \
                   "${all[*]}"
    done
    if [ "$SEEDS" = 1 ]; then
        log "seeds from real samples (bench/fuzz-seeds.pl)"
        perl "$ROOT/bench/fuzz-seeds.pl" ${TARGETS[@]+"${TARGETS[@]}"}
    fi
    if [ ${#TARGETS[@]} -eq 0 ]; then
        TARGETS=("${all[@]}")
    fi

    # the build of the CI smoke, then a copy of its binaries: a smoke
    # rebuilding them meanwhile does not touch a running campaign
    log "building the targets (./build.sh fuzz-build)"
    SLUICE_FUZZ_JOBS="$JOBS" nice -n "$NICE" "$ROOT/build.sh" fuzz-build
    mkdir -p "$WORK/bin" "$WORK/logs"
    for name in "${TARGETS[@]}"; do
        cp "$ROOT/build/fuzz/fuzz_$name" "$WORK/bin/"
        rm -f "$WORK/logs/$name".*
    done

    log "fuzzing ${#TARGETS[@]} targets for ${SECONDS_EACH} s each," \
        "$JOBS at a time: about" \
        "$(( (${#TARGETS[@]} + JOBS - 1) / JOBS * SECONDS_EACH / 60 )) min"
    for name in "${TARGETS[@]}"; do
        while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
            wait -n || true
        done
        fuzz_one "$name" &
    done
    wait

    if [ "$MERGE" = 1 ]; then
        log "merging the new inputs into t/fuzz/corpus"
        for name in "${TARGETS[@]}"; do
            while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
                wait -n || true
            done
            merge_one "$name" &
        done
        wait
    fi

    printf '\n'
    for name in "${TARGETS[@]}"; do
        report_one "$name"
        grep -q '^rc=0$' "$WORK/logs/$name.vars" || crashed+=("$name")
    done

    printf '\n%s targets, %s s each, %s at a time, %s s in all (%s)\n\n' \
        "${#TARGETS[@]}" "$SECONDS_EACH" "$JOBS" "$((SECONDS - start))" \
        "$(date -u +%Y-%m-%dT%H:%MZ)"
    printf '| Target | Executions | exec/s | Edges (cov) | Features (ft) |'
    printf ' Corpus |'
    [ "$MERGE" = 1 ] && printf ' Merged |'
    printf ' Crashes |\n|---|--:|--:|--:|--:|--:|'
    [ "$MERGE" = 1 ] && printf -- '--:|'
    printf -- '---|\n'
    for name in "${TARGETS[@]}"; do
        table_row "$name"
    done

    sz="$(corpus_size "$SEEDS_DIR"/*)"
    printf '\nt/fuzz/corpus: %s files, %s bytes\n' "${sz% *}" "${sz#* }"

    if [ ${#crashed[@]} -gt 0 ]; then
        log "crashed: ${crashed[*]}"
        exit 1
    fi
    log "no crash"
}


main "$@"
