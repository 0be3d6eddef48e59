// Delta debugging (Zeller & Hildebrandt, "Simplifying and Isolating Failure-Inducing Input",
// IEEE TSE 2002): the ddmin algorithm, over the indices of any list (faults of a schedule,
// nodes of a fault). Given a list for which a test fails, it finds a sub-list that still
// fails and is 1-minimal: removing any single element of it makes the failure go away.
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

namespace meshsim::shrink {

// `fails(subset)` re-runs the test on the listed indices (sorted, a subset of 0..count-1)
// and says whether the same failure happens. It is never asked about the whole list, which
// the caller knows fails; it is asked about the empty list first, since many failures need
// no element at all. Returns the indices kept, sorted.
//
// Complements are tried before subsets at each granularity: removing one n-th of a fault
// schedule keeps most of the interleaving that failed, so it succeeds far more often than
// keeping only one n-th, and each success shrinks the list at once (the reduce-to-complement
// step of §3.2). A `fails` that stops running (a budget spent) answers false: ddmin then ends
// early with a list that still fails but may not be 1-minimal.
std::vector<size_t> ddmin(size_t count, const std::function<bool(const std::vector<size_t>&)>& fails);

}  // namespace meshsim::shrink
