#!/usr/bin/env bash
# Local PostgreSQL and Redis for the production profile (deploy/endpoints.production.yml) and its
# tests (tests/production/). Installs them from Debian packages when missing, then runs them on
# 127.0.0.1 with their own data under var/services/ (never the system's clusters).
#
#   scripts/services.sh start  [postgres|redis]   install if missing, start (idempotent)
#   scripts/services.sh stop   [postgres|redis]   stop (idempotent)
#   scripts/services.sh status [postgres|redis]   exit 0 only if every named service answers
#   scripts/services.sh env                       print the DB_* / REDIS_* variables to export
#
# Settings (environment): PG_PORT (default 55432), REDIS_PORT (default 56379), DB_NAME (rasa),
# DB_USER (rasa), DB_PASSWORD and REDIS_PASSWORD (default: generated once into
# var/services/db_password and redis_password, mode 600).
# Non-default ports keep clear of a system PostgreSQL/Redis that a package may have started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VAR=${SERVICES_DIR:-$ROOT/var/services}
PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
DB_NAME=${DB_NAME:-rasa}
DB_USER=${DB_USER:-rasa}
PG_DATA=$VAR/postgres
PG_SOCK=$VAR/pg-socket
PG_LOG=$VAR/postgres.log
REDIS_DIR=$VAR/redis
REDIS_PID=$VAR/redis.pid
REDIS_LOG=$VAR/redis.log

log() { echo "services: $*" >&2; }
die() { log "$*"; exit 1; }

[[ "$DB_NAME" =~ ^[a-z_][a-z0-9_]*$ && "$DB_USER" =~ ^[a-z_][a-z0-9_]*$ ]] ||
  die "DB_NAME and DB_USER must be lower-case identifiers"

mkdir -p "$VAR"
secret() {  # a random secret kept in var/services/$1 (mode 600)
  [[ -s "$VAR/$1" ]] ||
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$VAR/$1")
  cat "$VAR/$1"
}
DB_PASSWORD=${DB_PASSWORD:-$(secret db_password)}
REDIS_PASSWORD=${REDIS_PASSWORD:-$(secret redis_password)}
export REDISCLI_AUTH=$REDIS_PASSWORD

# Run a command as the service account when we are root (PostgreSQL refuses to run as root).
as_user() {
  local user=$1; shift
  if [[ $EUID -eq 0 ]]; then runuser -u "$user" -- "$@"; else "$@"; fi
}
pg_user() { if [[ $EUID -eq 0 ]]; then echo postgres; else id -un; fi; }
redis_user() {
  if [[ $EUID -ne 0 ]]; then id -un
  elif id redis >/dev/null 2>&1; then echo redis
  else echo nobody; fi
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n "$dir" && -x "$dir/initdb" ]] && echo "$dir"
}

apt_install() {
  [[ $EUID -eq 0 ]] || die "$* missing; install the Debian packages $* (needs root)"
  log "installing $* from Debian packages"
  # Keep the packages from starting their own system instances (no init here, and we run our
  # own on other ports); restore whatever policy was there before.
  local policy=/usr/sbin/policy-rc.d backup=""
  if [[ -e $policy ]]; then backup=$(mktemp); cp -p "$policy" "$backup"; fi
  printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"
  local rc=0
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } \
    >"$VAR/apt.log" 2>&1 || rc=$?
  if [[ -n $backup ]]; then mv "$backup" "$policy"; else rm -f "$policy"; fi
  ((rc == 0)) || { tail -n 20 "$VAR/apt.log" >&2; die "apt-get install $* failed"; }
}

ensure_installed() {
  local want=("$@") missing=()
  for svc in "${want[@]}"; do
    case $svc in
      postgres) pg_bin >/dev/null || missing+=(postgresql) ;;
      redis) command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
        missing+=(redis-server redis-tools) ;;
    esac
  done
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
}

pg_running() {
  local bin; bin=$(pg_bin) || return 1
  [[ -f "$PG_DATA/PG_VERSION" ]] || return 1
  as_user "$(pg_user)" "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_ready() {
  local bin; bin=$(pg_bin) || return 1
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2
}

psql_admin() {
  local bin; bin=$(pg_bin)
  as_user "$(pg_user)" "$bin/psql" -v ON_ERROR_STOP=1 -qtA -h "$PG_SOCK" -p "$PG_PORT" \
    -U "$(pg_user)" -d postgres "$@"
}

start_postgres() {
  local bin user; bin=$(pg_bin); user=$(pg_user)
  mkdir -p "$PG_SOCK"; touch "$PG_LOG"
  if [[ $EUID -eq 0 ]]; then chown "$user" "$PG_SOCK" "$PG_LOG"; fi
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    log "initdb $PG_DATA"
    rm -rf "$PG_DATA"; mkdir -p "$PG_DATA"; chmod 700 "$PG_DATA"
    if [[ $EUID -eq 0 ]]; then chown "$user" "$PG_DATA"; fi
    as_user "$user" "$bin/initdb" -D "$PG_DATA" -U "$user" -E UTF8 --no-locale \
      --auth-local=peer --auth-host=scram-sha-256 >"$VAR/initdb.log" 2>&1 ||
      { cat "$VAR/initdb.log" >&2; die "initdb failed"; }
    cat >>"$PG_DATA/postgresql.conf" <<CONF
# scripts/services.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCK'
max_connections = 200
fsync = on
CONF
  fi
  # The port may change between runs: pass it on the command line, not in the config.
  if ! pg_running; then
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_user "$user" "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
      -o "-p $PG_PORT -k $PG_SOCK" start >/dev/null ||
      { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start"; }
  fi
  for _ in $(seq 1 60); do pg_ready && break; sleep 0.5; done
  pg_ready || die "PostgreSQL is not answering on 127.0.0.1:$PG_PORT"
  # Role and database, idempotent; the password is (re)set so DB_PASSWORD always works.
  psql_admin -v user="$DB_USER" -v pw="$DB_PASSWORD" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'user')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
ALTER ROLE :"user" WITH LOGIN PASSWORD :'pw';
SQL
  psql_admin -v user="$DB_USER" -v db="$DB_NAME" >/dev/null <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
}

stop_postgres() {
  if pg_running; then
    log "stopping PostgreSQL"
    as_user "$(pg_user)" "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
  fi
}

redis_ready() {
  command -v redis-cli >/dev/null || return 1
  [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
}

start_redis() {
  if redis_ready; then return 0; fi
  local user; user=$(redis_user)
  mkdir -p "$REDIS_DIR"
  if [[ $EUID -eq 0 ]]; then chown "$user" "$REDIS_DIR"; touch "$REDIS_LOG" "$REDIS_PID"
    chown "$user" "$REDIS_LOG" "$REDIS_PID"; fi
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  # Locks only: no persistence (a lost lock expires anyway; see deploy/README.md). The password
  # goes in a config file, not on the command line (visible in ps).
  (umask 077; cat >"$VAR/redis.conf" <<CONF
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
requirepass $REDIS_PASSWORD
dir $REDIS_DIR
daemonize yes
pidfile $REDIS_PID
logfile $REDIS_LOG
save ""
appendonly no
CONF
  )
  if [[ $EUID -eq 0 ]]; then chown "$user" "$VAR/redis.conf"; fi
  as_user "$user" redis-server "$VAR/redis.conf"
  for _ in $(seq 1 60); do redis_ready && return 0; sleep 0.25; done
  tail -n 20 "$REDIS_LOG" >&2; die "Redis did not start"
}

stop_redis() {
  if redis_ready; then
    log "stopping Redis"
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 1 40); do redis_ready || return 0; sleep 0.25; done
    die "Redis did not stop"
  fi
}

cmd=${1:-status}
shift || true
services=("$@")
((${#services[@]})) || services=(postgres redis)
for svc in "${services[@]}"; do
  [[ $svc == postgres || $svc == redis ]] || die "unknown service '$svc' (postgres|redis)"
done

case $cmd in
  start)
    ensure_installed "${services[@]}"
    for svc in "${services[@]}"; do "start_$svc"; done
    log "up: ${services[*]}"
    ;;
  stop)
    for svc in "${services[@]}"; do "stop_$svc"; done
    ;;
  status)
    ok=0
    for svc in "${services[@]}"; do
      if [[ $svc == postgres ]] && pg_ready; then echo "postgres: up (127.0.0.1:$PG_PORT)"
      elif [[ $svc == redis ]] && redis_ready; then echo "redis: up (127.0.0.1:$REDIS_PORT)"
      else echo "$svc: down"; ok=1; fi
    done
    exit $ok
    ;;
  env)
    cat <<ENV
export DB_HOST=127.0.0.1 DB_PORT=$PG_PORT DB_NAME=$DB_NAME DB_USER=$DB_USER
export DB_PASSWORD=$DB_PASSWORD
export REDIS_HOST=127.0.0.1 REDIS_PORT=$REDIS_PORT
export REDIS_PASSWORD=$REDIS_PASSWORD
ENV
    ;;
  *) die "usage: scripts/services.sh start|stop|status|env [postgres|redis]" ;;
esac
