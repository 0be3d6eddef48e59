// Colours, in one place so the legend and the drawing cannot disagree. ImGui colours are
// 0xAABBGGRR. Engine states are fixed; protocol roles get a meaning-based colour when the
// word is a well-known one (leader, primary...), otherwise one from a palette by index.
#pragma once
#include <cstdint>
#include <string_view>

namespace meshsim::viz {

inline constexpr uint32_t rgb(uint8_t r, uint8_t g, uint8_t b, uint8_t a = 255) {
  return uint32_t(r) | uint32_t(g) << 8 | uint32_t(b) << 16 | uint32_t(a) << 24;
}
inline constexpr uint32_t with_alpha(uint32_t c, uint8_t a) { return (c & 0x00ffffffu) | uint32_t(a) << 24; }

namespace colour {
inline constexpr uint32_t background = rgb(24, 26, 32);
inline constexpr uint32_t edge = rgb(120, 130, 150, 90);
inline constexpr uint32_t edge_cut = rgb(235, 80, 70, 170);
inline constexpr uint32_t crashed = rgb(200, 50, 50);
inline constexpr uint32_t paused = rgb(150, 150, 160);
inline constexpr uint32_t absent = rgb(70, 72, 80);
inline constexpr uint32_t byzantine = rgb(220, 60, 230);
inline constexpr uint32_t isolated = rgb(235, 80, 70);
inline constexpr uint32_t pinned = rgb(255, 255, 255);
inline constexpr uint32_t text = rgb(230, 232, 238);
inline constexpr uint32_t text_dim = rgb(150, 155, 165);
inline constexpr uint32_t drop_flash = rgb(255, 70, 50);
inline constexpr uint32_t cursor = rgb(255, 210, 60);
inline constexpr uint32_t up_default = rgb(90, 160, 230);
}  // namespace colour

// Distinct, colour-blind-friendly hues (Okabe-Ito, brightened for a dark background),
// with red left out: red means crashed.
inline constexpr uint32_t kPalette[] = {rgb(86, 180, 233), rgb(240, 200, 60),  rgb(0, 190, 140), rgb(230, 159, 0),
                                        rgb(204, 121, 167), rgb(150, 200, 255), rgb(180, 230, 120), rgb(255, 150, 100),
                                        rgb(170, 140, 255), rgb(120, 220, 220)};
inline constexpr uint32_t palette(size_t i) { return kPalette[i % (sizeof kPalette / sizeof kPalette[0])]; }

// A role's colour: the words protocols use for "in charge" are gold everywhere, so the
// leader stands out in any protocol; other words take the palette by index.
inline uint32_t role_colour(std::string_view role, size_t index) {
  if (role == "leader" || role == "primary") return rgb(250, 200, 40);
  if (role == "follower" || role == "backup" || role == "replica") return rgb(86, 160, 233);
  if (role == "candidate" || role == "pre-candidate" || role == "pre_candidate") return rgb(0, 200, 150);
  if (role == "client") return rgb(140, 140, 150);
  if (role == "informed") return rgb(250, 170, 40);
  if (role == "uninformed") return rgb(70, 110, 170);
  return palette(index + 5);
}

}  // namespace meshsim::viz
