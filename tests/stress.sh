#!/usr/bin/env bash
# The flakiness check: the whole suite, ROUNDS times in a row (default 3), each round two test runs at once on the same
# build and the same interop servers, so every test also runs on a loaded machine. Any failed test in any run fails
# the check. Usage: bash tests/stress.sh [rounds]. Like tests/run.sh it installs the prerequisites and starts (and
# stops) the servers of tests/interop/servers; logs go to a temporary folder, printed at the end.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
rounds="${1:-3}"
logs="$(mktemp -d -t m365smtp-stress.XXXXXX)"

bash tests/interop/install.sh || { echo "stress.sh: installing test prerequisites failed" >&2; exit 1; }
started=()
stop_servers() { for s in "${started[@]}"; do bash "$s" stop >/dev/null 2>&1 || true; done; }
trap stop_servers EXIT
trap 'exit 130' INT TERM  # so the EXIT trap stops the servers on Ctrl-C or kill too
for s in tests/interop/servers/*.sh; do
  [ -e "$s" ] || continue
  if bash "$s" start; then started+=("$s"); else echo "stress.sh: $s failed to start" >&2; exit 1; fi
done

dotnet build M365SmtpTools.sln --nologo -v q > "$logs/build.log" 2>&1 || { cat "$logs/build.log" >&2; echo "stress.sh: build failed" >&2; exit 1; }

# "Passed!  - Failed: 0, Passed: 918, Skipped: 0, Total: 918, …" per assembly, summed.
totals() {
  awk '/(Passed|Failed)! +- +Failed: / { for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
       END { printf "%d passed, %d failed, %d skipped", p, f, s }' "$1"
}

bad=0
for r in $(seq 1 "$rounds"); do
  pids=()
  for run in a b; do
    dotnet test M365SmtpTools.sln --no-build --nologo > "$logs/round$r-$run.log" 2>&1 &
    pids+=($!)
  done
  i=0
  for run in a b; do
    wait "${pids[$i]}"; status=$?; i=$((i + 1))
    line="round $r run $run: exit $status, $(totals "$logs/round$r-$run.log")"
    echo "$line"
    if [ "$status" -ne 0 ]; then
      bad=$((bad + 1))
      grep -E '^\s+Failed [A-Za-z]|\[FAIL\]' "$logs/round$r-$run.log" | sort -u | head -20 >&2
    fi
  done
done
echo "stress.sh: $rounds round(s) of 2 parallel runs, $bad failed run(s); logs in $logs"
[ "$bad" -eq 0 ]
