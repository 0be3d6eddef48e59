#include "sim/time.h"

#include <cctype>
#include <cmath>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace meshsim {

std::optional<Duration> parse_duration(std::string_view text, std::string* error) {
  if (error) error->clear();
  // [sign] digits [. digits] [spaces] unit. Digits are accumulated in 128 bits and capped,
  // so no length of digits can overflow; the cap is far above kMaxDuration in any unit.
  constexpr __int128 kCap = static_cast<__int128>(1) << 100;
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  __int128 whole = 0;
  size_t digits = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits)
    whole = std::min(kCap, whole * 10 + (text[i] - '0'));
  std::string_view fraction;
  if (i < text.size() && text[i] == '.') {
    size_t begin = ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    fraction = text.substr(begin, i - begin);
    if (fraction.empty()) return std::nullopt;  // "5.s"
  }
  if (digits == 0 && fraction.empty()) return std::nullopt;
  std::string_view unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  int64_t scale = 0;
  if (unit == "ns") scale = 1;
  else if (unit == "us" || unit == "µs") scale = 1000;
  else if (unit == "ms") scale = 1000'000;
  else if (unit == "s") scale = 1000'000'000;
  else if (unit == "m" || unit == "min") scale = 60LL * 1000'000'000;
  else if (unit == "h") scale = 3600LL * 1000'000'000;
  else return std::nullopt;
  // Fractions are parsed as decimal digits, not through double, so "1.1s" is exactly 1.1e9 ns.
  int64_t frac_ns = 0, place = scale;
  for (char c : fraction) {
    place /= 10;
    if (place == 0) break;
    frac_ns += (c - '0') * place;
  }
  const __int128 total = whole * scale + frac_ns;
  if (total > kMaxDuration.ns) {
    if (error)
      *error = "duration out of range: '" + std::string(text) + "' is beyond " + format_duration(kMaxDuration) +
               " (the longest a scenario may simulate)";
    return std::nullopt;
  }
  const int64_t ns = static_cast<int64_t>(total);
  return Duration{negative ? -ns : ns};
}

std::string format_duration(Duration d) {
  struct Unit { int64_t scale; const char* name; };
  static constexpr Unit units[] = {{3600LL * 1000'000'000, "h"}, {60LL * 1000'000'000, "m"},
                                   {1000'000'000, "s"},          {1000'000, "ms"},
                                   {1000, "us"},                 {1, "ns"}};
  if (d.ns == 0) return "0s";
  for (const Unit& u : units)
    if (d.ns % u.scale == 0) return std::to_string(d.ns / u.scale) + u.name;
  return std::to_string(d.ns) + "ns";
}

std::string format_readable(Duration d) {
  struct Unit { double scale; const char* name; };
  static constexpr Unit units[] = {{3600e9, "h"}, {1e9, "s"}, {1e6, "ms"}, {1e3, "us"}};
  double magnitude = std::abs(static_cast<double>(d.ns));
  for (const Unit& u : units) {
    // Hours only from 10 h up: "5400 s" reads worse than "1.5 h", "36000 s" than "10 h".
    if (magnitude < u.scale * (u.name[0] == 'h' ? 10 : 1)) continue;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(d.ns) / u.scale);
    std::string text = buf;
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    return text + " " + u.name;
  }
  return std::to_string(d.ns) + " ns";
}

}  // namespace meshsim
