#include "viz/canvas_raster.h"

#include <GL/gl.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "viz/palette.h"

namespace meshsim::viz {

namespace {

float channel(uint32_t c, int shift) { return static_cast<float>((c >> shift) & 0xffu); }

}  // namespace

CanvasRaster::~CanvasRaster() {
  if (texture_) glDeleteTextures(1, &texture_);
}

void CanvasRaster::begin(const Camera& camera) {
  camera_ = &camera;
  x0_ = camera.x0, y0_ = camera.y0;
  width_ = std::max(1, static_cast<int>(camera.w));
  height_ = std::max(1, static_cast<int>(camera.h));
  pixels_.assign(static_cast<size_t>(width_) * static_cast<size_t>(height_), 0);
  painted_ = false;
  dirty_ = true;
}

// "Over" compositing of a colour with the given coverage onto a pixel, straight alpha.
void CanvasRaster::blend(int x, int y, uint32_t colour, float coverage) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  uint32_t& px = pixels_[static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)];
  const float sa = channel(colour, 24) / 255.0f * coverage;
  if (sa <= 0) return;
  const float da = channel(px, 24) / 255.0f;
  const float oa = sa + da * (1 - sa);
  auto mix = [&](int shift) {
    const float v = (channel(colour, shift) * sa + channel(px, shift) * da * (1 - sa)) / oa;
    return static_cast<uint32_t>(std::lround(std::clamp(v, 0.0f, 255.0f))) << shift;
  };
  px = mix(0) | mix(8) | mix(16) | static_cast<uint32_t>(std::lround(oa * 255)) << 24;
}

void CanvasRaster::line(Point2 a, Point2 b, uint32_t colour, bool dashed) {
  painted_ = true;
  // Xiaolin Wu's line: step along the major axis, and split each step's pixel between
  // the two rows (or columns) the exact line passes between.
  float x1 = a.x - x0_, y1 = a.y - y0_, x2 = b.x - x0_, y2 = b.y - y0_;
  const bool steep = std::fabs(y2 - y1) > std::fabs(x2 - x1);
  if (steep) std::swap(x1, y1), std::swap(x2, y2);
  if (x1 > x2) std::swap(x1, x2), std::swap(y1, y2);
  const float dx = x2 - x1, dy = y2 - y1;
  const float gradient = dx == 0 ? 1 : dy / dx;
  const float step_length = std::sqrt(1 + gradient * gradient);  // pixels of line per step
  // Only the part of the line inside the image.
  const int limit = steep ? height_ : width_;
  const int start = std::max(0, static_cast<int>(std::floor(x1))), end = std::min(limit - 1, static_cast<int>(std::ceil(x2)));
  for (int x = start; x <= end; ++x) {
    if (dashed && static_cast<int>((static_cast<float>(x) - x1) * step_length) % 16 >= 8) continue;
    const float y = y1 + gradient * (static_cast<float>(x) - x1);
    const int yi = static_cast<int>(std::floor(y));
    const float f = y - static_cast<float>(yi);
    if (steep) {
      blend(yi, x, colour, 1 - f);
      blend(yi + 1, x, colour, f);
    } else {
      blend(x, yi, colour, 1 - f);
      blend(x, yi + 1, colour, f);
    }
  }
}

void CanvasRaster::disc(Point2 centre, float radius, uint32_t colour) {
  painted_ = true;
  const float cx = centre.x - x0_, cy = centre.y - y0_;
  const int xa = static_cast<int>(std::floor(cx - radius)), xb = static_cast<int>(std::ceil(cx + radius));
  const int ya = static_cast<int>(std::floor(cy - radius)), yb = static_cast<int>(std::ceil(cy + radius));
  for (int y = std::max(0, ya); y <= std::min(height_ - 1, yb); ++y)
    for (int x = std::max(0, xa); x <= std::min(width_ - 1, xb); ++x) {
      const float d = std::hypot(static_cast<float>(x) + 0.5f - cx, static_cast<float>(y) + 0.5f - cy);
      if (d < radius + 0.5f) blend(x, y, colour, std::clamp(radius - d + 0.5f, 0.0f, 1.0f));
    }
}

void CanvasRaster::nodes(const Layout& layout, const NodeLooks& looks, int half_px) {
  painted_ = true;
  const auto& all = looks.looks();
  const size_t n = std::min(all.size(), layout.pos.size());
  auto fill_square = [&](int x, int y, int half, uint32_t colour, bool only_empty) {
    const int xa = std::max(0, x - half), xb = std::min(width_ - 1, x + half);
    const int ya = std::max(0, y - half), yb = std::min(height_ - 1, y + half);
    for (int yy = ya; yy <= yb; ++yy) {
      uint32_t* row = pixels_.data() + static_cast<size_t>(yy) * static_cast<size_t>(width_);
      for (int xx = xa; xx <= xb; ++xx)
        if (!only_empty || row[xx] == 0) row[xx] = colour;
    }
  };
  auto pixel_of = [&](size_t i, int& x, int& y) {
    const Point2 p = camera_->to_screen(layout.pos[i]);
    x = static_cast<int>(std::lround(p.x - x0_));
    y = static_cast<int>(std::lround(p.y - y0_));
  };
  int x = 0, y = 0;
  // Nodes first, then the shading around them only where nothing is painted: the picture
  // of shading drawn underneath, in one pass each.
  for (size_t i = 0; i < n; ++i) {
    pixel_of(i, x, y);
    const NodeLook& l = all[i];
    const uint32_t colour = l.state == NodeState::absent ? colour::absent : l.byzantine ? colour::byzantine : looks.fill(l);
    fill_square(x, y, half_px, colour | 0xff000000u, false);
  }
  if (looks.group_count() > 0) {
    for (size_t i = 0; i < n; ++i) {
      pixel_of(i, x, y);
      fill_square(x, y, half_px * 2 + 2, with_alpha(palette(all[i].group + 3), 60), true);
    }
  }
}

void CanvasRaster::finish(ImDrawList* dl) {
  if (!painted_) return;
  if (dirty_) upload();
  dirty_ = false;
  dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture_)), {x0_, y0_},
               {x0_ + static_cast<float>(width_), y0_ + static_cast<float>(height_)}, {0, 0},
               {static_cast<float>(width_) / static_cast<float>(texture_width_),
                static_cast<float>(height_) / static_cast<float>(texture_height_)});
}

void CanvasRaster::upload() {
  if (!texture_) glGenTextures(1, &texture_);
  glBindTexture(GL_TEXTURE_2D, texture_);
  if (width_ > texture_width_ || height_ > texture_height_) {
    // Grown (the window was resized): a new store, a little larger than asked, so a drag
    // of the window's edge does not reallocate every frame.
    texture_width_ = std::max(width_, texture_width_) + 64;
    texture_height_ = std::max(height_, texture_height_) + 64;
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, texture_width_, texture_height_, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  }
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width_, height_, GL_RGBA, GL_UNSIGNED_BYTE, pixels_.data());
}

}  // namespace meshsim::viz
