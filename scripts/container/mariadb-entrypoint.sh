#!/bin/sh
# The local MariaDB image's entrypoint: what the mysql image's docker-entrypoint.sh does for the
# chart's MySQL. On a first start (an empty data directory) it initialises it with root's password
# from MYSQL_ROOT_PASSWORD, for root@localhost and root@'%'; then it runs the server on every
# address, with temporary files under /var/run/mysqld (the root filesystem is read-only).
set -eu
[ "${1:-}" = mysqld ] && shift
datadir=/var/lib/mysql
for arg in "$@"; do
  case "$arg" in --datadir=*) datadir=${arg#--datadir=} ;; esac
done
run=/var/run/mysqld
if [ ! -d "$datadir/mysql" ]; then
  : "${MYSQL_ROOT_PASSWORD:?MYSQL_ROOT_PASSWORD is required on a first start}"
  echo "initialising $datadir"
  mkdir -p "$datadir"
  mariadb-install-db --datadir="$datadir" --auth-root-authentication-method=normal --skip-test-db --tmpdir="$run" >/dev/null
  mariadbd --datadir="$datadir" --skip-networking --socket="$run/init.sock" --tmpdir="$run" --pid-file="$run/init.pid" &
  pid=$!
  i=0
  until mariadb-admin --socket="$run/init.sock" ping --silent 2>/dev/null; do
    i=$((i + 1)); [ "$i" -gt 60 ] && { echo "the first start's server never answered" >&2; exit 1; }
    sleep 1
  done
  password=$(printf '%s' "$MYSQL_ROOT_PASSWORD" | sed "s/'/''/g")
  mariadb --socket="$run/init.sock" -uroot <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '$password';
CREATE USER 'root'@'%' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
  kill "$pid"
  wait "$pid" || true
  echo "initialised"
fi
exec mariadbd --bind-address=0.0.0.0 --socket="$run/mysqld.sock" --pid-file="$run/mysqld.pid" --tmpdir="$run" --skip-name-resolve "$@"
