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
  echo "build.sh: building the build host (sources changed) ..." >&2
  log="$(mktemp "${TMPDIR:-/tmp}/crossboard-build.XXXXXX.log")"
  publish=(publish "$project" -c Release --nologo -v quiet --artifacts-path "$root/build/bin/.host" -o "$out")
  # ReadyToRun: the host's code (and Cake's, SSH.NET's, ...) compiled ahead for this machine, so a
  # run does not JIT-compile it first: a third of a no-op Deploy. Where that cannot be done (no
  # crossgen package for this platform, or none in the NuGet cache offline), a plain build.
  if ! dotnet "${publish[@]}" --use-current-runtime --self-contained false -p:PublishReadyToRun=true >"$log" 2>&1 &&
     ! dotnet "${publish[@]}" >>"$log" 2>&1; then
    grep -E 'error|Error' "$log" | sort -u | head -40 >&2 || true
    echo "build.sh: building the build host failed; full log: $log" >&2
    exit 1
  fi
  rm -f "$log"
  printf '%s' "$fingerprint" >"$stamp"
fi

export CROSSBOARD_ROOT="$root"
exec dotnet "$app" "$@"
