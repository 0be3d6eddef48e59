#include "sim/time.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace meshsim {

std::optional<Duration> parse_duration(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.' ||
                             text[i] == '-' || text[i] == '+'))
    ++i;
  if (i == 0 || i == text.size()) return std::nullopt;
  std::string number(text.substr(0, i));
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
  char* end = nullptr;
  if (number.find('.') == std::string::npos) {
    long long whole = std::strtoll(number.c_str(), &end, 10);
    if (*end != '\0') return std::nullopt;
    return Duration{whole * scale};
  }
  // Fractions are parsed as decimal digits, not through double, so "1.1s" is exactly 1.1e9 ns.
  size_t dot = number.find('.');
  std::string int_part = number.substr(0, dot), frac_part = number.substr(dot + 1);
  if (frac_part.find_first_not_of("0123456789") != std::string::npos || frac_part.empty())
    return std::nullopt;
  bool negative = !int_part.empty() && int_part[0] == '-';
  long long whole = int_part.empty() || int_part == "-" || int_part == "+"
                        ? 0
                        : std::strtoll(int_part.c_str(), &end, 10);
  int64_t frac_ns = 0, place = scale;
  for (char c : frac_part) {
    place /= 10;
    if (place == 0) break;
    frac_ns += (c - '0') * place;
  }
  int64_t total = std::llabs(whole) * scale + frac_ns;
  return Duration{negative ? -total : total};
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
