// The canvas's view of the unit square: pan, zoom, fit. World [0,1]^2 maps into the canvas
// rectangle with the aspect ratio kept (a grid stays square in a wide window).
#pragma once
#include <algorithm>

#include "viz/layout.h"

namespace meshsim::viz {

struct Camera {
  float zoom = 1;          // 1 = the whole layout fits
  float pan_x = 0, pan_y = 0;  // in world units, added before scaling
  // The canvas, in screen pixels.
  float x0 = 0, y0 = 0, w = 1, h = 1;

  // 0.9: room around the layout for labels under the outermost nodes.
  float scale() const { return std::min(w, h) * 0.9f * zoom; }
  Point2 to_screen(Point2 p) const {
    const float s = scale();
    return {x0 + w / 2 + (p.x - 0.5f + pan_x) * s, y0 + h / 2 + (p.y - 0.5f + pan_y) * s};
  }
  Point2 to_world(Point2 q) const {
    const float s = scale();
    return {(q.x - x0 - w / 2) / s + 0.5f - pan_x, (q.y - y0 - h / 2) / s + 0.5f - pan_y};
  }
  void fit() { zoom = 1, pan_x = 0, pan_y = 0; }
  // Zooms by `factor` keeping the world point under the screen point `at` in place.
  void zoom_at(Point2 at, float factor) {
    const Point2 before = to_world(at);
    zoom = std::clamp(zoom * factor, 0.2f, 400.0f);
    const Point2 after = to_world(at);
    pan_x += after.x - before.x;
    pan_y += after.y - before.y;
  }
  void pan_pixels(float dx, float dy) {
    pan_x += dx / scale();
    pan_y += dy / scale();
  }
};

}  // namespace meshsim::viz
