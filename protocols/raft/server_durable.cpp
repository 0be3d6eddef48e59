// Durable writes on the engine's disk model (sim/disk_model.h), when the run has one.
//
// Figure 2 lists what each server must hold on stable storage before it answers: the
// current term and its vote (before a RequestVote leaves, before a vote is granted) and
// its log (before an AppendEntries is acknowledged). Changes accumulate as "dirty" during
// a step; at its end they go out as one write (a batch: term, vote and the log from the
// first rewritten index), and replies that depend on them wait for it. With batch_writes,
// a write issued while another is in flight waits for it and takes every change made
// meanwhile, so one fsync covers many appends (LogCabin, etcd). A leader ships its own
// entries in parallel with its write when leader_parallel_write (thesis §10.2.1) and counts
// itself in a majority only once they are durable; without it, every message it sends waits
// for the writes before it (send_append).
//
// A crash keeps what completed writes made durable and nothing else: the term, vote and log
// restored are those of the last completed write (snapshots are kept as before).
#include <algorithm>
#include <cassert>

#include "protocols/raft/server.h"

namespace meshsim::raft {

void Server::send_when_durable(const NodeView& v, NodeId to, Message m, Out& out) {
  if (!uses_disk_ || (!dirty() && batches_.empty())) return out.send(to, std::move(m));
  // Open a batch for the dirty state; a reply with nothing dirty of its own still waits for
  // the writes before it (its match index may cover entries they hold).
  if (dirty() && (batches_.empty() || batches_.back().issued)) batches_.emplace_back();
  batches_.back().sends.push_back({to, std::move(m), v.now});
}

void Server::flush_writes(const Params& p, const NodeView& v, Out& out) {
  if (!uses_disk_) return;
  if (dirty() && (batches_.empty() || batches_.back().issued)) batches_.emplace_back();
  if (batches_.empty() || batches_.back().issued) return;
  if (p.batch_writes && batches_.size() > 1) return;  // waits for the write in flight
  Batch& b = batches_.back();
  b.issued = true;
  b.issued_at = v.now;
  b.token = next_token_++;
  b.term = term_;
  b.vote = voted_for_;
  b.from = dirty_from_;
  if (b.from != 0) {
    const Index first = std::max(b.from, log_.snapshot_index() + 1);
    if (first <= log_.last_index()) b.entries = log_.slice(first, log_.last_index());
    b.from = first;
  }
  state_dirty_ = false;
  dirty_from_ = 0;
  // Term and vote (16 bytes) plus the entries, as a log record.
  out.persist(16 + static_cast<uint32_t>(b.entries.size()) * Entry::kWireBytes, b.token);
}

Index Server::durable_index() const {
  if (!uses_disk_) return log_.last_index();
  // The durable log agrees with the one in memory up to the first index that a pending
  // write rewrites.
  Index agree = std::min(durable_log_.last_index(), log_.last_index());
  for (const Batch& b : batches_)
    if (b.issued && b.from != 0) agree = std::min(agree, b.from - 1);
  if (dirty_from_ != 0) agree = std::min(agree, dirty_from_ - 1);
  return std::max(agree, log_.snapshot_index());
}

void Server::on_persisted(const Params& p, const NodeView& v, uint64_t token, Out& out) {
  // Writes complete in the order they were issued (the disk is FIFO), and a crash loses
  // them all, so the first batch is the one that completed.
  assert(!batches_.empty() && batches_.front().issued && batches_.front().token == token);
  (void)token;
  Batch b = std::move(batches_.front());
  batches_.pop_front();
  durable_term_ = b.term;
  durable_vote_ = b.vote;
  if (b.from != 0) {
    const Index cut = std::max(b.from - 1, durable_log_.snapshot_index());
    if (cut < durable_log_.last_index()) durable_log_.truncate_after(cut);
    Index i = b.from;
    for (const Entry& e : b.entries) {
      if (i > durable_log_.snapshot_index() && i == durable_log_.last_index() + 1) durable_log_.append(e);
      ++i;
    }
  }
  for (auto& d : b.sends) {
    if (auto* reply = std::get_if<AppendReply>(&d.msg)) reply->disk_wait_ns = (v.now - d.made).ns;
    out.send(d.to, std::move(d.msg));
  }
  if (role_ == Role::leader) {
    const Index durable = durable_index();
    for (Appended& a : append_times_)
      if (a.index <= durable && a.durable_at.ns < 0) a.durable_at = v.now;
    match_index_[v.self] = durable;
    last_ack_disk_ns_ = 0;
    maybe_commit(p, v, out);
  }
  flush_writes(p, v, out);
}

}  // namespace meshsim::raft
