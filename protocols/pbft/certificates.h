// Signing and checking the certificates pBFT's view change and state transfer carry
// (OSDI 1999 §4.3–4.4), and the new primary's computation of O from V. Shared by honest
// replicas (who sign and check) and the Byzantine behaviours (which sign with their own id
// only). All functions are pure.
#pragma once
#include <optional>
#include <vector>

#include "protocols/pbft/messages.h"
#include "protocols/pbft/params.h"

namespace meshsim::pbft {

// The service state before any request: what a stable checkpoint at seq 0 certifies.
Digest genesis_state();

uint64_t request_statement(const kv::Command& cmd);
uint64_t pre_prepare_statement(View view, Seq seq, Digest digest);
uint64_t vote_statement(Stmt kind, View view, Seq seq, Digest digest);
uint64_t checkpoint_statement(Seq seq, Digest state);
uint64_t view_change_statement(const ViewChange& vc);
uint64_t new_view_statement(const NewView& nv);

bool valid_request(const Request& r);
// 2f+1 distinct replicas signed CHECKPOINT(seq, state) (seq 0 needs none: it is genesis).
bool valid_checkpoint_proof(const Params& p, Seq seq, Digest state, const std::vector<Signer>& proof);
// The batch matches its digest, its requests are genuine, and 2f+1 distinct replicas signed
// COMMIT for it.
bool valid_commit_proof(const Params& p, const CommitProof& proof);
bool valid_prepared_proof(const Params& p, const PreparedProof& proof);
// A VIEW-CHANGE is valid if signed by its replica, its checkpoint proof holds, and each
// prepared certificate is valid, above the checkpoint, within the window and below the new view.
bool valid_view_change(const Params& p, const ViewChange& vc);

// The pre-prepares O for `view` computed from V (§4.4): every sequence number between the
// highest stable checkpoint in V (min-s) and the highest prepared one (max-s) gets the
// request prepared in the highest view, or the null request. Signed by `primary`.
std::vector<PrePrepare> compute_new_view(const Params& p, View view, NodeId primary,
                                         const std::vector<ViewChange>& vcs);
// The stable checkpoint a NEW-VIEW's V establishes (the VIEW-CHANGE with the highest).
const ViewChange& highest_checkpoint(const std::vector<ViewChange>& vcs);
// Checks a NEW-VIEW: signed by the view's primary, 2f+1 valid VIEW-CHANGEs for this view
// from distinct replicas, and O exactly as recomputed from them.
bool valid_new_view(const Params& p, const NewView& nv);

}  // namespace meshsim::pbft
