#!/usr/bin/python3
"""Independent reading of a delivered message, for the interop tests (Infrastructure/PythonMimeParser.cs).

Usage: parse_message.py <message file>. Parses the file with Python's email package (policy=default, the modern
RFC 5322/2047/2231/6532-aware parser) and prints one JSON object:
  headers      every header in order: name, value (decoded, unfolded), raw (as in the file, LF line ends), defects
  subject, message_id, date (ISO 8601 or null), from/to/cc/bcc/reply_to/sender (lists of {display_name, addr_spec})
  defects      message-level parser defects
  root         the MIME tree: each part has content_type, params, charset, disposition, filename, content_id,
               content_transfer_encoding, headers, is_multipart, size and sha256 of the decoded payload, text
               (decoded text of text/* parts), preamble/epilogue (multiparts), defects, parts (children; the
               embedded message of a message/rfc822 part is its single child)
"""
import email
import email.policy
import hashlib
import json
import sys

ADDRESS_HEADERS = ("from", "to", "cc", "bcc", "reply-to", "sender")


def defects(obj):
    return [type(d).__name__ + (": " + str(d) if str(d) else "") for d in getattr(obj, "defects", ()) or ()]


def headers(msg):
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
        "headers": headers(part),
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


def main():
    if len(sys.argv) != 2:
        print("usage: parse_message.py <message file>", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    date = msg.get("Date")
    dt = getattr(date, "datetime", None) if date is not None else None
    result = {
        "headers": headers(msg),
        "subject": str(msg["Subject"]) if msg["Subject"] is not None else None,
        "message_id": str(msg["Message-ID"]).strip() if msg["Message-ID"] is not None else None,
        "date": dt.isoformat() if dt is not None else None,
        "defects": defects(msg),
        "root": part_info(msg),
    }
    for name in ADDRESS_HEADERS:
        result[name.replace("-", "_")] = addresses(msg, name)
    json.dump(result, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
