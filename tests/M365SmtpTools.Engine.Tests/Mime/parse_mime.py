#!/usr/bin/env python3
"""An independent reading of what the MIME writer produced, with Python's email package.

  parse_mime.py message FILE   -> JSON: decoded headers, addresses, defects, line lengths, and every leaf part
                                  (content type, charset, transfer encoding, disposition, filename, Content-ID,
                                  decoded size and SHA-256, and the text for text parts)
  parse_mime.py headers FILE   -> FILE is a JSON list of raw header fields ("Name: value" with folding);
                                  prints a JSON list: the decoded value, or for address fields a list of [name, address]
"""
import email
import hashlib
import json
import sys
from email import policy

ADDRESS_FIELDS = {"from", "sender", "reply-to", "to", "cc", "bcc"}


def parse_bytes(data):
    # RFC 6532 headers are UTF-8: parse the text, so UTF-8 header values decode as UTF-8.
    return email.message_from_string(data.decode("utf-8"), policy=policy.default)


def header_value(name, value):
    if name.lower() in ADDRESS_FIELDS:
        return [[a.display_name, a.addr_spec] for a in value.addresses]
    return str(value)


def message(path):
    with open(path, "rb") as f:
        data = f.read()
    msg = parse_bytes(data)
    headers = {}
    for name, value in msg.items():
        headers.setdefault(name, []).append(header_value(name, value))
    head = data.split(b"\r\n\r\n", 1)[0]
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            parts.append({"content_type": part.get_content_type(), "multipart": True,
                          "params": {k: v for k, v in part.get_params() or []}})
            continue
        payload = part.get_payload(decode=True) or b""
        cte = part.get("Content-Transfer-Encoding")
        entry = {
            "content_type": part.get_content_type(),
            "multipart": False,
            "charset": part.get_content_charset(),
            "cte": str(cte) if cte is not None else None,
            "disposition": part.get_content_disposition(),
            "filename": part.get_filename(),
            "name_param": part.get_param("name"),
            "content_id": str(part["Content-ID"]) if part["Content-ID"] is not None else None,
            "size": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
        }
        if part.get_content_maintype() == "text":
            entry["text"] = part.get_content()
        parts.append(entry)
    lines = data.split(b"\r\n")
    print(json.dumps({
        "headers": headers,
        "defects": [type(d).__name__ for d in msg.defects] + [type(d).__name__ for p in msg.walk() for d in p.defects],
        "parts": parts,
        "max_line": max(len(l) for l in lines),
        "max_header_line": max(len(l) for l in head.split(b"\r\n")),
        "bare_lf": data.replace(b"\r\n", b"").count(b"\n"),
        "bare_cr": data.replace(b"\r\n", b"").count(b"\r"),
        "header_names": [n for n, _ in msg.items()],
    }, ensure_ascii=True))


def headers(path):
    with open(path, "r", encoding="utf-8") as f:
        fields = json.load(f)
    out = []
    for field in fields:
        msg = email.message_from_string(field + "\r\n", policy=policy.default)
        name = field.split(":", 1)[0]
        value = msg[name]
        out.append(header_value(name, value) if value is not None else None)
    print(json.dumps(out, ensure_ascii=True))


if __name__ == "__main__":
    {"message": message, "headers": headers}[sys.argv[1]](sys.argv[2])
