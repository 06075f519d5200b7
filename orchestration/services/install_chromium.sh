#!/usr/bin/env bash
# Install the distribution's Chromium for the browser tests (Playwright drives it; it never
# downloads a browser of its own). Idempotent: does nothing when Chromium is already there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install_chromium: /usr/bin/chromium is missing; run as root or: sudo apt-get install chromium" >&2
  exit 1
fi
echo "install_chromium: installing Debian's chromium package (one time)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version >&2
