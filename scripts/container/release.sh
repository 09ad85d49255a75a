#!/usr/bin/env bash
# The release pipeline: the image (podman, else docker) and the chart package (helm package).
#   npm run release                  the public base images (a machine that reaches their registries)
#   npm run release -- --local-bases bases made here from Debian and npm packages (scripts/container/bases.sh)
# Writes the image flower-mesh:<version> (localhost/flower-mesh:<version> with podman) and
# dist/release/flower-mesh-<version>.tgz; prints both.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(node -p 'require("./package.json").version')
build_args=()
if [ "${1:-}" = "--local-bases" ]; then
  bash scripts/container/bases.sh
  build_args=(--build-arg BUILD_BASE=localhost/mesh-node-build:20 --build-arg RUNTIME_BASE=localhost/mesh-node:20)
fi
if command -v podman >/dev/null; then
  # --network host: the build's npm install reaches the registry as this machine does.
  podman --runtime "${PODMAN_RUNTIME:-$PWD/scripts/container/runc}" build --network host "${build_args[@]}" \
    -t "localhost/flower-mesh:$version" .
  image="localhost/flower-mesh:$version"
else
  docker build "${build_args[@]}" -t "flower-mesh:$version" .
  image="flower-mesh:$version"
fi
mkdir -p dist/release
npx tsx scripts/helm.ts package helm --destination dist/release
echo "image: $image"
echo "chart: dist/release/flower-mesh-$version.tgz"
