// Linearizability checker for a key-value history (history.h), in the manner of Knossos
// and Porcupine.
//
// - M. Herlihy, J. Wing. Linearizability: a correctness condition for concurrent objects.
//   TOPLAS 1990. The definition checked here.
// - J. Wing, C. Gong. Testing and verifying concurrent objects. JPDC 1993. The search:
//   repeatedly pick a pending operation that may be linearized next, backtrack on failure.
// - G. Lowe. Testing for linearizability. CCPE 2017. Memoising (set of linearized operations,
//   object state) so no configuration is explored twice.
// - A. Horn, D. Kroening. Faster linearizability checking via P-compositionality. FORTE 2015.
//   Keys are independent registers, so a history is linearizable iff each key's is; one
//   small search per key costs the sum of their sizes, not a search over their product.
//
// See README.md in this folder for the semantics of indeterminate operations, the reductions
// that keep the search small, and the budget.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocols/kv/history.h"
#include "sim/check_progress.h"

namespace meshsim::kv {

struct LinearizabilityResult {
  enum class Verdict { linearizable, not_linearizable, unknown };  // unknown: search budget exhausted
  Verdict verdict = Verdict::linearizable;
  // For not_linearizable / unknown: the smallest key with that verdict. A definite violation
  // wins over an exhausted budget: keys are checked in ascending order, the check stops at the
  // first non-linearizable key, and keys that ran out of budget are reported only if none is.
  uint32_t key = 0;
  // For a failure: the key, the longest linearizable prefix found (its last operations, each
  // with its index in the input, client, kind, values, invocation and completion in ms), the
  // register value after it, and the operations that could not be placed next, with why.
  std::string explanation;
  bool cancelled = false;        // unknown because CheckProgress::cancel stopped the search
  uint64_t states_explored = 0;  // configurations memoised, summed over the keys checked
  size_t keys_checked = 0;       // keys searched, including the failing one
  size_t operations = 0;         // operations in the input
};

const char* to_string(LinearizabilityResult::Verdict v);

// Checks `ops` (any order; indices in the explanation are positions in `ops`). Each key's
// search gives up with `unknown` once it has memoised more than max_states_per_key
// configurations, about 80 bytes each (so the default bounds a key at about 400 MB, freed
// before the next key). Deterministic: same input, same result and explanation.
// `progress`, when given, is kept up to date (keys done, states of the current key) for a
// watcher on another thread, and its `cancel` flag stops the search with `unknown`.
// Throws std::invalid_argument if a completed operation completes before it is invoked.
inline constexpr uint64_t kDefaultMaxStatesPerKey = 5'000'000;
LinearizabilityResult check_linearizable(const std::vector<Operation>& ops,
                                         uint64_t max_states_per_key = kDefaultMaxStatesPerKey,
                                         CheckProgress* progress = nullptr);

}  // namespace meshsim::kv
