#!/usr/bin/env bash
# Shallow vs full clone of a local repository with a long history: bytes on disk and wall time.
# Why CloneSdk fetches `--depth 1` of the pinned tag through a file:// URL (git ignores --depth
# for a plain local path), and why the git CLI rather than LibGit2Sharp 0.32, which cannot fetch
# shallow over file:// nor a tag at depth 1 (FIELD-NOTES section 1).
#
# Usage: bench/clone/run.sh [commits (default 4000)] [runs (default 3)]
# Prints a Markdown table; the work folder is removed at the end.
set -euo pipefail

commits="${1:-4000}"
runs="${2:-3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/crossboard-bench-clone.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "Building a repository with $commits commits (200 files, 5 rewritten per commit) in $work/repo ..." >&2
python3 "$(dirname "${BASH_SOURCE[0]}")/make_history.py" "$commits" >"$work/stream"
git init --quiet --bare --initial-branch=main "$work/repo"
git -C "$work/repo" fast-import --quiet <"$work/stream"
git -C "$work/repo" gc --quiet
url="file://$work/repo"

# seconds and bytes of one clone; $1 = variant
measure() {
  local dir="$work/clone-$1"
  rm -rf "$dir"
  local start end
  start=$(date +%s%N)
  case "$1" in
    full) git clone --quiet --no-local "$url" "$dir" ;;
    shallow) git -c advice.detachedHead=false clone --quiet --depth 1 --branch v1.0.0 "$url" "$dir" ;;
    # what CloneSdk runs: init, fetch the tag at depth 1, check it out
    crossboard)
      git init --quiet "$dir"
      git -C "$dir" remote add origin "$url"
      git -C "$dir" fetch --quiet --no-tags --depth 1 origin v1.0.0
      git -C "$dir" -c advice.detachedHead=false checkout --quiet --detach FETCH_HEAD ;;
    plain-path-depth) git -c advice.detachedHead=false clone --quiet --depth 1 --branch v1.0.0 "$work/repo" "$dir" 2>/dev/null ;;
  esac
  end=$(date +%s%N)
  echo "$(awk -v ns=$((end - start)) 'BEGIN { printf "%.2f", ns / 1e9 }') $(du -sb "$dir/.git" | cut -f1) $(git -C "$dir" rev-list --count HEAD)"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '| variant | median time (s) | .git bytes | commits fetched |\n|---|---|---|---|\n'
for variant in full shallow crossboard plain-path-depth; do
  measure "$variant" >/dev/null # warm-up
  times=(); bytes=0; count=0
  for _ in $(seq "$runs"); do
    read -r t b c < <(measure "$variant")
    times+=("$t"); bytes=$b; count=$c
  done
  printf '| %s | %s | %s | %s |\n' "$variant" "$(printf '%s\n' "${times[@]}" | median)" "$bytes" "$count"
done
# LibGit2Sharp 0.32 on the same repository, when the .NET SDK is here.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if command -v dotnet >/dev/null 2>&1 && dotnet build "$here/libgit2/CloneBench.csproj" -c Release --nologo -v quiet >"$work/libgit2-build.log" 2>&1; then
  for i in $(seq "$runs"); do
    rm -rf "$work/lg-$i-full" "$work/lg-$i-depth1"
    dotnet "$here/libgit2/bin/Release/net10.0/CloneBench.dll" "$url" "$work/lg-$i" v1.0.0
  done >"$work/libgit2.txt"
  for variant in libgit2-full libgit2-depth1; do
    if grep -q "^$variant failed" "$work/libgit2.txt"; then
      printf '| %s | %s |  |  |\n' "$variant" "$(grep -m1 "^$variant failed" "$work/libgit2.txt" | cut -d' ' -f2-)"
    else
      t=$(awk -v v="$variant" '$1 == v { print $2 }' "$work/libgit2.txt" | median)
      read -r b c < <(awk -v v="$variant" '$1 == v { print $3, $4; exit }' "$work/libgit2.txt")
      printf '| %s | %s | %s | %s |\n' "$variant" "$t" "$b" "$c"
    fi
  done
fi

echo >&2
echo "source repository: $(du -sb "$work/repo" | cut -f1) bytes, $commits commits (plain-path-depth: git warns that --depth is ignored for local paths and hardlinks the objects)" >&2
