// The moving parts of the canvas: messages in flight, dropped messages, and the legend.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "viz/mesh_view.h"
#include "viz/palette.h"

namespace meshsim::viz {

namespace {
uint32_t message_colour(ModuleId module, uint8_t type) { return palette(module * 7u + type); }

std::string with_commas(size_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}
}  // namespace

void MeshView::draw_messages(ImDrawList* dl, const Simulation& sim, RunWatch& watch, int64_t flash_ns,
                             FrameStats& stats) const {
  const int64_t now = sim.now().ns;
  const float dot = std::clamp(node_radius() * 0.35f, 2.0f, 4.5f);
  stats.messages_in_flight = sim.pending_message_count();
  // Too many to draw: a sample chosen by message id, so a message is either drawn for its
  // whole flight or not at all (no flicker between frames), and the messages left out are
  // not even visited: walking a million of them would cost more than the whole frame.
  const size_t stride = (stats.messages_in_flight + kMaxDrawnMessages - 1) / kMaxDrawnMessages;
  sim.for_each_pending_message_sample(stride, [&](const MessageRecord& m) {
    const double span = static_cast<double>(m.deliver_ns - m.sent_ns);
    const float t = span > 0 ? static_cast<float>(std::clamp((now - m.sent_ns) / span, 0.0, 1.0)) : 1.0f;
    const Point2 a = screen_of(m.from), b = screen_of(m.to);
    add_sprite(dl, sprites_.disc, {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}, dot, message_colour(m.module, m.type));
    ++stats.messages_drawn;
  });
  for (auto it = watch.dead().rbegin(); it != watch.dead().rend(); ++it) {
    const int64_t age = now - it->died_ns;
    if (age > flash_ns) break;
    if (age < 0) continue;
    const MessageRecord& m = it->record;
    const Point2 a = screen_of(m.from), b = screen_of(m.to);
    // Lost on the wire (loss, a cut): halfway along the link; refused at the far end
    // (crashed or absent receiver, full queue): at the receiver.
    const bool at_receiver = it->reason == DropReason::crashed || it->reason == DropReason::absent ||
                             it->reason == DropReason::queue_full;
    const Point2 p = at_receiver ? b : Point2{(a.x + b.x) / 2, (a.y + b.y) / 2};
    const float fade = 1.0f - static_cast<float>(age) / static_cast<float>(std::max<int64_t>(1, flash_ns));
    const float k = dot * 1.6f;
    const uint32_t c = with_alpha(colour::drop_flash, static_cast<uint8_t>(60 + 195 * fade));
    dl->AddLine({p.x - k, p.y - k}, {p.x + k, p.y + k}, c, 2.0f);
    dl->AddLine({p.x - k, p.y + k}, {p.x + k, p.y - k}, c, 2.0f);
    dl->AddCircle({p.x, p.y}, k + 3 * (1 - fade) * k, c, 12, 1.5f);
    if (++stats.drops_drawn >= 2000) break;
  }
}

void MeshView::draw_legend(ImDrawList* dl, const NodeLooks& looks, RunWatch& watch, const FrameStats& stats) const {
  struct Row {
    uint32_t colour;
    std::string text;
    bool dot;  // message rows use a small dot, node rows a bigger swatch
  };
  std::vector<Row> rows;
  rows.push_back({0, "Nodes", false});
  for (size_t i = 0; i < looks.role_names().size(); ++i)
    if (looks.role_counts()[i] > 0)
      rows.push_back({looks.role_colour(static_cast<int16_t>(i)),
                      looks.role_names()[i] + "  " + std::to_string(looks.role_counts()[i]), false});
  if (looks.describing_module() < 0) rows.push_back({colour::up_default, "up", false});
  rows.push_back({colour::crashed, "crashed", false});
  rows.push_back({colour::paused, "paused", false});
  rows.push_back({colour::byzantine, "Byzantine (ring)", false});
  rows.push_back({0, "Messages", false});
  for (const auto& [key, name] : watch.type_names()) rows.push_back({message_colour(key.first, key.second), name, true});
  rows.push_back({colour::drop_flash, "dropped (flash)", true});
  std::string edges;
  if (stats.edges_drawn < stats.edges_total)
    edges = stats.edges_drawn == 0 ? "links not drawn (" + with_commas(stats.edges_total) + ")"
                                   : "links: " + with_commas(stats.edges_drawn) + " of " + with_commas(stats.edges_total) +
                                         " drawn (sampled)";
  std::string sampled;
  if (stats.messages_drawn < stats.messages_in_flight)
    sampled = "showing " + with_commas(stats.messages_drawn) + " of " + with_commas(stats.messages_in_flight) +
              " in flight (sampled)";
  else
    sampled = with_commas(stats.messages_in_flight) + " in flight";
  const float line = ImGui::GetTextLineHeightWithSpacing();
  float width = std::max(ImGui::CalcTextSize(sampled.c_str()).x, ImGui::CalcTextSize(edges.c_str()).x);
  for (const Row& row : rows) width = std::max(width, ImGui::CalcTextSize(row.text.c_str()).x + 22);
  const ImVec2 o{camera_.x0 + 10, camera_.y0 + 10};
  const float height = line * static_cast<float>(rows.size() + 1 + (edges.empty() ? 0 : 1)) + 12;
  dl->AddRectFilled(o, {o.x + width + 20, o.y + height}, rgb(12, 13, 17, 215), 6.0f);
  float y = o.y + 6;
  for (const Row& row : rows) {
    if (row.colour == 0) {
      dl->AddText({o.x + 10, y}, colour::text_dim, row.text.c_str());
    } else {
      const ImVec2 c{o.x + 18, y + line / 2 - 1};
      if (row.dot) dl->AddCircleFilled(c, 4, row.colour, 10);
      else dl->AddCircleFilled(c, 6, row.colour, 14);
      dl->AddText({o.x + 30, y}, colour::text, row.text.c_str());
    }
    y += line;
  }
  dl->AddText({o.x + 10, y}, stats.messages_drawn < stats.messages_in_flight ? colour::cursor : colour::text_dim,
              sampled.c_str());
  if (!edges.empty()) dl->AddText({o.x + 10, y + line}, colour::text_dim, edges.c_str());
}

}  // namespace meshsim::viz
