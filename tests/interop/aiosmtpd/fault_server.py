#!/usr/bin/python3
"""Scriptable SMTP servers on 127.0.0.1 for fault-injection tests, one listener per behaviour, all in one process.

Started by tests/interop/servers/aiosmtpd.sh. Every listener binds an ephemeral loopback port itself (no race with
other processes), then the env file is written (KEY=VALUE: <BEHAVIOUR>_PORT, <BEHAVIOUR>_LOG, credentials, paths).

Behaviours
  normal        aiosmtpd; STARTTLS required before anything else; AUTH PLAIN/LOGIN (USER/PASSWORD) and XOAUTH2
                (user=USER, token XOAUTH2_TOKEN). A wrong XOAUTH2 token gets 334 <base64 JSON>, then 535 after the
                client's empty line, like Exchange Online. Messages are stored in MESSAGES_DIR.
  no_starttls   aiosmtpd; never offers STARTTLS but does offer AUTH PLAIN LOGIN in clear text (a trap: a correct
                client must not authenticate here). Accepts mail.
  slow          aiosmtpd; the greeting comes at once, every later reply after SLOW_DELAY_SECONDS.
  drop_data     raw; normal replies, but after the client's final "." of DATA the connection is closed, no reply.
  huge_reply    raw; the EHLO reply is a single line of more than 100 KB.
  garbage       raw; valid greeting, then replies that are not SMTP: EHLO/HELO "HTTP/1.1 400 Bad Request",
                MAIL "2x0 not a reply code", RCPT "999 out of range", RSET binary bytes, anything else "25".
  garbage_greeting  raw; the greeting is not SMTP (an SSH banner).
  banner_never  raw; accepts the TCP connection and reads, never writes anything.
  tls11_only    aiosmtpd; like normal but its STARTTLS speaks only TLS 1.0/1.1 (only when the local OpenSSL can
                still do TLS 1.1; otherwise TLS11_ONLY_UNAVAILABLE says why).

Each behaviour writes a transcript to <state>/logs/<behaviour>.log: "CONNECT", "C: <client line>", "S: <server
line>", "CLOSE". Message content is summarised ("C: <message content: N bytes>") and AUTH credentials are redacted
("C: AUTH PLAIN <initial response: N chars>", "C: <auth response: N chars>").
"""
import argparse
import asyncio
import base64
import collections
import json
import logging
import os
import socket
import ssl
import sys
import threading
import uuid
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, MISSING

BIG_LIMIT = 65536


class Transcript:
    """Per-behaviour transcript file, one line per event, flushed at once so tests can read it immediately."""

    def __init__(self, path):
        self._path = path
        self._lock = threading.Lock()
        open(path, "w").close()

    def write(self, conn_id, text):
        with self._lock, open(self._path, "a", encoding="utf-8", errors="backslashreplace") as f:
            f.write(f"[{conn_id}] {text}\n")


class ClientLineLogger:
    """Turns received bytes into transcript lines: commands verbatim, message content and credentials summarised."""

    def __init__(self, transcript, conn_id):
        self.t = transcript
        self.conn_id = conn_id
        self.buffer = b""
        self.in_data = False
        self.data_bytes = 0
        self.expect_auth_response = False

    def server_line(self, line):
        text = line.decode("utf-8", "backslashreplace") if isinstance(line, bytes) else line
        if len(text) > 300:
            text = text[:120] + f"... <{len(text)} chars>"
        self.t.write(self.conn_id, "S: " + text)
        if text.startswith("354"):
            self.in_data = True
            self.data_bytes = 0
        self.expect_auth_response = text.startswith("334")

    def received(self, data):
        self.buffer += data
        while True:
            i = self.buffer.find(b"\n")
            if i < 0:
                return
            raw, self.buffer = self.buffer[: i + 1], self.buffer[i + 1:]
            self._line(raw)

    def _line(self, raw):
        if self.in_data:
            if raw in (b".\r\n", b".\n"):
                self.in_data = False
                self.t.write(self.conn_id, f"C: <message content: {self.data_bytes} bytes>")
                self.t.write(self.conn_id, "C: .")
            else:
                self.data_bytes += len(raw)
            return
        line = raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
        if self.expect_auth_response:
            self.expect_auth_response = False
            self.t.write(self.conn_id, f"C: <auth response: {len(line)} chars>")
            return
        parts = line.split(" ")
        if len(parts) >= 3 and parts[0].upper() == "AUTH":
            line = f"{parts[0]} {parts[1]} <initial response: {len(' '.join(parts[2:]))} chars>"
        if len(line) > 300:
            line = line[:120] + f"... <{len(line)} chars>"
        self.t.write(self.conn_id, "C: " + line)


class LoggingSMTP(SMTP):
    """aiosmtpd's SMTP with a transcript, long AUTH lines allowed (OAuth tokens are long), and optional reply delay."""

    line_length_limit = BIG_LIMIT
    command_size_limit = BIG_LIMIT
    command_size_limits = collections.defaultdict(lambda: BIG_LIMIT)

    def __init__(self, handler, transcript, reply_delay=0.0, **kwargs):
        super().__init__(handler, **kwargs)
        self._transcript = transcript
        self._reply_delay = reply_delay
        self._pushes = 0
        self._conn_id = uuid.uuid4().hex[:8]
        self._logger = ClientLineLogger(transcript, self._conn_id)

    def connection_made(self, transport):
        if self._original_transport is None and self._tls_protocol is None:
            self._transcript.write(self._conn_id, "CONNECT")
        super().connection_made(transport)

    def connection_lost(self, error):
        self._transcript.write(self._conn_id, "CLOSE")
        super().connection_lost(error)

    def data_received(self, data):
        self._logger.received(data)
        super().data_received(data)

    async def push(self, status):
        self._pushes += 1
        if self._reply_delay and self._pushes > 1:
            await asyncio.sleep(self._reply_delay)
        self._logger.server_line(status)
        await super().push(status)


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class StoringHandler:
    """Accepts every recipient and stores each message (content as received plus envelope JSON)."""

    def __init__(self, messages_dir, behaviour, user=None, token=None):
        self.messages_dir = messages_dir
        self.behaviour = behaviour
        self.user = user
        self.token = token

    async def handle_DATA(self, server, session, envelope):
        name = f"{self.behaviour}-{uuid.uuid4().hex}"
        with open(os.path.join(self.messages_dir, name + ".eml.tmp"), "wb") as f:
            f.write(envelope.original_content or b"")
        meta = {
            "behaviour": self.behaviour,
            "mail_from": envelope.mail_from,
            "mail_options": envelope.mail_options,
            "rcpt_tos": envelope.rcpt_tos,
            "rcpt_options": envelope.rcpt_options,
            "authenticated": bool(session.authenticated),
            "login": _text(getattr(session.auth_data, "login", None)),
            "tls": server._tls_protocol is not None,
            "helo": session.host_name,
        }
        with open(os.path.join(self.messages_dir, name + ".json"), "w") as f:
            json.dump(meta, f)
        os.rename(os.path.join(self.messages_dir, name + ".eml.tmp"),
                  os.path.join(self.messages_dir, name + ".eml"))
        return "250 2.0.0 OK " + name

    async def auth_XOAUTH2(self, server, args):
        """XOAUTH2 the way Exchange Online answers it: 235 for the right user+token, else 334 <base64 JSON>, 535."""
        if len(args) >= 2:
            try:
                blob = base64.b64decode(args[1], validate=True)
            except Exception:
                await server.push("501 5.5.2 Cannot decode base64")
                return AuthResult(success=False, handled=True)
        else:
            blob = await server.challenge_auth("", encode_to_b64=False)
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
        fields = {}
        for part in blob.split(b"\x01"):
            if b"=" in part:
                k, v = part.split(b"=", 1)
                fields[k.decode("ascii", "replace").lower()] = v.decode("utf-8", "replace")
        user = fields.get("user")
        auth = fields.get("auth", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else None
        if user is not None and token and user.lower() == (self.user or "").lower() and token == self.token:
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        error = json.dumps({"status": "401", "schemes": "bearer",
                            "scope": "https://outlook.office365.com/.default"}, separators=(",", ":")).encode()
        reply = await server.challenge_auth(error)  # the client must answer with an empty line
        if reply is MISSING:
            return AuthResult(success=False, handled=True)
        return AuthResult(success=False, handled=False,
                          message="535 5.7.3 Authentication unsuccessful [XOAUTH2 token rejected by test server]")


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        if (isinstance(auth_data, LoginPassword)
                and auth_data.login.decode("utf-8", "replace").lower() == user.lower()
                and auth_data.password.decode("utf-8", "replace") == password):
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False,
                          message="535 5.7.8 Authentication credentials invalid")
    return authenticator


# ---------------------------------------------------------------------------------------------------------------
# Raw behaviours (plain asyncio): simpler and more predictable than bending aiosmtpd.

class RawBehaviour:
    name = "raw"
    hostname = "fault.test"

    def __init__(self, transcript):
        self.t = transcript

    async def greet(self, send):
        await send(f"220 {self.hostname} ESMTP fault server ({self.name})")

    async def ehlo(self, send, arg):
        await send(f"250-{self.hostname} Hello {arg}")
        await send("250-PIPELINING")
        await send("250-8BITMIME")
        await send("250 SIZE 52428800")

    async def reply(self, send, verb, arg):
        if verb in ("EHLO",):
            await self.ehlo(send, arg)
        elif verb == "HELO":
            await send(f"250 {self.hostname}")
        elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
            await send("250 2.0.0 OK")
        elif verb == "QUIT":
            await send("221 2.0.0 Bye")
            return "close"
        else:
            await send("502 5.5.2 Command not implemented")
        return None

    async def end_of_data(self, send, size):
        await send(f"250 2.0.0 OK {size} bytes")
        return None

    async def serve(self, reader, writer):
        conn_id = uuid.uuid4().hex[:8]
        log = ClientLineLogger(self.t, conn_id)
        self.t.write(conn_id, "CONNECT")

        async def send(line):
            log.server_line(line)
            writer.write((line if isinstance(line, bytes) else line.encode("utf-8")) + b"\r\n")
            await writer.drain()

        try:
            await self.greet(send)
            while True:
                raw = await reader.readline()
                if not raw:
                    break
                log.received(raw)
                line = raw.rstrip(b"\r\n").decode("utf-8", "replace")
                verb, _, arg = line.partition(" ")
                verb = verb.upper()
                if verb == "DATA":
                    await send("354 End data with <CR><LF>.<CR><LF>")
                    size = 0
                    while True:
                        raw = await reader.readline()
                        if not raw:
                            return
                        log.received(raw)
                        if raw in (b".\r\n", b".\n"):
                            break
                        size += len(raw)
                    if await self.end_of_data(send, size) == "close":
                        return
                    continue
                if await self.reply(send, verb, arg) == "close":
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            self.t.write(conn_id, "CLOSE")
            try:
                writer.close()
            except Exception:
                pass


class DropData(RawBehaviour):
    name = "drop_data"

    async def end_of_data(self, send, size):
        return "close"  # the whole message arrived; hang up without the final reply


class HugeReply(RawBehaviour):
    name = "huge_reply"
    size = 100 * 1024 + 17

    async def ehlo(self, send, arg):
        await send("250 " + "x" * self.size)


class Garbage(RawBehaviour):
    """Valid greeting; then every reply depends only on the command, so each connection sees the same script."""
    name = "garbage"
    replies = {
        "EHLO": "HTTP/1.1 400 Bad Request",
        "HELO": "HTTP/1.1 400 Bad Request",
        "MAIL": "2x0 not a reply code",
        "RCPT": "999 out of range",
        "RSET": "\x00\x01\x02 binary",
    }
    other = "25"

    async def reply(self, send, verb, arg):
        if verb == "QUIT":
            await send("221 2.0.0 Bye")
            return "close"
        await send(self.replies.get(verb, self.other))
        return None


class GarbageGreeting(RawBehaviour):
    name = "garbage_greeting"

    async def greet(self, send):
        await send("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3")


class BannerNever(RawBehaviour):
    name = "banner_never"

    async def serve(self, reader, writer):
        conn_id = uuid.uuid4().hex[:8]
        log = ClientLineLogger(self.t, conn_id)
        self.t.write(conn_id, "CONNECT")
        try:
            while True:
                data = await reader.read(4096)
                if not data:
                    break
                log.received(data)
        except ConnectionError:
            pass
        finally:
            self.t.write(conn_id, "CLOSE")
            writer.close()


# ---------------------------------------------------------------------------------------------------------------

def tls_context(cert, key, tls11_only=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if tls11_only:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def tls11_available(cert, key):
    """Whether this OpenSSL can still complete a TLS 1.1 handshake (tried on a loopback socket pair)."""
    try:
        srv = tls_context(cert, key, tls11_only=True)
        cli = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        cli.check_hostname = False
        cli.verify_mode = ssl.CERT_NONE
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            cli.minimum_version = ssl.TLSVersion.TLSv1_1
            cli.maximum_version = ssl.TLSVersion.TLSv1_1
        cli.set_ciphers("DEFAULT:@SECLEVEL=0")
        a, b = socket.socketpair()
        result = {}

        def server_side():
            try:
                s = srv.wrap_socket(a, server_side=True)
                result["server"] = s.version()
                s.close()
            except Exception as e:  # noqa: BLE001
                result["error"] = str(e)

        th = threading.Thread(target=server_side)
        th.start()
        try:
            c = cli.wrap_socket(b)
            version = c.version()
            c.close()
        except Exception as e:  # noqa: BLE001
            th.join(5)
            return False, f"TLS 1.1 handshake failed: {e}"
        th.join(5)
        if version != "TLSv1.1":
            return False, f"negotiated {version} instead of TLSv1.1"
        return True, ""
    except Exception as e:  # noqa: BLE001
        return False, str(e)


async def main():
    # aiosmtpd itself sets the deprecated Session.login_data on every AUTH; keep server.log for real problems.
    logging.getLogger("mail.log").addFilter(lambda record: "login_data" not in record.getMessage())
    p = argparse.ArgumentParser()
    p.add_argument("--state", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--slow-delay", type=float, default=30.0)
    a = p.parse_args()

    logs = os.path.join(a.state, "logs")
    messages = os.path.join(a.state, "messages")
    os.makedirs(logs, exist_ok=True)
    os.makedirs(messages, exist_ok=True)
    loop = asyncio.get_running_loop()
    env = collections.OrderedDict()
    servers = []

    def transcript(name):
        path = os.path.join(logs, name + ".log")
        env[name.upper() + "_LOG"] = path
        return Transcript(path)

    async def listen_smtp(name, factory):
        srv = await loop.create_server(factory, host="127.0.0.1", port=0)
        servers.append(srv)
        env[name.upper() + "_PORT"] = str(srv.sockets[0].getsockname()[1])

    async def listen_raw(behaviour):
        srv = await asyncio.start_server(behaviour.serve, host="127.0.0.1", port=0, limit=BIG_LIMIT * 4)
        servers.append(srv)
        env[behaviour.name.upper() + "_PORT"] = str(srv.sockets[0].getsockname()[1])

    auth = make_authenticator(a.user, a.password)
    ctx = tls_context(a.cert, a.key)

    t = transcript("normal")
    h = StoringHandler(messages, "normal", a.user, a.token)
    await listen_smtp("normal", lambda: LoggingSMTP(
        h, t, hostname="normal.fault.test", tls_context=ctx, require_starttls=True, auth_require_tls=True,
        authenticator=auth, enable_SMTPUTF8=True, data_size_limit=52428800))

    t2 = transcript("no_starttls")
    h2 = StoringHandler(messages, "no_starttls", a.user, a.token)
    await listen_smtp("no_starttls", lambda: LoggingSMTP(
        h2, t2, hostname="nostarttls.fault.test", auth_require_tls=False, authenticator=auth,
        auth_exclude_mechanism=["XOAUTH2"], enable_SMTPUTF8=True))

    t3 = transcript("slow")
    h3 = StoringHandler(messages, "slow")
    await listen_smtp("slow", lambda: LoggingSMTP(
        h3, t3, reply_delay=a.slow_delay, hostname="slow.fault.test", timeout=max(300, a.slow_delay * 4)))

    for cls in (DropData, HugeReply, Garbage, GarbageGreeting, BannerNever):
        await listen_raw(cls(transcript(cls.name)))

    ok, why = tls11_available(a.cert, a.key)
    if ok:
        t4 = transcript("tls11_only")
        h4 = StoringHandler(messages, "tls11_only", a.user, a.token)
        ctx11 = tls_context(a.cert, a.key, tls11_only=True)
        await listen_smtp("tls11_only", lambda: LoggingSMTP(
            h4, t4, hostname="tls11.fault.test", tls_context=ctx11, require_starttls=True,
            authenticator=auth))
    else:
        env["TLS11_ONLY_UNAVAILABLE"] = why.replace("\n", " ")

    env["HOST"] = "127.0.0.1"
    env["USER"] = a.user
    env["PASSWORD"] = a.password
    env["XOAUTH2_TOKEN"] = a.token
    env["SLOW_DELAY_SECONDS"] = str(a.slow_delay)
    env["HUGE_REPLY_BYTES"] = str(HugeReply.size)
    env["MESSAGES_DIR"] = messages
    env["COMMAND_LOG_DIR"] = logs
    env["CA_CERT"] = a.cert
    env["PID"] = str(os.getpid())
    tmp = os.path.join(a.state, "env.tmp")
    with open(tmp, "w") as f:
        for k, v in env.items():
            f.write(f"{k}={v}\n")
    os.rename(tmp, os.path.join(a.state, "env"))
    print("fault_server: listening " + " ".join(f"{k}={v}" for k, v in env.items() if k.endswith("_PORT")),
          flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
