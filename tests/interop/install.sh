#!/usr/bin/env bash
# Installs what the tests need on a bare Debian machine (as root): the Debian packages in packages.txt and
# pscheck's npm dependencies. Skips what is already there, so it is cheap to run again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

mapfile -t wanted < <(grep -v -e '^\s*#' -e '^private:' "$here/packages.txt" | awk 'NF {print $1}')
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

# Servers whose packages conflict with postfix (packages.txt, "private:" lines): apt-get download + dpkg -x into
# $prefix/<name>, never installed, so postfix stays the system MTA. Each is unpacked into a staging folder and moved
# into place with a stamp, so an interrupted or concurrent run never leaves half a tree; a present stamp skips it.
prefix=/opt/m365smtp-interop
install_private() {
  local name=$1 suite=${2:-} dir="$prefix/$1"
  [ -f "$dir/.m365smtp-installed" ] && return 0
  echo "install.sh: unpacking $name${suite:+ ($suite)} into $dir"
  mkdir -p "$prefix"
  local tmp; tmp="$(mktemp -d "$prefix/.$name.XXXXXX")"
  local opts=(-o APT::Sandbox::User=root)
  local codename; codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  # A suite such as bookworm-backports is for that release only; another release takes its own version.
  case "$suite" in "$codename"-*) ;; *) suite="" ;; esac
  if [ -n "$suite" ]; then
    # Another suite of the archive the machine already uses for its own release, through a private source list:
    # the system's sources stay as they are.
    local uri
    uri="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' | awk -v r="$codename" '$2 == r {print $1; exit}')"
    [ -n "$uri" ] || { echo "install.sh: no apt source for $codename to take $suite from" >&2; return 1; }
    mkdir -p "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" > "$tmp/apt/sources.list"
    opts+=(-o Dir::Etc::SourceList="$tmp/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
           -o Dir::State::Lists="$tmp/apt/lists" -o Dir::Cache="$tmp/apt/cache")
    apt-get "${opts[@]}" update -qq >/dev/null
  fi
  mkdir -p "$tmp/debs"
  if ! (cd "$tmp/debs" && apt-get "${opts[@]}" download -qq "$name" >/dev/null); then
    [ -n "$suite" ] || apt-get update -qq >/dev/null   # the machine's lists may be stale
    (cd "$tmp/debs" && apt-get "${opts[@]}" download -qq "$name" >/dev/null) || { rm -rf "$tmp"; echo "install.sh: apt-get download $name failed" >&2; return 1; }
  fi
  mkdir -p "$tmp/root"
  for deb in "$tmp"/debs/*.deb; do dpkg -x "$deb" "$tmp/root"; done
  basename "$tmp"/debs/*.deb > "$tmp/root/.m365smtp-installed"
  rm -rf "$dir"
  mv "$tmp/root" "$dir"
  rm -rf "$tmp"
}
while read -r _ name suite; do
  install_private "$name" "$suite"
done < <(grep '^private:' "$here/packages.txt")
# The system users the daemons' packages would have created (compiled into the binaries).
for u in Debian-exim opensmtpd opensmtpq; do
  id -u "$u" >/dev/null 2>&1 || useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$u"
done

pscheck="$(cd "$repo/../shared/tools/pscheck" 2>/dev/null && pwd -P)"
if [ -n "$pscheck" ] && [ ! -d "$pscheck/node_modules" ]; then
  npm ci --prefix "$pscheck" --silent --no-audit --no-fund >/dev/null
fi
