#!/usr/bin/env bash
# Writes the package menu (what the real scripts/package-metadata.pl writes to
# tmp/.config-package.in) from every package Makefile under package/, feeds' packages included
# (package/feeds/<feed>/<name> links): one tristate PACKAGE_<name> per
# $(eval $(call BuildPackage,<name>)), titled from its define Package/<name>. A package not in
# package/ (a feed's package not yet installed) has no symbol, so defconfig silently drops it.
set -euo pipefail
find -L package -mindepth 2 -maxdepth 5 -name Makefile 2>/dev/null | sort | while read -r makefile; do
  sed -n 's/^\$(eval \$(call BuildPackage,\([^)]*\)))$/\1/p' "$makefile" | while read -r name; do
    title=$(awk -v d="define Package/$name" '$0 == d { on = 1; next } on && /^endef/ { exit } on && /TITLE:=/ { sub(/.*TITLE:=/, ""); print }' "$makefile")
    echo "config PACKAGE_$name"
    echo "	tristate \"$name ($title)\""
    echo "	default m if ALL"
    echo
  done
done
