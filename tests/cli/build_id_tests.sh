#!/usr/bin/env bash
# The build id (git describe + compiler + build type) is taken at every build, not once at
# configure time: after a commit, a plain `cmake --build` stamps runs with the new id, and
# a build with an unchanged id recompiles nothing for it. Checked on the generator script
# against a scratch git repository, then on the real build rules in a clone of this tree
# (configured, but only the one object that embeds the id is built, to stay quick).
# Usage: build_id_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
SCRIPT="$ROOT/cmake/build_id.cmake"
git_in() { git -C "$1" -c user.name=t -c user.email=t@example.com "${@:2}"; }

echo "-- the generator script"
REPO="$WORK/repo"
mkdir -p "$REPO" && git_in "$REPO" init -q && echo a >"$REPO/f" && git_in "$REPO" add f && git_in "$REPO" commit -qm one
HEADER="$WORK/gen/meshsim_build_id.h"
mkdir -p "$WORK/gen"
generate() { cmake -DSOURCE_DIR="$REPO" -DOUTPUT="$HEADER" -DCOMPILER=GNU-1.2 -DBUILD_TYPE=Release -P "$SCRIPT"; }
generate
first=$(git -C "$REPO" rev-parse --short HEAD)
expect_exit "the header holds git describe, compiler and build type" 0 "^#define MESHSIM_BUILD_ID \"$first GNU-1.2 Release\"$" cat "$HEADER"
stamp=$(stat -c %Y.%y "$HEADER")
sleep 1.1
generate
[[ $(stat -c %Y.%y "$HEADER") == "$stamp" ]] && pass "an unchanged id leaves the header untouched (nothing recompiles)" || fail "the header was rewritten with the same id"
echo b >"$REPO/f"
generate
expect_exit "uncommitted changes mark the id dirty" 0 "\"$first-dirty GNU-1.2 Release\"" cat "$HEADER"
git_in "$REPO" commit -qam two
generate
second=$(git -C "$REPO" rev-parse --short HEAD)
[[ $second != "$first" ]] && expect_exit "a new commit gives a new id" 0 "\"$second GNU-1.2 Release\"" cat "$HEADER" || fail "the test repository did not move"
git_in "$REPO" tag v9.9
generate
expect_exit "a tag shows as git describe names it" 0 "\"v9.9 GNU-1.2 Release\"" cat "$HEADER"
rm -rf "$REPO/.git"
generate
expect_exit "outside git the id says unknown" 0 "\"unknown GNU-1.2 Release\"" cat "$HEADER"

echo "-- the build rules, in a clone of this tree"
CLONE="$WORK/clone"
if ! git clone -q --local "$ROOT" "$CLONE" 2>"$WORK/clone.err"; then
  fail "cannot clone $ROOT" "$(cat "$WORK/clone.err")"
else
  OBJECT=CMakeFiles/meshsim.dir/app/build_info.cpp.o
  cmake -S "$CLONE" -B "$CLONE/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMESHSIM_TESTS=OFF >"$WORK/configure.log" 2>&1 \
    || fail "configure failed" "$(tail -20 "$WORK/configure.log")"
  build_object() { cmake --build "$CLONE/build" --target "$OBJECT" -j 1 >>"$WORK/build.log" 2>&1 || fail "build failed" "$(tail -20 "$WORK/build.log")"; }
  embedded() { strings "$CLONE/build/$OBJECT" | grep -m1 -E "^[0-9a-zv][^ ]* [A-Za-z]+-[0-9.]+ Release$"; }
  build_object
  id1=$(embedded)
  [[ $id1 == "$(git -C "$CLONE" describe --always --dirty --tags) "* ]] && pass "the object embeds the clone's id ($id1)" || fail "embedded id '$id1'"
  stamp=$(stat -c %Y.%y "$CLONE/build/$OBJECT")
  sleep 1.1
  build_object
  [[ $(stat -c %Y.%y "$CLONE/build/$OBJECT") == "$stamp" ]] && pass "a rebuild with the same id does not recompile it" || fail "the object was recompiled for an unchanged id"
  echo "# a change" >>"$CLONE/README.md"
  git_in "$CLONE" commit -qam "a new commit"
  build_object  # no configure in between: exactly what a developer does after committing
  id2=$(embedded)
  [[ $id2 != "$id1" && $id2 == "$(git -C "$CLONE" describe --always --dirty --tags) "* ]] \
    && pass "after a commit a plain rebuild embeds the new id ($id2)" || fail "after a commit: '$id1' then '$id2'"
fi

echo "-- the binary under test"
expect_exit "meshsim --version prints the build id" 0 "^meshsim [^ ]+ [A-Za-z]+-[0-9.]+ [A-Za-z]*$" "$MESHSIM" --version
version=$("$MESHSIM" --version | sed 's/^meshsim //')
"$MESHSIM" run scenarios/raft/quiet.toml --db "$WORK/runs.db" --quiet >/dev/null
[[ $(sqlite3 "$WORK/runs.db" "select build_id from runs") == "$version" ]] && pass "runs store the same id" || fail "stored id differs from --version"
finish
