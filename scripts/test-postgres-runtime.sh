#!/usr/bin/env bash
# Tests of scripts/postgres-runtime.sh's Docker decisions, with stub `docker` and `dockerd`
# commands on a PATH that holds nothing else of Docker's (the real ones, if installed, are
# never run). Each case sources the script in a subshell and checks what it decides and
# what it runs: which commands were called, in which order.
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
for tool in cat chmod grep head mkdir nohup rm seq setsid sleep tail touch; do
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
    unset SCHEMAKIT_REBUILD_IMAGES
    # shellcheck source=scripts/postgres-runtime.sh
    source "$SCRIPT"
    # Which dockerd processes exist is the machine's; the stub state says it here.
    dockerd_running() { [ -e "$STATE/dockerd-process" ]; }
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
  pg18_works() { true; }
}

no_images() { daemon_running "$1"; }
pg15_image_only() {
  daemon_running "$1"
  echo 'schemakit/postgres:15' >"$1/state/images"
}
both_images() {
  daemon_running "$1"
  printf '%s\n' 'schemakit/postgres:15' 'schemakit/postgres:18-vector' >"$1/state/images"
}

missing_images_are_built() {
  expect_eq "$(images_to_build)" $'schemakit/postgres:15\nschemakit/postgres:18-vector'
  record_builds
  ensure_images
  grep -q -x 'build_image schemakit/postgres:15' "$STATE/calls"
  grep -q -x 'build_image schemakit/postgres:18-vector' "$STATE/calls"
}
run_case missing_images_are_both_built no_images missing_images_are_built

only_the_missing_image_is_built() {
  expect_eq "$(images_to_build)" 'schemakit/postgres:18-vector'
  record_builds
  ensure_images
  expect_eq "$(grep '^build_image' "$STATE/calls")" 'build_image schemakit/postgres:18-vector'
}
run_case only_the_missing_image_is_built pg15_image_only only_the_missing_image_is_built

present_images_are_kept() {
  expect_eq "$(images_to_build)" ''
  record_builds
  ensure_images
  ! grep -q '^build_image' "$STATE/calls"
}
run_case present_images_are_kept both_images present_images_are_kept

rebuild_builds_both() {
  export SCHEMAKIT_REBUILD_IMAGES=1
  expect_eq "$(images_to_build)" $'schemakit/postgres:15\nschemakit/postgres:18-vector'
}
run_case rebuild_flag_rebuilds_present_images both_images rebuild_builds_both

printf '\npostgres-runtime decisions: %d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" = 0 ]
