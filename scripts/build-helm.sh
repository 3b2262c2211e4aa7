#!/usr/bin/env bash
# Builds the helm binary the chart tests run (helm lint, helm template), at a pinned
# version, from the Go module proxy. The binary lands in the same cache as the control
# plane (scripts/build-control-plane.sh) and is not rebuilt when it is already there, so a
# machine that built it once pays nothing more.
#
# Environment:
#   FLEETGATE_HELM       a helm binary to use instead of building (it is only checked)
#   FLEETGATE_CACHE_DIR  cache root (default: ${XDG_CACHE_HOME:-~/.cache}/fleetgate)
set -euo pipefail

readonly HELM_VERSION=v3.22.0

usage() {
  cat <<USAGE
Usage: scripts/build-helm.sh [--print-path] [--help]

Builds helm ${HELM_VERSION} (helm.sh/helm/v3) from the Go module proxy into a cache
directory, unless it is already there. Needs Go >= 1.25. A cold build takes a few minutes.

  --print-path  print the path of the helm binary (build first if needed)
  --help        this text

Environment:
  FLEETGATE_HELM       use this helm binary instead of building
  FLEETGATE_CACHE_DIR  cache root (default: \${XDG_CACHE_HOME:-~/.cache}/fleetgate)
USAGE
}

print_path=0
for arg in "$@"; do
  case "$arg" in
    --help|-h) usage; exit 0 ;;
    --print-path) print_path=1 ;;
    *) echo "build-helm: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

# Progress goes to stderr so that --print-path's stdout stays one clean line.
log() { printf '[helm %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'build-helm: %s\n' "$*" >&2; exit 1; }

if [ -n "${FLEETGATE_HELM:-}" ]; then
  [ -x "$FLEETGATE_HELM" ] || die "FLEETGATE_HELM=$FLEETGATE_HELM is not an executable file"
  log "using $FLEETGATE_HELM"
  [ "$print_path" = 1 ] && echo "$FLEETGATE_HELM"
  exit 0
fi

cache_root=${FLEETGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fleetgate}
bin_dir="$cache_root/helm/${HELM_VERSION}"
helm="$bin_dir/helm"

if [ -x "$helm" ]; then
  log "helm ${HELM_VERSION} present in $bin_dir"
  [ "$print_path" = 1 ] && echo "$helm"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "Go is not installed or not on PATH; it is needed to build helm.
Install Go >= 1.25 (https://go.dev/dl/), or set FLEETGATE_HELM to a helm binary."

mkdir -p "$bin_dir"
logf="$bin_dir/build.log"
export GOTOOLCHAIN=local CGO_ENABLED=0

# Two test files may ask at once: one builds, the other waits for it.
exec 9>"$bin_dir/.lock"
if ! flock -n 9; then
  log "another build of helm is running; waiting for it ..."
  flock 9
  [ -x "$helm" ] || die "the other build of helm failed; see $logf"
  [ "$print_path" = 1 ] && echo "$helm"
  exit 0
fi

start=$SECONDS
log "building helm ${HELM_VERSION} into $bin_dir (downloads modules on first run) ..."
(
  # Like helm's own Makefile: the Kubernetes version `helm template` and `helm lint` assume
  # is the one of the client-go it is built with (without it, v1.20).
  gomod=$(go mod download -json "helm.sh/helm/v3@${HELM_VERSION}" | sed -nE 's/^\s*"GoMod": "(.*)",?$/\1/p')
  client_go=$(sed -nE 's/^\s*k8s\.io\/client-go v0\.([0-9]+)\.[0-9]+.*$/\1/p' "$gomod" | head -n 1)
  [ -n "$client_go" ] || { echo "no k8s.io/client-go version in $gomod"; exit 1; }
  kube_flags=""
  for pkg in pkg/lint/rules pkg/chartutil; do
    kube_flags+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$client_go"
  done
  GOBIN="$bin_dir/gobin" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}$kube_flags" \
    "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" && mv "$bin_dir/gobin/helm" "$helm"
) >"$logf" 2>&1 &
pid=$!
# The elapsed time every 20 s, so a quiet link step does not look like a hang.
while kill -0 "$pid" 2>/dev/null; do
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$pid" 2>/dev/null && log "  still building, $((SECONDS - start))s elapsed"
done
if ! wait "$pid"; then
  tail -n 30 "$logf" >&2
  die "building helm failed after $((SECONDS - start))s; full log: $logf"
fi
rmdir "$bin_dir/gobin" 2>/dev/null || true
log "built helm ${HELM_VERSION} in $((SECONDS - start))s"
[ "$print_path" = 1 ] && echo "$helm"
exit 0
