# syntax=docker/dockerfile:1
# One image for every service; the argument picks it:
#   docker build -t flower-mesh .           (or podman build; npm run release builds it and packages the chart)
#   docker run flower-mesh payment          (default: gateway)
# Inside: HTTP (REST, Connect, gRPC-Web, probes, metrics) on 8080, gRPC on 9090, SQLite files under
# DATA_DIR=/data (mount a volume there, or set DATABASE_URL), NATS at NATS_URL.

# Build: install everything (postinstall runs buf to generate gen/), compile to dist/, then drop the
# dev dependencies (buf, TypeScript, ...). better-sqlite3 is native, so it is built here on Debian 12
# (glibc), the same as the runtime stage; the toolchain is for when no prebuilt binary fits.
#
# The base images are arguments: the public ones below for a real cluster; scripts/container/bases.sh
# makes local equivalents from Debian and npm packages where no registry is reachable
# (npm run release -- --local-bases).
ARG BUILD_BASE=node:20-bookworm-slim
ARG RUNTIME_BASE=gcr.io/distroless/nodejs20-debian12:nonroot

FROM ${BUILD_BASE} AS build
# A base that already has the toolchain (the local one) skips apt.
RUN (command -v g++ && command -v make && command -v python3) >/dev/null \
 || (apt-get update \
     && apt-get install -y --no-install-recommends python3 make g++ \
     && rm -rf /var/lib/apt/lists/*)
WORKDIR /app
COPY package.json package-lock.json .npmrc buf.yaml buf.gen.yaml ./
COPY proto/ proto/
# npm install, not npm ci, for the reason .ci/run gives: the lock file is made against a registry
# that lacks some optional platform builds (buf for macOS, Windows, armv7), and npm ci refuses a
# lock file that does not list them. The versions it does list are the ones installed.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY mesh/ mesh/
COPY services/ services/
COPY docs/openapi.json docs/
# After the prune: better-sqlite3 keeps only its compiled addon (not the SQLite sources and object
# files it was built from), and must load.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node . && rm -rf build deps src \
 && mkdir -p build/Release && mv better_sqlite3.node build/Release/ \
 && cd /app && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()" \
 && mkdir -p /data

# Runtime: distroless Node (no shell, no npm), non-root, only what the services run. A runtime base
# must have node at /nodejs/bin/node, as distroless has.
FROM ${RUNTIME_BASE}
WORKDIR /app
ENV NODE_ENV=production \
    HTTP_PORT=8080 \
    GRPC_PORT=9090 \
    DATA_DIR=/data
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/dist/ dist/
COPY --from=build --chown=65532:65532 /data /data
USER 65532:65532
EXPOSE 8080 9090
# Node flags, for a small idle footprint (npm run bench:footprint measures a service as this line runs it):
# --max-semi-space-size=1 caps V8's young generation at 2 x 1 MB (by default it grows to 2 x 16 MB while
# the service starts and stays there until V8's memory reducer, some 10-20 s later, gives it back): about
# 12 MB less a few seconds after ready, for about 4 % more CPU per request under full load (more, smaller
# scavenges). --v8-pool-size=1: one V8 background thread instead of four (concurrent GC and compilation
# still run beside the main thread; a pod asks for 0.1 CPU): about 3 MB less, idle or settled.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=1", "--v8-pool-size=1", "dist/services/run.js"]
CMD ["gateway"]
