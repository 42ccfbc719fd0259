#!/usr/bin/env python3
"""An independent reading of what the MIME writer produced, with Python's email package.

  parse_mime.py message FILE   -> JSON: decoded headers, addresses, defects, line lengths, and every leaf part
                                  (content type, charset, transfer encoding, disposition, filename, Content-ID,
                                  decoded size and SHA-256, and the text for text parts)
  parse_mime.py headers FILE   -> FILE is a JSON list of raw header fields ("Name: value" with folding);
                                  prints a JSON list: the decoded value, or for address fields a list of [name, address]
"""
import email
import email.header
import email.utils
import hashlib
import json
import sys
from email import policy

ADDRESS_FIELDS = {"from", "sender", "reply-to", "to", "cc", "bcc"}


def parse_bytes(data):
    # RFC 6532 headers are UTF-8: parse the text, so UTF-8 header values decode as UTF-8.
    return email.message_from_string(data.decode("utf-8"), policy=policy.default)


def decode_words(text):
    return str(email.header.make_header(email.header.decode_header(text)))


def header_value(name, value, raw):
    if name.lower() in ADDRESS_FIELDS:
        # Display names through the RFC 2047 decoder of email.header: the newer address parser of policy.default
        # keeps the whitespace between adjacent encoded words of a phrase, which RFC 2047 section 6.2 says to drop.
        raw = raw.replace("\r\n", "").replace("\n", "")
        return [[decode_words(n), a] for n, a in email.utils.getaddresses([raw])]
    return str(value)


def message(path):
    with open(path, "rb") as f:
        data = f.read()
    msg = parse_bytes(data)
    # Bodies from the bytes (8bit parts decode correctly only there), headers from the UTF-8 text.
    raw = email.message_from_bytes(data, policy=policy.default)
    headers = {}
    for (name, value), (_, raw_value) in zip(msg.items(), msg.raw_items()):
        headers.setdefault(name, []).append(header_value(name, value, raw_value))
    head = data.split(b"\r\n\r\n", 1)[0]
    parts = []
    for part, raw_part in zip(msg.walk(), raw.walk()):
        if part.is_multipart():
            parts.append({"content_type": part.get_content_type(), "multipart": True,
                          "params": {k: v for k, v in part.get_params() or []}})
            continue
        payload = raw_part.get_payload(decode=True) or b""
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
            entry["text"] = payload.decode(part.get_content_charset() or "ascii").replace("\r\n", "\n")
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
        raw_value = next((v for n, v in msg.raw_items() if n.lower() == name.lower()), None)
        out.append(header_value(name, value, raw_value) if value is not None else None)
    print(json.dumps(out, ensure_ascii=True))


if __name__ == "__main__":
    {"message": message, "headers": headers}[sys.argv[1]](sys.argv[2])
