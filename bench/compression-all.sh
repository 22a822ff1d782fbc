#!/usr/bin/env bash
# The compression benchmark of the xc-pipeline issue on every clip of ../shared/testdata/clips:
#   bench/compression-all.sh [OUT_DIR] [-- extra bench-compression flags]
# For each clip, runs `bin/coordinator bench-compression CLIP --markdown` (xc[6,16], xc[24,16],
# independent[6], independent[24] against one-stream vpxenc at ExCamera's settings, four cq levels)
# and writes OUT_DIR/<clip>.md (default OUT_DIR: bench/results). The long IVF clips are cut to their
# first $LIMIT frames (default 192 = two xc[6,16] batches) to keep the run to about an hour on two cores;
# the y4m clips are used whole. Set CLIPS to a space-separated list of files to run only those.
# Needs bin/build first (bin/coordinator runs the shaded jar), vpxenc and about 1 GB of scratch.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
out=${1:-$root/bench/results}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
limit=${LIMIT:-192}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# Clips are named relative to the checkout, as the README does.
cd "$root"
clips_dir=../shared/testdata/clips
for clip in ${CLIPS:-$clips_dir/*.y4m $clips_dir/*.ivf}; do
  name=$(basename "$clip")
  flags=()
  case "$name" in
    *.ivf) flags+=(--limit "$limit") ;;
  esac
  echo "bench-compression: $name" >&2
  start=$(date +%s)
  "$root/bin/coordinator" bench-compression "$clip" --markdown "${flags[@]}" "$@" > "$out/$name.md.tmp"
  mv "$out/$name.md.tmp" "$out/$name.md"
  echo "bench-compression: $name done in $(( $(date +%s) - start )) s" >&2
done
