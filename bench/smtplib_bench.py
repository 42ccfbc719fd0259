#!/usr/bin/python3
"""The Python baseline of bench/: smtplib + email, one STARTTLS + AUTH session for every message (pacing off).
Prints {"seconds": ..., "messages": ...}: the time from connecting to the reply to QUIT."""
import argparse, json, smtplib, ssl, time
from email.message import EmailMessage

ap = argparse.ArgumentParser()
for name in ("host", "port", "user", "password", "ca", "to", "kind", "count", "text", "html", "attach"):
    ap.add_argument("--" + name, required=True)
a = ap.parse_args()
text = open(a.text, encoding="ascii").read()
html = open(a.html, encoding="ascii").read()


def build(i):
    m = EmailMessage()
    m["From"] = a.user
    m["To"] = a.to
    if a.kind == "text":
        m["Subject"] = "bench text %d" % i
        m.set_content(text)
    else:
        m["Subject"] = "bench html %d" % i
        m.set_content(html, subtype="html")
        with open(a.attach, "rb") as f:  # read per message, as the engine does
            m.add_attachment(f.read(), maintype="application", subtype="octet-stream", filename="report.bin")
    return m


ctx = ssl.create_default_context(cafile=a.ca)
start = time.perf_counter()
with smtplib.SMTP(a.host, int(a.port), local_hostname="bench.contoso.test") as s:
    s.starttls(context=ctx)  # the certificate names 127.0.0.1 too
    s.login(a.user, a.password)
    for i in range(int(a.count)):
        s.send_message(build(i))
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "messages": int(a.count)}))
