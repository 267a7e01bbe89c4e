#!/bin/sh
# Make sure the Debian packages that builds and tests use are installed.
# As root on Debian it installs what is missing; elsewhere it says what to do.
set -eu

# command-that-proves-it:package
needs="
runc:runc
/bin/busybox:busybox-static
docker-registry:docker-registry
skopeo:skopeo
umoci:umoci
dockerd:docker.io
/usr/bin/docker:docker.io
getfattr:attr
setfattr:attr
zstd:zstd
tmux:tmux
ip:iproute2
unshare:util-linux
hyperfine:hyperfine
"

missing=""
for pair in $needs; do
  cmd=${pair%%:*}
  pkg=${pair#*:}
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "$cmd" ]; then
    case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
  fi
done

if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-deps: installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "ensure-deps: missing Debian packages:$missing" >&2
    echo "ensure-deps: install them as root with: apt-get install$missing" >&2
    exit 1
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 22 ]; then
  echo "ensure-deps: node on PATH is $(node --version); run through npm (npm test / npm run demo) so node_modules/.bin/node (Node 24) is used, or install Node 24" >&2
  exit 1
fi
