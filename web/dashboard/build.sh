#!/bin/sh
# Bundles the dashboard into OUT/ (index.html, app.js, app.css): static files the
# controller embeds and serves; nothing is fetched at run time.
set -eu
out=$(realpath -m "${1:?usage: build.sh OUT_DIR}")
cd "$(dirname "$0")"
# The npm packages of package-lock.json, fetched again when it changes.
if [ ! -x node_modules/.bin/esbuild ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || { echo "build.sh: npm is required to build the dashboard (apt-get install nodejs npm)" >&2; exit 1; }
  npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p "$out"
node_modules/.bin/esbuild src/main.js --bundle --minify --format=iife --target=es2020 \
  --outfile="$out/app.js" --log-level=warning --legal-comments=none
cp index.html "$out/index.html"
