#!/usr/bin/env bash
# Runs inside the build stage: creates the environment that becomes the archive, /opt/env.
# With the image's Python it is a plain venv. With a shipped Python it is made with --copies (the
# interpreter itself goes into the archive) and the standard library is copied in beside it,
# because a venv never contains the standard library and the runtime image does not have it.
set -euo pipefail

: "${PYTHON_VERSION:?}"
if [ "$PYTHON_VERSION" = system ]; then
  python3 -m venv /opt/env
else
  mm="${PYTHON_VERSION%.*}"
  /opt/python/bin/python3 -m venv --copies /opt/env
  (cd "/opt/python/lib/python${mm}" && tar --exclude=./site-packages -cf - .) | tar -xf - -C "/opt/env/lib/python${mm}"
fi
/opt/env/bin/python -m pip install --no-cache-dir --quiet --upgrade pip
/opt/env/bin/python --version
