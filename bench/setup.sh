#!/bin/sh
# Installs the engines and tools the comparison benchmark (bench/compare.ts) drives, from Debian.
# Idempotent: packages already present are left alone; a package the archive lacks is reported and
# skipped, and the harness then skips that engine with a message.
set -u
if [ "$(id -u)" -ne 0 ]; then
  echo "bench/setup.sh: run as root (apt-get and the engines need it)" >&2
  exit 1
fi
# docker.io: dockerd with BuildKit and the legacy builder, plus a client that still has DOCKER_BUILDKIT.
# buildah: `buildah bud --layers`. hyperfine: the timer. docker-registry: the loopback base-image
# registry. runc, busybox-static: tsbuild's runtime and the base image. zstd, gzip: compression floors.
# time: GNU time for peak RSS.
wanted="docker.io buildah hyperfine docker-registry runc busybox-static zstd gzip time tar"
missing=""
for pkg in $wanted; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $pkg"
done
if [ -z "$missing" ]; then
  echo "bench/setup.sh: everything is installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || echo "bench/setup.sh: apt-get update failed; trying the cached package lists" >&2
for pkg in $missing; do
  if apt-cache show "$pkg" >/dev/null 2>&1; then
    apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null || echo "bench/setup.sh: could not install $pkg; its engine will be skipped" >&2
  else
    echo "bench/setup.sh: $pkg is not in the package archive; skipping it" >&2
  fi
done
for pkg in $wanted; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    echo "bench/setup.sh: $pkg $(dpkg-query -W -f='${Version}' "$pkg")"
  else
    echo "bench/setup.sh: $pkg missing"
  fi
done
