#!/usr/bin/env bash
# The GraphiQL test drives Debian's Chromium at /usr/bin/chromium (playwright's own browser
# download cannot work here). `npm test` runs this first, so a clean machine, CI's included,
# gets it without a step by hand; where it cannot be installed, say how.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium for the browser test (apt-get install chromium)…"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null
  # Where `chromium` is only a shim (a snap), the binary the test needs is still missing.
  [ -x /usr/bin/chromium ] || { echo "apt installed chromium, but not at /usr/bin/chromium" >&2; exit 1; }
else
  echo "The browser test needs Chromium at /usr/bin/chromium: sudo apt-get install -y chromium" >&2
  exit 1
fi
