#!/usr/bin/env bash
# Mutation testing of the engine's core with Stryker.NET (the local tool dotnet-stryker, .config/dotnet-tools.json),
# by area. Each area is a file tests/mutation/<area>.json whose "mutate" globs (whole files) choose the code to mutate;
# the engine tests (M365SmtpTools.Engine.Tests, run by Stryker's Microsoft Testing Platform runner) must kill the mutants.
#
#   bash tests/mutation.sh                 lists the areas
#   bash tests/mutation.sh spf             one area
#   bash tests/mutation.sh spf dns data    several areas in one Stryker run (one build and one coverage pass)
#   bash tests/mutation.sh all             every area in one run
#
# An area file may also name the tests that answer for it ("tests": a VSTest filter such as
# "FullyQualifiedName~ReplyCatalogue|FullyQualifiedName~Finding"): when every area of the run has one, Stryker runs only
# those tests (its test-case-filter, the union of the areas'), so a mutant covered by hundreds of other tests costs the
# area's own tests instead. The score then says what the area's own tests kill, which is what the area is measured for.
#
# Environment: MUTATION_CONCURRENCY (default 2: test processes at once), MUTATION_TIMEOUT_MS (default 15000: added to
# each mutant's expected test time before it counts as a timeout), MUTATION_RUNNER (default mtp; vstest loses per-test
# coverage with this xUnit v3 project, see tests/MUTATION.md), MUTATION_OUT (default StrykerOutput/ in
# the repository, ignored by git). Prints the per-area table (as in tests/MUTATION.md) and every surviving mutant.
# Like tests/run.sh it installs the test prerequisites and starts the real servers of tests/interop/servers (their
# interop tests kill mutants too: the SPF evaluator is mostly tested against nsd), and stops them at the end. Don't run
# it at the same time as tests/run.sh or tests/stress.sh in the same checkout: they share the servers' state folder,
# and Stryker swaps the engine assembly in the test project's bin/Debug while it runs.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
areas_dir="tests/mutation"

if [ $# -eq 0 ]; then
  echo "usage: tests/mutation.sh AREA... | all"
  for f in "$areas_dir"/*.json; do
    printf '  %-12s %s\n' "$(basename "$f" .json)" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["description"])' "$f")"
  done
  exit 0
fi

files=()
if [ "$1" = "all" ]; then
  files=("$areas_dir"/*.json)
else
  for a in "$@"; do
    [ -f "$areas_dir/$a.json" ] || { echo "mutation.sh: no area '$a' (tests/mutation.sh lists them)" >&2; exit 2; }
    files+=("$areas_dir/$a.json")
  done
fi

out="${MUTATION_OUT:-$repo/StrykerOutput}/$(date -u +%Y%m%dT%H%M%SZ)-$(IFS=-; echo "$*")"
mkdir -p "$out"
config="$out/stryker-config.json"
# One Stryker configuration: the common settings, the union of the areas' mutate globs and their tests, if named.
python3 - "$config" "${MUTATION_CONCURRENCY:-2}" "${MUTATION_RUNNER:-mtp}" "${MUTATION_TIMEOUT_MS:-15000}" "${files[@]}" <<'EOF'
import json, sys
config_path, concurrency, runner, timeout_ms, area_files = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5:]
mutate, filters = [], []
for f in area_files:
    area = json.load(open(f))
    mutate += area["mutate"]
    filters.append(area.get("tests"))
settings = {
    "project": "M365SmtpTools.Engine.csproj",
    "test-projects": ["M365SmtpTools.Engine.Tests.csproj"],
    "test-runner": runner,
    "coverage-analysis": "perTest",
    "concurrency": concurrency,
    # Stryker's default (5 s on top of the covering tests' measured time) turns a slow run on a loaded machine into a
    # "Timeout", which counts as detected: a verbose-text mutant "timed out" at 22 s. A real hang still ends here.
    "additional-timeout": timeout_ms,
    "mutate": mutate,
    "reporters": ["Progress", "ClearText", "Json", "Html"],
    "thresholds": {"high": 85, "low": 85, "break": 0},
}
if all(filters):
    settings["test-case-filter"] = "|".join(filters)
json.dump({"stryker-config": settings}, open(config_path, "w"), indent=2)
EOF

dotnet tool restore >/dev/null
bash tests/interop/install.sh || { echo "mutation.sh: installing test prerequisites failed" >&2; exit 1; }
started=()
stop_servers() { for s in "${started[@]}"; do bash "$s" stop >/dev/null 2>&1 || true; done; }
# Stryker leaves its instrumented engine (all mutants compiled in) in the test project's bin, newer than the real one,
# so an incremental build would keep it: remove it, and the next build copies the real assembly back.
drop_mutated_engine() { rm -f tests/M365SmtpTools.Engine.Tests/bin/Debug/*/M365SmtpTools.Engine.dll; }
trap 'stop_servers; drop_mutated_engine' EXIT
trap 'exit 130' INT TERM  # so the EXIT trap stops the servers on Ctrl-C or kill too
for s in tests/interop/servers/*.sh; do
  [ -e "$s" ] || continue
  if bash "$s" start >/dev/null; then started+=("$s"); else echo "mutation.sh: $s failed to start" >&2; exit 1; fi
done
echo "mutation.sh: $(IFS=' '; echo "$*") -> $out"
# The tests see M365SMTP_MUTATION_RUN=1 (the pscheck test skips: it would start node for every catalogue mutant).
export M365SMTP_MUTATION_RUN=1
# Stryker builds and runs tests from the test project's folder.
(cd tests/M365SmtpTools.Engine.Tests && nice -n 10 dotnet stryker -f "$config" -O "$out" --skip-version-check --log-to-file) > "$out/stryker.log" 2>&1 \
  || { tail -n 40 "$out/stryker.log" >&2; echo "mutation.sh: stryker failed (log: $out/stryker.log)" >&2; exit 1; }
grep -E "Time Elapsed|final mutation score" "$out/stryker.log" || true
python3 "$areas_dir/summary.py" "$out/reports/mutation-report.json" "${files[@]}" | tee "$out/summary.md"
echo "mutation.sh: report $out/reports/mutation-report.html"
