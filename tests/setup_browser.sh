#!/usr/bin/env bash
# Install Debian's chromium for the report test where apt-get is usable (root, Debian registry).
# Anywhere else the test skips and says why; nothing else in the suite needs a browser.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
    >/dev/null 2>&1 || echo "setup_browser: could not install chromium; the report test will skip"
else
  echo "setup_browser: not root or no apt-get; the report test will skip"
fi
exit 0
