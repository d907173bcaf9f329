#!/usr/bin/env bash
# Fills, with crossboard's own tasks, everything the tests would otherwise download from Debian's
# mirror while they run: the Rust std rlibs of mipsel, armhf and arm64, the target C libraries
# of the C-library tests (apt's private lists and .debs), the emulated device's
# packages (into CROSSBOARD_DEB_CACHE, which the tests share) and the Docker builder image. After
# this the tests talk to nothing but 127.0.0.0/8 and the namespaces they create. Idempotent: a
# second run finds everything cached and takes seconds.
# Usage: warm-caches.sh BUILD_DLL   (run by tests/run.sh after the build)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dll="${1:?usage: warm-caches.sh BUILD_DLL}"
: "${CROSSBOARD_DEB_CACHE:?export CROSSBOARD_DEB_CACHE first}"
export CI=true NO_COLOR=1 CROSSBOARD_ROOT="$root"

warm="$(mktemp -d "${TMPDIR:-/tmp}/crossboard-warm.XXXXXX")"
trap 'rm -rf "$warm"' EXIT
mkdir -p "$warm/app"
cp -r "$root/samples/hello/Cargo.toml" "$root/samples/hello/Cargo.lock" "$root/samples/hello/src" "$warm/app/"

crossboard() {
  local log="$warm/last.log"
  if ! dotnet "$build_dll" "$@" --work-dir="$warm/work" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "warm-caches: crossboard $* failed" >&2
    return 1
  fi
}

for board in malta-le rpi2 rpi3; do
  echo "warm-caches: Rust std for $board"
  crossboard --target=CargoBuild --board="$board" --app="$warm/app" --size-profile=false
done
# The target C libraries the C-library tests fetch with apt's private configuration (its lists and
# .deb files kept under CROSSBOARD_DEB_CACHE/target-apt/<arch>): the SQLite test app, built from
# Debian's packaged crates, for the static (malta-le) and a dynamic (rpi2) board.
mkdir -p "$warm/sqlite-app"
cp -r "$root/tests/Cargo/Fixtures/sqlite-app/Cargo.toml" "$root/tests/Cargo/Fixtures/sqlite-app/src" "$warm/sqlite-app/"
for board in malta-le rpi2; do
  echo "warm-caches: target C libraries for $board"
  crossboard --target=CargoBuild --board="$board" --app="$warm/sqlite-app" --cargo-config="$root/tests/setup/debian-crates.toml" --size-profile=false
done
echo "warm-caches: the emulated device's packages"
crossboard --target=EmulatorImage
# and those an image with SFTP adds (recipe switch sftp = true): a copy of malta-le with it on.
mkdir -p "$warm/recipes"
sed -e 's/^name = "malta-le"/name = "malta-le-sftp"/' -e 's/^sftp = false/sftp = true/' \
  "$root/recipes/malta-le.toml" >"$warm/recipes/malta-le-sftp.toml"
crossboard --target=EmulatorImage --board=malta-le-sftp --recipes="$warm/recipes"

# The Docker tests' builder image, built once from the local base image (its apt-get steps need
# Debian's mirror); without an engine the Docker tests skip, and so does this.
if engine="$(bash "$root/tests/setup/podman-engine.sh" 2>/dev/null)"; then
  export DOCKER_HOST="$(echo "$engine" | sed -n 's/^DOCKER_HOST=//p' | tail -n 1)"
  base="$(echo "$engine" | sed -n 's/^BASE_IMAGE=//p' | tail -n 1)"
  echo "warm-caches: the Docker builder image (from $base)"
  crossboard --target=BuilderImage --docker --docker-base="$base"
fi
# The NuGet packs build.sh's publish of the build host needs, for each kind it builds
# (build/HostPublish.props: crossgen; the runtime pack of the self-contained composite; the
# native compiler), so that the test of build.sh restores offline.
echo "warm-caches: the packs build.sh publishes the build host with"
for kind in quick composite native; do
  if ! dotnet restore "$root/build/Build.csproj" -p:CrossboardHost=$kind \
      --artifacts-path "$warm/restore-$kind" -v quiet >"$warm/restore.log" 2>&1; then
    tail -n 20 "$warm/restore.log" >&2
    echo "warm-caches: restoring the build host's packs failed" >&2
    exit 1
  fi
done
echo "warm-caches: done"
