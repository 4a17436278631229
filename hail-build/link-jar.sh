#!/usr/bin/env bash
# Keeps the second copy of Hail's jar out of the environment archive. The job gets the jar with
# --jars, which puts it in the driver's working directory, where EMR Serverless also unpacks the
# archive (as ./environment). Hail's Python still looks for hail/backend/hail-all-spark.jar
# (0.2.137 and later stop without it; earlier ones only skip their classpath settings), so the
# archive gets a relative symlink there to ../../…/hail-all-spark.jar in the working directory.
# That --jars files are in the working directory when hl.init() runs is unverified on EMR.
#
#   link-jar.sh ARCHIVE SITE_PACKAGES     e.g. out/pyspark_hail.tar.gz lib/python3.9/site-packages
#
# ARCHIVE is venv-pack's .tar.gz (paths relative to the environment's root); the jar must already
# be gone from the environment it was packed from.
set -euo pipefail

archive="${1:?archive}" site="${2:?site-packages path inside the environment}"
site="${site%/}"
link_dir="$site/hail/backend"
# From link_dir back to the environment's root, then one more to the working directory.
ups=$(($(tr -cd / <<<"$link_dir" | wc -c) + 2))
target="$(printf '../%.0s' $(seq "$ups"))hail-all-spark.jar"

if tar -tzf "$archive" | grep -qx "$link_dir/hail-all-spark.jar"; then
  echo "link-jar: $archive still carries $link_dir/hail-all-spark.jar" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tree/$link_dir"
ln -s "$target" "$work/tree/$link_dir/hail-all-spark.jar"
gzip -dc "$archive" >"$work/env.tar"
tar -rf "$work/env.tar" -C "$work/tree" "$link_dir/hail-all-spark.jar"
gzip -9 -c "$work/env.tar" >"$archive"
echo "link-jar: $link_dir/hail-all-spark.jar -> $target"
