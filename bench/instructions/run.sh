#!/usr/bin/env bash
# Instructions per request of the standalone contenders (bench/standalone), counted by valgrind's
# callgrind on the server's main thread: the same figure on every run of the same code, however
# busy the machine is, where the CPU-time figures of `npm run bench` move by 10% between rounds.
# Each contender runs in a process of its own (as a deployment runs one), is warmed with WARM
# requests that reach only it, then counts N more. See bench/instructions/README.md.
#
#   npm run build && bash bench/instructions/run.sh            # noauth and guard
#   CONTENDERS="noauth guard oauth2-bearer" WARM=6000 N=2000 bash bench/instructions/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null && command -v callgrind_control >/dev/null || { echo "needs valgrind (Debian package valgrind)" >&2; exit 2; }
[ -f dist/index.js ] || { echo "run npm run build first: the contenders load dist/" >&2; exit 2; }
CONTENDERS=${CONTENDERS:-noauth guard}
WARM=${WARM:-6000}
N=${N:-2000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SETTINGS='{"tokens":1,"portBase":0,"introspectionCacheSeconds":60,"duration":1,"warmup":0,"connections":4,"rounds":1}'

count() { # contender -> "contender instructions-per-request"
  local c=$1 d="$TMP/$1"
  mkdir -p "$d"
  # --separate-threads: the main thread's count alone (V8's compiler and GC helper threads run
  # when they like); --smc-check: V8 writes the code it then runs.
  valgrind --tool=callgrind --separate-threads=yes --smc-check=all-non-file --dump-line=no --dump-instr=no \
    --callgrind-out-file="$d/cg.out" node --import tsx bench/standalone/server.ts "$d/info.json" "$SETTINGS" >"$d/server.log" 2>"$d/valgrind.log" &
  local vg=$!
  for _ in $(seq 1 1200); do grep -q ready "$d/server.log" 2>/dev/null && break; kill -0 $vg 2>/dev/null || { cat "$d/valgrind.log" >&2; return 1; }; sleep 0.5; done
  local port token
  port=$(node -p "require('$d/info.json').ports['$c']")
  token=$(node -p "require('$d/info.json').tokens.warm")
  TOKEN=$token node bench/instructions/client.js "$port" "$WARM"
  callgrind_control -z $vg >/dev/null
  TOKEN=$token node bench/instructions/client.js "$port" "$N"
  callgrind_control -d "$c" $vg >/dev/null
  kill -TERM $vg; wait $vg || true
  local main
  main=$(ls "$d"/cg.out.1-01)
  echo "$c $(( $(awk '/^(summary|totals):/ {print $2; exit}' "$main") / N ))"
}

echo "callgrind, ${WARM} warm-up + ${N} counted requests per contender, one process each ($(nproc) cores)..."
pids=()
for c in $CONTENDERS; do
  count "$c" >"$TMP/$c.result" &
  pids+=($!)
  # As many processes at once as there are cores: valgrind runs a process on one.
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do sleep 1; done
done
for p in "${pids[@]}"; do wait "$p"; done
cat "$TMP"/*.result | sort -k2 -n | awk '
  NR == 1 { base = $2; name = $1 }
  { printf "%-16s %9d instructions per request", $1, $2; if (NR > 1) printf "   %+8d (%+.1f%%) over %s", $2 - base, 100 * ($2 - base) / base, name; printf "\n" }'
