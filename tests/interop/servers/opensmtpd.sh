#!/usr/bin/env bash
# OpenSMTPD (Debian's opensmtpd from bookworm-backports, unpacked into /opt/m365smtp-interop by tests/interop/install.sh,
# never installed: it would replace postfix as the system MTA) on 127.0.0.1: a submission port with STARTTLS
# (self-signed certificate for localhost / 127.0.0.1) and AUTH PLAIN/LOGIN only after it, mail for the test domains only
# when authenticated, delivery to Maildirs under the state folder. OpenSMTPD offers neither CHUNKING nor SMTPUTF8
# (8BITMIME, SIZE 35 MB, DSN, ENHANCEDSTATUSCODES; no PIPELINING either).
# Its spool (/var/spool/smtpd), control socket (/var/run/smtpd.sock), chroot (/var/lib/opensmtpd/empty) and helper
# programs (/usr/libexec/opensmtpd) are compiled-in paths: the daemon runs in its own mount namespace (unshare -m, as
# root) where /var is this state's var/ and /usr/libexec the private prefix's, so nothing of the machine's is touched
# and several checkouts can each run one. Usage: opensmtpd.sh start|stop. State in tests/interop/.state/opensmtpd/;
# once up, the env file there holds the port, credentials and paths (see the end of start()).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state="$(cd "$here/.." && pwd)/.state/opensmtpd"
prefix="${M365SMTP_INTEROP_PREFIX:-/opt/m365smtp-interop}/opensmtpd"
smtpd="$prefix/usr/sbin/smtpd"
python=/usr/bin/python3; [ -x "$python" ] || python=python3

log_tail() {
  [ -s "$state/log/smtpd.log" ] && { echo "---- tail of $state/log/smtpd.log" >&2; tail -n 25 "$state/log/smtpd.log" >&2; }
  return 0
}
die() { echo "opensmtpd.sh: $*" >&2; log_tail; stop >/dev/null 2>&1 || true; exit 1; }

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_port() {
  local port=$1 i
  for i in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$(cat "$state/smtpd.pid")" 2>/dev/null || die "smtpd exited"
    sleep 0.1
  done
  die "opensmtpd did not come up on 127.0.0.1:$port"
}

stop() {
  rm -f "$state/env"
  local pid
  [ -f "$state/smtpd.pid" ] && pid="$(tr -dc 0-9 < "$state/smtpd.pid")" || pid=""
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$state/smtpd.pid"
}

start() {
  [ -x "$smtpd" ] || die "$smtpd is missing: run tests/interop/install.sh (it unpacks opensmtpd there)"
  id -u opensmtpd >/dev/null 2>&1 && id -u opensmtpq >/dev/null 2>&1 || die "the opensmtpd/opensmtpq users are missing: run tests/interop/install.sh"
  command -v unshare >/dev/null || die "unshare (util-linux) is missing"
  case "$state/" in /var/*) die "the state folder $state is under /var, which the daemon's namespace replaces" ;; esac
  stop
  rm -rf "$state"
  mkdir -p "$state"/{log,tls,maildir,var/spool/smtpd,var/lib/opensmtpd/empty,var/run,var/tmp}
  chmod 755 "$state"
  chmod 711 "$state/var/spool/smtpd"           # smtpd refuses any other mode
  chown 65534:65534 "$state/maildir"           # deliveries run as nobody (the virtual table below)

  local port; port="$(free_port)"
  local domain=contoso.test user="alice@contoso.test"
  local password; password="$(openssl rand -hex 12)"

  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$state/tls/key.pem" -out "$state/tls/cert.pem" >/dev/null 2>&1 || die "openssl could not make the certificate"
  chmod 600 "$state/tls/key.pem"
  # The credentials table holds crypt(3) hashes; smtpd reads it as root before dropping privileges.
  printf '%s %s\n' "$user" "$(openssl passwd -6 "$password")" > "$state/creds"
  chmod 600 "$state/creds"
  printf '@contoso.test nobody\n@fabrikam.test nobody\n' > "$state/vusers"

  cat > "$state/smtpd.conf" <<EOF
pki localhost cert "$state/tls/cert.pem"
pki localhost key "$state/tls/key.pem"
table creds file:$state/creds
table vusers file:$state/vusers
listen on 127.0.0.1 port $port tls pki localhost auth <creds> hostname opensmtpd.contoso.test
action "maildir" mda "/usr/libexec/opensmtpd/mail.maildir $state/maildir/%{rcpt.domain}" virtual <vusers>
match from any auth for domain { contoso.test, fabrikam.test } action "maildir"
match from any for any reject
EOF
  "$smtpd" -n -f "$state/smtpd.conf" >"$state/log/check.log" 2>&1 || { cat "$state/log/check.log" >&2; die "smtpd refused its configuration"; }
  # -d: foreground, logs to stderr; unshare without --fork execs, so the recorded pid is smtpd's parent process.
  setsid unshare --mount --propagation private sh -c \
    'mount --bind "$1/var" /var && mount --bind "$2/usr/libexec" /usr/libexec && exec "$2/usr/sbin/smtpd" -d -f "$1/smtpd.conf"' \
    sh "$state" "$prefix" >"$state/log/smtpd.log" 2>&1 < /dev/null &
  echo $! > "$state/smtpd.pid"
  wait_port "$port"

  cat > "$state/env.tmp" <<EOF
SUBMISSION_PORT=$port
HOST=127.0.0.1
DOMAIN=$domain
SECOND_DOMAIN=fabrikam.test
USER=$user
PASSWORD=$password
MAILDIR_BASE=$state/maildir
MAILLOG=$state/log/smtpd.log
CA_CERT=$state/tls/cert.pem
OFFERS_CHUNKING=0
OFFERS_8BITMIME=1
OFFERS_SMTPUTF8=0
MESSAGE_SIZE_LIMIT=36700160
EOF
  mv "$state/env.tmp" "$state/env"
  echo "opensmtpd: submission 127.0.0.1:$port (env: $state/env)"
}

case "${1:-}" in
  start) start ;;
  stop) stop; echo "opensmtpd: stopped" ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
