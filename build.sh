#!/usr/bin/env bash
# crossboard's bootstrapper: builds the build host when its sources changed, then runs it.
# When nothing changed it runs the already-built program directly: `dotnet run` would cost
# ~1.5 s per call just to find out there is nothing to build.
#
# The host is published in one of the ways build/HostPublish.props defines (the recipe lives there,
# shared with build.ps1; this script decides when and where):
# - quick: framework-dependent ReadyToRun, ~21 s. What a run builds when the sources changed.
# - native: one natively compiled program (Native AOT), no runtime to start and nothing compiled
#   as it runs: a no-op Deploy ~0.2 s instead of ~0.3; ~2 min of both cores idle (far more beside
#   another build), a C linker (clang or gcc) and ~50 MB. Nobody should wait for that on a first run.
# - composite: self-contained ReadyToRun, the .NET libraries and the host compiled together for
#   this CPU; ~0.07 s faster per run than quick. Built instead where the native one fails.
# The fast host is the native one, else the composite. CROSSBOARD_HOST_BUILD chooses:
#   (unset)     quick; then, with standard input and output on a terminal and CI unset, the
#               fast host in the background at the lowest priority, swapped in when it is
#               complete (CI machines run build.sh once, and a background build would take the
#               cores from their tests)
#   background  the same, with the background build anywhere (scripts, tests)
#   quick       quick only (for editing build/ itself)
#   native      the native host, now, in the foreground (bench, CI images)
#   composite   the composite host, now, in the foreground
#
# build/bin/host is a link to the current host folder, host-quick.*, host-native.* or host-composite.*, each
# built in a folder of its own and linked in one rename: a run sees the old host or the new one,
# never a half-written one. A run holds a shared lock on its host's stamp while it runs, and an
# old host is deleted only when nobody holds it. (On systems without flock and setsid, i.e. not
# util-linux, nothing is built in the background and old hosts are deleted when replaced.)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$root/build/Build.csproj"
bin="$root/build/bin" # outside the sources that trigger a rebuild
link="$bin/host"
fast_log="$bin/fast-host.log"
fast_failed="$bin/fast-host.failed" # the checksum of the sources its background build failed for
mode="${CROSSBOARD_HOST_BUILD:-}"

case "$mode" in
  '' | background | quick | native | composite) ;;
  *)
    echo "build.sh: CROSSBOARD_HOST_BUILD=$mode is not one of: quick, native, composite, background (or unset)" >&2
    exit 1
    ;;
esac

if ! command -v dotnet >/dev/null 2>&1; then
  echo "build.sh: the .NET SDK (dotnet, version 10) is not installed or not on PATH." >&2
  echo "  Debian/Ubuntu: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  echo "  macOS:         brew install --cask dotnet-sdk" >&2
  exit 1
fi
mkdir -p "$bin"

locks=0
if command -v flock >/dev/null 2>&1 && command -v setsid >/dev/null 2>&1; then
  locks=1
fi

# What the build depends on: the list of source files (catches added and deleted files), kept
# whole in the host's stamp (compared in bash: a checksum would cost a process per run) ...
list_sources() {
  list="$(find "$root/build" "$root/global.json" \( -path "$bin" -o -path "$root/build/obj" \) -prune -o \
    -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.txt' -o -name 'global.json' \) -print | LC_ALL=C sort)"
}
checksum_sources() { printf '%s' "$list" | cksum; }

# ... and whether any of them is newer than the host's stamp, which is written before its build
# begins: a source saved during a build makes the next run build again.
up_to_date() { # HOST_DIR
  local stamp="$1/.sources" built="" f
  { [ -f "$1/Build.dll" ] || is_native "$1"; } && [ -f "$stamp" ] || return 1
  IFS= read -r -d '' built <"$stamp" || true
  [ "$built" = "$list" ] || return 1
  while IFS= read -r f; do
    if [ "$f" -nt "$stamp" ]; then return 1; fi
  done <<<"$list"
}

# A host's kind, from what its folder holds: the native program has no Build.dll beside it.
is_native() { [ -x "$1/Build" ] && [ ! -f "$1/Build.dll" ]; }
is_composite() { [ -f "$1/Build.r2r.dll" ]; }
is_fast() { is_native "$1" || is_composite "$1"; }
is_kind() { if [ "$2" = native ]; then is_native "$1"; else is_composite "$1"; fi; } # DIR KIND

# Sets host to the folder build/bin/host links to ("" when there is none) and takes the shared
# lock on its stamp (descriptor 9, inherited by the host when it runs). A host replaced and
# deleted between reading the link and locking it is looked up again.
lock_current_host() {
  local name="" previous
  exec 9<&-
  while :; do
    previous="$name"
    name=""
    host=""
    if [ -L "$link" ]; then
      name="$(readlink "$link")"
      host="$bin/$name"
    elif [ -d "$link" ]; then
      host="$link" # published into the folder itself: build.sh before host-* folders, or build.ps1
    fi
    if [ -z "$host" ] || [ "$locks" = 0 ]; then return 0; fi
    if { exec 9<"$host/.sources"; } 2>/dev/null; then
      flock -s 9
      if [ -f "$host/.sources" ]; then return 0; fi # not deleted while this waited for the lock
      exec 9<&-
    fi
    # No stamp: deleted meanwhile (look again), or a link to nothing (rebuilt as it is).
    [ "$name" != "$previous" ] || return 0
  done
}

# The exclusive lock held while build/bin/host changes (descriptor 7).
lock_link() { if [ "$locks" = 1 ]; then exec 7>"$bin/.host.lock" && flock 7; fi; }
unlock_link() { exec 7>&-; }

# Links the complete host in folder $1 (.building-KIND.XXXXXX) as build/bin/host, renamed
# host-KIND.XXXXXX, in one rename(2); sets host to it. Call with lock_link held.
swap_in() { # DIR KIND
  local name="host-$2.${1##*.}" tmp="$bin/.host.link.$$"
  if [ -e "$bin/$name" ]; then name="$name.$$"; fi # a name mktemp gave an older host too
  mv "$1" "$bin/$name"
  host="$bin/$name"
  ln -sfn "$name" "$tmp"
  if [ -d "$link" ] && [ ! -L "$link" ]; then
    # A host published into build/bin/host itself: moved aside, for prune to delete when no run
    # holds it.
    mv "$link" "$bin/host-old.$$"
  fi
  # mv -T is GNU's; elsewhere the link is replaced in two steps (there, no background build swaps).
  mv -fT "$tmp" "$link" 2>/dev/null || { rm -f "$tmp"; ln -sfn "$name" "$link"; }
}

# Deletes the host folders build/bin/host no longer links to, except those a run still holds.
prune() {
  local d
  for d in "$bin"/host-*; do
    if [ ! -d "$d" ] || [ "$d" = "$host" ]; then continue; fi
    if [ "$locks" = 1 ]; then
      flock -xn "$d/.sources" rm -rf "$d" || true
    else
      rm -rf "$d"
    fi
  done
}

# dotnet publish of the host, of kind $2 (build/HostPublish.props), into folder $1 (emptied, then
# stamped) with the options after them; output to $log.
publish() { # DIR KIND OPTION...
  local dir="$1" kind="$2"
  shift 2
  rm -rf "$dir"
  mkdir -p "$dir"
  printf '%s' "$list" >"$dir/.sources"
  dotnet publish "$project" -c Release --nologo -v quiet -p:CrossboardHost="$kind" -o "$dir" "$@" >>"$log" 2>&1
}

report_failure() { # LOG
  grep -E 'error|Error' "$1" | sort -u | head -40 >&2 || true
  echo "build.sh: building the build host failed; full log: $1" >&2
}

# The quick host: framework-dependent ReadyToRun; where no crossgen package can be had (another
# platform, offline), a plain build. Exits on failure.
build_quick() {
  lock_link
  # Another build.sh may have built it while this one waited for the lock.
  lock_current_host
  if up_to_date "$host"; then
    unlock_link
    return 0
  fi
  echo "build.sh: building the build host (sources changed; about 30 s) ..." >&2
  log="$(mktemp "${TMPDIR:-/tmp}/crossboard-build.XXXXXX.log")"
  local dir obj="$bin/.host"
  # Left by an interrupted build (only the lock's holder builds here): a file half-written there
  # would look up to date to the next build.
  rm -rf "$bin"/.building-quick.* "$obj"
  dir="$(mktemp -d "$bin/.building-quick.XXXXXX")"
  if ! publish "$dir" quick --artifacts-path "$obj" && ! publish "$dir" plain --artifacts-path "$obj"; then
    rm -rf "$dir"
    unlock_link
    report_failure "$log"
    exit 1
  fi
  # The intermediate files are not needed to run it.
  rm -rf "$log" "$obj"
  swap_in "$dir" quick
  unlock_link
}

# The fast host: the first of the kinds given (native, composite) whose publish succeeds, built
# into build/bin/.building-KIND.* and linked only if the sources are still the ones it was built
# from. Call with the fast host's lock held (descriptor 8); output to $log. Returns 1 when every
# kind failed, 2 when the sources changed meanwhile.
build_fast() { # KIND...
  local dir="" kind obj="$bin/.fast-obj"
  rm -rf "$bin"/.building-native.* "$bin"/.building-composite.* "$obj" # as in build_quick
  for kind in "$@"; do
    dir="$(mktemp -d "$bin/.building-$kind.XXXXXX")"
    # No MSBuild server or node left behind: it would hold the lock, and in the background run at
    # its priority for the next foreground build (the compiler server is off in the recipe).
    if DOTNET_CLI_USE_MSBUILD_SERVER=0 publish "$dir" "$kind" --artifacts-path "$obj" -nodeReuse:false 8>&-; then
      break
    fi
    echo "build.sh: the $kind host failed to build (the errors are above), $(date)" >>"$log"
    rm -rf "$dir" "$obj"
    dir=""
  done
  [ -n "$dir" ] || return 1
  rm -rf "$obj" # another ~200 MB
  lock_link
  list_sources
  if ! up_to_date "$dir"; then
    unlock_link
    rm -rf "$dir"
    return 2
  fi
  swap_in "$dir" "$kind"
  rm -f "$fast_failed"
  unlock_link
  prune
}

# The fast host's lock (descriptor 8): held by its background build, and by a foreground one.
open_fast_lock() { exec 8>"$bin/.fast-host.lock"; }

# CROSSBOARD_HOST_BUILD=native or composite: that host now, after any background build.
build_now() { # KIND
  if [ "$locks" = 1 ]; then
    open_fast_lock
    if ! flock -n 8; then
      echo "build.sh: waiting for the background build of the fast host (log: $fast_log) ..." >&2
      flock 8
    fi
  fi
  lock_current_host
  if up_to_date "$host" && is_kind "$host" "$1"; then
    exec 8>&-
    return 0
  fi
  echo "build.sh: building the build host, $1 (CROSSBOARD_HOST_BUILD=$1; a few minutes) ..." >&2
  log="$(mktemp "${TMPDIR:-/tmp}/crossboard-build.XXXXXX.log")"
  local status=0
  build_fast "$1" || status=$?
  exec 8>&-
  case "$status" in
    0) rm -f "$log" ;;
    2)
      echo "build.sh: the sources of build/ changed while the host was built; run build.sh again" >&2
      exit 1
      ;;
    *)
      report_failure "$log"
      exit 1
      ;;
  esac
}

# The background build (build.sh started again by start_background, its output in $fast_log):
# it inherits the fast host's lock, on descriptor 8, and holds it until it ends.
background_worker() {
  # Lowest priority for the CPU, and for the disk where the I/O scheduler knows idle. setsid gave
  # it a session, and so an autogroup, of its own (Linux groups a session's processes and shares
  # the CPU between the groups): the group's nice value is what leaves the CPU to the others.
  echo 19 >/proc/self/autogroup 2>/dev/null || true
  echo "build.sh: building the fast host (native, else composite) in the background, started $(date)"
  log="$fast_log"
  local status=0
  build_fast native composite || status=$?
  case "$status" in
    0)
      local name
      name="$(readlink "$link")"
      name="${name%%.*}"
      echo "build.sh: done $(date): the ${name#host-} host; runs use it from now on"
      ;;
    2) echo "build.sh: the sources changed while it was built; discarded, $(date). The next run starts again" ;;
    *)
      # Not tried again for these sources: it would fail the same way on every run.
      checksum_sources >"$fast_failed"
      echo "build.sh: failed, $(date): the quick host stays. CROSSBOARD_HOST_BUILD=native (or composite) ./build.sh tries again in the foreground"
      exit 1
      ;;
  esac
}

# Starts the fast host's background build, unless one is running, or it failed for these sources
# (said once).
start_background() {
  local failed="" noticed=""
  if [ -f "$fast_failed" ]; then
    { IFS= read -r failed && IFS= read -r noticed; } <"$fast_failed" || true
    if [ "$failed" = "$(checksum_sources)" ]; then
      if [ -z "$noticed" ]; then
        echo "build.sh: the background build of the fast host failed (log: $fast_log); running the quick one." >&2
        echo "  CROSSBOARD_HOST_BUILD=native (or composite) ./build.sh tries again in the foreground." >&2
        echo noticed >>"$fast_failed"
      fi
      return 0
    fi
  fi
  open_fast_lock
  if ! flock -n 8; then
    exec 8>&-
    return 0
  fi
  echo "build.sh: building the native host (faster runs) in the background at low priority; runs use it when it is" >&2
  echo "  complete, in a few minutes (log: $fast_log; CROSSBOARD_HOST_BUILD=quick ./build.sh skips it)" >&2
  local priority=(nice -n 19)
  if command -v ionice >/dev/null 2>&1; then
    priority+=(ionice -c 3)
  fi
  # Detached: a session of its own (no terminal, no Ctrl-C from this one), reparented to init
  # by the subshell's exit; only the lock's descriptor is passed on. The log is appended to by
  # the worker and by dotnet alike.
  : >"$fast_log"
  (
    _CROSSBOARD_FAST_HOST_WORKER=1 setsid "${priority[@]}" "$root/build.sh" \
      </dev/null >>"$fast_log" 2>&1 7>&- 9<&- &
    # Its process group, for whoever wants to stop it (setsid made the worker its leader).
    echo "build.sh: the background build's process group: $!" >>"$fast_log"
  )
  exec 8>&-
}

list_sources

if [ -n "${_CROSSBOARD_FAST_HOST_WORKER:-}" ]; then
  background_worker
  exit 0
fi

lock_current_host
if [ "$mode" = native ] || [ "$mode" = composite ]; then
  if ! up_to_date "$host" || ! is_kind "$host" "$mode"; then
    build_now "$mode"
    lock_current_host
  fi
elif ! up_to_date "$host"; then
  build_quick
  lock_current_host
fi

# The background build of the fast host: for a quick host, on a terminal outside CI (the rule of Consent.cs:
# CI set and not "false" or "0"), or when asked for.
if [ "$mode" != quick ] && [ "$mode" != native ] && [ "$mode" != composite ] && ! is_fast "$host"; then
  ci="${CI:-}"
  if [ "$mode" = background ] && [ "$locks" = 0 ]; then
    echo "build.sh: CROSSBOARD_HOST_BUILD=background needs flock and setsid (util-linux); building nothing in the background" >&2
  elif [ "$locks" = 1 ] && { [ "$mode" = background ] ||
       { [ -t 0 ] && [ -t 1 ] && { [ -z "$ci" ] || [ "$ci" = false ] || [ "$ci" = 0 ]; }; }; }; then
    start_background
  fi
fi

prune

export CROSSBOARD_ROOT="$root"
# The native program, or a self-contained one (its own launcher and runtime); else the shared runtime's.
if is_fast "$host"; then
  exec "$host/Build" "$@"
fi
exec dotnet "$host/Build.dll" "$@"
