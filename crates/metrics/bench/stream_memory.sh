#!/usr/bin/env bash
# Peak memory of `collapse metrics` streaming features from disk, at two sample counts:
# it should not grow with N. Writes float32 N x d features with numpy's memmap (chunked, so
# the generator itself stays small), then runs the release binary under /usr/bin/time -v.
#
#   cargo build --release -p collapse-cli
#   bash crates/metrics/bench/stream_memory.sh DIR D K N1 [N2 ...]
set -euo pipefail
dir=$1; d=$2; k=$3; shift 3
root=$(cd "$(dirname "$0")/../../.." && pwd)
exe=$root/target/release/collapse
mkdir -p "$dir"
for n in "$@"; do
  python3 - "$dir" "$n" "$d" "$k" <<'PY'
import sys, numpy as np
from numpy.lib.format import open_memmap
out, n, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(1)
centres = rng.standard_normal((k, d)) * 2
h = open_memmap(f"{out}/h_{n}.npy", mode="w+", dtype=np.float32, shape=(n, d))
y = open_memmap(f"{out}/y_{n}.npy", mode="w+", dtype=np.int64, shape=(n,))
step = 50_000
for s in range(0, n, step):
    e = min(n, s + step)
    lab = (np.arange(s, e) % k).astype(np.int64)
    y[s:e] = lab
    h[s:e] = centres[lab] + rng.standard_normal((e - s, d))
h.flush(); y.flush()
np.save(f"{out}/w_{n}.npy", centres + 0.5 * rng.standard_normal((k, d)))
PY
  size=$(du -m "$dir/h_$n.npy" | cut -f1)
  for scatter in projected full; do
    /usr/bin/time -v "$exe" metrics --features "$dir/h_$n.npy" --labels "$dir/y_$n.npy" \
      --weights "$dir/w_$n.npy" --scatter "$scatter" --json > "$dir/out_${n}_$scatter.json" 2> "$dir/time_${n}_$scatter.txt"
    rss=$(grep "Maximum resident" "$dir/time_${n}_$scatter.txt" | awk '{print $NF}')
    wall=$(grep "Elapsed (wall" "$dir/time_${n}_$scatter.txt" | awk '{print $NF}')
    nc1=$(python3 -c "import json,sys; print(json.load(open('$dir/out_${n}_$scatter.json'))['metrics']['nc1'])")
    echo "N=$n d=$d K=$k file=${size}MB scatter=$scatter peak_rss=${rss}kB wall=$wall nc1=$nc1"
  done
  rm -f "$dir/h_$n.npy"
done
