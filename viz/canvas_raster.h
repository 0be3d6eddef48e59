// The parts of the canvas that come in thousands, painted on the CPU into one image the
// size of the canvas, uploaded as a texture and drawn as a single quad: the overlay links
// (each anti-aliased with Wu's algorithm) and, on a big mesh, the nodes themselves. Handed
// to the GL driver one by one, 3,000 long links or 100,000 node squares are most of a
// frame for a software driver (Mesa's llvmpipe: no GPU, as under Xvfb or on a headless
// server), which fills every thin triangle on the CPU anyway; painted here they cost a few
// milliseconds and the upload is one copy. ImGui cannot draw into an image, so the few
// lines of rasterising below are ours.
#pragma once
#include <cstdint>
#include <vector>

#include "viz/camera.h"
#include "viz/layout.h"
#include "viz/node_looks.h"

struct ImDrawList;

namespace meshsim::viz {

class CanvasRaster {
 public:
  CanvasRaster() = default;
  ~CanvasRaster();
  CanvasRaster(const CanvasRaster&) = delete;
  CanvasRaster& operator=(const CanvasRaster&) = delete;

  // Starts a frame: an empty (transparent) image the size of the camera's canvas.
  void begin(const Camera& camera);
  // A one-pixel anti-aliased line between two screen points, blended over what is there;
  // dashed: 8 pixels on, 8 off.
  void line(Point2 a, Point2 b, uint32_t colour, bool dashed);
  // A filled disc, its edge anti-aliased, blended over what is there.
  void disc(Point2 centre, float radius, uint32_t colour);
  // Every node a square of 2 * half_px + 1 pixels, coloured as `looks` says, with each
  // partition group's soft shading around them.
  void nodes(const Layout& layout, const NodeLooks& looks, int half_px);
  // Uploads the image if it was repainted since the last upload, and adds it to `dl`
  // (nothing if nothing was painted). Calling it again without begin() shows the same
  // image at no cost: what the links layer does while nothing about them changes.
  void finish(ImDrawList* dl);
  // What the painted picture depends on, as the owner hashes it; 0 after construction.
  uint64_t key = 0;

 private:
  void blend(int x, int y, uint32_t colour, float coverage);
  void upload();

  float x0_ = 0, y0_ = 0;
  int width_ = 0, height_ = 0;
  bool painted_ = false, dirty_ = false;
  unsigned int texture_ = 0;  // a GLuint; 0 until the first upload
  int texture_width_ = 0, texture_height_ = 0;
  const Camera* camera_ = nullptr;
  std::vector<uint32_t> pixels_;  // 0xAABBGGRR, not premultiplied, as ImGui's colours
};

}  // namespace meshsim::viz
