#include "protocols/pbft/certificates.h"

#include <algorithm>
#include <set>

namespace meshsim::pbft {

Digest genesis_state() { return kv::Store{}.digest(); }

uint64_t request_statement(const kv::Command& cmd) { return statement(Stmt::request, command_digest(cmd), 0, 0); }
uint64_t pre_prepare_statement(View view, Seq seq, Digest digest) {
  return statement(Stmt::pre_prepare, view, seq, digest);
}
uint64_t vote_statement(Stmt kind, View view, Seq seq, Digest digest) { return statement(kind, view, seq, digest); }
uint64_t checkpoint_statement(Seq seq, Digest state) { return statement(Stmt::checkpoint, seq, state, 0); }

uint64_t view_change_statement(const ViewChange& vc) {
  uint64_t h = hash_combine(vc.new_view, vc.replica);
  h = hash_combine(hash_combine(h, vc.stable_seq), vc.stable_state);
  for (const Signer& s : vc.stable_proof) h = hash_combine(hash_combine(h, s.replica), s.sig.value);
  for (const PreparedProof& p : vc.prepared) {
    h = hash_combine(hash_combine(hash_combine(h, p.view), p.seq), p.digest);
    h = hash_combine(h, p.pre_prepare_sig.value);
    for (const Signer& s : p.prepares) h = hash_combine(hash_combine(h, s.replica), s.sig.value);
  }
  return statement(Stmt::view_change, vc.new_view, vc.replica, h);
}

uint64_t new_view_statement(const NewView& nv) {
  uint64_t h = nv.view;
  for (const ViewChange& vc : nv.view_changes) h = hash_combine(h, vc.sig.value);
  for (const PrePrepare& pp : nv.pre_prepares) h = hash_combine(hash_combine(h, pp.seq), pp.digest);
  return statement(Stmt::new_view, nv.view, 0, h);
}

bool valid_request(const Request& r) { return verify(r.cmd.client, request_statement(r.cmd), r.client_sig); }

namespace {

// `signers` holds at least `needed` distinct replicas whose signatures on `stmt` verify.
bool enough_signers(const Params& p, const std::vector<Signer>& signers, uint64_t stmt, uint32_t needed,
                    NodeId excluded = kNoNode) {
  std::set<NodeId> seen;
  for (const Signer& s : signers) {
    if (!p.is_replica(s.replica) || s.replica == excluded || !verify(s.replica, stmt, s.sig)) continue;
    seen.insert(s.replica);
  }
  return seen.size() >= needed;
}

}  // namespace

bool valid_checkpoint_proof(const Params& p, Seq seq, Digest state, const std::vector<Signer>& proof) {
  if (seq == 0) return state == genesis_state();
  return enough_signers(p, proof, checkpoint_statement(seq, state), p.quorum());
}

bool valid_prepared_proof(const Params& p, const PreparedProof& proof) {
  if (proof.digest != batch_digest(proof.batch)) return false;
  for (const Request& r : proof.batch)
    if (!valid_request(r)) return false;
  const NodeId primary = p.primary(proof.view);
  if (!verify(primary, pre_prepare_statement(proof.view, proof.seq, proof.digest), proof.pre_prepare_sig)) return false;
  return enough_signers(p, proof.prepares, vote_statement(Stmt::prepare, proof.view, proof.seq, proof.digest),
                        2 * p.f(), primary);
}

bool valid_commit_proof(const Params& p, const CommitProof& proof) {
  if (proof.digest != batch_digest(proof.batch)) return false;
  for (const Request& r : proof.batch)
    if (!valid_request(r)) return false;
  return enough_signers(p, proof.commits, vote_statement(Stmt::commit, proof.view, proof.seq, proof.digest), p.quorum());
}

bool valid_view_change(const Params& p, const ViewChange& vc) {
  if (!p.is_replica(vc.replica) || !verify(vc.replica, view_change_statement(vc), vc.sig)) return false;
  if (!valid_checkpoint_proof(p, vc.stable_seq, vc.stable_state, vc.stable_proof)) return false;
  std::set<Seq> seqs;
  for (const PreparedProof& proof : vc.prepared) {
    if (proof.view >= vc.new_view || proof.seq <= vc.stable_seq || proof.seq > vc.stable_seq + p.log_window) return false;
    if (!seqs.insert(proof.seq).second || !valid_prepared_proof(p, proof)) return false;
  }
  return true;
}

const ViewChange& highest_checkpoint(const std::vector<ViewChange>& vcs) {
  return *std::max_element(vcs.begin(), vcs.end(),
                           [](const ViewChange& a, const ViewChange& b) { return a.stable_seq < b.stable_seq; });
}

std::vector<PrePrepare> compute_new_view(const Params& p, View view, NodeId primary,
                                         const std::vector<ViewChange>& vcs) {
  const Seq min_s = highest_checkpoint(vcs).stable_seq;
  Seq max_s = min_s;
  for (const ViewChange& vc : vcs)
    for (const PreparedProof& proof : vc.prepared) max_s = std::max(max_s, proof.seq);
  std::vector<PrePrepare> out;
  for (Seq n = min_s + 1; n <= max_s; ++n) {
    const PreparedProof* best = nullptr;
    for (const ViewChange& vc : vcs)
      for (const PreparedProof& proof : vc.prepared)
        if (proof.seq == n && (!best || proof.view > best->view)) best = &proof;
    PrePrepare pp;
    pp.view = view;
    pp.seq = n;
    if (best) pp.batch = best->batch;
    pp.digest = batch_digest(pp.batch);
    pp.sig = sign(primary, pre_prepare_statement(view, n, pp.digest));
    pp.auth = p.authentication == Authentication::signatures ? kSigBytes : kMacBytes;
    out.push_back(std::move(pp));
  }
  return out;
}

bool valid_new_view(const Params& p, const NewView& nv) {
  const NodeId primary = p.primary(nv.view);
  if (!verify(primary, new_view_statement(nv), nv.sig)) return false;
  std::set<NodeId> senders;
  for (const ViewChange& vc : nv.view_changes) {
    if (vc.new_view != nv.view || !valid_view_change(p, vc)) return false;
    senders.insert(vc.replica);
  }
  if (senders.size() < p.quorum() || senders.size() != nv.view_changes.size()) return false;
  std::vector<PrePrepare> expected = compute_new_view(p, nv.view, primary, nv.view_changes);
  if (expected.size() != nv.pre_prepares.size()) return false;
  for (size_t i = 0; i < expected.size(); ++i)
    if (expected[i].seq != nv.pre_prepares[i].seq || expected[i].digest != nv.pre_prepares[i].digest ||
        expected[i].sig != nv.pre_prepares[i].sig || batch_digest(nv.pre_prepares[i].batch) != expected[i].digest)
      return false;
  return true;
}

}  // namespace meshsim::pbft
