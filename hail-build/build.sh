#!/usr/bin/env bash
# Builds Hail's artifacts for one (Hail version, EMR release) by hand, the way the action does:
#
#   hail-build/build.sh HAIL_VERSION RELEASE_LABEL [OUT_DIR] [REQUIREMENTS_FILE]
#   hail-build/build.sh --print-args HAIL_VERSION RELEASE_LABEL    # the decision only, no Docker
#
# OUT_DIR (default ./hail-artifacts/HAIL_VERSION-RELEASE_LABEL) receives hail-all-spark.jar and
# pyspark_hail.tar.gz. Needs Docker with BuildKit (buildx). The decision below mirrors the
# action's tables in src/hail/versions.ts and compat.ts; a unit test runs it over every pair and
# fails if the two disagree.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Python minor as a number: "3.9" -> 9.
py_minor() { echo "${1#*.}" | cut -d. -f1; }

# Sets DOCKERFILE BASE_IMAGE HAIL_VERSION PYTHON_VERSION SPARK_VERSION SCALA_VERSION for a pair,
# or sets WHY and returns 1 when the pair cannot work.
decide() {
  local hail="$1" label="$2" patch jar_minor jar_spark scala py_min rel_minor os py
  WHY=''
  if [[ ! "$hail" =~ ^0\.2\.([0-9]+)(\.post[0-9]+)?$ ]]; then WHY="\"$hail\" is not a Hail version (0.2.N)"; return 1; fi
  patch="${BASH_REMATCH[1]}"
  if ((patch < 97 || patch > 139)); then WHY="hail $hail is not in the table (0.2.97 to 0.2.139)"; return 1; fi
  # Published post-releases use their base release's row.
  case "$hail" in
    *.post*) case "$hail" in 0.2.127.post1 | 0.2.130.post1) ;; *) WHY="hail $hail is not a published post-release"; return 1 ;; esac ;;
  esac

  # Hail: the jar's Spark and Scala, python_requires.
  if ((patch <= 109)); then jar_spark=3.1.3 scala=2.12.13 py_min=3.7
  elif ((patch <= 115)); then jar_spark=3.3.0 scala=2.12.13 py_min=3.7
  elif ((patch <= 120)); then jar_spark=3.3.0 scala=2.12.15 py_min=3.8
  elif ((patch <= 126)); then jar_spark=3.3.0 scala=2.12.15 py_min=3.9
  elif ((patch <= 130)); then jar_spark=3.3.2 scala=2.12.18 py_min=3.9
  elif ((patch <= 136)); then jar_spark=3.5.0 scala=2.12.18 py_min=3.9
  else jar_spark=3.5.3 scala=2.12 py_min=3.10
  fi
  if ((patch == 136)); then py_min=3.10; fi
  jar_minor="${jar_spark%.*}"

  # EMR release: Spark major.minor, OS, default Python.
  case "$label" in
    emr-6.6.0 | emr-6.7.0) rel_minor=3.2 os=al2 py=3.7 ;;
    emr-6.8.0 | emr-6.9.0 | emr-6.10.0 | emr-6.11.0) rel_minor=3.3 os=al2 py=3.7 ;;
    emr-6.12.0 | emr-6.13.0 | emr-6.14.0 | emr-6.15.0) rel_minor=3.4 os=al2 py=3.7 ;;
    emr-7.[0-9].0 | emr-7.1[0-4].0) rel_minor=3.5 os=al2023 py=3.9 ;;
    emr-spark-8.0.0) rel_minor=4.0 os=al2023 py=3.11 ;;
    emr-spark-8.1.0) rel_minor=4.1 os=al2023 py=3.11 ;;
    *) WHY="$label is not in the table (emr-6.6.0 to emr-6.15.0, emr-7.0.0 to emr-7.14.0, emr-spark-8.0.0, emr-spark-8.1.0)"; return 1 ;;
  esac

  case "$label" in
    emr-6.6.0 | emr-6.7.0 | emr-6.8.0) BASE_IMAGE=public.ecr.aws/amazonlinux/amazonlinux:2 ;;
    *) BASE_IMAGE="public.ecr.aws/emr-serverless/spark/${label}:latest" ;;
  esac

  if [[ "$rel_minor" == "$jar_minor" ]]; then
    DOCKERFILE=Dockerfile.pypi SPARK_VERSION="$jar_spark" SCALA_VERSION="$scala"
  elif [[ "$rel_minor" == 3.2 ]] && ((patch <= 109)); then
    DOCKERFILE=Dockerfile.source SPARK_VERSION=3.2.1 SCALA_VERSION=2.12.13
  else
    WHY="hail $hail's jar is for Spark $jar_minor; $label runs Spark $rel_minor: no build this recipe makes can run there"
    WHY+=" (see the compatibility table in hail-build/README.md)"
    return 1
  fi

  PYTHON_VERSION=system
  if (($(py_minor "$py") < $(py_minor "$py_min"))); then
    if [[ "$DOCKERFILE" == Dockerfile.source ]]; then WHY="source builds use the image's Python"; return 1; fi
    if [[ "$os" == al2 ]]; then PYTHON_VERSION=3.9.19; else PYTHON_VERSION=3.10.14; fi
  fi
  HAIL_VERSION="$hail"
}

print_args() {
  printf '%s=%s\n' DOCKERFILE "$DOCKERFILE" BASE_IMAGE "$BASE_IMAGE" HAIL_VERSION "$HAIL_VERSION" \
    PYTHON_VERSION "$PYTHON_VERSION" SPARK_VERSION "$SPARK_VERSION" SCALA_VERSION "$SCALA_VERSION"
}

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 64
}

main() {
  local print_only=0
  if [[ "${1:-}" == --print-args ]]; then print_only=1; shift; fi
  if (($# < 2 || $# > 4)); then usage; fi
  local hail="$1" label="$2" out="${3:-./hail-artifacts/$1-$2}" reqs="${4:-}"
  if ! decide "$hail" "$label"; then
    echo "build.sh: $WHY" >&2
    exit 2
  fi
  if ((print_only)); then print_args; exit 0; fi

  mkdir -p "$out"
  if [[ -n "$(ls -A "$out")" ]]; then echo "build.sh: $out is not empty" >&2; exit 1; fi
  local ctx
  ctx="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: ctx is local
  trap "rm -rf '$ctx'" EXIT
  cp -R "$HERE/." "$ctx/"
  if [[ -n "$reqs" ]]; then cp "$reqs" "$ctx/requirements.txt"; fi

  local -a cmd
  if docker buildx version >/dev/null 2>&1; then
    cmd=(docker buildx build --provenance=false)
  else
    cmd=(docker build)
    export DOCKER_BUILDKIT=1
  fi
  cmd+=(--platform linux/amd64 --pull --progress=plain --output "type=local,dest=$out" -f "$ctx/$DOCKERFILE")
  local name
  for name in BASE_IMAGE HAIL_VERSION PYTHON_VERSION SPARK_VERSION SCALA_VERSION; do
    cmd+=(--build-arg "$name=${!name}")
  done
  cmd+=("$ctx")
  echo "+ ${cmd[*]}" >&2
  "${cmd[@]}"
  ls -l "$out"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main "$@"; fi
