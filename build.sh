#!/usr/bin/env bash
# crossboard's bootstrapper: builds the build host when its sources changed, then runs it.
# When nothing changed it runs the already-built program directly: `dotnet run` would cost
# ~1.5 s per call just to find out there is nothing to build.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$root/build/Build.csproj"
# Published, not just built: see below. (build/bin is outside the sources that trigger a rebuild.)
out="$root/build/bin/host"
app="$out/Build.dll"
stamp="$out/.sources"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "build.sh: the .NET SDK (dotnet, version 10) is not installed or not on PATH." >&2
  echo "  Debian/Ubuntu: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  echo "  macOS:         brew install --cask dotnet-sdk" >&2
  exit 1
fi

# What the build depends on: the list of source files (catches added and deleted files) ...
sources() {
  find "$root/build" "$root/global.json" \( -path "$root/build/bin" -o -path "$root/build/obj" \) -prune -o \
    -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.txt' -o -name 'global.json' \) -print | LC_ALL=C sort
}
list="$(sources)"
fingerprint="$(printf '%s' "$list" | cksum)"

# ... and whether any of them is newer than the last build.
needs_build=0
if [ ! -f "$app" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$fingerprint" ]; then
  needs_build=1
elif [ -n "$(printf '%s\n' "$list" | while IFS= read -r f; do [ "$f" -nt "$stamp" ] && { echo "$f"; break; }; done)" ]; then
  needs_build=1
fi

if [ "$needs_build" = 1 ]; then
  echo "build.sh: building the build host (sources changed; about a minute) ..." >&2
  log="$(mktemp "${TMPDIR:-/tmp}/crossboard-build.XXXXXX.log")"
  rm -rf "$out"
  publish=(publish "$project" -c Release --nologo -v quiet --artifacts-path "$root/build/bin/.host" -o "$out" --use-current-runtime)
  # ReadyToRun: the host's code (and Cake's, SSH.NET's, ...) compiled ahead for this machine, so a
  # run does not JIT-compile it first. Best: self-contained and composite, the .NET libraries and
  # the host compiled together (generic code across them too), for this CPU's instruction set
  # where it has x86-64-v3's: a no-op Deploy 0.20 s instead of 0.25 s, against ~1 min to build
  # and ~130 MB (bench/deploy/results.md). CROSSBOARD_HOST_BUILD=quick skips that step (for
  # editing build/ itself). Then framework-dependent ReadyToRun; where no crossgen package can be
  # had (another platform, offline), a plain build.
  composite=(--self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true)
  if [ "$(uname -m)" = x86_64 ] && [ -r /proc/cpuinfo ] &&
     [ "$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -c -x -E 'avx2|bmi1|bmi2|fma|movbe|f16c|abm')" = 7 ]; then
    composite+=("-p:PublishReadyToRunCrossgen2ExtraArgs=--instruction-set:x86-64-v3")
  fi
  if { [ "${CROSSBOARD_HOST_BUILD:-}" = quick ] || ! dotnet "${publish[@]}" "${composite[@]}" >"$log" 2>&1; } &&
     ! { rm -rf "$out"; dotnet "${publish[@]}" --self-contained false -p:PublishReadyToRun=true >>"$log" 2>&1; } &&
     ! { rm -rf "$out"; dotnet "${publish[@]}" --self-contained false >>"$log" 2>&1; }; then
    grep -E 'error|Error' "$log" | sort -u | head -40 >&2 || true
    echo "build.sh: building the build host failed; full log: $log" >&2
    exit 1
  fi
  # The intermediate files (another ~200 MB for the composite) are not needed to run it.
  rm -rf "$log" "$root/build/bin/.host"
  printf '%s' "$fingerprint" >"$stamp"
fi

export CROSSBOARD_ROOT="$root"
# Self-contained: its own launcher and runtime; else the shared runtime's.
if [ -x "$out/Build" ] && [ -f "$out/Build.r2r.dll" ]; then
  exec "$out/Build" "$@"
fi
exec dotnet "$app" "$@"
