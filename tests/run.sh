#!/usr/bin/env bash
# The test command. On a fresh Debian machine (as root) it installs what the tests need (Debian packages, pscheck's
# npm packages, PowerShell 7.6.9 as a local .NET tool, Pester 5.7.1 from NuGet), starts the real servers of
# tests/interop/servers on loopback, runs every xUnit project and the Pester suite against out/M365SmtpTools, stops
# the servers, and prints the totals of both as its last line: "tests: N passed, N failed, N skipped".
# Exit status is non-zero when anything failed, or when pwsh or Pester could not be installed.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

bash tests/interop/install.sh || { echo "run.sh: installing test prerequisites failed" >&2; exit 1; }
# pwsh comes from .config/dotnet-tools.json; Pester is a PackageDownload of the test projects (restored by dotnet test).
dotnet tool restore >/dev/null || { echo "run.sh: 'dotnet tool restore' could not install PowerShell 7.6.9" >&2; echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }

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
skip_lines="$(grep -E '^\s+Skipped ' "$log" | sed -E 's/^\s+//' | head -n 50)"
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a build failure runs no test: count it

# The Pester suite in a real pwsh, against the module folder dotnet test just built, while the servers still run.
log="$(mktemp)"
dotnet pwsh -NoProfile -NonInteractive -File tests/pester/Run-PesterSuite.ps1 -ModulePath out/M365SmtpTools 2>&1 | tee "$log"
pester_status=${PIPESTATUS[0]}
read -r p_passed p_failed p_skipped < <(sed -n -E 's/^pester: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/p' "$log" | tail -n 1)
rm -f "$log"
if [ -z "${p_passed:-}" ]; then p_passed=0; p_failed=1; p_skipped=0; fi  # pwsh or Pester did not run: count it
if [ "$pester_status" -ne 0 ] && [ "$p_failed" -eq 0 ]; then p_failed=1; fi
[ "$pester_status" -ne 0 ] && status=1

# Every server a test can ask for was started above, so a skip here is a defect (a server that failed silently, or
# a test that skips for a reason it shouldn't): say which, and fail.
if [ $((skipped + p_skipped)) -gt 0 ]; then
  echo "run.sh: $((skipped + p_skipped)) test(s) skipped although every test server was started:" >&2
  [ -n "$skip_lines" ] && echo "$skip_lines" >&2
  [ "$p_skipped" -gt 0 ] && echo "  ($p_skipped in the Pester suite: see its output above)" >&2
  status=1
fi
echo "tests: $((passed + p_passed)) passed, $((failed + p_failed)) failed, $((skipped + p_skipped)) skipped"
exit "$status"
