#!/usr/bin/env bash
# Measures server start-up (exec until /healthz answers) and resident memory
# (idle after start, and idle again after a burst of page and PDF requests).
# Usage: scripts/bench-startup.sh [runs]   (after `make build`)
set -euo pipefail
command -v curl >/dev/null || { echo "needs curl (apt-get install curl)" >&2; exit 1; }
runs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOUZHU_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/gouzhu/target}/release/gouzhu}
site=$root/target/site
work=$(mktemp -d)
pid=""
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
export DATABASE_URL=$work/bench.sqlite3 RUST_LOG=warn
"$bin" demo --demo-mode

rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
# Starts a server; sets pid, url and ms (exec until healthy).
start_server() {
  local t0
  : >"$work/out"
  t0=$(date +%s%N)
  "$bin" serve --listen 127.0.0.1:0 --site-root "$site" >"$work/out" 2>"$work/err" &
  pid=$!
  until url=$(sed -n 's/^Gouzhu is serving on //p' "$work/out") && [ -n "$url" ] \
        && curl -sf "$url/healthz" >/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/err" >&2; echo "gouzhu exited during start-up" >&2; exit 1; }
    sleep 0.005
  done
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}

times=()
for _ in $(seq "$runs"); do
  start_server
  times+=("$ms")
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "start-up to healthy, $runs runs: median ${median} ms (min $(echo "$sorted" | head -1), max $(echo "$sorted" | tail -1))"

start_server
sleep 1
echo "idle RSS after start: $(( $(rss_kb $pid) / 1024 )) MiB"
# Sign in as the demo finance user (the pages need a session).
cookie=$(curl -s -D - -o /dev/null -H "Origin: $url" -H "Accept: application/json" \
  --data "username=finance&password=Gouzhu-Demo-2026&next=/" "$url/api/login" \
  | sed -n 's/^[Ss]et-[Cc]ookie: \(gouzhu_session=[^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "could not sign in" >&2; exit 1; }
get() { curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$url$1"; }
[ "$(get /)" = 200 ] || { echo "the dashboard did not answer 200" >&2; exit 1; }
for _ in $(seq 200); do get / >/dev/null; done
for _ in $(seq 20); do get /files/staffing-summary.pdf >/dev/null; done
sleep 2
echo "idle RSS after 200 dashboards and 20 PDFs: $(( $(rss_kb $pid) / 1024 )) MiB"
t0=$(date +%s%N)
for _ in $(seq 20); do get /files/staffing-summary.pdf >/dev/null; done
echo "staffing summary PDF, warm, sequential: $(( ($(date +%s%N) - t0) / 20000000 )) ms per document (HTTP included)"
