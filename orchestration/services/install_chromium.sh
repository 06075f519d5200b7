#!/usr/bin/env bash
# Install the distribution's Chromium for the browser tests (Playwright drives it; it never
# downloads a browser of its own), and a CJK font so Chinese pages render as text in the
# screenshots. Idempotent: does nothing when both are already there.
set -euo pipefail
font_ok() { dpkg -s fonts-wqy-microhei >/dev/null 2>&1; }
if [ -x /usr/bin/chromium ] && font_ok; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install_chromium: chromium or the CJK font is missing; run as root or: sudo apt-get install chromium fonts-wqy-microhei" >&2
  [ -x /usr/bin/chromium ] && exit 0  # the tests run; only Chinese screenshots show boxes
  exit 1
fi
echo "install_chromium: installing Debian's chromium and fonts-wqy-microhei (one time)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >/dev/null
/usr/bin/chromium --version >&2
