# tests/bench/lib.sh: what the timing scripts of make bench share (run.sh, json.sh, vmd.sh,
# native.sh source it from the repository's top directory): the check of a run count, the
# interleaved loop over rounds, and the median.  POSIX sh and awk.

# bench_runs_ok NAME VALUE: stops the script unless VALUE (the variable NAME's) is a positive
# integer.
bench_runs_ok() {
    case $2 in
        '' | *[!0-9]* | 0) echo "bench: $1 must be a positive integer, not '$2'" >&2; exit 2 ;;
    esac
}

# bench_interleave RUNS FN ITEM...: calls "FN ROUND ITEM" for ROUND 1 .. RUNS and, within a
# round, for every ITEM in order: round 1 runs everything once, then round 2, ..., so that a
# change in the machine's load falls on all items alike.  FN stops the script on an error.
bench_interleave() {
    bi_runs=$1 bi_fn=$2
    shift 2
    bi_round=1
    while [ "$bi_round" -le "$bi_runs" ]; do
        for bi_item in "$@"; do
            "$bi_fn" "$bi_round" "$bi_item"
        done
        bi_round=$((bi_round + 1))
    done
}

# BENCH_AWK_MEDIAN: an awk function median(list), the median of the numbers in the
# space-separated string list (the mean of the middle two for an even count), for awk programs
# to start with: awk "$BENCH_AWK_MEDIAN"' ... '.
BENCH_AWK_MEDIAN='
function median(list,    v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) {
        t = v[i] + 0
        for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]
        v[j + 1] = t
    }
    return n % 2 ? v[(n + 1) / 2] + 0 : (v[n / 2] + v[n / 2 + 1]) / 2
}
'

# bench_median FILE FIELD SCALE FORMAT: the median of field FIELD of FILE's lines, times SCALE,
# printed with the printf FORMAT (for example 1000 and %.2f: seconds as milliseconds).
bench_median() {
    awk -v field="$2" -v scale="$3" -v fmt="$4" "$BENCH_AWK_MEDIAN"'
{ list = list " " $field }
END { printf fmt, median(list) * scale }' "$1"
}
