#!/usr/bin/env bash
# The SQL stores' tests start real MariaDB and PostgreSQL servers (tests/sqlservers.py) from
# Debian's packages. Install them where they are missing: as root with apt-get (CI, a fresh
# machine), else say what to install; the tests fail with the same advice rather than skip.
set -euo pipefail
missing=()
[ -x /usr/sbin/mariadbd ] || command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server)
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} for the SQL store tests ..." >&2
  apt-get update -qq
  # the packages' own services are not wanted (the tests start their own): policy-rc.d says no
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.voice-receipts
  chmod +x /usr/sbin/policy-rc.d.voice-receipts
  [ -e /usr/sbin/policy-rc.d ] || ln -s policy-rc.d.voice-receipts /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  [ "$(readlink /usr/sbin/policy-rc.d 2>/dev/null)" = policy-rc.d.voice-receipts ] && rm -f /usr/sbin/policy-rc.d
  rm -f /usr/sbin/policy-rc.d.voice-receipts
else
  echo "The SQL store tests need ${missing[*]} (Debian: sudo apt-get install ${missing[*]});" \
       "without them those tests fail." >&2
fi
