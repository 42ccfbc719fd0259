#!/usr/bin/env python3
"""Keeps C# lines under 140 characters (src/, tests/, bench/).

A longer line passes only when it can't be wrapped without changing what it says or compiles to:
- a PowerShell example inside <code>...</code> in a doc comment (copied verbatim into the help),
- a line holding a URL,
- a line listed in tests/line-length.allowed (file, then the line without its indentation, tab-separated), each
  for a reason given in that file's comment: a line tests/mutation/equivalent.tsv matches by its text, or a
  netstandard2.0 format string whose split would compile to different IL.

Usage: python3 tests/line-length.py [--write-allowed]   (--write-allowed lists today's unexplained long lines)
"""
import os
import sys

LIMIT = 140
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALLOWED = os.path.join(ROOT, "tests", "line-length.allowed")


def sources():
    for top in ("src", "tests", "bench"):
        for d, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = [x for x in dirs if x not in ("bin", "obj", "@obj", "StrykerOutput", "generated")]
            for f in files:
                if f.endswith(".cs"):
                    yield os.path.relpath(os.path.join(d, f), ROOT)


def long_lines(path):
    in_code = False
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            starts = "<code>" in line
            ends = "</code>" in line
            code = in_code or starts
            in_code = (in_code or starts) and not ends
            if len(line) > LIMIT and not code and "http://" not in line and "https://" not in line:
                yield number, line


def main():
    allowed = set()
    if os.path.exists(ALLOWED):
        with open(ALLOWED, encoding="utf-8") as f:
            for row in f:
                if row.strip() and not row.startswith("#"):
                    path, _, text = row.rstrip("\n").partition("\t")
                    allowed.add((path, text))
    found = [(p, n, l) for p in sorted(sources()) for n, l in long_lines(p)]
    if "--write-allowed" in sys.argv:
        for p, _, l in found:
            print(f"{p}\t{l.strip()}")
        return 0
    bad = [(p, n, l) for p, n, l in found if (p, l.strip()) not in allowed]
    stale = allowed - {(p, l.strip()) for p, _, l in found}
    for p, n, l in bad:
        print(f"{p}:{n}: {len(l)} characters (limit {LIMIT}); wrap it, or list it in tests/line-length.allowed with why")
    for p, t in sorted(stale):
        print(f"tests/line-length.allowed: '{t[:60]}…' in {p} is no longer a long line; remove it from the list")
    print(f"line length: {len(found)} lines over {LIMIT} characters outside <code> examples and URLs, "
          f"{len(found) - len(bad)} of them listed; {len(bad)} unexplained, {len(stale)} stale")
    return 1 if bad or stale else 0


if __name__ == "__main__":
    sys.exit(main())
