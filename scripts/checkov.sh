#!/usr/bin/env bash
# Policy scan: synthesize every matrix entry (the defaults and each tests/matrix/*.yaml, on
# kubernetes and openshift) and run checkov over all of it, offline.
#
#   scripts/checkov.sh [OUTDIR]    # OUTDIR keeps the synthesized YAML (default: a temp dir)
#
# checkov lives in its own venv (CHECKOV_VENV, default .venv-checkov), created here from
# requirements-checkov.txt when missing or stale. The skip list is .checkov.yaml at the
# repository root: checkov reads it from the working directory, so `checkov -d dist/` run by
# hand from the root applies the same skips. Exit status: checkov's (1 when any check fails).
# Env: PYTHON (interpreter for the venv, default python3), CHECKOV_VENV, ROS_SYNTH.
set -euo pipefail

cd "$(dirname "$0")/.."
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CDK8S_CHECK_UPGRADE=false
# Offline: no Prisma Cloud guideline mapping, no downloads of external checks.
export BC_SKIP_MAPPING=TRUE

PYTHON=${PYTHON:-python3}
CHECKOV_VENV=${CHECKOV_VENV:-.venv-checkov}
ROS_SYNTH=${ROS_SYNTH:-.venv/bin/ros-synth}
STAMP="$CHECKOV_VENV/.installed"

if [[ ! -f $STAMP || requirements-checkov.txt -nt $STAMP ]]; then
  echo "checkov: installing into $CHECKOV_VENV" >&2
  "$PYTHON" -m venv "$CHECKOV_VENV"
  # pip's output goes to a log (this machine's pip config adds a warning per package);
  # it is shown only when the install fails.
  if ! "$CHECKOV_VENV/bin/pip" install --disable-pip-version-check -r requirements-checkov.txt \
    >"$CHECKOV_VENV/install.log" 2>&1; then
    cat "$CHECKOV_VENV/install.log" >&2
    exit 1
  fi
  touch "$STAMP"
fi

if [[ $# -ge 1 ]]; then
  out=$1
  rm -rf "$out"
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

entries=0
for platform in kubernetes openshift; do
  for values in default tests/matrix/*.yaml; do
    name=$(basename "$values" .yaml)
    args=()
    [[ $values == default ]] || args=(-f "$values")
    "$ROS_SYNTH" "${args[@]}" --platform "$platform" -o "$out/$name-$platform" >/dev/null
    entries=$((entries + 1))
  done
done
echo "checkov: scanning $entries matrix entries in $out" >&2

"$CHECKOV_VENV/bin/checkov" -d "$out" --framework kubernetes --quiet --compact --skip-download
