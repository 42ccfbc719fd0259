#!/usr/bin/env bash
# Fault-injection SMTP servers (tests/interop/aiosmtpd/fault_server.py, Python aiosmtpd + raw asyncio) on 127.0.0.1,
# one port per behaviour: NORMAL, NO_STARTTLS, SLOW, DROP_DATA, HUGE_REPLY, GARBAGE, GARBAGE_GREETING, BANNER_NEVER
# and TLS11_ONLY (when this OpenSSL can still do TLS 1.1). Usage: aiosmtpd.sh start|stop. State, transcripts
# (<BEHAVIOUR>_LOG) and received messages live in tests/interop/.state/aiosmtpd/; the env file lists them.
# SLOW_DELAY_SECONDS (environment, default 30) sets how long the SLOW listener waits before each reply.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state="$(cd "$here/.." && pwd)/.state/aiosmtpd"
server="$(cd "$here/../aiosmtpd" && pwd)/fault_server.py"
python=/usr/bin/python3; [ -x "$python" ] || python=python3

die() {
  echo "aiosmtpd.sh: $*" >&2
  [ -s "$state/server.log" ] && { echo "---- tail of $state/server.log" >&2; tail -n 30 "$state/server.log" >&2; }
  stop
  exit 1
}

stop() {
  rm -f "$state/env"
  if [ -f "$state/pid" ]; then
    local pid; pid="$(tr -dc 0-9 < "$state/pid")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$state/pid"
  fi
}

start() {
  "$python" -c 'import aiosmtpd' 2>/dev/null ||
    die "python3-aiosmtpd is not installed for $python: run tests/interop/install.sh"
  stop
  rm -rf "$state"
  mkdir -p "$state/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$state/tls/key.pem" -out "$state/tls/cert.pem" >/dev/null 2>&1 || die "openssl could not make the certificate"
  chmod 600 "$state/tls/key.pem"
  local password token
  password="$(openssl rand -hex 12)"
  token="$(openssl rand -hex 24)"

  nohup "$python" "$server" --state "$state" --cert "$state/tls/cert.pem" --key "$state/tls/key.pem" \
    --user "alice@contoso.test" --password "$password" --token "$token" \
    --slow-delay "${SLOW_DELAY_SECONDS:-30}" >"$state/server.log" 2>&1 < /dev/null &
  echo $! > "$state/pid"
  for _ in $(seq 1 100); do
    [ -f "$state/env" ] && break
    kill -0 "$(cat "$state/pid")" 2>/dev/null || die "fault_server.py exited"
    sleep 0.1
  done
  [ -f "$state/env" ] || die "fault_server.py did not write its env file within 10 s"
  # fault_server.py writes env only once every listener is bound and listening.
  echo "aiosmtpd: $(grep '_PORT=' "$state/env" | tr '\n' ' ')(env: $state/env)"
  grep -q '^TLS11_ONLY_UNAVAILABLE=' "$state/env" && echo "aiosmtpd: no TLS11_ONLY_PORT: $(grep '^TLS11_ONLY_UNAVAILABLE=' "$state/env" | cut -d= -f2-)"
  return 0
}

case "${1:-}" in
  start) start ;;
  stop) stop; echo "aiosmtpd: stopped" ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
