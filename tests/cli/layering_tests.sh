#!/usr/bin/env bash
# The layers of docs/architecture.md, checked on the sources: the kernel (sim/*.h, *.cpp)
# includes neither toml++ nor SQLite nor any layer above it, so a test, the live window or
# an MPI rank can build a run without a scenario file. A header a kernel file includes is
# itself a kernel file (it sits in sim/), so checking every one covers what they pull in.
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"

# Prints every forbidden include in the .h/.cpp files of folder $1.
forbidden_includes() {
  grep -nE '#include *[<"](toml\+\+/|sqlite3\.h|sim/scenario/|app/|sink/|protocols/|viz/|imgui|GLFW|CLI/)' \
    "$1"/*.h "$1"/*.cpp 2>/dev/null
}

found=$(forbidden_includes sim)
if [[ -z "$found" ]]; then pass "the kernel includes no toml++, SQLite, scenario-layer, protocol, sink or CLI header"
else fail "the kernel includes a header of a layer above it" "$found"; fi

# The checker itself: a copy of the kernel with one planted include must be caught.
cp sim/*.h sim/*.cpp "$WORK"/
echo '#include <toml++/toml.h>' >> "$WORK/network.cpp"
if forbidden_includes "$WORK" | grep -q network.cpp; then pass "a toml++ include planted in the kernel is caught"
else fail "a toml++ include planted in the kernel went unnoticed"; fi

# And the build agrees: the kernel library links Boost alone.
if grep -q 'target_link_libraries(meshsim_core PUBLIC Boost::boost)$' CMakeLists.txt &&
   ! grep -E 'target_link_libraries\(meshsim_core .*(toml|SQLite)' CMakeLists.txt >/dev/null; then
  pass "CMake links the kernel library without toml++ or SQLite"
else fail "CMake links the kernel library with toml++ or SQLite"; fi

finish
