#!/usr/bin/env bash
# nsd: an authoritative DNS server on 127.0.0.1 serving tests/interop/zones/*.zone (zone name = file name without .zone).
# start: picks a free port (UDP and TCP), writes tests/interop/.state/nsd/env with PORT and ZONE_DIR once it answers.
# stop: kills the nsd started here, by its pid.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
interop="$(cd "$here/.." && pwd)"
state="$interop/.state/nsd"
zones="$interop/zones"

free_port() {
  local p used
  used="$( (ss -Htuan 2>/dev/null || true) | awk '{print $5}' | sed 's/.*://' | sort -u)"
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! grep -qx "$p" <<<"$used"; then echo "$p"; return 0; fi
  done
  echo "nsd.sh: no free port found" >&2; return 1
}

stop() {
  if [ -f "$state/nsd.pid" ]; then
    pid="$(cat "$state/nsd.pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  rm -f "$state/env" "$state/nsd.pid"
}

start() {
  command -v nsd >/dev/null || { echo "nsd.sh: nsd is not installed (apt-get install nsd, or tests/interop/install.sh)" >&2; exit 1; }
  stop
  mkdir -p "$state/xfr"
  port="$(free_port)"
  {
    echo "server:"
    echo "  ip-address: 127.0.0.1@$port"
    echo "  do-ip6: no"
    echo "  username: \"\""
    echo "  chroot: \"\""
    echo "  database: \"\""
    echo "  zonesdir: \"$zones\""
    echo "  pidfile: \"$state/nsd.pid\""
    echo "  logfile: \"$state/nsd.log\""
    echo "  xfrdfile: \"$state/xfrd.state\""
    echo "  zonelistfile: \"$state/zone.list\""
    echo "  xfrdir: \"$state/xfr\""
    echo "  server-count: 1"
    echo "  verbosity: 1"
    echo "  hide-version: yes"
    echo "remote-control:"
    echo "  control-enable: no"
    for z in "$zones"/*.zone; do
      name="$(basename "$z" .zone)"
      echo "zone:"
      echo "  name: \"$name\""
      echo "  zonefile: \"$z\""
    done
  } > "$state/nsd.conf"
  nsd-checkconf "$state/nsd.conf"
  nsd -c "$state/nsd.conf"
  # Ready when it answers over UDP.
  for _ in $(seq 1 50); do
    if dig @127.0.0.1 -p "$port" +short +tries=1 +time=1 contoso.test SOA >/dev/null 2>&1 &&
       [ -n "$(dig @127.0.0.1 -p "$port" +short +tries=1 +time=1 contoso.test MX)" ]; then
      printf 'PORT=%s\nZONE_DIR=%s\n' "$port" "$zones" > "$state/env"
      echo "nsd.sh: nsd on 127.0.0.1:$port (pid $(cat "$state/nsd.pid"))"
      return 0
    fi
    sleep 0.2
  done
  echo "nsd.sh: nsd did not answer on 127.0.0.1:$port; log: $state/nsd.log" >&2
  cat "$state/nsd.log" >&2 2>/dev/null || true
  stop
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
