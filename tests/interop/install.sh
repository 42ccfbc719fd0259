#!/usr/bin/env bash
# Installs what the tests need on a bare Debian machine (as root): the Debian packages in packages.txt and
# pscheck's npm dependencies. Skips what is already there, so it is cheap to run again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

mapfile -t wanted < <(grep -v '^\s*#' "$here/packages.txt" | awk 'NF {print $1}')
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix asks questions on install; answer them up front.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's service scripts may start daemons on install; the tests run their own copies on other ports. Only
  # right after installing: a service stop matches daemons by name, and would kill test servers already running.
  for svc in nsd postfix dovecot; do
    command -v systemctl >/dev/null 2>&1 && systemctl stop "$svc" >/dev/null 2>&1 || true
    service "$svc" stop >/dev/null 2>&1 || true
  done
fi

pscheck="$(cd "$repo/../shared/tools/pscheck" 2>/dev/null && pwd -P)"
if [ -n "$pscheck" ] && [ ! -d "$pscheck/node_modules" ]; then
  npm ci --prefix "$pscheck" --silent --no-audit --no-fund >/dev/null
fi
