#!/usr/bin/env bash
# The test command (README, CI): installs what the tests need, idempotently, builds, runs every
# test, and ends with one line of totals: "N passed, N failed, N skipped".
# Extra arguments go to the test runner, e.g. tests/run.sh --filter-class '*RecipeCatalogTests'.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "== installing test prerequisites"
if ! bash tests/setup/install-prereqs.sh; then
  echo "tests/run.sh: installing the test prerequisites failed (see above)" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

echo "== building"
if ! dotnet build tests/Tests.csproj --nologo -v quiet -clp:ErrorsOnly; then
  echo "tests/run.sh: the build failed (see above)" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

# The tests share one folder of downloaded Debian packages, filled here before they start, so
# that they need no network beyond 127.0.0.0/8 and their own namespaces.
export CROSSBOARD_DEB_CACHE="${CROSSBOARD_DEB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/crossboard-tests/debs}"
echo "== warming caches ($CROSSBOARD_DEB_CACHE)"
if ! bash tests/setup/warm-caches.sh tests/bin/Debug/net10.0/Build.dll; then
  echo "tests/run.sh: warming the caches failed (see above)" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

# The fresh-machine test runs the README's first command in a bare container without network; the
# Debian mirror and NuGet feed it uses instead are made here, from a networked first run, and
# again only when build/, recipes/, toolchains/ or samples/ change. A failure here is reported by
# that test (with the log), not by stopping the others.
echo "== preparing the fresh-machine test's local Debian mirror and NuGet feed"
if ! bash tests/setup/fresh-machine.sh; then
  echo "tests/run.sh: preparing them failed (see above); FreshMachineTests will fail and say why" >&2
fi

echo "== testing"
log="$(mktemp "${TMPDIR:-/tmp}/crossboard-tests.XXXXXX.log")"
export NO_COLOR=1
# A test skips only where the machine lacks what it needs (root, a package, an engine). This
# script has just provided all of that, so on CI a skip is a broken setup, not a pass: it fails.
strict=()
if [ -n "${CI:-}" ]; then strict=(--fail-skips on); fi
dotnet test --project tests/Tests.csproj --no-build "${strict[@]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

total() { awk -v key="$1" '$1 == key":" { n = $2 } END { print n + 0 }' "$log"; }
passed=$(total succeeded)
failed=$(total failed)
skipped=$(total skipped)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The runner failed without reporting a failed test (crash, no tests found): count it.
  failed=1
fi

echo "Full test log: $log"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
