#!/usr/bin/env python3
"""The independent MIME reader of the tests: Python's email package (policy=default, the RFC 5322/2047/2231/6532-aware
parser), one script for every use (Infrastructure/PythonMime.cs runs it).

  python_mime.py message FILE  -> what the MIME writer produced: decoded headers, addresses, defects, line lengths,
                                  bare CR/LF counts and every leaf part (content type, charset, transfer encoding,
                                  disposition, filename, Content-ID, decoded size and SHA-256, the text of text parts)
  python_mime.py headers FILE  -> FILE is a JSON list of raw header fields ("Name: value" with folding); prints a JSON
                                  list: the decoded value, or for address fields a list of [name, address]
  python_mime.py tree FILE     -> a delivered message as a tree: headers in order (name, decoded value, raw, defects),
                                  subject, message_id, date (ISO 8601 or null), from/to/cc/bcc/reply_to/sender (lists of
                                  {display_name, addr_spec}), defects, and root: each part with content_type, params,
                                  charset, disposition, filename, content_id, content_transfer_encoding, headers,
                                  is_multipart, size and sha256 of the decoded payload, text, preamble/epilogue, defects
                                  and parts (the embedded message of a message/rfc822 part is its single child)
"""
import email
import email.header
import email.policy
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


# ---- tree: a delivered message, part by part ----

ADDRESS_HEADERS = ("from", "to", "cc", "bcc", "reply-to", "sender")


def defects(obj):
    return [type(d).__name__ + (": " + str(d) if str(d) else "") for d in getattr(obj, "defects", ()) or ()]


def tree_headers(msg):
    try:
        raw_items = list(msg.raw_items())
    except Exception:  # noqa: BLE001
        raw_items = []
    out = []
    for i, (name, value) in enumerate(msg.items()):
        try:
            text = str(value)
        except Exception:  # noqa: BLE001
            text = None
        out.append({
            "name": name,
            "value": text,
            "raw": raw_items[i][1] if i < len(raw_items) and isinstance(raw_items[i][1], str) else None,
            "defects": defects(value),
        })
    return out


def addresses(msg, name):
    value = msg.get(name)
    if value is None:
        return None
    result = []
    for addr in getattr(value, "addresses", ()) or ():
        result.append({"display_name": addr.display_name, "addr_spec": addr.addr_spec})
    return result


def part_info(part):
    ctype = part.get_content_type()
    info = {
        "content_type": ctype,
        "params": {k: str(v) for k, v in (part.get_params() or [])[1:]},
        "charset": part.get_content_charset(),
        "disposition": part.get_content_disposition(),
        "filename": part.get_filename(),
        "content_id": str(part["Content-ID"]) if part["Content-ID"] is not None else None,
        "content_transfer_encoding": (str(part["Content-Transfer-Encoding"]).strip().lower()
                                      if part["Content-Transfer-Encoding"] is not None else None),
        "headers": tree_headers(part),
        "is_multipart": part.is_multipart(),
        "size": None,
        "sha256": None,
        "text": None,
        "preamble": None,
        "epilogue": None,
        "defects": defects(part),
        "parts": [],
    }
    if part.is_multipart():
        info["preamble"] = part.preamble
        info["epilogue"] = part.epilogue
        info["parts"] = [part_info(p) for p in part.iter_parts()]
        return info
    payload = part.get_payload(decode=True) or b""
    info["size"] = len(payload)
    info["sha256"] = hashlib.sha256(payload).hexdigest()
    if part.get_content_maintype() == "text":
        try:
            info["text"] = part.get_content()
        except (LookupError, UnicodeDecodeError) as e:
            info["text"] = payload.decode("latin-1")
            info["defects"].append("TextDecodeError: " + str(e))
    return info


def tree(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    date = msg.get("Date")
    dt = getattr(date, "datetime", None) if date is not None else None
    result = {
        "headers": tree_headers(msg),
        "subject": str(msg["Subject"]) if msg["Subject"] is not None else None,
        "message_id": str(msg["Message-ID"]).strip() if msg["Message-ID"] is not None else None,
        "date": dt.isoformat() if dt is not None else None,
        "defects": defects(msg),
        "root": part_info(msg),
    }
    for name in ADDRESS_HEADERS:
        result[name.replace("-", "_")] = addresses(msg, name)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    {"message": message, "headers": headers, "tree": tree}[sys.argv[1]](sys.argv[2])
