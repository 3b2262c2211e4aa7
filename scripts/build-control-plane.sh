#!/usr/bin/env bash
# Builds the Kubernetes control-plane binaries the test harness and the demo run:
# kube-apiserver, kube-controller-manager, kube-scheduler, etcd and kwok, at pinned
# versions, from the Go module proxy. Binaries land in a cache outside the clone and
# are not rebuilt when the pinned versions are already there.
#
# Environment:
#   FLEETGATE_ASSETS     a directory that already holds all five binaries; when set,
#                        nothing is built and the directory is only checked.
#   FLEETGATE_CACHE_DIR  cache root (default: ${XDG_CACHE_HOME:-~/.cache}/fleetgate)
set -euo pipefail

# Pinned versions. Kubernetes 1.35 builds with Go >= 1.25; KWOK 0.8 pairs with 1.34-1.35
# and etcd 3.6.
readonly KUBERNETES_VERSION=v1.35.4
readonly ETCD_VERSION=v3.6.16
readonly KWOK_VERSION=v0.8.0
readonly COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler etcd kwok)

usage() {
  cat <<USAGE
Usage: scripts/build-control-plane.sh [--print-dir] [--help]

Builds kube-apiserver, kube-controller-manager, kube-scheduler ${KUBERNETES_VERSION},
etcd ${ETCD_VERSION} and kwok ${KWOK_VERSION} from the Go module proxy into a cache
directory, skipping any binary that is already there. Needs Go >= 1.25.
A cold build takes 10-20 minutes on 2 cores and about 2 GiB of memory per step.

  --print-dir   print the directory holding the binaries (build first if needed)
  --help        this text

Environment:
  FLEETGATE_ASSETS     use the binaries in this directory instead of building
  FLEETGATE_CACHE_DIR  cache root (default: \${XDG_CACHE_HOME:-~/.cache}/fleetgate)
USAGE
}

print_dir=0
for arg in "$@"; do
  case "$arg" in
    --help|-h) usage; exit 0 ;;
    --print-dir) print_dir=1 ;;
    *) echo "build-control-plane: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

# Progress goes to stderr so that --print-dir's stdout stays one clean line.
log() { printf '[control-plane %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'build-control-plane: %s\n' "$*" >&2; exit 1; }

check_dir() {
  local dir=$1 missing=()
  for c in "${COMPONENTS[@]}"; do [ -x "$dir/$c" ] || missing+=("$c"); done
  [ -d "$dir/kwok-stages" ] || missing+=(kwok-stages)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "${missing[*]}"
    return 1
  fi
}

if [ -n "${FLEETGATE_ASSETS:-}" ]; then
  if ! missing=$(check_dir "$FLEETGATE_ASSETS"); then
    die "FLEETGATE_ASSETS=$FLEETGATE_ASSETS lacks: $missing"
  fi
  log "using prebuilt binaries in $FLEETGATE_ASSETS"
  [ "$print_dir" = 1 ] && echo "$FLEETGATE_ASSETS"
  exit 0
fi

cache_root=${FLEETGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fleetgate}
bin_dir="$cache_root/control-plane/k8s-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"

if missing=$(check_dir "$bin_dir"); then
  log "all binaries present in $bin_dir"
  [ "$print_dir" = 1 ] && echo "$bin_dir"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "Go is not installed or not on PATH; it is needed to build: $missing
Install Go >= 1.25 (https://go.dev/dl/), or set FLEETGATE_ASSETS to a directory holding these binaries."
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
[ "$go_minor" -ge 25 ] 2>/dev/null || die "Go $(go env GOVERSION) is too old; Kubernetes ${KUBERNETES_VERSION} needs Go >= 1.25"

mkdir -p "$bin_dir"
work="$cache_root/control-plane/build"
mkdir -p "$work"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

# Runs a build step while printing the elapsed time every 30 s, so a quiet 5-minute link
# does not look like a hang.
run_step() {
  local name=$1; shift
  local start=$SECONDS logf="$work/$name.log"
  log "building $name ..."
  ( "$@" ) >"$logf" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && log "  $name: still building, $((SECONDS - start))s elapsed"
  done
  if ! wait "$pid"; then
    tail -n 30 "$logf" >&2
    die "building $name failed after $((SECONDS - start))s; full log: $logf"
  fi
  log "built $name in $((SECONDS - start))s"
}

# k8s.io/kubernetes pins its staging modules at v0.0.0 with a replace to ./staging, which
# `go install` cannot follow (kubernetes/kubernetes#79384). A wrapper module replaces each
# staging module, read from the tag's own go.mod, by its published v0.N.M twin.
kube_module() {
  local dir="$work/kubernetes-${KUBERNETES_VERSION}" gomod staging_version
  mkdir -p "$dir"
  gomod=$(go mod download -json "k8s.io/kubernetes@${KUBERNETES_VERSION}" | sed -nE 's/^\s*"GoMod": "(.*)",?$/\1/p')
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@${KUBERNETES_VERSION}"
  staging_version="v0.${KUBERNETES_VERSION#v1.}"
  {
    echo "module fleetgate.local/kubernetes-build"
    echo
    echo "go 1.25.0"
    echo
    echo "require k8s.io/kubernetes ${KUBERNETES_VERSION}"
    echo
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$gomod" \
      | awk -v v="$staging_version" '{ print "replace " $1 " => " $1 " " v }'
  } >"$dir/go.mod"
  cat >"$dir/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
GO
  (cd "$dir" && go mod tidy -e >/dev/null 2>&1 || true)
  echo "$dir"
}

build_kube() {
  local name=$1 dir=$2
  (cd "$dir" && go build -trimpath \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION} -X k8s.io/component-base/version.gitCommit=unknown -X k8s.io/component-base/version.gitTreeState=clean" \
    -o "$bin_dir/$name.tmp" "k8s.io/kubernetes/cmd/$name") && mv "$bin_dir/$name.tmp" "$bin_dir/$name"
}

# etcd's server module is a `package main`; a wrapper module builds it at the pinned tag.
build_etcd() {
  local dir="$work/etcd-${ETCD_VERSION}"
  mkdir -p "$dir"
  printf 'module fleetgate.local/etcd-build\n\ngo 1.25.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >"$dir/tools.go"
  (cd "$dir" && go mod tidy -e && go build -trimpath -ldflags "-s -w" -o "$bin_dir/etcd.tmp" go.etcd.io/etcd/server/v3) \
    && mv "$bin_dir/etcd.tmp" "$bin_dir/etcd"
}

build_kwok() {
  GOBIN="$work/kwok-bin" go install -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION}" \
    "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}" && mv "$work/kwok-bin/kwok" "$bin_dir/kwok"
}

# KWOK 0.8 needs its stage definitions (node and pod lifecycles) passed explicitly; they ship
# inside its module, so they are kept beside the binary.
copy_kwok_stages() {
  local moddir
  moddir=$(go mod download -json "sigs.k8s.io/kwok@${KWOK_VERSION}" | sed -nE 's/^\s*"Dir": "(.*)",?$/\1/p')
  [ -d "$moddir/kustomize/stage" ] || die "kwok ${KWOK_VERSION} module has no kustomize/stage folder"
  rm -rf "$bin_dir/kwok-stages"
  cp -r "$moddir/kustomize/stage" "$bin_dir/kwok-stages"
  chmod -R u+w "$bin_dir/kwok-stages"
}

total_start=$SECONDS
log "building into $bin_dir (missing: $missing)"
need() { [ ! -x "$bin_dir/$1" ]; }
if need kube-apiserver || need kube-controller-manager || need kube-scheduler; then
  log "preparing the Kubernetes ${KUBERNETES_VERSION} wrapper module (downloads modules on first run) ..."
  kdir=$(kube_module)
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    need "$c" && run_step "$c" build_kube "$c" "$kdir"
  done
fi
need etcd && run_step etcd build_etcd
need kwok && run_step kwok build_kwok
[ -d "$bin_dir/kwok-stages" ] || copy_kwok_stages

if missing=$(check_dir "$bin_dir"); then
  log "control plane ready in $bin_dir ($((SECONDS - total_start))s)"
else
  die "still missing after the build: $missing"
fi
[ "$print_dir" = 1 ] && echo "$bin_dir"
exit 0
