#!/usr/bin/env bash
# Runs inside the build stage of both Dockerfiles, after Hail is installed into /opt/env:
# takes the jar out of the installed wheel, packs the environment with venv-pack, and proves the
# archive works where EMR Serverless will unpack it. Reads the stage's ARGs from the environment:
# HAIL_VERSION, PYTHON_VERSION ('system' or the shipped CPython version), ENV_PREFIX, VENV_PACK_VERSION.
set -euo pipefail

: "${HAIL_VERSION:?}" "${PYTHON_VERSION:?}" "${ENV_PREFIX:?}" "${VENV_PACK_VERSION:?}"
out=/out
mkdir -p "$out"

# pyspark comes from EMR (its own build, matching its Spark); a pip copy would shadow it.
/opt/env/bin/python -m pip uninstall -y pyspark

installed="$(/opt/env/bin/python -c 'import importlib.metadata as m; print(m.version("hail"))')"
if [ "$installed" != "$HAIL_VERSION" ]; then
  echo "pack-env: hail $installed is installed, expected $HAIL_VERSION" >&2
  exit 1
fi

jar="$(find /opt/env/lib -path '*/site-packages/hail/backend/hail-all-spark.jar' -print -quit)"
if [ -z "$jar" ]; then
  echo "pack-env: hail/backend/hail-all-spark.jar is not in the installed package" >&2
  exit 1
fi
cp "$jar" "$out/hail-all-spark.jar"

# venv-pack runs from its own venv so it does not end up in the archive.
if [ "$PYTHON_VERSION" = system ]; then
  python3 -m venv /opt/tools
else
  /opt/python/bin/python3 -m venv /opt/tools
fi
/opt/tools/bin/python -m pip install --no-cache-dir --quiet "venv-pack==${VENV_PACK_VERSION}"
if [ "$PYTHON_VERSION" = system ]; then
  # bin/python stays a link to the image's own interpreter, which the runtime image also has.
  /opt/tools/bin/venv-pack -p /opt/env -o "$out/pyspark_hail.tar.gz"
else
  # A shipped interpreter: point the venv's home at where the archive is unpacked, so the copied
  # interpreter finds the standard library that was copied in beside it.
  /opt/tools/bin/venv-pack -p /opt/env -o "$out/pyspark_hail.tar.gz" --python-prefix "$ENV_PREFIX"
fi

# Self-test: unpack where EMR will, hide the build-only Python, and import what a job needs.
rm -rf "$ENV_PREFIX"
mkdir -p "$ENV_PREFIX"
tar -xzf "$out/pyspark_hail.tar.gz" -C "$ENV_PREFIX"
if [ -d /opt/python ]; then mv /opt/python /opt/python.hidden; fi
"$ENV_PREFIX/bin/python" -c '
import importlib.metadata as m, json, ssl, sqlite3, sys, zlib
print("pack-env: archive python", sys.version.split()[0], "hail", m.version("hail"), "at", sys.prefix)
'
if [ -d /opt/python.hidden ]; then mv /opt/python.hidden /opt/python; fi
rm -rf "$ENV_PREFIX"
ls -l "$out"
