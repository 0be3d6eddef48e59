// The trace's two pictures: ShiViz's input format and a Lamport space-time diagram.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "sim/errors.h"
#include "sink/trace.h"

namespace meshsim {

namespace {

using Clock = std::map<std::string, uint64_t>;

std::string host_of(int64_t node) { return node < 0 ? "engine" : "n" + std::to_string(node); }

std::string clock_json(const Clock& c) {
  std::string out = "{";
  for (const auto& [host, tick] : c) out += (out.size() > 1 ? ", " : "") + ("\"" + host + "\": " + std::to_string(tick));
  return out + "}";
}

// The event text ShiViz shows: one line, no newline (it would end the event).
std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A palette that stays readable on white; message types take colours in order of first use.
const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
                          "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"};

}  // namespace

std::string shiviz_log(const std::vector<TraceRow>& rows) {
  std::ostringstream out;
  // Line 1: how ShiViz parses each event (time and description, then host and clock).
  out << "(?<date>\\d+) (?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})\n\n";
  std::map<std::string, Clock> clocks;
  std::map<uint64_t, Clock> sent;  // message id -> the sender's clock at the send
  for (const TraceRow& r : rows) {
    if (r.event == "truncated") continue;
    const std::string host = host_of(r.event == "log" ? -1 : r.node);
    Clock& c = clocks[host];
    if (r.event == "deliver") {
      if (auto it = sent.find(r.message_id); it != sent.end()) {
        for (const auto& [h, t] : it->second) c[h] = std::max(c[h], t);
        sent.erase(it);
      }
    }
    ++c[host];
    if (r.event == "send") sent[r.message_id] = c;
    std::string what;
    if (r.event == "send") what = "send " + r.detail + " to " + host_of(r.peer);
    else if (r.event == "deliver") what = "receive " + r.type + " from " + host_of(r.peer);
    else if (r.event == "drop") what = r.type + " to " + host_of(r.peer) + " lost (" + r.detail + ")";
    else if (r.event == "note") what = r.type + " " + r.detail;
    else what = r.type + (r.detail.empty() ? "" : ": " + r.detail);
    out << r.sim_time_ns << " " << one_line(what) << "\n" << host << " " << clock_json(c) << "\n";
  }
  return out.str();
}

std::string lamport_svg(const std::vector<TraceRow>& rows, const std::string& title) {
  std::set<int64_t> nodes;
  size_t messages = 0;
  int64_t t0 = INT64_MAX, t1 = INT64_MIN;
  for (const TraceRow& r : rows) {
    if (r.event == "truncated") continue;
    if (r.node >= 0) nodes.insert(r.node);
    if (r.peer >= 0) nodes.insert(r.peer);
    messages += r.event == "send";
    t0 = std::min(t0, r.sent_ns >= 0 ? r.sent_ns : r.sim_time_ns);
    t1 = std::max(t1, r.sim_time_ns);
  }
  if (nodes.empty()) throw ScenarioError("the trace has no node events to draw");
  if (nodes.size() > 64 || messages > 1500)
    throw ScenarioError("the trace has " + std::to_string(nodes.size()) + " nodes and " + std::to_string(messages) +
                        " messages; a diagram is readable up to 64 nodes and 1500 messages: record a narrower trace "
                        "(--trace 'nodes=0..9 time=1s..2s')");
  // Time runs down by event, not linearly: each distinct instant gets its own row, so a
  // 2 ms message between two 100 ms heartbeats is as readable as the gaps around it (the
  // order is exact; the spacing is not proportional, and the left axis gives the times).
  std::vector<int64_t> instants;
  for (const TraceRow& r : rows) {
    if (r.event == "truncated") continue;
    instants.push_back(r.sim_time_ns);
    if (r.sent_ns >= 0) instants.push_back(r.sent_ns);
  }
  std::sort(instants.begin(), instants.end());
  instants.erase(std::unique(instants.begin(), instants.end()), instants.end());
  const int lane = 120, left = 90, top = 90, legend_h = 30, row_h = 18;
  const double height = static_cast<double>(instants.size()) * row_h;
  std::map<int64_t, int> column;
  for (int64_t n : nodes) column[n] = static_cast<int>(column.size());
  auto x = [&](int64_t n) { return left + column[n] * lane; };
  auto y = [&](int64_t t) {
    const auto row = std::lower_bound(instants.begin(), instants.end(), t) - instants.begin();
    return top + legend_h + 8 + static_cast<double>(row) * row_h;
  };
  std::map<std::string, const char*> colour;
  auto colour_of = [&](const std::string& type) {
    auto it = colour.find(type);
    if (it != colour.end()) return it->second;
    const char* c = kPalette[colour.size() % (sizeof kPalette / sizeof *kPalette)];
    colour[type] = c;
    return c;
  };
  const int width = left + static_cast<int>(nodes.size() - 1) * lane + 160;
  const int total_h = static_cast<int>(top + legend_h + height + 40);
  std::ostringstream body;
  // Lanes: a node's line, its name on top.
  for (int64_t n : nodes)
    body << "<line x1='" << x(n) << "' y1='" << top + legend_h - 10 << "' x2='" << x(n) << "' y2='" << total_h - 20
         << "' stroke='#bbb' stroke-width='1.5'/>\n<text x='" << x(n) << "' y='" << top + legend_h - 16
         << "' text-anchor='middle' class='node'>n" << n << "</text>\n";
  // Messages: from the send to the delivery, or to the drop (a cross).
  std::map<uint64_t, const TraceRow*> sends;
  for (const TraceRow& r : rows)
    if (r.event == "send") sends[r.message_id] = &r;
  for (const TraceRow& r : rows) {
    if (r.event != "deliver" && r.event != "drop") continue;
    const bool drop = r.event == "drop";
    const int64_t from = drop ? r.node : r.peer, to = drop ? r.peer : r.node;
    const int64_t sent = r.sent_ns >= 0 ? r.sent_ns : r.sim_time_ns;
    const char* c = colour_of(r.type);
    const double x1 = x(from), y1 = y(sent), x2 = x(to), y2 = y(r.sim_time_ns);
    const double xe = drop ? x1 + (x2 - x1) * 0.6 : x2, ye = drop ? y1 + (y2 - y1) * 0.6 + 6 : y2;
    auto it = sends.find(r.message_id);
    const std::string tip = (it != sends.end() ? it->second->detail : r.type) + " n" + std::to_string(from) + " -> n" +
                            std::to_string(to) + (drop ? " lost (" + r.detail + ")" : "");
    body << "<g><title>" << xml_escape(tip) << "</title><line x1='" << x1 << "' y1='" << y1 << "' x2='" << xe << "' y2='"
         << ye << "' stroke='" << c << "' stroke-width='1.4'" << (drop ? " stroke-dasharray='4 3'" : " marker-end='url(#arrow)'")
         << "/>";
    if (drop)
      body << "<path d='M" << xe - 5 << " " << ye - 5 << " L" << xe + 5 << " " << ye + 5 << " M" << xe - 5 << " " << ye + 5
           << " L" << xe + 5 << " " << ye - 5 << "' stroke='#d00' stroke-width='2'/>";
    body << "</g>\n";
  }
  // Notes and faults.
  for (const TraceRow& r : rows) {
    if (r.event == "note") {
      body << "<g><title>" << xml_escape(r.type + " " + r.detail) << "</title><circle cx='" << x(r.node) << "' cy='"
           << y(r.sim_time_ns) << "' r='4.5' fill='#222'/><text x='" << x(r.node) + 7 << "' y='" << y(r.sim_time_ns) + 4
           << "' class='note'>" << xml_escape(r.type + " " + r.detail) << "</text></g>\n";
    } else if (r.event == "log" && r.type.rfind("end-", 0) != 0 && r.type.find('.') == std::string::npos) {
      body << "<g><title>" << xml_escape(r.type + " " + r.detail) << "</title><line x1='" << left - 30 << "' y1='"
           << y(r.sim_time_ns) << "' x2='" << width - 20 << "' y2='" << y(r.sim_time_ns)
           << "' stroke='#e69500' stroke-dasharray='2 4'/><text x='" << left - 30 << "' y='" << y(r.sim_time_ns) - 3
           << "' class='fault'>" << xml_escape(r.type + " " + r.detail) << "</text></g>\n";
    }
  }
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << total_h << "' viewBox='0 0 " << width
      << " " << total_h << "' font-family='DejaVu Sans, Helvetica, Arial, sans-serif'>\n"
      << "<style>.node{font-size:13px;font-weight:bold} .note{font-size:10px;fill:#222} .fault{font-size:10px;fill:#b36b00}"
         " .title{font-size:15px} .legend{font-size:11px} .axis{font-size:10px;fill:#666}</style>\n"
      << "<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' orient='auto'>"
         "<path d='M0,0 L10,5 L0,10 z' fill='#444'/></marker></defs>\n"
      << "<rect width='100%' height='100%' fill='white'/>\n<text x='12' y='24' class='title'>" << xml_escape(title)
      << "</text>\n<text x='12' y='42' class='axis'>time flows down: " << format_readable(Duration{t0}) << " to "
      << format_readable(Duration{t1}) << ", one row per instant; arrows are messages (dashed with a cross: lost), dots are protocol notes</text>\n";
  std::string items = body.str();
  int lx = 12;
  for (const auto& [type, c] : colour) {
    svg << "<rect x='" << lx << "' y='" << top - 32 << "' width='12' height='12' fill='" << c << "'/><text x='" << lx + 16
        << "' y='" << top - 22 << "' class='legend'>" << xml_escape(type) << "</text>\n";
    lx += 30 + static_cast<int>(type.size()) * 7;
  }
  // The time of every fifth instant on the left, and of every one after a long gap.
  for (size_t i = 0; i < instants.size(); ++i) {
    const bool gap = i > 0 && instants[i] - instants[i - 1] > (t1 - t0) / 20;
    if (i % 5 != 0 && !gap) continue;
    svg << "<text x='4' y='" << y(instants[i]) + 3 << "' class='axis'>" << format_readable(Duration{instants[i]}) << "</text>\n";
  }
  svg << items << "</svg>\n";
  return svg.str();
}

std::string lamport_html(const std::vector<TraceRow>& rows, const std::string& title) {
  return "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>" + xml_escape(title) +
         "</title></head>\n<body style='margin:0'>\n<!-- Hover an arrow or a dot for its content. -->\n" + lamport_svg(rows, title) +
         "</body></html>\n";
}

}  // namespace meshsim
