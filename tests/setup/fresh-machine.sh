#!/usr/bin/env bash
# Prepares what tests/EndToEnd/FreshMachineTests needs to run the README's first command on a bare
# Debian 12 container WITHOUT network (the suite talks only to 127.0.0.0/8 and namespaces it
# makes): a local partial Debian mirror (dists/ and pool/, as a real one) and a local NuGet folder
# feed, holding what that first run installs and restores. They are made by really doing the first run, with
# network, in a throwaway container from the same base image, and collecting what it downloaded:
#   - apt's .debs (/var/cache/apt/archives: the base image has no docker-clean hook),
#   - the foreign-arch .debs crossboard fetches with `apt-get download` (CROSSBOARD_DEB_CACHE),
#   - the .nupkg files restore pulled (NUGET_PACKAGES).
# Idempotent: the result is kept under a key, a hash of what decides its content (build/,
# recipes/, toolchains/, samples/, this script, the base image, the .NET SDK), and made again only
# when that changes. A failed collection is retried on the next call.
#
# Usage: fresh-machine.sh            prepare (networked; run by tests/run.sh before the tests)
#        fresh-machine.sh --status   say where the mirror and feed are and whether they are ready,
#                                    without network and without doing anything (the test asks)
# Prints KEY=VALUE lines: STATUS (ready|failed|missing), MIRROR, FEED, LOG.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
self="$root/tests/setup/fresh-machine.sh"
cache="${CROSSBOARD_FRESH_MACHINE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crossboard-tests/fresh-machine}"
mode="${1:-prepare}"

fail() { echo "fresh-machine: $*" | tee -a "${log:-/dev/null}" >&2; exit 1; }

engine="$(bash "$root/tests/setup/podman-engine.sh")" || fail "no container engine (tests/setup/podman-engine.sh failed, see above)"
value() { echo "$engine" | sed -n "s/^$1=//p" | tail -n 1; }
export CONTAINERS_CONF="$(value CONTAINERS_CONF)"
base="$(value BASE_IMAGE)"

# The key: every input file's path and content (the working tree as git sees it, uncommitted
# changes included), this script, the base image (its package versions) and the SDK (which
# runtime and crossgen packs a publish restores).
key="$(
  {
    git -C "$root" ls-files -z --cached --others --exclude-standard -- build recipes toolchains samples |
      LC_ALL=C sort -z | while IFS= read -r -d '' f; do
        if [ -f "$root/$f" ]; then printf '%s %s\n' "$(sha256sum <"$root/$f" | cut -c1-64)" "$f"; fi
      done
    sha256sum <"$self"
    podman image inspect --format '{{.Id}}' "$base"
    dotnet --version
  } | sha256sum | cut -c1-16
)"
dir="$cache/$key"

report() {
  local status=missing
  if [ -f "$dir/ready" ]; then status=ready; elif [ -f "$dir/failed" ]; then status=failed; fi
  echo "STATUS=$status"
  echo "MIRROR=$dir/mirror"
  echo "FEED=$dir/feed"
  echo "LOG=$dir/collect.log"
}

if [ "$mode" = --status ]; then
  report
  exit 0
fi
[ "$mode" = prepare ] || fail "usage: fresh-machine.sh [--status]"

mkdir -p "$cache"
exec 8>"$cache/lock"
flock -w 3600 8 || fail "timed out waiting for another preparation holding $cache/lock"

if [ -f "$dir/ready" ]; then
  touch "$dir" # most recently used: kept by the pruning below
  echo "fresh-machine: mirror and NuGet feed for this tree are ready ($dir)"
  report
  exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"/{scratch/src,scratch/archives,scratch/lists,scratch/debs,scratch/nuget-packages,mirror,feed}
log="$dir/collect.log"
scratch="$dir/scratch"
name="crossboard-fresh-collect-$key-$$"
# Whatever stops this before the end (a failed step, Ctrl+C) leaves a failed mark the test reports.
finish() {
  podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  [ -f "$dir/ready" ] || touch "$dir/failed"
}
trap finish EXIT

# The project as the test gives it: the working tree (uncommitted changes too) as a git repository.
git -C "$root" ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  if [ -f "$root/$f" ]; then printf '%s\0' "$f"; fi # not the ones deleted in the working tree
done | tar -C "$root" --null -T - -c | tar -C "$scratch/src" -x
git -C "$scratch/src" init -q
git -C "$scratch/src" add -A
git -C "$scratch/src" -c user.name=crossboard-tests -c user.email=tests@crossboard.invalid commit -q -m "working tree"

# Inside the throwaway container, as root with the host's network.
cat >"$scratch/collect.sh" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
ln -sf /usr/share/dotnet/dotnet /usr/bin/dotnet
for i in 1 2 3; do apt-get update -q && break || sleep 5; done
# The given set of both test variants (root; a user with sudo), so that the mirror has it.
apt-get install -y -q --no-install-recommends libicu72 git ca-certificates sudo
# The machines here reach the registries through TLS only the host's CA store trusts (apt's
# mirror is plain http; NuGet's is https).
shopt -s nullglob
for crt in /host-ca/*.crt; do cp "$crt" /usr/local/share/ca-certificates/; done
update-ca-certificates
git clone -q /src /root/crossboard
cd /root/crossboard
# A first run that fails part way (a crossboard bug, a registry's hiccup) leaves the rest of its
# downloads to the rerun, which gets further: three tries, then the collection has failed and the
# test says so with this log.
ok=
for attempt in 1 2 3; do
  echo "== fresh-machine collect: ./build.sh --target=Deploy --yes (attempt $attempt of 3)"
  if ./build.sh --target=Deploy --yes; then ok=1; break; fi
done
cp /var/cache/apt/archives/*.deb /out/archives/
cp /var/lib/apt/lists/*_Packages /out/lists/
[ -n "$ok" ] || { echo "== fresh-machine collect: the first run never succeeded"; exit 1; }
echo "== fresh-machine collect: succeeded on attempt $attempt"
EOF

echo "fresh-machine: collecting the first run's packages in a throwaway container (several minutes; log: $log)"
start=$SECONDS
ca_mount=()
[ -d /usr/local/share/ca-certificates ] && ca_mount=(-v /usr/local/share/ca-certificates:/host-ca:ro)
if ! podman run --rm --name "$name" --network=host \
    -v /usr/share/dotnet:/usr/share/dotnet:ro "${ca_mount[@]}" \
    -v "$scratch/src:/src:ro" -v "$scratch/collect.sh:/collect.sh:ro" \
    -v "$scratch/archives:/out/archives" -v "$scratch/lists:/out/lists" -v "$scratch/debs:/debs" -v "$scratch/nuget-packages:/nuget-packages" \
    -e CROSSBOARD_DEB_CACHE=/debs -e NUGET_PACKAGES=/nuget-packages \
    -e NUGET_CERT_REVOCATION_MODE=offline -e DOTNET_CLI_TELEMETRY_OPTOUT=1 -e DOTNET_NOLOGO=1 \
    "$base" bash /collect.sh >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "fresh-machine: the collecting first run failed after $((SECONDS - start)) s; full log: $log" >&2
  report
  exit 1
fi
echo "fresh-machine: collected in $((SECONDS - start)) s"

# The mirror: a partial copy of Debian's, laid out like the real one (`deb [trusted=yes]
# file:/mirror bookworm main`): the collecting run's package indexes, whole, for every architecture
# it had (amd64, and mipsel, which crossboard added), and the .debs it downloaded at their pool
# paths. Whole indexes, not only the collected packages' records: crossboard asks apt-cache about
# packages it never downloads (linux-image-4kc-malta, the kernel's metapackage), and the test
# machine's apt should see and resolve exactly what a real machine's does. The dists/ layout keeps
# apt's list file names (..._binary-mipsel_Packages) as on a real machine, which crossboard's
# caches key on. A package the test wants but the collection did not download fails loudly
# ("File not found"), never silently.
lists=("$scratch"/lists/*_binary-*_Packages)
[ -f "${lists[0]}" ] || fail "the collecting run left no package indexes in $scratch/lists"
suite="$dir/mirror/dists/bookworm"
archs=()
for list in "${lists[@]}"; do
  arch="$(basename "$list" | sed 's/.*_binary-\(.*\)_Packages$/\1/')"
  archs+=("$arch")
  mkdir -p "$suite/main/binary-$arch"
  cp "$list" "$suite/main/binary-$arch/Packages"
done
# Where each collected .deb goes: the Filename of its (name, version, arch) record.
declare -A pool
while read -r package version arch filename; do
  pool["$package $version $arch"]="$filename"
done < <(awk '/^Package: /{p=$2} /^Version: /{v=$2} /^Architecture: /{a=$2} /^Filename: /{print p, v, a, $2}' "$suite"/main/binary-*/Packages)
for deb in "$scratch"/archives/*.deb "$scratch"/debs/*.deb; do
  id="$(dpkg-deb --show --showformat='${Package} ${Version} ${Architecture}' "$deb")"
  filename="${pool[$id]:-}"
  [ -n "$filename" ] || fail "$(basename "$deb") ($id) is in no index the collecting run had"
  mkdir -p "$dir/mirror/$(dirname "$filename")"
  cp -n "$deb" "$dir/mirror/$filename"
done
apt-ftparchive release \
  -o APT::FTPArchive::Release::Origin=crossboard-tests -o APT::FTPArchive::Release::Suite=bookworm \
  -o APT::FTPArchive::Release::Codename=bookworm -o APT::FTPArchive::Release::Components=main \
  -o APT::FTPArchive::Release::Architectures="${archs[*]}" "$suite" >"$suite/Release.new"
mv "$suite/Release.new" "$suite/Release"
# The feed: a local folder of the .nupkg files restore pulled.
find "$scratch/nuget-packages" -name '*.nupkg' -exec cp -t "$dir/feed" {} +
chmod -R a+rX "$dir/mirror" "$dir/feed"
echo "fresh-machine: mirror $(find "$dir/mirror/pool" -name '*.deb' | wc -l) packages ($(du -sh "$dir/mirror" | cut -f1)), feed $(ls "$dir/feed" | wc -l) packages"
rm -rf "$scratch"
touch "$dir/ready" "$dir"

# Keep the three most recently used keys (other worktrees on this machine may be using theirs).
ls -1dt "$cache"/*/ 2>/dev/null | tail -n +4 | while IFS= read -r old; do rm -rf "$old"; done
report
