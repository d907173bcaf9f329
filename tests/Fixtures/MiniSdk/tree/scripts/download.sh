#!/usr/bin/env bash
# download.sh <dl dir> <file> <sha256> <url>...: the real scripts/download.pl's behaviour in
# short. A file already in <dl dir> with the right hash is kept; otherwise each mirror is tried
# in turn (DOWNLOAD_MIRROR's entries first, then the package's URLs) with
# `curl --retry 3 $CURL_OPTIONS`, the hash is checked, and only a verified file is moved into
# place. When every mirror fails: "No more mirrors to try - giving up." and exit 1.
set -u
dir="$1"; file="$2"; hash="$3"; shift 3

if [ -f "$dir/$file" ]; then
  sum=$(sha256sum "$dir/$file" | cut -d' ' -f1)
  [ "$sum" = "$hash" ] && exit 0
  echo "Hash of the local file $file does not match (file: $sum, requested: $hash) - deleting download." >&2
  exit 1
fi

mirrors=()
IFS=';' read -r -a local_mirrors <<< "${DOWNLOAD_MIRROR:-}"
for m in "${local_mirrors[@]}"; do [ -n "$m" ] && mirrors+=("$m"); done
mirrors+=("$@")

mkdir -p "$dir"
for mirror in "${mirrors[@]}"; do
  # shellcheck disable=SC2086 # CURL_OPTIONS is a list of options, as in download.pl
  cmd=(curl -f --connect-timeout 5 --retry 3 --location ${CURL_OPTIONS:-} "${mirror%/}/$file")
  echo "+ ${cmd[*]}" >&2
  if "${cmd[@]}" -o "$dir/$file.dl" 2>&1; then
    sum=$(sha256sum "$dir/$file.dl" | cut -d' ' -f1)
    if [ "$sum" = "$hash" ]; then
      mv "$dir/$file.dl" "$dir/$file"
      exit 0
    fi
    echo "Hash of the downloaded file does not match (file: $sum, requested: $hash) - deleting download." >&2
  else
    echo "Download failed." >&2
  fi
  rm -f "$dir/$file.dl"
done
echo "No more mirrors to try - giving up." >&2
exit 1
