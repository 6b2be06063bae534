#!/usr/bin/env bash
# What the tests need from Debian, installed when missing (`npm test` runs this first, so a clean
# machine, CI's included, gets them without a step by hand; where they cannot be installed, say how):
# - Chromium at /usr/bin/chromium for the GraphiQL test (playwright's own browser download cannot work here);
# - redis-server and redis-cli: the Redis tests start their own servers on free ports;
# - curl and jq: the README's curl walkthrough, which a test runs as written.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
{ command -v redis-server && command -v redis-cli; } >/dev/null || missing+=(redis-server)
command -v curl >/dev/null || missing+=(curl)
command -v jq >/dev/null || missing+=(jq)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing for the tests: ${missing[*]} (apt-get install)…"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Where `chromium` is only a shim (a snap), the binary the test needs is still missing.
  [ -x /usr/bin/chromium ] || { echo "apt installed chromium, but not at /usr/bin/chromium" >&2; exit 1; }
  # Debian's package starts no server in a container; where it does (systemd), the tests never use it.
else
  echo "The tests need: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
