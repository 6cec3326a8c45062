#!/usr/bin/env bash
# Re-vendor the browser assets from the npm registry into this folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent htmx.org@2.0.11 >/dev/null
tar xzf htmx.org-2.0.11.tgz
mkdir -p "$here/htmx"
cp package/dist/htmx.min.js "$here/htmx/htmx.min.js"
cp package/LICENSE "$here/htmx/LICENSE"
echo "vendored htmx.org 2.0.11"
