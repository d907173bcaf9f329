#!/usr/bin/env bash
# Installs everything the test suite needs on a Debian/Ubuntu machine, idempotently.
# Called by tests/run.sh; safe to run again (it installs only what is missing).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive

packages=(
  # the build host and the OpenWrt-shaped miniature SDK (real make, real Kconfig)
  git make gawk rsync unzip file python3 build-essential libncurses-dev kconfig-frontends curl xz-utils zstd
  # cross C toolchains (Debian's) for the Omega2 family, Pi 2 and Pi 3
  gcc-mipsel-linux-gnu libc6-dev-mipsel-cross
  gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  # Debian's Rust (offline cross builds with the multiarch std rlibs) and offline crate sources
  rustc cargo rust-src librust-cc-dev
  # crates the C-library tests build from Debian's registry (tests/setup/debian-crates.toml), and
  # pkg-config, which the pkg-config crate runs for the target's .pc files
  librust-pkg-config-dev librust-libsqlite3-sys-dev pkg-config
  # samples/sensor-log's crates (HTTP, libpq), and the PostgreSQL its end-to-end test forwards to
  librust-tiny-http-dev librust-pq-sys-dev postgresql postgresql-client
  # running foreign binaries and the emulated device
  qemu-user qemu-system-mips qemu-utils cpio sccache
  # real SSH servers for the deploy tests, and the busybox-only userland their devices get
  openssh-server openssh-client dropbear-bin busybox-static sudo
  # systemd-analyze, which checks the systemd unit a deploy writes (no systemd needs to run)
  systemd
  # volumes: a real case-insensitive filesystem (exFAT over FUSE) and ext4 images
  exfatprogs exfat-fuse fuse3 e2fsprogs
  # network namespaces, a container engine serving the docker API
  iproute2 podman runc debootstrap uidmap
  # the fresh-machine test's local Debian mirror (apt-ftparchive writes its Release file)
  apt-utils
  # benchmarks
  hyperfine
)

# Foreign architectures whose Debian Rust std (libstd-rust-dev:<arch>) the cargo stage downloads
# (apt-get download, not installed): their package indexes must be known to apt.
update_needed=
for arch in mipsel armhf arm64; do
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    echo "install-prereqs: adding Debian architecture $arch"
    $SUDO dpkg --add-architecture "$arch"
    update_needed=1
  fi
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-prereqs: installing ${missing[*]}"
  # a foreign index can fail transiently ("Mirror sync in progress?"); retry, then judge by the install
  for i in 1 2 3; do $SUDO apt-get update -q && break || sleep 5; done
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-prereqs: all ${#packages[@]} packages present"
  if [ -n "$update_needed" ]; then
    for i in 1 2 3; do $SUDO apt-get update -q && break || sleep 5; done
  fi
fi

# The Docker-mode tests: podman serving the docker API on a private socket, and a local Debian
# base image (no registry here). Without an engine those tests skip and say why; that is not an
# install failure.
if ! engine_out="$(bash "$(dirname "${BASH_SOURCE[0]}")/podman-engine.sh" 2>&1)"; then
  echo "install-prereqs: no container engine for the Docker tests (they will be skipped): $engine_out"
else
  echo "install-prereqs: container engine ready ($(echo "$engine_out" | grep '^DOCKER_HOST=' | tail -n 1))"
fi
