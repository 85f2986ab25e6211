#!/usr/bin/env bash
# Runs schemakit on real-world migration sets and prints one markdown table: per set,
# parse errors and warnings, opaque statements (count and top reason), generated tables,
# `cargo check` of the generated code, lint findings, verify checks a–e, and the times.
# Every set gets its row, whatever fails; per-set logs and a report with the most frequent
# errors go to the log directory. `--help` for the options, `--fetch-list` for rebuilding
# the corpus of scripts/realworld-corpus.txt (its files are never committed).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus_list=$repo/scripts/realworld-corpus.txt

usage() {
  cat <<'EOF'
usage: scripts/realworld.sh [OPTIONS] DIR[:LAYOUT]...
       scripts/realworld.sh [OPTIONS] --corpus ROOT [DIR[:LAYOUT]...]
       scripts/realworld.sh --fetch-list [ROOT]

Runs `schemakit parse`, `generate` (then `cargo check --offline` of the generated crate),
`lint` and `verify` on each migration directory and prints one markdown table, a row per
set. A failing command never stops the run.

  DIR[:LAYOUT]     a migration directory; LAYOUT (up-down, dbmate, goose, sqlx, diesel,
                   flyway, prisma, drizzle; also golang-migrate = sqlx, refinery = flyway)
                   is passed as --layout; without it schemakit detects the layout
  --corpus ROOT    every set of scripts/realworld-corpus.txt, read from ROOT/<name>
                   (with the layout the list gives it)
  --logs DIR       per-set logs and report.md (default: /tmp/realworld)
  --bin PATH       use this schemakit binary instead of building one (also SCHEMAKIT_BIN)
  --release        build schemakit with --release
  --skip STEPS     comma-separated steps to leave out: check, lint, verify
  --provider P     verify's provider (default: local; auto, url, docker, local)
  --pg-bin DIR     verify's PostgreSQL binaries (default: what schemakit finds)
  --timeout SECS   limit for each command (default: 1800)
  --fetch-list [ROOT]
                   print the shell commands that rebuild the corpus under ROOT
                   (default: ./corpus) from the commits the list pins, and exit

Table columns: errors and warnings are parse's diagnostics of those severities (`exit N`
when parse produced no JSON: the directory itself was refused); opaque is the number of
statements kept verbatim and the most frequent kind; tables counts the generated table
modules; a–e are verify's checks (✓ passed, ✗ failed, – not run, E verify refused the set;
"✗ no downs": c failed only because migrations have no down script, as ad-hoc verify
allows no irreversible migration).
Times are seconds. Exit status: 0 when every step of every set ran (whatever it found),
2 when schemakit could not be built or the arguments are wrong.
EOF
}

die() {
  echo "realworld.sh: $*" >&2
  exit 2
}

# The corpus list without comments and blank lines: name tool layout count repo commit path.
corpus_entries() {
  sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$corpus_list"
}

fetch_list() {
  local root=${1:-./corpus} name tool layout count repo_name commit path depth
  cat <<EOF
# Rebuilds the real-world corpus of scripts/realworld-corpus.txt under $root.
# Needs git and access to github.com; pipe into bash. Nothing of it belongs in this repository.
set -euo pipefail
mkdir -p '$root'
EOF
  while read -r name tool layout count repo_name commit path; do
    depth=$(awk -F/ '{ print NF }' <<<"$path")
    cat <<EOF
# $name: $tool ($layout), $count migrations
tmp=\$(mktemp -d) && git -C "\$tmp" init -q && git -C "\$tmp" fetch -q --depth 1 https://github.com/$repo_name $commit &&
  rm -rf '$root/$name' && mkdir -p '$root/$name' &&
  git -C "\$tmp" archive $commit '$path' | tar -x -C '$root/$name' --strip-components=$depth && rm -rf "\$tmp"
EOF
  done < <(corpus_entries)
}

# --- arguments ----------------------------------------------------------------------

logs=/tmp/realworld
bin=${SCHEMAKIT_BIN:-}
release=false
skip=,
provider=local
pg_bin=
timeout_secs=1800
sets=() # name|dir|layout

add_set() { # name dir layout
  sets+=("$1|$2|$3")
}

split_dir() { # DIR[:LAYOUT] → adds the set
  local arg=$1 dir=$1 layout=
  case ${arg##*:} in
  up-down | dbmate | goose | sqlx | diesel | flyway | prisma | drizzle | golang-migrate | refinery)
    if [[ $arg == *:* ]]; then
      dir=${arg%:*}
      layout=${arg##*:}
    fi
    ;;
  esac
  case $layout in
  golang-migrate) layout=sqlx ;;
  refinery) layout=flyway ;;
  esac
  dir=${dir%/}
  local name
  name=$(basename "$dir")
  # `…/db/migrations` is better named by its parent too.
  case $name in
  migrations | migration | drizzle | db | sql) name=$(basename "$(dirname "$dir")")/$name ;;
  esac
  add_set "$name" "$dir" "$layout"
}

while (($#)); do
  case $1 in
  -h | --help)
    usage
    exit 0
    ;;
  --fetch-list)
    fetch_list "${2:-}"
    exit 0
    ;;
  --corpus)
    [[ $# -ge 2 ]] || die "--corpus needs a directory"
    root=${2%/}
    while read -r name _ layout _ _ _ _; do
      [[ $layout == - || $layout == auto ]] && layout=
      add_set "$name" "$root/$name" "$layout"
    done < <(corpus_entries)
    shift
    ;;
  --logs)
    [[ $# -ge 2 ]] || die "--logs needs a directory"
    logs=$2
    shift
    ;;
  --bin)
    [[ $# -ge 2 ]] || die "--bin needs a path"
    bin=$2
    shift
    ;;
  --release) release=true ;;
  --skip)
    [[ $# -ge 2 ]] || die "--skip needs a list"
    skip=,$2,
    shift
    ;;
  --provider)
    [[ $# -ge 2 ]] || die "--provider needs a value"
    provider=$2
    shift
    ;;
  --pg-bin)
    [[ $# -ge 2 ]] || die "--pg-bin needs a directory"
    pg_bin=$2
    shift
    ;;
  --timeout)
    [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "--timeout needs a number of seconds"
    timeout_secs=$2
    shift
    ;;
  -*) die "unknown option $1 (see --help)" ;;
  *) split_dir "$1" ;;
  esac
  shift
done
((${#sets[@]})) || {
  usage >&2
  exit 2
}
command -v jq >/dev/null || die "jq is needed to read schemakit's JSON"

skipped() { [[ $skip == *",$1,"* ]]; }

# --- the binary ---------------------------------------------------------------------

target=${CARGO_TARGET_DIR:-$repo/target}
if [[ -z $bin ]]; then
  profile=debug
  build=(cargo build --quiet --bin schemakit --manifest-path "$repo/Cargo.toml")
  if $release; then
    profile=release
    build+=(--release)
  fi
  echo "building schemakit (${build[*]})" >&2
  "${build[@]}" >&2 || die "cannot build schemakit"
  bin=$target/$profile/schemakit
fi
[[ -x $bin ]] || die "no schemakit binary at $bin"

mkdir -p "$logs"
logs=$(cd "$logs" && pwd)
# One target directory for every generated crate: dependencies compile once.
check_target=$target/realworld

# --- helpers ------------------------------------------------------------------------

now() { echo "${EPOCHREALTIME/,/.}"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# run OUT ERR CMD...: the command under the time limit, stdout to OUT, stderr to ERR;
# returns its exit status (124 on timeout).
run() {
  local out=$1 err=$2
  shift 2
  timeout --signal=TERM --kill-after=30 "$timeout_secs" "$@" >"$out" 2>"$err"
}

# The message of the first failure in ERR: miette's `×` line with its continuation lines,
# else the first line that is not a bare diagnostic code.
first_error() {
  local line
  line=$(awk '
    !found && /^[[:space:]]*×/ { found = 1; sub(/^[[:space:]]*× */, ""); msg = $0; next }
    found && /^[[:space:]]*│/ { sub(/^[[:space:]]*│ */, ""); msg = msg " " $0; next }
    found { exit }
    END { print msg }' "$1" 2>/dev/null || true)
  [[ -n $line ]] || line=$(grep -m1 -vE '^\s*$|^(error: )?[a-z_]+::[a-z_-]+$' "$1" 2>/dev/null || true)
  echo "${line#"${line%%[![:space:]]*}"}"
}

# A markdown cell: no `|`, no newline.
cell() {
  local s=${1//|/\\|}
  echo "${s//$'\n'/ }"
}

# The layout a directory looks like (for the table and the migration count only:
# schemakit decides the layout itself).
guess_layout() {
  local dir=$1
  if compgen -G "$dir/*/up.sql" >/dev/null; then
    echo diesel
  elif compgen -G "$dir/*/migration.sql" >/dev/null; then
    echo prisma
  elif [[ -f $dir/meta/_journal.json ]]; then
    echo drizzle
  elif compgen -G "$dir/V*__*.sql" >/dev/null; then
    echo flyway
  elif compgen -G "$dir/*.up.sql" >/dev/null; then
    echo sqlx
  elif grep -qlis -- '^-- +goose up' "$dir"/*.sql; then
    echo goose
  elif grep -qlis -- '^-- migrate:up' "$dir"/*.sql; then
    echo dbmate
  elif grep -qlsE -- '^--[[:space:]]*UP[[:space:]]*$' "$dir"/*.sql; then
    echo up-down
  else
    echo sqlx
  fi
}

count_migrations() { # dir layout
  local dir=$1
  case $2 in
  diesel) find "$dir" -mindepth 2 -maxdepth 2 -name up.sql | wc -l ;;
  prisma) find "$dir" -mindepth 2 -maxdepth 2 -name migration.sql | wc -l ;;
  drizzle)
    if [[ -f $dir/meta/_journal.json ]]; then
      jq '.entries | length' "$dir/meta/_journal.json" 2>/dev/null || echo '?'
    else
      find "$dir" -maxdepth 1 -name '*.sql' | wc -l
    fi
    ;;
  flyway) find "$dir" -maxdepth 1 \( -name 'V*__*.sql' -o -name 'R__*.sql' \) | wc -l ;;
  sqlx) find "$dir" -maxdepth 1 -name '*.sql' ! -name '*.down.sql' | wc -l ;;
  *) find "$dir" -maxdepth 1 -name '*.sql' | wc -l ;;
  esac
}

# The generated crate's [dependencies], resolved to the workspace's versions (what
# tests/generate.rs does for its hostile-names crate).
crate_dependencies() {
  awk -v repo="$repo" '
    FNR == NR {
      if ($0 ~ /^\[workspace\.dependencies\]/) { ws = 1; next }
      if ($0 ~ /^\[/) ws = 0
      if (ws && $0 ~ /^[A-Za-z0-9_-]+ *=/) { n = $0; sub(/ *=.*/, "", n); spec[n] = $0 }
      next
    }
    /^\[dependencies\]/ { deps = 1; next }
    /^\[/ { deps = 0 }
    deps && NF {
      n = $0; sub(/[. =].*/, "", n)
      if (!(n in spec)) { if ($0 !~ /workspace/) print; next }
      s = spec[n]
      if ($0 ~ /optional = true/) {
        if (s ~ /}$/) sub(/ }$/, ", optional = true }", s)
        else { v = s; sub(/^[^=]*= */, "", v); s = n " = { version = " v ", optional = true }" }
      }
      # A path dependency (the support crate) from the scratch crate.
      sub(/path = "/, "path = \"" repo "/", s)
      print s
    }' "$repo/Cargo.toml" "$repo/generated/Cargo.toml"
}

# The generated crate's [features] (blocking, tokio, serde).
crate_features() {
  awk '/^\[features\]/ { on = 1; next } /^\[/ { on = 0 } on' "$repo/generated/Cargo.toml"
}

# The set's renames from scripts/realworld-renames.toml, as schemakit.toml lines of the
# system named `module`.
rename_lines() { # name module
  local name=$1 module=$2 file="$repo/scripts/realworld-renames.toml"
  [[ -f $file ]] || return 0
  awk -v name="$name" -v module="$module" '
    /^\[/ { on = index($0, "[systems." name ".rename.") == 1
             if (on) { sub("^\\[systems\\." name, "[systems." module) } }
    on && NF { print }' "$file"
}

write_crate() { # dir crate_name module
  local dir=$1 name=$2 module=$3
  {
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n' "$name"
    printf '[workspace]\n\n[features]\n'
    crate_features
    printf '\n[dependencies]\n'
    crate_dependencies
  } >"$dir/Cargo.toml"
  printf '#[rustfmt::skip]\npub mod %s;\n' "$module" >"$dir/src/lib.rs"
  cp "$repo/Cargo.lock" "$dir/Cargo.lock"
}

# --- one set ------------------------------------------------------------------------

# The kind of an opaque statement from its message, names and options left out.
jq_kind='def kind: sub("^opaque to the offline model: "; "") | sub(" \\(.*$"; " (…)")
  | sub("VALIDATE CONSTRAINT .*$"; "VALIDATE CONSTRAINT …");'

rows=()
declare -A used=() # log directories taken in this run
: >"$logs/errors.tsv"
: >"$logs/opaque.tsv"
: >"$logs/verify.tsv"
: >"$logs/lint.tsv"
: >"$logs/failures.tsv"

run_set() { # name dir layout
  local name=$1 dir=$2 layout=$3
  local slug log module largs=() shown count t0 rc
  slug=$(tr -c 'A-Za-z0-9._\n-' '_' <<<"$name")
  [[ -n $slug && $slug != . && $slug != .. ]] || slug="set"
  local base=$slug n=2
  while [[ -n ${used[$slug]:-} ]]; do
    slug=$base-$n
    n=$((n + 1))
  done
  used[$slug]=1
  log=$logs/$slug
  rm -rf "$log"
  mkdir -p "$log"
  module=$(tr '[:upper:]' '[:lower:]' <<<"$name" | tr -c 'a-z0-9\n' '_')
  [[ $module =~ ^[a-z] ]] || module=set_$module
  local perr=– pwarn=– opaque=– tables=– check=– lint=– total=0
  local -A mark=([a]=– [b]=– [c]=– [d]=– [e]=–)
  local tp=– tg=– tc=– tl=– tv=–
  if [[ -n $layout ]]; then
    largs=(--layout "$layout")
    shown=$layout
  elif [[ -d $dir ]]; then
    shown="$(guess_layout "$dir") (detected)"
  else
    shown="?"
  fi
  local start
  start=$(now)
  if [[ ! -d $dir ]]; then
    rows+=("| $(cell "$name") | $(cell "$shown") | – | missing: $(cell "$dir") | – | – | – | – | – | – | – | – | – | – | – | 0 |")
    printf '%s\t%s\t%s\n' "$name" setup "no directory $dir" >>"$logs/failures.tsv"
    return
  fi
  count=$(count_migrations "$dir" "${layout:-$(guess_layout "$dir")}")
  echo "== $name ($shown, $count migrations): $dir" >&2

  # parse
  t0=$(now)
  rc=0
  run "$log/parse.json" "$log/parse.stderr" "$bin" parse "$dir" "${largs[@]}" --format json --color never || rc=$?
  tp=$(since "$t0")
  if jq -e 'type == "object" and has("diagnostics")' "$log/parse.json" >/dev/null 2>&1; then
    perr=$(jq '[.diagnostics[] | select(.severity == "error")] | length' "$log/parse.json")
    pwarn=$(jq '[.diagnostics[] | select(.severity == "warning")] | length' "$log/parse.json")
    opaque=$(jq -r "$jq_kind"' [.diagnostics[] | select(.code == "opaque") | .message | kind]
      | if length == 0 then "0"
        else (group_by(.) | map({k: .[0], n: length}) | sort_by(-.n) | .[0]) as $top
          | "\(length) (\($top.k) ×\($top.n))" end' "$log/parse.json")
    jq -r --arg set "$name" --arg dir "$dir/" '.diagnostics[] | select(.severity == "error")
      | [$set, "\(.loc.file | ltrimstr($dir)):\(.loc.line)", .code, .message] | @tsv' \
      "$log/parse.json" >>"$logs/errors.tsv"
    jq -r --arg set "$name" --arg dir "$dir/" "$jq_kind"' .diagnostics[] | select(.code == "opaque")
      | [$set, "\(.loc.file | ltrimstr($dir)):\(.loc.line)", (.message | kind), (.help | sub(";.*"; ""))] | @tsv' \
      "$log/parse.json" >>"$logs/opaque.tsv"
  else
    perr="exit $rc"
    ((rc == 124)) && perr=timeout
    printf '%s\t%s\t%s\n' "$name" parse "$(first_error "$log/parse.stderr")" >>"$logs/failures.tsv"
  fi

  # generate, then cargo check of a crate around it
  t0=$(now)
  mkdir -p "$log/crate/src"
  rc=0
  local renames
  renames=$(rename_lines "$name" "$module")
  if [[ -n $renames ]]; then
    # Name clashes the set's schema has, renamed as a team adopting schemakit would:
    # through a schemakit.toml around the set.
    printf '[generate]\nout = "src"\n\n[systems.%s]\nmigrations = "%s"\n\n%s\n' \
      "$module" "$dir" "$renames" >"$log/crate/schemakit.toml"
    run "$log/generate.stdout" "$log/generate.stderr" "$bin" generate \
      --config "$log/crate/schemakit.toml" --system "$module" "${largs[@]}" --color never || rc=$?
  else
    run "$log/generate.stdout" "$log/generate.stderr" "$bin" generate "$dir" "${largs[@]}" \
      --out "$log/crate/src/$module" --module "$module" --color never || rc=$?
  fi
  tg=$(since "$t0")
  if ((rc == 0)) && [[ -f $log/crate/src/$module/mod.rs ]]; then
    tables=$(grep -c '^/// Table `' "$log/crate/src/$module/mod.rs" || true)
    if skipped check; then
      check=skipped
    else
      write_crate "$log/crate" "realworld-$module" "$module"
      t0=$(now)
      rc=0
      (cd "$log/crate" && CARGO_TARGET_DIR=$check_target RUSTFLAGS="-D warnings" \
        timeout --signal=TERM --kill-after=30 "$timeout_secs" \
        cargo check --offline --quiet --lib --all-features) >"$log/check.log" 2>&1 || rc=$?
      tc=$(since "$t0")
      if ((rc == 0)); then
        check=ok
      else
        check="✗ $(grep -c '^error' "$log/check.log" || true) errors"
        ((rc == 124)) && check=timeout
        printf '%s\t%s\t%s\n' "$name" "cargo check" "$(grep -m1 '^error' "$log/check.log" || true)" >>"$logs/failures.tsv"
      fi
    fi
  else
    tables="✗"
    ((rc == 124)) && tables=timeout
    printf '%s\t%s\t%s\n' "$name" generate "$(first_error "$log/generate.stderr")" >>"$logs/failures.tsv"
  fi

  # lint
  if skipped lint; then
    lint=skipped
  else
    t0=$(now)
    rc=0
    run "$log/lint.json" "$log/lint.stderr" "$bin" lint "$dir" "${largs[@]}" --format json --color never || rc=$?
    tl=$(since "$t0")
    if ((rc <= 1)) && jq -e 'type == "array"' "$log/lint.json" >/dev/null 2>&1; then
      lint=$(jq -r 'if length == 0 then "0"
        else (group_by(.rule) | map({k: .[0].rule, n: length}) | sort_by(-.n) | .[0]) as $top
          | "\(length) (\($top.k) ×\($top.n))" end' "$log/lint.json")
      jq -r --arg set "$name" '.[] | [$set, .rule] | @tsv' "$log/lint.json" >>"$logs/lint.tsv"
    else
      lint="✗ exit $rc"
      ((rc == 124)) && lint=timeout
      printf '%s\t%s\t%s\n' "$name" lint "$(first_error "$log/lint.stderr")" >>"$logs/failures.tsv"
    fi
  fi

  # verify
  if skipped verify; then
    for c in a b c d e; do mark[$c]=skip; done
  else
    local vargs=(--format json --color never --provider "$provider")
    [[ -z $pg_bin ]] || vargs+=(--pg-bin "$pg_bin")
    t0=$(now)
    rc=0
    run "$log/verify.json" "$log/verify.stderr" "$bin" verify "$dir" "${largs[@]}" "${vargs[@]}" || rc=$?
    tv=$(since "$t0")
    if ((rc <= 1)) && jq -e 'type == "array" and length > 0' "$log/verify.json" >/dev/null 2>&1; then
      local id status first
      while IFS=$'\t' read -r id status first; do
        case $status in
        pass | pass_with_notes) mark[$id]=✓ ;;
        fail) mark[$id]=✗ ;;
        fail_irreversible) mark[$id]="✗ no downs" ;;
        not_run) mark[$id]=– ;;
        *) mark[$id]='?' ;;
        esac
        printf '%s\t%s\t%s\t%s\n' "$name" "$id" "$status" "$first" >>"$logs/verify.tsv"
      done < <(jq -r '.[0].report.checks[] | [.id,
        # A down check that fails only for want of down scripts (forward-only sets).
        (if .outcome.status == "fail" and .id == "c" and (.outcome.details | map(select(test("^migration ")))
          | length > 0 and all(test("has no down script"))) then "fail_irreversible" else .outcome.status end),
        (.outcome.details | if type == "array" then . elif type == "string" then [.] else [] end
          | map(split("\n")[]) | (.[0] // "") as $first
          | if ($first | endswith(":")) and length > 1 then "\($first) \(.[1] | ltrimstr(" ") | ltrimstr(" "))"
            else $first end)] | @tsv' "$log/verify.json")
    else
      for c in a b c d e; do mark[$c]=E; done
      ((rc == 124)) && mark[a]=timeout
      printf '%s\t%s\t%s\n' "$name" verify "$(first_error "$log/verify.stderr")" >>"$logs/failures.tsv"
      printf '%s\t%s\t%s\t%s\n' "$name" "-" "refused (exit $rc)" "$(first_error "$log/verify.stderr")" >>"$logs/verify.tsv"
    fi
  fi

  total=$(since "$start")
  rows+=("| $(cell "$name") | $(cell "$shown") | $count | $perr | $pwarn | $(cell "$opaque") | $tables | $(cell "$check") | $(cell "$lint") | ${mark[a]} | ${mark[b]} | ${mark[c]} | ${mark[d]} | ${mark[e]} | $tp / $tg / $tc / $tl / $tv | $total |")
}

for s in "${sets[@]}"; do
  IFS='|' read -r name dir layout <<<"$s"
  run_set "$name" "$dir" "$layout" || {
    rows+=("| $(cell "$name") | ${layout:-?} | – | the script failed on this set (see $logs) | | | | | | | | | | | | |")
  }
done

# --- the table and the report -------------------------------------------------------

table() {
  echo "| set | layout | migrations | parse errors | warnings | opaque (top kind) | tables | cargo check | lint (top rule) | a | b | c | d | e | s: parse / gen / check / lint / verify | total s |"
  echo "| --- | --- | ---: | ---: | ---: | --- | ---: | --- | --- | :-: | :-: | :-: | :-: | :-: | --- | ---: |"
  printf '%s\n' "${rows[@]}"
}

# Messages with their backquoted names and quoted strings made `…`, versions N, counted;
# with the first example.
top_messages() { # tsv: set loc code message
  awk -F'\t' '{
      m = $4; gsub(/`[^`]*`/, "`…`", m); gsub(/\047[^\047]*\047/, "\047…\047", m); gsub(/[0-9][0-9][0-9][0-9]+/, "N", m)
      k = $3 ": " m
      n[k]++; if (!(k in ex)) ex[k] = $1 "/" $2
    }
    END { for (k in n) printf "%d\t%s\t%s\n", n[k], k, ex[k] }' "$1" | sort -t$'\t' -k1,1nr -k2,2 | head -n "${2:-20}" |
    awk -F'\t' '{ printf "| %d | %s | %s |\n", $1, $2, $3 }'
}

report() {
  echo "# schemakit on real-world migration sets"
  echo
  echo "schemakit: $bin; verify provider: $provider${pg_bin:+ ($pg_bin)}; $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  table
  echo
  echo "## Parse errors, most frequent messages (names and strings as …, versions as N)"
  echo
  echo "| count | code: message | first example |"
  echo "| ---: | --- | --- |"
  top_messages "$logs/errors.tsv" 30
  echo
  echo "## Opaque statements by reason"
  echo
  echo "| count | reason (schemakit's help) | kinds |"
  echo "| ---: | --- | --- |"
  awk -F'\t' '{ n[$4]++; k[$4 SUBSEP $3]++ }
    END {
      for (r in n) {
        t = ""
        for (rk in k) { split(rk, p, SUBSEP); if (p[1] == r) t = t sprintf("%s ×%d, ", p[2], k[rk]) }
        sub(/, $/, "", t); printf "%d\t%s\t%s\n", n[r], r, t
      }
    }' "$logs/opaque.tsv" | sort -t$'\t' -k1,1nr | awk -F'\t' '{ printf "| %d | %s | %s |\n", $1, $2, $3 }'
  echo
  echo "## Opaque statements by kind"
  echo
  echo "| count | kind | sets |"
  echo "| ---: | --- | --- |"
  awk -F'\t' '{ n[$3]++; if (index(s[$3], $1 ";") == 0) s[$3] = s[$3] $1 ";" }
    END { for (k in n) { t = s[k]; sub(/;$/, "", t); gsub(/;/, ", ", t); printf "%d\t%s\t%s\n", n[k], k, t } }' \
    "$logs/opaque.tsv" | sort -t$'\t' -k1,1nr | awk -F'\t' '{ printf "| %d | %s | %s |\n", $1, $2, $3 }'
  echo
  echo "## Verify: first line of each failed or refused check"
  echo
  awk -F'\t' '$3 != "pass" && $3 != "pass_with_notes" { printf "- %s %s (%s): %s\n", $1, $2, $3, $4 }' "$logs/verify.tsv"
  echo
  echo "## Lint findings by rule"
  echo
  cut -f2 "$logs/lint.tsv" | sort | uniq -c | sort -rn | awk '{ printf "- %s: %d\n", $2, $1 }'
  echo
  echo "## Steps that produced no result (first line)"
  echo
  awk -F'\t' '{ printf "- %s, %s: %s\n", $1, $2, $3 }' "$logs/failures.tsv"
}
report >"$logs/report.md" || echo "realworld.sh: the report in $logs/report.md is incomplete" >&2

table
echo
echo "logs: $logs/<set>/ (parse.json, generate.*, crate/, check.log, lint.json, verify.json);" \
  "report with the most frequent errors: $logs/report.md"
