#!/usr/bin/env bash
# Exim 4 (Debian's exim4-daemon-light, unpacked into /opt/m365smtp-interop by tests/interop/install.sh, never installed:
# it would replace postfix as the system MTA) on 127.0.0.1: a submission port with STARTTLS (self-signed certificate for
# localhost / 127.0.0.1) and AUTH PLAIN/LOGIN only after it, mail only when authenticated, delivery to Maildirs under the
# state folder. Exim offers what Postfix's submission does plus SMTPUTF8 (CHUNKING, 8BITMIME, PIPELINING, SIZE too).
# Usage: exim.sh start|stop. Everything lives in tests/interop/.state/exim/; once up, the env file there holds the
# port, credentials and paths (see the end of start()).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state="$(cd "$here/.." && pwd)/.state/exim"
prefix="${M365SMTP_INTEROP_PREFIX:-/opt/m365smtp-interop}/exim4-daemon-light"
exim="$prefix/usr/sbin/exim4"
python=/usr/bin/python3; [ -x "$python" ] || python=python3

log_tail() {
  for f in "$state/log/mainlog" "$state/log/paniclog" "$state/log/daemon.log"; do
    [ -s "$f" ] && { echo "---- tail of $f" >&2; tail -n 25 "$f" >&2; }
  done
  return 0
}
die() { echo "exim.sh: $*" >&2; log_tail; stop >/dev/null 2>&1 || true; exit 1; }

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_port() {
  local port=$1 i
  for i in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "exim did not come up on 127.0.0.1:$port"
}

stop() {
  rm -f "$state/env"
  local pid
  # exim.pid is Exim's own; daemon.pid the process start() launched (the same one with -bdf, kept in case Exim
  # never got to write its file).
  for f in "$state/exim.pid" "$state/daemon.pid"; do
    [ -f "$f" ] && pid="$(tr -dc 0-9 < "$f")" || pid=""
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
}

start() {
  [ -x "$exim" ] || die "$exim is missing: run tests/interop/install.sh (it unpacks exim4-daemon-light there)"
  id -u Debian-exim >/dev/null 2>&1 || die "the Debian-exim user is missing: run tests/interop/install.sh"
  stop
  rm -rf "$state"
  mkdir -p "$state"/{spool,log,tls,maildir}
  chmod 755 "$state"
  chown Debian-exim:Debian-exim "$state/spool" "$state/log" "$state/maildir"

  local port; port="$(free_port)"
  local domain=contoso.test user="alice@contoso.test"
  local password; password="$(openssl rand -hex 12)"

  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$state/tls/key.pem" -out "$state/tls/cert.pem" >/dev/null 2>&1 || die "openssl could not make the certificate"
  # Exim reads the key after giving up root (the -C config costs it its privilege): readable by Debian-exim only.
  chown Debian-exim "$state/tls/key.pem"; chmod 600 "$state/tls/key.pem"

  # Deliveries run as Debian-exim: with a -C config Exim drops root, so it can't switch to another user. The Maildir
  # folder is chosen from a fixed list (Exim refuses a path built from $domain, which is "tainted" client data).
  # Delivered-To is added so every server's Maildir files can be matched the same way.
  cat > "$state/exim.conf" <<EOF
exim_path = $exim
keep_environment =
primary_hostname = exim.contoso.test
domainlist local_domains = contoso.test : fabrikam.test
spool_directory = $state/spool
log_file_path = $state/log/%slog
pid_file_path = $state/exim.pid
daemon_smtp_ports = $port
local_interfaces = 127.0.0.1
host_lookup =
rfc1413_hosts =
tls_advertise_hosts = *
tls_certificate = $state/tls/cert.pem
tls_privatekey = $state/tls/key.pem
message_size_limit = 50M
never_users = root
acl_smtp_mail = acl_check_mail
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_mail:
  deny    message = 5.7.0 Authentication required
          !authenticated = *
  accept
acl_check_rcpt:
  accept  authenticated = *
          domains = +local_domains
  deny    message = 5.7.1 Relaying denied

begin routers
local_maildir:
  driver = accept
  domains = +local_domains
  transport = maildir_delivery

begin transports
maildir_delivery:
  driver = appendfile
  directory = $state/maildir/\${if eq{\$domain}{fabrikam.test}{fabrikam.test}{contoso.test}}
  maildir_format
  create_directory
  delivery_date_add
  envelope_to_add
  return_path_add
  headers_add = Delivered-To: \$local_part@\$domain
  user = Debian-exim
  group = Debian-exim

begin authenticators
plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and {{eq{\$auth2}{$user}}{eq{\$auth3}{$password}}}}
  server_set_id = \$auth2
  server_advertise_condition = \${if def:tls_in_cipher}
login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = \${if and {{eq{\$auth1}{$user}}{eq{\$auth2}{$password}}}}
  server_set_id = \$auth1
  server_advertise_condition = \${if def:tls_in_cipher}
EOF
  "$exim" -C "$state/exim.conf" -bV >"$state/log/check.log" 2>&1 || { cat "$state/log/check.log" >&2; die "exim refused its configuration"; }
  # -bdf: the daemon stays in the foreground (its pid is the one stop() kills); -q10s retries anything deferred.
  setsid "$exim" -C "$state/exim.conf" -bdf -q10s >"$state/log/daemon.log" 2>&1 < /dev/null &
  echo $! > "$state/daemon.pid"
  wait_port "$port"
  for _ in $(seq 1 50); do [ -s "$state/exim.pid" ] && break; sleep 0.1; done

  cat > "$state/env.tmp" <<EOF
SUBMISSION_PORT=$port
HOST=127.0.0.1
DOMAIN=$domain
SECOND_DOMAIN=fabrikam.test
USER=$user
PASSWORD=$password
MAILDIR_BASE=$state/maildir
MAILLOG=$state/log/mainlog
CA_CERT=$state/tls/cert.pem
OFFERS_CHUNKING=1
OFFERS_8BITMIME=1
OFFERS_SMTPUTF8=1
MESSAGE_SIZE_LIMIT=52428800
EOF
  mv "$state/env.tmp" "$state/env"
  echo "exim: submission 127.0.0.1:$port (env: $state/env)"
}

case "${1:-}" in
  start) start ;;
  stop) stop; echo "exim: stopped" ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
