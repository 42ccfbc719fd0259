#!/usr/bin/env bash
# The test command. On a fresh Debian machine (as root) it installs what the tests need, starts the real servers
# of tests/interop/servers on loopback, runs every test project, stops the servers, and prints the totals as its
# last line: "tests: N passed, N failed, N skipped". Exit status is non-zero when anything failed.
# Plain `dotnet test` also works anywhere: tests whose server isn't running are reported skipped, with the reason.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

bash tests/interop/install.sh || { echo "run.sh: installing test prerequisites failed" >&2; exit 1; }

started=()
stop_servers() {
  for s in "${started[@]}"; do bash "$s" stop >/dev/null 2>&1 || true; done
}
trap stop_servers EXIT
for s in tests/interop/servers/*.sh; do
  [ -e "$s" ] || continue
  if bash "$s" start; then started+=("$s"); else echo "run.sh: $s failed to start" >&2; exit 1; fi
done

log="$(mktemp)"
dotnet test M365SmtpTools.sln --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-assembly summaries ("Failed!  - Failed: 1, Passed: 2, Skipped: 0, Total: 3, …").
read -r passed failed skipped < <(awk '
  /(Passed|Failed)! +- +Failed: / {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  { f += $(i+1) + 0 }
      if ($i == "Passed:")  { p += $(i+1) + 0 }
      if ($i == "Skipped:") { s += $(i+1) + 0 }
    }
  }
  END { print p + 0, f + 0, s + 0 }' "$log")
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a build failure runs no test: count it
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
