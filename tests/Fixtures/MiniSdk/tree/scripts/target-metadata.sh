#!/usr/bin/env bash
# Writes the target menu (what the real scripts/target-metadata.pl writes to
# tmp/.config-target.in) from target/linux/<target>/: Makefile (BOARDNAME, ARCH, SUBTARGETS,
# KERNEL_PATCHVER), <subtarget>/target.mk (BOARDNAME, ARCH, CPU_TYPE, CPU_SUBTYPE) and the
# devices listed with TARGET_DEVICES in image/<subtarget>.mk or image/Makefile. Same choice
# structure: Target System, Subtarget, Target Profile (first device is the default).
set -euo pipefail
root="${1:-target/linux}"

var() { # var FILE NAME: the value of NAME:=... in a make file
  sed -n "s/^$2[[:space:]]*[:+]*=[[:space:]]*//p" "$1" 2>/dev/null | tail -n 1
}

devices() { # devices TARGETDIR SUBTARGET: TARGET_DEVICES for that subtarget, in file order
  local dir="$1/image" sub="$2"
  if [ -f "$dir/$sub.mk" ]; then
    sed -n 's/^TARGET_DEVICES[[:space:]]*+=[[:space:]]*//p' "$dir/$sub.mk"
  fi
  if [ -f "$dir/Makefile" ]; then
    awk -v sub_="$sub" '
      /^ifeq[[:space:]]*\(\$\(SUBTARGET\),/ { s = $0; sub(/^ifeq[[:space:]]*\(\$\(SUBTARGET\),/, "", s); sub(/\).*/, "", s); cond = s; next }
      /^endif/ { cond = ""; next }
      /^[[:space:]]*TARGET_DEVICES[[:space:]]*\+=/ { if (cond == "" || cond == sub_) { v = $0; sub(/^[[:space:]]*TARGET_DEVICES[[:space:]]*\+=[[:space:]]*/, "", v); print v } }
    ' "$dir/Makefile"
  fi
}

device_name() { # the DEVICE_VENDOR and DEVICE_MODEL of a define Device/<name>
  local dir="$1/image" name="$2"
  cat "$dir"/*.mk "$dir/Makefile" 2>/dev/null | awk -v d="define Device/$name" '
    $0 == d { on = 1; next } on && /^endef/ { exit }
    on && /DEVICE_VENDOR/ { v = $0; sub(/.*:= */, "", v) } on && /DEVICE_MODEL/ { m = $0; sub(/.*:= */, "", m) }
    END { print (v != "" ? v " " : "") m }'
}

targets=$(find "$root" -mindepth 2 -maxdepth 2 -name Makefile | sort | while read -r f; do basename "$(dirname "$f")"; done)

echo 'choice'
echo '	prompt "Target System"'
echo '	default TARGET_ath79'
echo
for t in $targets; do
  echo "config TARGET_$t"
  echo "	bool \"$(var "$root/$t/Makefile" BOARDNAME)\""
  echo "	select HAS_SUBTARGETS"
  echo
done
echo 'endchoice'
echo
echo 'choice'
echo '	prompt "Subtarget" if HAS_SUBTARGETS'
for t in $targets; do
  first=$(var "$root/$t/Makefile" SUBTARGETS | awk '{print $1}')
  echo "	default TARGET_${t}_$first if TARGET_$t"
done
echo
kernels=""
for t in $targets; do
  arch=$(var "$root/$t/Makefile" ARCH)
  kver=$(var "$root/$t/Makefile" KERNEL_PATCHVER | tr . _)
  kernels="$kernels $kver"
  for s in $(var "$root/$t/Makefile" SUBTARGETS); do
    mk="$root/$t/$s/target.mk"
    [ -f "$mk" ] || continue
    sarch=$(var "$mk" ARCH); sarch=${sarch:-$arch}
    echo "config TARGET_${t}_$s"
    echo "	bool \"$(var "$mk" BOARDNAME)\""
    echo "	depends on TARGET_$t"
    echo "	select LINUX_$kver"
    echo "	select $sarch"
    [ -n "$(devices "$root/$t" "$s")" ] && echo "	select HAS_DEVICES"
    echo
  done
done
echo 'endchoice'
echo
echo 'choice'
echo '	prompt "Target Profile"'
for t in $targets; do
  for s in $(var "$root/$t/Makefile" SUBTARGETS); do
    [ -f "$root/$t/$s/target.mk" ] || continue
    first=$(devices "$root/$t" "$s" | awk 'NF {print $1; exit}')
    echo "	default TARGET_${t}_${s}_${first:+DEVICE_}${first:-Default} if TARGET_${t}_$s"
  done
done
echo
for t in $targets; do
  for s in $(var "$root/$t/Makefile" SUBTARGETS); do
    [ -f "$root/$t/$s/target.mk" ] || continue
    list=$(devices "$root/$t" "$s" | tr ' ' '\n' | awk NF)
    if [ -z "$list" ]; then
      echo "config TARGET_${t}_${s}_Default"
      echo "	bool \"Default Profile\""
      echo "	depends on TARGET_${t}_$s"
      echo
    fi
    for d in $list; do
      echo "config TARGET_${t}_${s}_DEVICE_$d"
      echo "	bool \"$(device_name "$root/$t" "$d")\""
      echo "	depends on TARGET_${t}_$s"
      echo
    done
  done
done
echo 'endchoice'
echo
echo 'config HAS_SUBTARGETS'
echo '	bool'
echo
echo 'config HAS_DEVICES'
echo '	bool'
echo
for k in $(echo $kernels | tr ' ' '\n' | sort -u); do
  echo "config LINUX_$k"
  echo '	bool'
  echo
done
echo 'config TARGET_BOARD'
echo '	string'
for t in $targets; do echo "	default \"$t\" if TARGET_$t"; done
echo
for sym in TARGET_SUBTARGET TARGET_ARCH_PACKAGES CPU_TYPE; do
  echo "config $sym"
  echo '	string'
  for t in $targets; do
    arch=$(var "$root/$t/Makefile" ARCH)
    for s in $(var "$root/$t/Makefile" SUBTARGETS); do
      mk="$root/$t/$s/target.mk"
      [ -f "$mk" ] || continue
      sarch=$(var "$mk" ARCH); sarch=${sarch:-$arch}
      cpu=$(var "$mk" CPU_TYPE); subtype=$(var "$mk" CPU_SUBTYPE)
      case $sym in
        TARGET_SUBTARGET) value=$s ;;
        TARGET_ARCH_PACKAGES) value="${sarch}_$cpu${subtype:+_$subtype}" ;;
        CPU_TYPE) value="$cpu${subtype:++$subtype}" ;;
      esac
      echo "	default \"$value\" if TARGET_${t}_$s"
    done
  done
  echo
done
echo 'config TARGET_PROFILE'
echo '	string'
for t in $targets; do
  for s in $(var "$root/$t/Makefile" SUBTARGETS); do
    [ -f "$root/$t/$s/target.mk" ] || continue
    list=$(devices "$root/$t" "$s" | tr ' ' '\n' | awk NF)
    [ -z "$list" ] && echo "	default \"Default\" if TARGET_${t}_${s}_Default"
    for d in $list; do echo "	default \"DEVICE_$d\" if TARGET_${t}_${s}_DEVICE_$d"; done
  done
done
