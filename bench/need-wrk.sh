#!/bin/sh
# make bench needs wrk (Debian's package). When it is missing: install it as root where apt-get
# exists (reading the package lists first if they do not know it yet), else say how to get it.
set -eu
command -v wrk >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "make bench: wrk is missing, installing Debian's package (apt-get install wrk)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  command -v wrk >/dev/null 2>&1 && exit 0
  echo "make bench: apt-get did not install wrk" >&2
  exit 1
fi
cat >&2 <<'MESSAGE'
make bench needs wrk, the HTTP load generator, and it is not installed. Install it, then run make bench again:
  Debian or Ubuntu:  sudo apt-get install wrk
  macOS (Homebrew):  brew install wrk
  elsewhere:         your system's wrk package, or build wrk from its sources
(make load does not need wrk.)
MESSAGE
exit 1
