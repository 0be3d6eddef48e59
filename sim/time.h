// Simulated time: a strong 64-bit integer count of nanoseconds.
// docs/determinism.md forbids double time anywhere: integer time keeps event order exact and
// portable, and makes the fingerprint independent of floating-point rounding.
#pragma once
#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace meshsim {

struct Duration {
  int64_t ns = 0;
  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return {ns + o.ns}; }
  constexpr Duration operator-(Duration o) const { return {ns - o.ns}; }
  constexpr Duration operator*(int64_t k) const { return {ns * k}; }
  static constexpr Duration nanos(int64_t v) { return {v}; }
  static constexpr Duration micros(int64_t v) { return {v * 1000}; }
  static constexpr Duration millis(int64_t v) { return {v * 1000'000}; }
  static constexpr Duration seconds(int64_t v) { return {v * 1000'000'000}; }
};

struct SimTime {
  int64_t ns = 0;
  constexpr auto operator<=>(const SimTime&) const = default;
  constexpr SimTime operator+(Duration d) const { return {ns + d.ns}; }
  constexpr Duration operator-(SimTime o) const { return {ns - o.ns}; }
  static constexpr SimTime max() { return {std::numeric_limits<int64_t>::max()}; }
};

// The longest duration a scenario may write, and so the latest a run may end: 100,000 h
// (about 11 years). int64 nanoseconds reach 2,562,047 h, so any event time the engine
// forms — the run end plus a latency, a backlog, a timer, a fault's until — stays far from
// overflow: 25 such terms still fit. Input beyond it is refused as "duration out of range".
inline constexpr Duration kMaxDuration{100'000LL * 3600 * 1000'000'000};

// Parses "150ms", "2s", "10us", "500ns", "1.5s", "3m", "1h". Returns nullopt when the text
// is not a duration. A bare number is not accepted: units are mandatory so that nobody
// has to guess what "100" means. A duration whose size exceeds kMaxDuration also gives
// nullopt, and then `error` (when given) says so; it is left empty for malformed text.
std::optional<Duration> parse_duration(std::string_view text, std::string* error = nullptr);

// `a + b` for times the engine forms, saturating at the int64 range instead of
// overflowing (signed overflow is undefined behaviour). Events so late never run.
constexpr int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  return sum;
}

// Formats with the largest unit that keeps it exact ("150ms", "2s", "1500us").
std::string format_duration(Duration d);

// For people reading a summary, a failure or a log: "23.67 s", "4.627 s", "63.1 ms",
// "12.5 us", "750 ns" — at most three decimals, trailing zeros dropped. Machine outputs
// (--json, CSV, SQLite) keep integer nanoseconds instead.
std::string format_readable(Duration d);

}  // namespace meshsim
