#!/usr/bin/env python3
"""Splits a Stryker JSON report (mutation-report.json) by area and prints the results table and the survivors.

Usage: summary.py REPORT AREA_FILE...   (AREA_FILE: tests/mutation/<area>.json, whose "mutate" globs and
{start..end} line spans decide which mutants belong to the area).

Score = (killed + timeout) / (killed + timeout + survived + no coverage), Stryker's own formula; compile errors and
ignored mutants are not counted. A surviving mutant listed in tests/mutation/equivalent.tsv (the same file, the same
source line, mutator and replacement), or one that turns ConfigureAwait(false) into ConfigureAwait(true), is
equivalent: it can't change what the code does, so no test can kill it. Those are counted apart, and the last column
is the score without them. Each equivalent is printed with its reason, so the list stays reviewable.
"""
import csv
import fnmatch
import json
import os
import re
import sys

SPAN = re.compile(r"\{(\d+)\.\.(\d+)\}")
CONFIGURE_AWAIT = ("ConfigureAwait(false) -> true: without a SynchronizationContext (none in the module, the CLI or "
                   "after the first await that leaves one) both resume on the thread pool")


def patterns(area_file):
    with open(area_file) as f:
        area = json.load(f)
    result = []
    for glob in area["mutate"]:
        spans = [(int(a), int(b)) for a, b in SPAN.findall(glob)]
        result.append((SPAN.sub("", glob), spans))
    return result


def belongs(path, line, pats):
    for glob, spans in pats:
        if fnmatch.fnmatch(path, glob) or fnmatch.fnmatch(path, glob.replace("**/", "*/")):
            if not spans or any(a <= line <= b for a, b in spans):
                return True
    return False


def load_equivalents(path):
    """(file, source line, mutator, replacement) -> reason, from a tab-separated file with a header row."""
    table = {}
    if not os.path.exists(path):
        return table
    with open(path, newline="") as f:
        # No quoting: replacements such as "" are literal; a line break in a (multi-line) replacement is written \n.
        for row in csv.DictReader((l for l in f if not l.startswith("#")), delimiter="\t", quoting=csv.QUOTE_NONE):
            key = (row["file"], row["source line"].strip(), row["mutator"], row["replacement"].replace("\\n", "\n"))
            table[key] = row["why"]
    return table


def main():
    report_path, area_files = sys.argv[1], sys.argv[2:]
    with open(report_path) as f:
        report = json.load(f)
    equivalents = load_equivalents(os.path.join(os.path.dirname(os.path.abspath(__file__)), "equivalent.tsv"))
    rows, survivors, equivalent_lines = [], [], []
    for area_file in area_files:
        name = os.path.splitext(os.path.basename(area_file))[0]
        pats = patterns(area_file)
        counts = {"Killed": 0, "Timeout": 0, "Survived": 0, "NoCoverage": 0}
        equivalent = 0
        for path, entry in report["files"].items():
            rel = path.replace("\\", "/")
            short = rel.split("/src/M365SmtpTools.Engine/")[-1]
            source = entry.get("source", "").split("\n")
            for m in entry["mutants"]:
                start = m["location"]["start"]
                line = start["line"]
                if m["status"] not in counts or not belongs(rel, line, pats):
                    continue
                counts[m["status"]] += 1
                if m["status"] not in ("Survived", "NoCoverage"):
                    continue
                text = source[line - 1] if line <= len(source) else ""
                replacement = m.get("replacement", "")
                reason = equivalents.get((short, text.strip(), m["mutatorName"], replacement))
                if reason is None and m["mutatorName"] == "Boolean mutation" and text[:start["column"] - 1].endswith("ConfigureAwait("):
                    reason = CONFIGURE_AWAIT
                if reason is not None:
                    equivalent += 1
                    equivalent_lines.append(f"{name}\t{short}:{line}\t{m['mutatorName']}\t{replacement!r}\t{reason}")
                else:
                    survivors.append(f"{name}\t{short}:{line}\t{m['status']}\t{m['mutatorName']}\t{replacement!r}")
        total = sum(counts.values())
        detected = counts["Killed"] + counts["Timeout"]
        score = f"{100.0 * detected / total:.1f} %" if total else "n/a"
        real = total - equivalent
        adjusted = f"{100.0 * detected / real:.1f} %" if real else "n/a"
        rows.append(f"| {name} | {total} | {counts['Killed']} | {counts['Timeout']} | {counts['Survived']} | {counts['NoCoverage']} "
                    f"| {score} | {equivalent} | {adjusted} |")
    print("| area | mutants | killed | timeout | survived | no coverage | score | equivalent | score without equivalents |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    if survivors:
        print("\nsurvivors (area, file:line, status, mutator, replacement):")
        print("\n".join(survivors))
    if equivalent_lines:
        print("\nequivalent (area, file:line, mutator, replacement, why):")
        print("\n".join(equivalent_lines))


if __name__ == "__main__":
    main()
