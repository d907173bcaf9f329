#!/usr/bin/env bash
# Makes the miniature OpenWrt SDK (README.md beside this file) in DIR:
#   DIR/openwrt   a git repository: tag v24.10.7, annotated tag v24.10.8 (main), and a branch
#                 broken-gcc whose gcc fails to configure;
#   DIR/packages  the packages feed: a git repository of package Makefiles (feed/), which the
#                 tree's feeds.conf.default names as `src-git packages file://DIR/packages`;
#   DIR/mirror    the source tarballs its Makefiles name (their sha256 written into the Makefiles),
#                 reached through DOWNLOAD_MIRROR=file://DIR/mirror as with the real tree.
# The one definition of the fixture: the tests (MiniSdk.cs) and bench/ both call it.
set -euo pipefail

fixture="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:?usage: create.sh DIR}"
repo="$dir/openwrt"
mirror="$dir/mirror"
mkdir -p "$mirror" "$dir/broken"

export LC_ALL=C GIT_AUTHOR_NAME="crossboard tests" GIT_AUTHOR_EMAIL=tests@crossboard.invalid \
  GIT_COMMITTER_NAME="crossboard tests" GIT_COMMITTER_EMAIL=tests@crossboard.invalid

# tarball PARENT NAME FILE: packs PARENT/NAME into the mirror as FILE; prints its sha256.
tarball() {
  tar --sort=name --owner=0 --group=0 -czf "$mirror/$3" -C "$1" "$2"
  sha256sum "$mirror/$3" | cut -d' ' -f1
}

declare -A hashes
for source in m4-1.4.19 binutils-2.40 gcc-12.2.0 musl-1.2.5 zlib-1.3.1 sqlite-autoconf-3460100; do
  hashes[$source.tar.gz]="$(tarball "$fixture/sources" "$source" "$source.tar.gz")"
done

# The broken gcc: the same source with a configure that fails as a real one does.
cp -a "$fixture/sources/gcc-12.2.0" "$dir/broken/"
cat >"$dir/broken/gcc-12.2.0/configure" <<'SH'
#!/bin/sh
echo 'checking for C compiler... gcc'
echo 'configure: error: C compiler cannot create executables' >&2
exit 77
SH
chmod +x "$dir/broken/gcc-12.2.0/configure"
broken_hash="$(tarball "$dir/broken" gcc-12.2.0 gcc-12.2.0-r1.tar.gz)"

feed="$dir/packages"
mkdir -p "$repo" "$feed"
cp -a "$fixture/tree/." "$repo/"
cp -a "$fixture/feed/." "$feed/"
find "$repo" "$feed" -name Makefile -print0 | while IFS= read -r -d '' makefile; do
  for file in "${!hashes[@]}"; do
    sed -i "s/@HASH:$file@/${hashes[$file]}/g" "$makefile"
  done
done
sed -i "s|@FEED:packages@|file://$feed|" "$repo/feeds.conf.default"
command git -C "$feed" init --quiet --initial-branch=master
command git -C "$feed" add -A
command git -C "$feed" commit --quiet -m "packages feed (miniature)"

git() { command git -C "$repo" "$@"; }
commit() { git add -A && git commit --quiet -m "$1"; }
mkdir -p "$repo/include"
git init --quiet --initial-branch=main
echo 'VERSION_NUMBER:=24.10.7' >"$repo/include/version.mk"
commit "OpenWrt v24.10.7 (miniature)"
git tag v24.10.7
echo 'VERSION_NUMBER:=24.10.8' >"$repo/include/version.mk"
commit "OpenWrt v24.10.8 (miniature)"
git tag -a -m "OpenWrt v24.10.8" v24.10.8

git checkout --quiet -b broken-gcc
sed -i -e 's/PKG_SOURCE:=$(PKG_NAME)-$(PKG_VERSION).tar.gz/PKG_SOURCE:=$(PKG_NAME)-$(PKG_VERSION)-r1.tar.gz/' \
  -e "s/${hashes[gcc-12.2.0.tar.gz]}/$broken_hash/" "$repo/toolchain/gcc/Makefile"
commit "gcc: a release that does not configure"
git checkout --quiet main
