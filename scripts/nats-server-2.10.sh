#!/usr/bin/env bash
# Puts a NATS 2.10 server at .cache/nats-server-2.10/nats-server for the tests of what 2.10 changes
# (a consumer filtered on several subjects). The chart deploys NATS 2.10; Debian bookworm, where
# this project is developed, ships 2.9. Debian trixie's package holds a static binary that runs
# here too: it comes from Debian's archive, checked against the archive's SHA-256.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/nats-server-2.10
if [ -x "$dir/nats-server" ]; then exit 0; fi
if [ "$(uname -m)" != x86_64 ]; then
  echo "nats-server 2.10: no package for $(uname -m) here; its tests will be skipped" >&2
  exit 0
fi
archive=http://deb.debian.org/debian
file=pool/main/n/nats-server/nats-server_2.10.27-1+b2_amd64.deb
sha256=6d913ac987b78734c08537c2adeb1526cf735f216173a9170d94b185fcfe6f8a
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! curl -fsS -o "$tmp/nats.deb" "$archive/$file"; then
  # The archive keeps only current versions: find trixie's one in its package index.
  curl -fsS "$archive/dists/trixie/main/binary-amd64/Packages.gz" | zcat > "$tmp/Packages"
  entry=$(awk '/^Package: nats-server$/{f=1} f&&/^(Filename|SHA256):/{print $2} f&&/^$/{exit}' "$tmp/Packages")
  file=$(sed -n 1p <<<"$entry")
  sha256=$(sed -n 2p <<<"$entry")
  case "$file" in pool/main/n/nats-server/nats-server_2.1[0-9].*) ;; *) echo "no nats-server 2.1x in trixie's index ($file)" >&2; exit 1 ;; esac
  curl -fsS -o "$tmp/nats.deb" "$archive/$file"
fi
echo "$sha256  $tmp/nats.deb" | sha256sum -c --quiet -
dpkg-deb -x "$tmp/nats.deb" "$tmp/x"
mkdir -p "$dir"
install -m 0755 "$tmp/x/usr/sbin/nats-server" "$dir/nats-server"
"$dir/nats-server" --version
