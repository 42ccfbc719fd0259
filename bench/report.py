#!/usr/bin/python3
"""Turns bench/results/latest.jsonl into the Markdown tables of bench/RESULTS.md."""
import json, os, platform, subprocess, sys, datetime

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
command = sys.argv[2] if len(sys.argv) > 2 else "bash bench/run.sh"


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return "?"


cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
print("## Run")
print(f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
mem = sh("free -g | awk '/Mem:/ {print $2}'")
load = sh("cut -d' ' -f1-3 /proc/loadavg")
print(f"- machine: {cpu}, {os.cpu_count()} cores, {mem} GB RAM, {platform.platform()}")
print(f"- load average when the report was written: {load} (the machine is shared with other jobs)")
print(f"- .NET SDK {sh('dotnet --version')}, {sh('/usr/bin/python3 --version')}, {sh('swaks --version | head -1')}, {sh('postconf -d mail_version 2>/dev/null')}")
print(f"- command: `{command}`")
print()

batch = [r for r in rows if r["bench"] == "batch"]
if batch:
    print("## 1. Batch throughput (loopback Postfix submission, STARTTLS + AUTH PLAIN, pacing off)")
    print("| messages | contender | sent | runs | seconds (median) | msg/s | engine-session ÷ this |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for kind, label in (("text", "2 KB text"), ("attach", "HTML + 200 KB attachment")):
        ks = [r for r in batch if r["kind"] == kind]
        eng = next((r["rate"] for r in ks if r["name"] == "engine-session"), None)
        for r in ks:
            ratio = f"{eng / r['rate']:.1f}×" if eng else ""
            print(f"| {label} | {r['name']} | {r['messages']} | {r['runs']} | {r['seconds_median']:.3f} | {r['rate']:.1f} | {ratio} |")
    print()

large = [r for r in rows if r["bench"] == "large"]
if large:
    raw = next((r["mb_per_s_median"] for r in large if r["name"] == "raw-tcp-copy"), None)
    print(f"## 2. One {large[0]['file_mb']} MB attachment (sender in its own process, C# sink in the parent)")
    print("| sender | framing | MB/s of file (median) | raw copy ÷ this | peak RSS above idle process (max) | peak above warmed-up RSS (max) | idle RSS | bytes on the wire (sink's count) | sender's own count |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in large:
        ratio = f"{raw / r['mb_per_s_median']:.1f}×" if raw else ""
        own = r.get("sender_counted_bytes", -1)
        print(f"| {r['name']} | {r.get('framing', '')} | {r['mb_per_s_median']:.1f} | {ratio} | {r['peak_above_idle_mb_max']:.1f} MB | {r['peak_above_warm_mb_max']:.1f} MB | {r['idle_mb']:.1f} MB | {r['wire_bytes']} | {own if own >= 0 else ''} |")
    print()

graph = [r for r in rows if r["bench"] == "graph"]
if graph:
    smtp = next((r for r in batch if r["kind"] == "attach" and r["name"] == "engine-session"), None) if batch else None
    print("## 2b. Microsoft Graph (Send-M365Mail -Method Graph to the loopback Graph double over HTTPS, sender in its own process)")
    print("| run | messages | attachment | runs | rate (median) | peak above warmed-up RSS (max) | 429s | max concurrent per mailbox |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in graph:
        rate = f"{r['messages_per_s_median']:.1f} msg/s" if "messages_per_s_median" in r else f"{r['mb_per_s_median']:.1f} MB/s"
        print(f"| {r['name']} | {r['messages']} | {r['attachment_kb']} KB | {r['runs']} | {rate} | {r['peak_above_warm_mb_max']:.1f} MB | {r['throttled_429']} | {r['max_concurrent_per_mailbox']} |")
    if smtp:
        print(f"| SMTP (batch above, engine-session, same run) | {smtp['messages']} | 200 KB | {smtp['runs']} | {smtp['rate']:.1f} msg/s | | | |")
    print()

cold = [r for r in rows if r["bench"] == "coldstart"]
if cold:
    print("## 4. Cold start (new process → connect, STARTTLS, AUTH PLAIN, one message → 250; engine and MailKit runs alternate)")
    print("| contender | runs | ms median | min | max | parent-observed ms (median) | assemblies loaded |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for c in cold:
        print(f"| {c['name']} | {c['runs']} | {c['ms_median']:.0f} | {c['ms_min']:.0f} | {c['ms_max']:.0f} | {c['parent_wall_ms_median']:.0f} | {c['assemblies']} |")
    print()
    for c in cold:
        print(f"Assemblies ({c['name']}): {c['assembly_names']}")
        print()

mime = [r for r in rows if r["bench"] == "mime"]
if mime:
    print(f"## 3. MIME encoders (BenchmarkDotNet ShortRun, in-process, {mime[0]['input_bytes'] // 1024} KB input)")
    print("| method | mean µs | MB/s of input | allocated bytes/op |")
    print("|---|---:|---:|---:|")
    for r in mime:
        print(f"| {r['name'].strip(chr(39))} | {r['mean_us']:.1f} | {r['mb_per_s']:.1f} | {r['allocated_bytes']} |")
    print()

# The engine against MailKit/MimeKit, the contender of issue 14 (item 12): ratios from this run.
def ratio_line(label, eng, mk, higher_is_better=True):
    if not eng or not mk:
        return None
    r = eng / mk if higher_is_better else mk / eng
    return f"| {label} | {eng:.1f} | {mk:.1f} | {r:.2f}× |"

lines = []
for kind, label in (("text", "batch, 2 KB text, msg/s"), ("attach", "batch, HTML + 200 KB, msg/s")):
    e = next((r["rate"] for r in batch if r["kind"] == kind and r["name"] == "engine-session"), None)
    m = next((r["rate"] for r in batch if r["kind"] == kind and r["name"] == "mailkit-session"), None)
    lines.append(ratio_line(label, e, m))
size = f"{large[0]['file_mb']} MB" if large else ""
for eng_name, mk_name, label in (("engine-starttls-bdat", "mailkit-starttls-chunking", f"{size}, STARTTLS, CHUNKING offered, MB/s"),
                                 ("engine-starttls-data", "mailkit-starttls-data", f"{size}, STARTTLS, DATA only, MB/s"),
                                 ("engine-plain-bdat", "mailkit-plain-chunking", f"{size}, no TLS, CHUNKING offered, MB/s")):
    e = next((r for r in large if r["name"] == eng_name), None)
    m = next((r for r in large if r["name"] == mk_name), None)
    if e and m:
        lines.append(ratio_line(label, e["mb_per_s_median"], m["mb_per_s_median"]))
        lines.append(ratio_line(label.replace("MB/s", "peak MB above idle (lower is better)"), e["peak_above_idle_mb_max"], m["peak_above_idle_mb_max"], higher_is_better=False))
e = next((r for r in cold if r["name"] == "engine-first-message"), None)
m = next((r for r in cold if r["name"] == "mailkit-first-message"), None)
if e and m:
    lines.append(ratio_line("cold start, ms to the 250 (lower is better)", e["ms_median"], m["ms_median"], higher_is_better=False))
lines = [l for l in lines if l]
if lines:
    print("## 5. Engine vs MailKit/MimeKit 4.18.2 (same run)")
    print("| measure | engine | MailKit | engine's advantage |")
    print("|---|---:|---:|---:|")
    for l in lines:
        print(l)
    print()
