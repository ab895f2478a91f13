#!/usr/bin/env bash
# Refreshes the pictures in docs/web.md: runs the browser tests of every page with
# SCREENSHOT_DIR=docs/web, so each saves its screenshots there as it passes its checks.
# Usage: scripts/web_screenshots.sh [path/to/switchboard]   (needs chromium, chromium-driver, selenium)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/debug/switchboard}"
export SCREENSHOT_DIR="$PWD/docs/web"
for test in browser_chat_test browser_helpdesk_test browser_admin_test browser_betting_test browser_chsh_test; do
  python3 "scripts/$test.py" "$bin"
done
ls -l docs/web
