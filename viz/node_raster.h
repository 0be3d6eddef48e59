// The coarse drawing of a big mesh (past kDetailedMaxNodes): every node painted as a small
// square into an image the size of the canvas, on the CPU, uploaded as one texture and
// drawn as a single quad. Handing the GL driver 100,000 squares instead costs 400,000
// vertices a frame, which a software driver (llvmpipe, no GPU) cannot turn into a usable
// frame rate; painting them here is a few milliseconds, and the upload is one copy.
#pragma once
#include <cstdint>
#include <vector>

#include "viz/camera.h"
#include "viz/layout.h"
#include "viz/node_looks.h"

struct ImDrawList;

namespace meshsim::viz {

class NodeRaster {
 public:
  NodeRaster() = default;
  ~NodeRaster();
  NodeRaster(const NodeRaster&) = delete;
  NodeRaster& operator=(const NodeRaster&) = delete;

  // Paints the nodes (squares of 2 * half_px + 1 pixels, coloured as `looks` says, with
  // each partition group's soft shading under them) and adds the image to `dl`.
  void draw(ImDrawList* dl, const Camera& camera, const Layout& layout, const NodeLooks& looks, int half_px);

 private:
  void upload();

  unsigned int texture_ = 0;  // a GLuint; 0 until the first frame
  int width_ = 0, height_ = 0;
  int texture_width_ = 0, texture_height_ = 0;
  std::vector<uint32_t> pixels_;  // 0xAABBGGRR, as ImGui's colours
};

}  // namespace meshsim::viz
