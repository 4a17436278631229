#!/usr/bin/env bash
# Runs inside the build stage: installs the user's extra requirements (the build context's
# requirements.txt, empty unless the action's python-requirements input names a file).
set -euo pipefail

file=/tmp/extra-requirements.txt
if grep -qvE '^[[:space:]]*(#|$)' "$file"; then
  echo "installing extra requirements:"
  grep -vE '^[[:space:]]*(#|$)' "$file"
  /opt/env/bin/python -m pip install --no-cache-dir -r "$file"
else
  echo "no extra requirements"
fi
