#include "viz/sprites.h"

#include <algorithm>
#include <cmath>

namespace meshsim::viz {

namespace {

// One sprite's pixels: a disc of the rect's size less a pixel of transparent margin (so
// linear filtering never bleeds a neighbour in), its edge anti-aliased by coverage, and
// a dark rim `rim_px` wide inside the edge (0: none). White inside, so the vertex colour
// tints it; the rim multiplies to a darker shade of the same tint, which reads as an
// outline on any colour.
void paint_disc(unsigned int* pixels, int atlas_width, const ImFontAtlasCustomRect& r, float rim_px) {
  const float radius = static_cast<float>(r.Width) / 2 - 1;
  const float cx = static_cast<float>(r.Width) / 2, cy = static_cast<float>(r.Height) / 2;
  for (int y = 0; y < r.Height; ++y) {
    for (int x = 0; x < r.Width; ++x) {
      const float d = std::hypot(static_cast<float>(x) + 0.5f - cx, static_cast<float>(y) + 0.5f - cy);
      const float alpha = std::clamp(radius - d + 0.5f, 0.0f, 1.0f);
      const float inner = rim_px > 0 ? std::clamp(radius - rim_px - d + 0.5f, 0.0f, 1.0f) : 1.0f;
      const auto grey = static_cast<unsigned int>(std::lround(255 * (0.25f + 0.75f * inner)));
      const auto a = static_cast<unsigned int>(std::lround(255 * alpha));
      pixels[(r.Y + y) * atlas_width + r.X + x] = grey | grey << 8 | grey << 16 | a << 24;
    }
  }
}

Sprite uv_of(ImFontAtlas& atlas, const ImFontAtlasCustomRect& r) {
  Sprite s;
  atlas.CalcCustomRectUV(&r, &s.uv0, &s.uv1);
  return s;
}

}  // namespace

Sprites add_sprites(ImFontAtlas& atlas) {
  const int small = atlas.AddCustomRectRegular(26, 26);
  const int large = atlas.AddCustomRectRegular(66, 66);
  const int disc = atlas.AddCustomRectRegular(34, 34);
  atlas.Build();
  unsigned char* data = nullptr;
  int width = 0, height = 0;
  atlas.GetTexDataAsRGBA32(&data, &width, &height);
  auto* pixels = reinterpret_cast<unsigned int*>(data);
  Sprites s;
  paint_disc(pixels, width, *atlas.GetCustomRectByIndex(small), 2.0f);
  paint_disc(pixels, width, *atlas.GetCustomRectByIndex(large), 3.0f);
  paint_disc(pixels, width, *atlas.GetCustomRectByIndex(disc), 0.0f);
  s.node_small = uv_of(atlas, *atlas.GetCustomRectByIndex(small));
  s.node_large = uv_of(atlas, *atlas.GetCustomRectByIndex(large));
  s.disc = uv_of(atlas, *atlas.GetCustomRectByIndex(disc));
  return s;
}

}  // namespace meshsim::viz
