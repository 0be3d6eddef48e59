// Nodes, message dots and partition shading drawn as textured quads: four vertices each,
// where ImGui's anti-aliased circles take forty to a hundred (a fill, a fringe, an
// outline). A software GL driver (Mesa's llvmpipe, under Xvfb and on machines without a
// GPU) spends most of a frame transforming and setting up those vertices, so at 1,000
// nodes this is most of the frame. The pictures live in a corner of ImGui's font atlas,
// the texture every ImGui command already binds, so the quads batch with the text into
// the same draw calls.
#pragma once
#include <cstdint>

#include <imgui.h>

namespace meshsim::viz {

struct Sprite {
  ImVec2 uv0{0, 0}, uv1{0, 0};
};

struct Sprites {
  Sprite node_small;  // a white disc with a dark rim, for nodes up to ~24 px across
  Sprite node_large;  // the same, sharper, for bigger nodes
  Sprite disc;        // a plain white disc with a soft edge: message dots, shading
};

// Adds the pictures to `atlas` and builds it. Call after the fonts are added and before the
// renderer uploads the atlas (its first frame).
Sprites add_sprites(ImFontAtlas& atlas);

// A sprite centred on `c`, `radius` pixels, tinted with `colour` (ImGui's 0xAABBGGRR).
inline void add_sprite(ImDrawList* dl, const Sprite& s, ImVec2 c, float radius, uint32_t colour) {
  dl->AddImage(ImGui::GetIO().Fonts->TexID, {c.x - radius, c.y - radius}, {c.x + radius, c.y + radius}, s.uv0, s.uv1,
               colour);
}

}  // namespace meshsim::viz
