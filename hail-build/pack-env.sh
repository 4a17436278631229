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
# One copy only: the job gets the jar with --jars; the archive gets a link to it (link-jar.sh).
rm "$jar"
site="$(dirname "$(dirname "$(dirname "$jar")")")"
site="${site#/opt/env/}"

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

bash "$(dirname "${BASH_SOURCE[0]}")/link-jar.sh" "$out/pyspark_hail.tar.gz" "$site"

# Self-test: unpack where EMR will, with the jar where --jars puts it (the working directory, the
# archive's parent), hide the build-only Python, and import what a job needs: the standard library,
# and hail itself with the image's own pyspark (EMR images have it under /usr/lib/spark/python; the
# plain Amazon Linux 2 image used before emr-6.9.0 does not, so there only the standard library).
workdir="$(dirname "$ENV_PREFIX")"
rm -rf "$ENV_PREFIX"
mkdir -p "$ENV_PREFIX"
tar -xzf "$out/pyspark_hail.tar.gz" -C "$ENV_PREFIX"
cp "$out/hail-all-spark.jar" "$workdir/hail-all-spark.jar"
if [ -d /opt/python ]; then mv /opt/python /opt/python.hidden; fi
"$ENV_PREFIX/bin/python" -c '
import importlib.metadata as m, json, ssl, sqlite3, sys, zlib
print("pack-env: archive python", sys.version.split()[0], "hail", m.version("hail"), "at", sys.prefix)
'
spark_python=/usr/lib/spark/python
py4j="$(find "$spark_python/lib" -name 'py4j-*.zip' -print -quit 2>/dev/null || true)"
if [ -d "$spark_python/pyspark" ] && [ -n "$py4j" ]; then
  (cd "$workdir" && PYTHONPATH="$spark_python:$py4j" "$ENV_PREFIX/bin/python" -c '
import importlib.metadata as m, os, sys
import pyspark, hail
jar = os.path.join(os.path.dirname(hail.__file__), "backend", "hail-all-spark.jar")
if not os.path.isfile(jar):
    sys.exit("pack-env: " + jar + " does not lead to the jar in the working directory")
print("pack-env: import hail", m.version("hail"), "with the image pyspark", pyspark.__version__, "ok")
')
else
  echo "pack-env: this image has no pyspark under $spark_python: import hail not tried (standard library checked)"
fi
if [ -d /opt/python.hidden ]; then mv /opt/python.hidden /opt/python; fi
rm -rf "$ENV_PREFIX" "$workdir/hail-all-spark.jar"
ls -l "$out"
