#include "viz/node_raster.h"

#include <GL/gl.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "viz/palette.h"

namespace meshsim::viz {

namespace {

// Fills the square [x-h, x+h] x [y-h, y+h], clipped to the image, with `colour`; when
// `only_empty`, only pixels nothing was painted on yet (shading stays under the nodes).
void fill_square(std::vector<uint32_t>& px, int w, int h, int x, int y, int half, uint32_t colour, bool only_empty) {
  const int x0 = std::max(0, x - half), x1 = std::min(w - 1, x + half);
  const int y0 = std::max(0, y - half), y1 = std::min(h - 1, y + half);
  for (int yy = y0; yy <= y1; ++yy) {
    uint32_t* row = px.data() + static_cast<size_t>(yy) * static_cast<size_t>(w);
    for (int xx = x0; xx <= x1; ++xx)
      if (!only_empty || row[xx] == 0) row[xx] = colour;
  }
}

}  // namespace

NodeRaster::~NodeRaster() {
  if (texture_) glDeleteTextures(1, &texture_);
}

void NodeRaster::draw(ImDrawList* dl, const Camera& camera, const Layout& layout, const NodeLooks& looks, int half_px) {
  width_ = std::max(1, static_cast<int>(camera.w));
  height_ = std::max(1, static_cast<int>(camera.h));
  pixels_.assign(static_cast<size_t>(width_) * static_cast<size_t>(height_), 0);
  const auto& all = looks.looks();
  const size_t n = std::min(all.size(), layout.pos.size());
  auto pixel_of = [&](size_t i, int& x, int& y) {
    const Point2 p = camera.to_screen(layout.pos[i]);
    x = static_cast<int>(std::lround(p.x - camera.x0));
    y = static_cast<int>(std::lround(p.y - camera.y0));
  };
  int x = 0, y = 0;
  // Nodes first, then the shading around them only where nothing is painted: the same
  // picture as shading drawn underneath, in one pass each.
  for (size_t i = 0; i < n; ++i) {
    pixel_of(i, x, y);
    const NodeLook& l = all[i];
    const uint32_t colour = l.state == NodeState::absent ? colour::absent : l.byzantine ? colour::byzantine : looks.fill(l);
    fill_square(pixels_, width_, height_, x, y, half_px, colour | 0xff000000u, false);
  }
  if (looks.group_count() > 0) {
    for (size_t i = 0; i < n; ++i) {
      pixel_of(i, x, y);
      fill_square(pixels_, width_, height_, x, y, half_px * 2 + 2, with_alpha(palette(all[i].group + 3), 60), true);
    }
  }
  upload();
  dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture_)), {camera.x0, camera.y0},
               {camera.x0 + static_cast<float>(width_), camera.y0 + static_cast<float>(height_)}, {0, 0},
               {static_cast<float>(width_) / static_cast<float>(texture_width_),
                static_cast<float>(height_) / static_cast<float>(texture_height_)});
}

void NodeRaster::upload() {
  if (!texture_) glGenTextures(1, &texture_);
  glBindTexture(GL_TEXTURE_2D, texture_);
  if (width_ > texture_width_ || height_ > texture_height_) {
    // Grown (the window was resized): a new store, a little larger than asked, so a drag
    // of the window edge does not reallocate every frame.
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
