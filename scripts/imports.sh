#!/usr/bin/env bash
# Regenerate the cdk8s Python bindings in imports/: one module per CRD API group from the reduced
# CRDs in crds/, and imports/manifest (ManifestObject) from typescript/index.ts.
#
#   scripts/imports.sh [CRD_SOURCE_DIR]   # source dir is passed to reduce_crds.py
#
# CRDs are imported one API group at a time: `cdk8s import` writes one module per
# group (imports/<reversed group>/, e.g. imports/sh/keda/) and a second import of
# the same group would overwrite the first, so same-group CRDs are concatenated
# into one multi-document file first. Env: CDK8S (default `npx --no-install
# cdk8s`, i.e. the cdk8s-cli pinned in package.json), PYTHON (default .venv).
set -euo pipefail

cd "$(dirname "$0")/.."
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CDK8S_CHECK_UPGRADE=false
CDK8S=${CDK8S:-npx --no-install cdk8s}
PYTHON=${PYTHON:-.venv/bin/python}

"$PYTHON" scripts/reduce_crds.py "$@"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for crd in crds/*.yaml; do
  group=$(basename "$crd"); group=${group%%_*}       # e.g. keda.sh
  { [ -s "$tmp/$group.yaml" ] && echo "---"; cat "$crd"; } >>"$tmp/$group.yaml"
done

for combined in "$tmp"/*.yaml; do
  group=$(basename "$combined" .yaml)
  # reversed group -> module dir: keda.sh -> imports/sh/keda
  dir=imports/$(awk -F. '{for (i = NF; i > 1; i--) printf "%s/", $i; print $1}' <<<"$group")
  rm -rf "$dir"
  # shellcheck disable=SC2086 # $CDK8S may be a multi-word command
  $CDK8S import "$combined" --language python --output imports --no-save
done

node scripts/manifest_object.cjs
