#include "viz/mesh_view.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "sim/rng.h"
#include "viz/palette.h"

namespace meshsim::viz {

namespace {
ImVec2 v(Point2 p) { return {p.x, p.y}; }
}  // namespace

void MeshView::set_layout(Layout layout, const Topology& topology) {
  layout_ = std::move(layout);
  edges_.clear();
  edges_total_ = 0;
  links_image_.key = 0;  // a new layout: the links are painted again
  for (NodeId a = 0; a < topology.node_count(); ++a)
    for (NodeId b : topology.neighbors(a))
      if (a < b) ++edges_total_;
  // The sample is chosen once, by a hash of the link's ends, so it never flickers.
  const double keep = std::min(1.0, static_cast<double>(kMaxDrawnEdges) / static_cast<double>(std::max<size_t>(1, edges_total_)));
  const auto keep_below = static_cast<uint64_t>(keep * 18446744073709551615.0);
  for (NodeId a = 0; a < topology.node_count(); ++a)
    for (NodeId b : topology.neighbors(a))
      if (a < b && (keep >= 1.0 || splitmix64_mix(uint64_t{a} << 32 | b) <= keep_below)) edges_.emplace_back(a, b);
}

float MeshView::node_radius() const {
  // About a third of the typical spacing between nodes, so neighbours never touch.
  const float n = static_cast<float>(std::max<size_t>(1, layout_.pos.size()));
  return std::clamp(0.33f * camera_.scale() / std::sqrt(n), 1.2f, 15.0f);
}

NodeId MeshView::node_at(float x, float y) const {
  const float reach = node_radius() + 4;
  float best = reach * reach;
  NodeId found = kNoNode;
  for (NodeId n = 0; n < layout_.pos.size(); ++n) {
    const Point2 p = screen_of(n);
    const float d = (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y);
    if (d < best) best = d, found = n;
  }
  return found;
}

FrameStats MeshView::draw(ImDrawList* dl, const Simulation& sim, const NodeLooks& looks, RunWatch& watch,
                          const std::set<NodeId>& pinned, const std::set<NodeId>& group_a,
                          const std::set<NodeId>& group_b, int64_t flash_ns) {
  FrameStats stats;
  stats.coarse = layout_.pos.size() > kDetailedMaxNodes;
  // Anti-aliasing adds a fringe of vertices to every shape: worth it for a few thousand
  // nodes, not for a hundred thousand.
  if (layout_.pos.size() > 5000) dl->Flags &= ~(ImDrawListFlags_AntiAliasedLines | ImDrawListFlags_AntiAliasedFill);
  dl->PushClipRect({camera_.x0, camera_.y0}, {camera_.x0 + camera_.w, camera_.y0 + camera_.h}, true);
  dl->AddRectFilled({camera_.x0, camera_.y0}, {camera_.x0 + camera_.w, camera_.y0 + camera_.h}, colour::background);
  const float r = node_radius();
  // Nodes a few pixels across, and links by the hundred, are painted into one image
  // (viz/canvas_raster.h) rather than handed to the GL driver one by one.
  const bool raster = r < 3;
  const bool raster_links = raster || edges_.size() > kMaxGpuLinks;
  stats.edges_total = edges_total_;
  if (!stats.coarse || (looks.group_count() > 0 && !raster)) {
    draw_backdrop(dl, sim, looks, raster, raster_links && !stats.coarse, !stats.coarse && !raster_links);
    if (!stats.coarse) stats.edges_drawn = edges_.size();
  }
  if (raster) {
    nodes_image_.begin(camera_);
    nodes_image_.nodes(layout_, looks, r >= 2.5f ? 2 : 1);
    nodes_image_.finish(dl);
  }
  draw_messages(dl, sim, watch, flash_ns, stats);
  if (!raster) draw_nodes(dl, sim, looks, pinned, group_a, group_b);
  draw_legend(dl, looks, watch, stats);
  dl->PopClipRect();
  return stats;
}

void MeshView::draw_backdrop(ImDrawList* dl, const Simulation& sim, const NodeLooks& looks, bool nodes_in_raster,
                             bool links_in_raster, bool links_as_lines) {
  const Network& net = sim.network();
  const bool cuts = net.partitioned();
  const bool shading = looks.group_count() > 0 && !nodes_in_raster;
  if (shading || links_in_raster) {
    // The backdrop image depends on the camera, on which links are cut and on the
    // partition groups: it is repainted only when one of them changed, since painting
    // thousands of links costs more than the rest of the frame.
    uint64_t key = splitmix64_mix(static_cast<uint64_t>(camera_.x0) << 32 ^ static_cast<uint64_t>(camera_.y0) << 16 ^
                                  static_cast<uint64_t>(camera_.w) << 48 ^ static_cast<uint64_t>(camera_.h));
    for (float f : {camera_.zoom, camera_.pan_x, camera_.pan_y}) {
      uint32_t bits = 0;
      std::memcpy(&bits, &f, sizeof bits);
      key = splitmix64_mix(key ^ bits);
    }
    key = splitmix64_mix(key ^ (shading ? 1 : 2) ^ (links_in_raster ? 4 : 8));
    if (shading)
      for (const NodeLook& l : looks.looks()) key = splitmix64_mix(key ^ l.group);
    if (cuts && links_in_raster)
      for (size_t i = 0; i < edges_.size(); ++i)
        if (!(net.can_reach(edges_[i].first, edges_[i].second) && net.can_reach(edges_[i].second, edges_[i].first)))
          key = splitmix64_mix(key ^ (i + 1));
    if (key != links_image_.key) {
      links_image_.key = key;
      links_image_.begin(camera_);
      if (shading) {
        // Each partition group is shaded: a soft disc under every node, which merges into
        // one region per group on a dense mesh.
        const float r = node_radius();
        for (NodeId n = 0; n < layout_.pos.size(); ++n)
          links_image_.disc(screen_of(n), r * 2.2f, with_alpha(palette(looks.looks()[n].group + 3), 40));
      }
      if (links_in_raster) draw_edges(dl, sim, true);
    }
    links_image_.finish(dl);
  }
  if (links_as_lines) draw_edges(dl, sim, false);
}

void MeshView::draw_edges(ImDrawList* dl, const Simulation& sim, bool into_raster) {
  const Network& net = sim.network();
  const bool cuts = net.partitioned();
  // Whole-pixel widths: ImGui then draws an anti-aliased line as one textured quad
  // (ImDrawListFlags_AntiAliasedLinesUseTex) instead of a quad with a geometric fringe.
  const float width = node_radius() >= 10 ? 2.0f : 1.0f;
  // A torus's wrap-around links would cross the whole picture; in the topology's own
  // layout they are left out (their ends are obvious: the opposite border).
  const bool skip_long = layout_.method == "topology";
  for (auto [a, b] : edges_) {
    if (skip_long && std::fabs(layout_.pos[a].x - layout_.pos[b].x) + std::fabs(layout_.pos[a].y - layout_.pos[b].y) > 0.5f)
      continue;
    const bool cut = cuts && !(net.can_reach(a, b) && net.can_reach(b, a));
    const Point2 p = screen_of(a), q = screen_of(b);
    if (into_raster) {
      links_image_.line(p, q, cut ? colour::edge_cut : colour::edge, cut);
    } else if (cut) {
      // A cut link is drawn red and dashed, so it reads as "there, but not carrying".
      const float dx = q.x - p.x, dy = q.y - p.y, len = std::sqrt(dx * dx + dy * dy);
      const int dashes = std::max(1, static_cast<int>(len / 8));
      for (int i = 0; i < dashes; i += 2) {
        const float t0 = static_cast<float>(i) / dashes, t1 = static_cast<float>(i + 1) / dashes;
        dl->AddLine({p.x + dx * t0, p.y + dy * t0}, {p.x + dx * t1, p.y + dy * t1}, colour::edge_cut, width);
      }
    } else {
      dl->AddLine(v(p), v(q), colour::edge, width);
    }
  }
}

void MeshView::draw_nodes(ImDrawList* dl, const Simulation& sim, const NodeLooks& looks,
                          const std::set<NodeId>& pinned, const std::set<NodeId>& group_a,
                          const std::set<NodeId>& group_b) const {
  const float r = node_radius();
  const auto& all = looks.looks();
  const bool labels = r >= 8;
  const bool role_labels = all.size() <= 32 && r >= 10;
  for (NodeId n = 0; n < all.size(); ++n) {
    const NodeLook& l = all[n];
    const ImVec2 c = v(screen_of(n));
    if (l.state == NodeState::absent) {
      dl->AddCircle(c, r, colour::absent, 20, 1.5f);
    } else {
      add_sprite(dl, 2 * r > 24 ? sprites_.node_large : sprites_.node_small, c, r, looks.fill(l));
    }
    if (l.state == NodeState::crashed && r >= 6) {
      const float k = r * 0.55f;
      dl->AddLine({c.x - k, c.y - k}, {c.x + k, c.y + k}, rgb(255, 230, 230), 2.0f);
      dl->AddLine({c.x - k, c.y + k}, {c.x + k, c.y - k}, rgb(255, 230, 230), 2.0f);
    } else if (l.state == NodeState::paused && r >= 6) {
      const float k = r * 0.45f;
      dl->AddRectFilled({c.x - k, c.y - k}, {c.x - k * 0.3f, c.y + k}, rgb(40, 40, 48));
      dl->AddRectFilled({c.x + k * 0.3f, c.y - k}, {c.x + k, c.y + k}, rgb(40, 40, 48));
    } else if (labels) {
      const std::string id = std::to_string(n);
      const float size = std::min(r * 1.1f, ImGui::GetFontSize());
      const ImVec2 ts = ImGui::GetFont()->CalcTextSizeA(size, FLT_MAX, 0, id.c_str());
      dl->AddText(ImGui::GetFont(), size, {c.x - ts.x / 2, c.y - ts.y / 2}, rgb(15, 15, 20), id.c_str());
    }
    if (l.byzantine) dl->AddCircle(c, r + 3, colour::byzantine, 24, 3.0f);
    if (l.isolated) dl->AddCircle(c, r + 6, colour::isolated, 24, 1.5f);
    if (group_a.count(n)) dl->AddCircle(c, r + 4, palette(1), 24, 2.5f);
    if (group_b.count(n)) dl->AddCircle(c, r + 4, palette(2), 24, 2.5f);
    if (pinned.count(n)) dl->AddCircle(c, r + 8, colour::pinned, 24, 2.0f);
    if (role_labels && l.role >= 0) {
      const std::string& role = looks.role_names()[l.role];
      const ImVec2 ts = ImGui::CalcTextSize(role.c_str());
      dl->AddText({c.x - ts.x / 2, c.y + r + 4}, colour::text_dim, role.c_str());
    }
  }
}

}  // namespace meshsim::viz
