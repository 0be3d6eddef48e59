// pBFT replicas honouring membership's read-only state (issue 13), stepped by hand
// (tests/unit/pbft_harness.h): a read-only replica refuses a client's write and a read-only
// primary proposes none, not even one queued while it was writable; gets still go through
// the protocol; the client gives a write up only on f+1 refusals; the planted bug
// ignore-read-only proposes the write.
#include <doctest/doctest.h>

#include "tests/unit/pbft_harness.h"

using namespace meshsim;
using namespace meshsim::pbft;
using meshsim::pbft::testing::Harness;

namespace {

Params four_with(double get_share, uint32_t batch = 1) {
  Params p;
  p.replicas = 4;
  p.batch_size = batch;
  p.workload.think = Duration::millis(1);
  p.workload.get_share = get_share;
  p.workload.cas_share = 0;  // the rest are puts
  return p;
}

}  // namespace

TEST_CASE("pbft read-only: a read-only primary refuses a put and proposes nothing, and f+1 refusals make the client give up") {
  Harness h(four_with(0));
  h.replica(0).set_read_only(true);
  h.issue(4);
  h.deliver_all();
  CHECK(h.count("PrePrepare") == 0);
  CHECK(h.count("r0 -> c4 Reply") == 1);
  CHECK(h.client(4).workload().pending().size() == 1);  // one refusal may be a liar's: not enough
  CHECK(h.replica(0).waiting() == 0);                    // no view-change timer for a refused write
  // The client retransmits to every replica; a second read-only replica refuses too.
  h.replica(1).set_read_only(true);
  h.now = h.now + h.p.workload.request_timeout;
  h.fire(4, kClientRetryTimer);
  h.deliver_all();
  CHECK(h.count("PrePrepare") == 0);
  CHECK(h.client(4).workload().pending().empty());
  CHECK(h.client(4).given_up_read_only() == 1);
  CHECK(h.client(4).workload().completed() == 0);
}

TEST_CASE("pbft read-only: gets still go through the protocol on a read-only primary") {
  Harness h(four_with(1));
  h.replica(0).set_read_only(true);
  h.issue(4);
  h.deliver_all();
  CHECK(h.count("PrePrepare v0 n1") == 3);
  CHECK(h.client(4).workload().completed() == 1);
}

TEST_CASE("pbft read-only: a write queued while writable is refused when the primary proposes read-only") {
  Harness h(four_with(0, /*batch=*/2));
  h.issue(4);
  h.deliver_all();  // one put waits in the primary's queue for a second one or the batch timeout
  CHECK(h.count("PrePrepare") == 0);
  h.replica(0).set_read_only(true);
  h.fire(0, kBatchTimer);
  h.deliver_all();
  CHECK(h.count("PrePrepare") == 0);
  CHECK(h.count("r0 -> c4 Reply") == 1);
}

TEST_CASE("pbft read-only: the planted bug ignore-read-only proposes the write") {
  Params p = four_with(0);
  p.bug = Bug::ignore_read_only;
  Harness h(p);
  h.replica(0).set_read_only(true);
  h.issue(4);
  h.deliver_all();
  CHECK(h.count("PrePrepare v0 n1") == 3);
  CHECK(h.client(4).workload().completed() == 1);
}
