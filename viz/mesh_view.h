// Draws the mesh into the canvas: partition shading, overlay edges (cut ones in red),
// nodes coloured by state and role, messages in flight and the flashes of dropped ones,
// and the legend. Everything is drawn from a snapshot of the run taken once per frame.
// Past kDetailedMaxNodes nodes the drawing turns coarse: no edges; nodes too small for a
// label are painted into one image (canvas_raster.h).
#pragma once
#include <cstddef>
#include <set>
#include <utility>
#include <vector>

#include "sim/simulation.h"
#include "viz/camera.h"
#include "viz/layout.h"
#include "viz/node_looks.h"
#include "viz/canvas_raster.h"
#include "viz/run_watch.h"
#include "viz/sprites.h"

struct ImDrawList;

namespace meshsim::viz {

inline constexpr uint32_t kDetailedMaxNodes = 20000;
inline constexpr size_t kMaxDrawnMessages = 4000;
// More overlay links than this make a hairball in which a sample looks the same, and each
// long thin line is costly to rasterise without a GPU: a fixed sample is drawn, and the
// legend says how many of how many.
inline constexpr size_t kMaxDrawnEdges = 3000;
// Up to this many links are ImGui lines (two pixels wide on a small mesh); more are
// painted into the canvas image.
inline constexpr size_t kMaxGpuLinks = 300;

struct FrameStats {
  size_t messages_in_flight = 0, messages_drawn = 0, drops_drawn = 0;
  size_t edges_total = 0, edges_drawn = 0;
  bool coarse = false;
};

class MeshView {
 public:
  void set_layout(Layout layout, const Topology& topology);
  void set_sprites(const Sprites& sprites) { sprites_ = sprites; }
  const Layout& layout() const { return layout_; }
  Camera& camera() { return camera_; }
  const Camera& camera() const { return camera_; }

  // Draws the whole canvas. `flash_ns` is how long (simulated) a dropped message flashes.
  FrameStats draw(ImDrawList* dl, const Simulation& sim, const NodeLooks& looks, RunWatch& watch,
                  const std::set<NodeId>& pinned, const std::set<NodeId>& group_a, const std::set<NodeId>& group_b,
                  int64_t flash_ns);
  // The node under a screen point (within its drawn radius plus a few pixels), or kNoNode.
  NodeId node_at(float x, float y) const;
  Point2 screen_of(NodeId n) const { return camera_.to_screen(layout_.pos[n]); }
  float node_radius() const;

 private:
  // The layer under the nodes: partition shading and links, painted into an image that is
  // kept while nothing it shows changes, or links as ImGui lines on a small mesh.
  void draw_backdrop(ImDrawList* dl, const Simulation& sim, const NodeLooks& looks, bool nodes_in_raster,
                     bool links_in_raster, bool links_as_lines);
  // Into the backdrop image (into_raster), or as ImGui lines (wider, for a small mesh).
  void draw_edges(ImDrawList* dl, const Simulation& sim, bool into_raster);
  void draw_nodes(ImDrawList* dl, const Simulation& sim, const NodeLooks& looks, const std::set<NodeId>& pinned,
                  const std::set<NodeId>& group_a, const std::set<NodeId>& group_b) const;
  void draw_messages(ImDrawList* dl, const Simulation& sim, RunWatch& watch, int64_t flash_ns, FrameStats& stats) const;
  void draw_legend(ImDrawList* dl, const NodeLooks& looks, RunWatch& watch, const FrameStats& stats) const;

  Layout layout_;
  Camera camera_;
  std::vector<std::pair<NodeId, NodeId>> edges_;  // the ones drawn (all, or a sample)
  size_t edges_total_ = 0;
  Sprites sprites_;
  CanvasRaster links_image_;  // repainted only when the camera or a cut changes
  CanvasRaster nodes_image_;  // every frame, when nodes are a few pixels across
};

}  // namespace meshsim::viz
