#!/usr/bin/env bash
# Postfix + Dovecot SASL on 127.0.0.1: a real submission server (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER with JWTs that
# Dovecot validates against an HS256 key made at start) and a port-25-style relay port (no AUTH, TLS optional, asks
# for a client certificate and logs it). Mail for @contoso.test and @fabrikam.test lands in Maildirs under the state
# folder. Usage: postfix.sh start|stop. Everything lives in tests/interop/.state/postfix/; once up, the env file there
# holds the ports, credentials and paths (see the end of start()).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state="$(cd "$here/.." && pwd)/.state/postfix"
python=/usr/bin/python3; [ -x "$python" ] || python=python3

log_tail() {
  for f in "$state/log/maillog" "$state/dovecot/dovecot.log" "$state/log/postfix-start.log"; do
    [ -s "$f" ] && { echo "---- tail of $f" >&2; tail -n 25 "$f" >&2; }
  done
  return 0
}
die() { echo "postfix.sh: $*" >&2; log_tail; stop >/dev/null 2>&1 || true; exit 1; }

# N free loopback TCP ports (bound together so they differ, then released).
free_ports() {
  "$python" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
EOF
}

# Waits until something accepts TCP connections on 127.0.0.1:$1.
wait_port() {
  local port=$1 what=$2 i
  for i in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "$what did not come up on 127.0.0.1:$port"
}

stop() {
  rm -f "$state/env"
  if [ -f "$state/etc/main.cf" ] && [ -f "$state/queue/pid/master.pid" ]; then
    postfix -c "$state/etc" stop >/dev/null 2>&1 || true
    local pid; pid="$(tr -dc 0-9 < "$state/queue/pid/master.pid" 2>/dev/null || true)"
    if [ -n "$pid" ]; then
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  if [ -f "$state/dovecot/run/master.pid" ]; then
    local pid; pid="$(tr -dc 0-9 < "$state/dovecot/run/master.pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$state/dovecot/run/master.pid"
  fi
}

start() {
  command -v postfix >/dev/null && command -v dovecot >/dev/null ||
    die "postfix and dovecot are not installed: run tests/interop/install.sh (packages: postfix dovecot-core)"
  stop
  rm -rf "$state"
  mkdir -p "$state"/{etc,queue,data,log,tls,maildir,dovecot/run,dovecot/keys/default/HS256}
  chmod 755 "$state"

  read -r sub_port relay_port auth_port < <(free_ports 3)
  local domain=contoso.test user="alice@contoso.test"
  local password; password="$(openssl rand -hex 12)"
  local jwt_key; jwt_key="$(openssl rand -base64 32)"

  # TLS: a self-signed server certificate for localhost / 127.0.0.1.
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$state/tls/key.pem" -out "$state/tls/cert.pem" >/dev/null 2>&1 || die "openssl could not make the certificate"
  chmod 600 "$state/tls/key.pem"

  # Dovecot: only the auth service, on an inet listener Postfix talks to.
  local dv="$state/dovecot"
  printf '%s:{PLAIN}%s\n' "$user" "$password" > "$dv/passwd"
  printf '%s:{PLAIN}%s\n' "bob@fabrikam.test" "$password" >> "$dv/passwd"
  printf '%s' "$jwt_key" > "$dv/keys/default/HS256/default"
  chmod 600 "$dv/passwd" "$dv/keys/default/HS256/default"
  cat > "$dv/oauth2.conf.ext" <<EOF
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$dv/keys/
username_attribute = upn
EOF
  cat > "$dv/dovecot.conf" <<EOF
protocols =
listen = 127.0.0.1
base_dir = $dv/run
state_dir = $dv/run
log_path = $dv/dovecot.log
info_log_path = $dv/dovecot.log
default_internal_user = root
default_internal_group = root
default_login_user = root
auth_mechanisms = plain login xoauth2 oauthbearer
disable_plaintext_auth = no
ssl = no
auth_verbose = yes
# Tests try wrong credentials on purpose: answer at once.
auth_failure_delay = 0
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN $dv/passwd
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dv/oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$state/maildir
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = $auth_port
  }
}
EOF

  # Postfix: its own config, queue and data folders; delivery to virtual Maildirs.
  local etc="$state/etc"
  # Maildirs are written by virtual(8) as nobody (virtual delivery refuses uid 0).
  chown 65534:65534 "$state/maildir"
  chown postfix:postfix "$state/data"
  # virtual(8) allows no regexp substitution, so there is one Maildir per domain (<base>/<domain>/new/); every
  # delivered file starts with "Delivered-To: <recipient>". Local parts starting with nobody- are unknown users.
  printf 'if !/^nobody-/\n/@contoso\\.test$/\tcontoso.test/\n/@fabrikam\\.test$/\tfabrikam.test/\nendif\n' > "$etc/virtual_mailbox"
  cat > "$etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $state/queue
data_directory = $state/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.contoso.test
mydomain = contoso.test
myorigin = contoso.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
home_mailbox = Maildir/
virtual_mailbox_domains = contoso.test, fabrikam.test
virtual_mailbox_base = $state/maildir
virtual_mailbox_maps = regexp:$etc/virtual_mailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
# Nothing leaves this machine.
default_transport = error:5.7.1 outbound mail is disabled on this test server
relay_transport = error:5.7.1 outbound mail is disabled on this test server
message_size_limit = 52428800
virtual_mailbox_limit = 0
mailbox_size_limit = 0
smtpd_banner = \$myhostname ESMTP Postfix (m365smtp interop)
maillog_file = $state/log/maillog
maillog_file_prefixes = $state/log
syslog_name = postfix
smtpd_tls_cert_file = $state/tls/cert.pem
smtpd_tls_key_file = $state/tls/key.pem
smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_received_header = yes
smtpd_tls_loglevel = 1
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$auth_port
smtpd_sasl_auth_enable = no
smtpd_sasl_authenticated_header = yes
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
biff = no
smtpd_error_sleep_time = 0
EOF
  # The relay port logs TLS at level 2: level 1 only says "Untrusted TLS connection established" for a client
  # certificate, level 2 adds "subject_CN=<cn>, issuer=<cn>, fingerprint=..." (what a certificate-connector test
  # needs). The Received header also carries (Client CN "<cn>", Issuer "<cn>" (not verified)).
  cat > "$etc/master.cf" <<EOF
# service            type  private unpriv chroot wakeup maxproc command
127.0.0.1:$sub_port  inet  n       -      n      -      -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
127.0.0.1:$relay_port inet n       -      n      -      -       smtpd
  -o syslog_name=postfix/relay
  -o smtpd_tls_security_level=may
  -o smtpd_sasl_auth_enable=no
  -o smtpd_tls_ask_ccert=yes
  -o smtpd_tls_loglevel=2
pickup     unix  n - n 60   1 pickup
cleanup    unix  n - n -    0 cleanup
qmgr       unix  n - n 300  1 qmgr
tlsmgr     unix  - - n 1000? 1 tlsmgr
rewrite    unix  - - n -    - trivial-rewrite
bounce     unix  - - n -    0 bounce
defer      unix  - - n -    0 bounce
trace      unix  - - n -    0 bounce
verify     unix  - - n -    1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -    - proxymap
proxywrite unix  - - n -    1 proxymap
smtp       unix  - - n -    - smtp
relay      unix  - - n -    - smtp
showq      unix  n - n -    - showq
error      unix  - - n -    - error
retry      unix  - - n -    - error
discard    unix  - - n -    - discard
local      unix  - n n -    - local
virtual    unix  - n n -    - virtual
lmtp       unix  - - n -    - lmtp
anvil      unix  - - n -    1 anvil
scache     unix  - - n -    1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF

  dovecot -c "$dv/dovecot.conf" >"$state/log/dovecot-start.log" 2>&1 ||
    { cat "$state/log/dovecot-start.log" >&2; die "dovecot did not start"; }
  # Dovecot's auth penalty (2, 4, 8, 15 s per failed login from one IP, via anvil) would make every test that
  # tries a wrong credential slow down the next ones on 127.0.0.1, until Postfix times out (454). The auth process
  # turns the penalty off when the anvil-auth-penalty socket is missing when it starts, which is on the first
  # connection (below): remove the socket now.
  rm -f "$dv/run/anvil-auth-penalty"
  wait_port "$auth_port" "dovecot auth"

  postfix -c "$etc" start >"$state/log/postfix-start.log" 2>&1 || die "postfix did not start"
  wait_port "$sub_port" "postfix submission"
  wait_port "$relay_port" "postfix relay"

  cat > "$state/env.tmp" <<EOF
SUBMISSION_PORT=$sub_port
RELAY_PORT=$relay_port
DOVECOT_AUTH_PORT=$auth_port
HOST=127.0.0.1
DOMAIN=$domain
SECOND_DOMAIN=fabrikam.test
USER=$user
PASSWORD=$password
SECOND_USER=bob@fabrikam.test
JWT_HS256_KEY_BASE64=$jwt_key
MAILDIR_BASE=$state/maildir
MAILLOG=$state/log/maillog
DOVECOT_LOG=$dv/dovecot.log
CA_CERT=$state/tls/cert.pem
UNKNOWN_LOCALPART_PREFIX=nobody-
MESSAGE_SIZE_LIMIT=52428800
EOF
  mv "$state/env.tmp" "$state/env"
  echo "postfix: submission 127.0.0.1:$sub_port, relay 127.0.0.1:$relay_port, dovecot auth 127.0.0.1:$auth_port (env: $state/env)"
}

case "${1:-}" in
  start) start ;;
  stop) stop; echo "postfix: stopped" ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
