#!/usr/bin/env bash
# Packs a miniature prebuilt SDK, as the real target/sdk/Makefile packs openwrt-sdk-*.tar.zst, from
# a miniature tree whose toolchain is built:
#   sdk.sh TREE REPO OUT NAME
# OUT/NAME gets the tree's make machinery (Makefile, rules.mk, include/, scripts/, target/), its
# staging_dir (host, toolchain-*, target-*), an empty package/ (the real SDK's has only the
# toolchain and kernel packages: zlib and openssl come from the base feed), Config.in with
# ALL=y ("Select all userspace packages by default", as the SDK's) over Config-build.in (the
# tree's .config turned into defaults, as convert-config.pl does; no .config is shipped), and
# feeds.conf.default = "src-git-full base REPO;<tag>" (or "REPO^<commit>") followed by the tree's own feeds.
set -euo pipefail
tree="$1"; repo="$2"; out="$3"; name="$4"
sdk="$out/$name"
rm -rf "$sdk"
mkdir -p "$sdk/staging_dir" "$sdk/package"
cp -a "$tree"/{Makefile,rules.mk,include,scripts,target,toolchain,tools,.gitignore} "$sdk/"
cp -a "$tree"/staging_dir/host "$tree"/staging_dir/toolchain-* "$tree"/staging_dir/target-* "$sdk/staging_dir/"
rm -f "$sdk/staging_dir/host/.prereq-build"

awk -F= '
  /^CONFIG_/ {
    sym = substr($1, 8); val = substr($0, length($1) + 2)
    if (sym ~ /^(PACKAGE_|MODULES$|ALL$|HAVE_DOT_CONFIG$)/) next
    if (val == "y") { printf "config %s\n\tbool\n\tdefault y\n\n", sym }
    else if (val ~ /^"/) { printf "config %s\n\tstring\n\tdefault %s\n\n", sym, val }
    else { printf "config %s\n\tint\n\tdefault %s\n\n", sym, val }
  }' "$tree/.config" > "$sdk/Config-build.in"

cat > "$sdk/Config.in" <<'CONFIG'
mainmenu "OpenWrt Configuration"

config MODULES
	option modules
	bool
	default y

config ALL
	bool "Select all userspace packages by default"
	default y

source "Config-build.in"
source "tmp/.config-package.in"
CONFIG

# The release's tag when the tree has it, else its commit (OpenWrt's "URL;branch-or-tag" and "URL^commit").
if tag=$(git -C "$tree" describe --tags --exact-match 2>/dev/null); then ref=";$tag"; else ref="^$(git -C "$tree" rev-parse HEAD)"; fi
{ echo "src-git-full base file://$repo$ref"; cat "$tree/feeds.conf.default"; } > "$sdk/feeds.conf.default"
