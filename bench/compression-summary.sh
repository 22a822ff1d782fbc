#!/usr/bin/env bash
# Summarises bench/compression-all.sh's per-clip Markdown files into one Markdown table:
#   bench/compression-summary.sh [RESULTS_DIR]   (default bench/results)
# One row per clip: the BD-rate of each configuration against one-stream vpxenc, then whether xc
# beat independent chunks of the same size (the BD-rate of xc against independent).
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
dir=${1:-$root/bench/results}
configs=("xc[6,16]" "xc[24,16]" "independent[6]" "independent[24]")
printf '| clip | frames |'
for c in "${configs[@]}"; do printf ' %s |' "$c"; done
printf ' xc[6,16] vs independent[6] | xc[24,16] vs independent[24] |\n|---|---:|'
for c in "${configs[@]}"; do printf -- '---:|'; done
printf -- '---:|---:|\n'
for f in "$dir"/*.md; do
  clip=$(basename "$f" .md)
  frames=$(sed -n 's/^input: .*, \([0-9]*\) frames)$/\1/p' "$f" | head -n1)
  printf '| %s | %s |' "$clip" "$frames"
  for c in "${configs[@]}"; do
    # "| xc[6,16] | +8.6 % | <= +35 %: met |" -> "+8.6 %"; failures print "n/a: ...", shortened here.
    v=$(awk -F' [|] ' -v c="$c" '$1 == "| " c && $2 ~ /%|n\/a/ { print $2; exit }' "$f")
    case "$v" in n/a*) v="n/a";; "") v="-";; esac
    printf ' %s |' "$v"
  done
  for n in 6 24; do
    v=$(sed -n "s/^- xc\[$n,16\] vs independent\[$n\]: \([^ ]* %\).*/\1/p; s/^- xc\[$n,16\] vs independent\[$n\]: n\/a.*/n\/a/p" "$f" | head -n1)
    printf ' %s |' "${v:--}"
  done
  printf '\n'
done
