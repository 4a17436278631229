#!/usr/bin/env bash
# Runs inside the build stage: installs the tools the build needs and, when PYTHON_VERSION is not
# 'system', builds that CPython from python.org's source into /opt/python. It is linked statically
# against libpython (configure's default), so the copy venv --copies makes runs without it.
set -euo pipefail

: "${PYTHON_VERSION:?}"
if command -v dnf >/dev/null 2>&1; then pm=dnf; else pm=yum; fi

$pm install -y tar gzip findutils
if [ "$PYTHON_VERSION" = system ]; then
  # EMR images have python3 already; Amazon Linux 2 (the build image before emr-6.9.0) does not.
  $pm install -y python3 python3-pip
else
  # AL2's openssl-devel is 1.0.2, enough for 3.9 (the version shipped on AL2); AL2023's is 3.x.
  $pm install -y gcc make openssl-devel bzip2-devel libffi-devel zlib-devel xz-devel sqlite-devel
  command -v curl >/dev/null 2>&1 || $pm install -y curl
  src="/tmp/Python-${PYTHON_VERSION}"
  curl -fsSL "https://www.python.org/ftp/python/${PYTHON_VERSION}/Python-${PYTHON_VERSION}.tgz" | tar -xz -C /tmp
  cd "$src"
  ./configure --prefix=/opt/python --with-ensurepip=install >/tmp/python-configure.log 2>&1 ||
    { tail -n 50 /tmp/python-configure.log; exit 1; }
  make -j"$(nproc)" >/tmp/python-make.log 2>&1 || { tail -n 80 /tmp/python-make.log; exit 1; }
  make install >/tmp/python-install.log 2>&1 || { tail -n 50 /tmp/python-install.log; exit 1; }
  cd /
  rm -rf "$src"
  # The modules a Hail job (and pip) load: fail here rather than on the cluster.
  /opt/python/bin/python3 -c 'import bz2, ctypes, lzma, sqlite3, ssl, zlib; print("python", ssl.OPENSSL_VERSION)'
fi
$pm clean all
