#!/bin/sh
# npm run demo: import a busybox base image (made from the host's
# busybox-static), build fixtures/my-httpd with tsbuild, run it, fetch the
# page it serves on 127.0.0.1:8080, print it, and stop the container.
set -eu
cd "$(dirname "$0")/.."
tsbuild() { node bin/tsbuild.js "$@"; }
port=8080
page_url="http://127.0.0.1:$port/"
# Node (24, from npm) is the one HTTP client every machine running this has.
fetch_page() {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(1000) }).then(async (r) => { if (!r.ok) process.exit(1); process.stdout.write(await r.text()); }, () => process.exit(1))' "$page_url"
}

if fetch_page >/dev/null 2>&1; then
  echo "demo: something already answers on 127.0.0.1:$port; stop it and run the demo again" >&2
  exit 1
fi

if ! tsbuild inspect busybox:local >/dev/null 2>&1; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "demo: importing busybox:local from the host's busybox-static"
  fixtures/busybox/make-rootfs.sh "$work/rootfs.tar"
  tsbuild import "$work/rootfs.tar" busybox:local
fi

tsbuild build -t my-httpd fixtures/my-httpd

node bin/tsbuild.js run --rm my-httpd &
pid=$!
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap 'stop' INT TERM

tries=0
until page=$(fetch_page 2>/dev/null); do
  tries=$((tries + 1))
  if [ "$tries" -ge 100 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "demo: the container did not serve $page_url" >&2
    stop
    exit 1
  fi
  sleep 0.2
done
echo "demo: GET $page_url ->"
printf '%s\n' "$page"
stop
echo "demo: container stopped"
