#!/usr/bin/env bash
# Makes a container engine serving the docker API available to the Docker-mode tests, idempotently:
#   1. a private containers.conf with the settings Debian's podman 4.3 needs on this kind of host
#      (runc: crun fails on hybrid cgroups; default ulimits: the inherited ones are refused),
#   2. `podman system service` on a PRIVATE socket (never the system's docker.sock), started only
#      when nothing answers there yet,
#   3. a Debian bookworm base image made without a registry (debootstrap + import), only when missing.
# Prints lines for the caller to read: DOCKER_HOST=unix://..., BASE_IMAGE=... and CONTAINERS_CONF=...
# (for the podman CLI itself: `CONTAINERS_CONF=... podman run ...`).
# Exits non-zero with the reason on stderr when no engine can be started here (tests then skip).
#
# Called by tests/setup/install-prereqs.sh (CI) and by the Docker tests' fixture (a plain
# `dotnet test`); both may run at once, so the work happens under a lock.
set -euo pipefail

dir="${CROSSBOARD_PODMAN_DIR:-/var/tmp/crossboard-podman-$(id -u)}"
base_image="${CROSSBOARD_BASE_IMAGE:-localhost/crossboard/debian:bookworm}"
sock="$dir/podman.sock"
conf="$dir/containers.conf"

fail() { echo "podman-engine: $*" >&2; exit 1; }

command -v podman >/dev/null || fail "podman is not installed (apt-get install podman runc uidmap)"
command -v runc >/dev/null || command -v /usr/sbin/runc >/dev/null || fail "runc is not installed (apt-get install runc)"
mkdir -p "$dir"
chmod 700 "$dir"

exec 9>"$dir/setup.lock"
flock -w 600 9 || fail "timed out waiting for another setup holding $dir/setup.lock"

cat >"$conf.new" <<'EOF'
# Written by crossboard's tests/setup/podman-engine.sh; read by the podman it starts (CONTAINERS_CONF).
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
EOF
mv "$conf.new" "$conf"
export CONTAINERS_CONF="$conf"

ping() { curl -sf --max-time 2 --unix-socket "$sock" http://d/_ping 2>/dev/null | grep -q OK; }

# A service left by an earlier run whose working directory is gone (a test clone deleted since)
# still answers, but conmon then fails every container ("Failed to get working directory"):
# stop it, and start a new one.
if [ -f "$dir/service.pid" ] && pid="$(cat "$dir/service.pid")" && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
   case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in *" (deleted)") true ;; *) false ;; esac; then
  echo "podman-engine: the running podman service (pid $pid) lost its working directory; restarting it" >&2
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
fi

if ! ping; then
  rm -f "$sock"
  # setsid: the service outlives this script and the test run that started it (like a docker daemon);
  # so it runs from / (not from the checkout that started it, which may be deleted before it ends);
  # 9>&-: it must not inherit the lock, or every later setup would wait for it.
  (cd / && exec setsid nohup podman system service --time=0 "unix://$sock" >"$dir/service.log" 2>&1 </dev/null 9>&-) &
  echo $! >"$dir/service.pid"
  for _ in $(seq 1 100); do
    ping && break
    kill -0 "$(cat "$dir/service.pid")" 2>/dev/null || fail "podman system service exited: $(tail -n 5 "$dir/service.log")"
    sleep 0.2
  done
  ping || fail "podman system service did not answer on $sock within 20 s (log: $dir/service.log)"
  echo "podman-engine: started podman system service on $sock (pid $(cat "$dir/service.pid"))" >&2
fi

if ! podman image exists "$base_image"; then
  command -v debootstrap >/dev/null || fail "debootstrap is not installed (apt-get install debootstrap)"
  [ "$(id -u)" -eq 0 ] || fail "making the base image $base_image needs root (debootstrap); run tests/setup/install-prereqs.sh as root once"
  rootfs="$dir/rootfs.partial"
  rm -rf "$rootfs"
  echo "podman-engine: making $base_image with debootstrap (about 40 s, once)" >&2
  mirror="$(awk '/^URIs:/ && $2 ~ /debian$/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  debootstrap --variant=minbase bookworm "$rootfs" "${mirror:-http://deb.debian.org/debian}" >"$dir/debootstrap.log" 2>&1 \
    || fail "debootstrap failed: $(tail -n 5 "$dir/debootstrap.log") (full log: $dir/debootstrap.log)"
  # The image keeps the apt lists out: the builder image's Dockerfile runs apt-get update itself.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | podman import - "$base_image" >"$dir/import.log" 2>&1 \
    || fail "podman import of the debootstrap tree failed"
  rm -rf "$rootfs"
fi

echo "DOCKER_HOST=unix://$sock"
echo "BASE_IMAGE=$base_image"
echo "CONTAINERS_CONF=$conf"
