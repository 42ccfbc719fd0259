#!/usr/bin/env bash
# The benchmarks in one command: bash bench/run.sh [--quick]
# Builds bench/M365SmtpTools.Bench (Release; it is not in the solution, so `dotnet test` never builds it), starts the
# loopback Postfix + Dovecot of tests/interop/servers/postfix.sh when it isn't running (and stops it again), runs
# batch throughput, large-message memory, MIME encoders (BenchmarkDotNet) and cold start, and prints the table
# (also written to bench/results/latest.md; the raw measurements to bench/results/latest.jsonl).
# Needs: the .NET SDK, /usr/bin/python3, swaks, postfix, dovecot-core (tests/interop/install.sh installs them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
quick=0; [ "${1:-}" = "--quick" ] && quick=1
work="${TMPDIR:-/tmp}/m365smtp-bench"
mkdir -p "$work" "$here/results"
out="$here/results/latest.jsonl"
: > "$out"

env_file="$repo/tests/interop/.state/postfix/env"
started=0
if [ ! -f "$env_file" ]; then
  bash "$repo/tests/interop/servers/postfix.sh" start
  started=1
fi
cleanup() { [ "$started" = 1 ] && bash "$repo/tests/interop/servers/postfix.sh" stop || true; }
trap cleanup EXIT

dotnet build "$here/M365SmtpTools.Bench/M365SmtpTools.Bench.csproj" -c Release -nologo -v q >/dev/null
bench="$here/M365SmtpTools.Bench/bin/Release/net10.0/M365SmtpTools.Bench"

if [ "$quick" = 1 ]; then
  batch_args=(--text-count 100 --attach-count 20 --swaks-count 10 --reconnect-count 20 --repeat 1)
  large_args=(--size-mb 20 --repeat 1); cold_args=(--runs 2); mime_args=(--size-kb 256)
  graph_args=(--count 20 --attach-kb 200 --size-mb 20 --repeat 1)
else
  batch_args=(--text-count 1000 --attach-count 200 --swaks-count 100 --reconnect-count 200 --repeat 3)
  large_args=(--size-mb 100 --repeat 3); cold_args=(--runs 5); mime_args=(--size-kb 1024)
  graph_args=(--count 200 --attach-kb 200 --size-mb 100 --repeat 3)
fi

run() { echo "== $*" >&2; "$bench" "$@" | tee /dev/stderr | grep '^RESULT ' | sed 's/^RESULT //' >> "$out"; }
run batch --env "$env_file" --bench-dir "$here" --work "$work" "${batch_args[@]}"
run large --work "$work" "${large_args[@]}"
run graph --work "$work" "${graph_args[@]}"
run coldstart --env "$env_file" "${cold_args[@]}"
run mime "${mime_args[@]}"

/usr/bin/python3 "$here/report.py" "$out" "bash bench/run.sh $*" | tee "$here/results/latest.md"
