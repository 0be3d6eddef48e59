// A minimal JSON object writer for `--json` output. Hand-written because the output is a
// flat object of strings and numbers; pulling in a JSON library for that is not worth a
// new dependency.
#pragma once
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>

namespace meshsim::cli {

inline std::string json_escape(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

inline std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  if (v == std::floor(v) && std::fabs(v) < 9e15) return std::to_string(static_cast<long long>(v));
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

class JsonObject {
 public:
  JsonObject& field(const std::string& key, const std::string& value) {
    return raw(key, json_escape(value));
  }
  JsonObject& field(const std::string& key, const char* value) { return field(key, std::string(value)); }
  JsonObject& number(const std::string& key, double value) { return raw(key, json_number(value)); }
  JsonObject& raw(const std::string& key, const std::string& json) {
    text_ += (text_.empty() ? "{" : ", ") + json_escape(key) + ": " + json;
    return *this;
  }
  std::string str() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

inline std::string json_scalars(const std::map<std::string, double>& scalars) {
  JsonObject o;
  for (const auto& [k, v] : scalars) o.number(k, v);
  return o.str();
}

}  // namespace meshsim::cli
