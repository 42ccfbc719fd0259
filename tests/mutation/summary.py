#!/usr/bin/env python3
"""Splits a Stryker JSON report (mutation-report.json) by area and prints the results table and the survivors.

Usage: summary.py REPORT AREA_FILE...   (AREA_FILE: tests/mutation/<area>.json, whose "mutate" globs and
{start..end} line spans decide which mutants belong to the area). Score = (killed + timeout) / (killed + timeout +
survived + no coverage), Stryker's own formula; compile errors and ignored mutants are not counted.
"""
import fnmatch
import json
import os
import re
import sys

SPAN = re.compile(r"\{(\d+)\.\.(\d+)\}")


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


def main():
    report_path, area_files = sys.argv[1], sys.argv[2:]
    with open(report_path) as f:
        report = json.load(f)
    rows, survivors = [], []
    for area_file in area_files:
        name = os.path.splitext(os.path.basename(area_file))[0]
        pats = patterns(area_file)
        counts = {"Killed": 0, "Timeout": 0, "Survived": 0, "NoCoverage": 0}
        for path, entry in report["files"].items():
            rel = path.replace("\\", "/")
            for m in entry["mutants"]:
                line = m["location"]["start"]["line"]
                if m["status"] not in counts or not belongs(rel, line, pats):
                    continue
                counts[m["status"]] += 1
                if m["status"] in ("Survived", "NoCoverage"):
                    short = rel.split("/src/M365SmtpTools.Engine/")[-1]
                    survivors.append(f"{name}\t{short}:{line}\t{m['status']}\t{m['mutatorName']}\t{m.get('replacement', '')!r}")
        total = sum(counts.values())
        detected = counts["Killed"] + counts["Timeout"]
        score = f"{100.0 * detected / total:.1f} %" if total else "n/a"
        rows.append(f"| {name} | {total} | {counts['Killed']} | {counts['Timeout']} | {counts['Survived']} | {counts['NoCoverage']} | {score} |")
    print("| area | mutants | killed | timeout | survived | no coverage | score |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    if survivors:
        print("\nsurvivors (area, file:line, status, mutator, replacement):")
        print("\n".join(survivors))


if __name__ == "__main__":
    main()
