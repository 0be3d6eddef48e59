#include "app/compare_output.h"

#include <cmath>
#include <sstream>

#include "app/json_writer.h"
#include "app/readable.h"

namespace meshsim::cli {

namespace {

std::string pad(const std::string& s, size_t width) { return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' '); }

// Display width in characters, not bytes: the table holds "–" and "α".
size_t width_of(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string median_iqr(const std::string& metric, const stats::Summary& s) {
  return readable_metric(metric, s.median) + " [" + readable_metric(metric, s.q1) + ", " + readable_metric(metric, s.q3) + "]";
}

std::string json_array(const std::vector<double>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + json_number(values[i]);
  return out + "]";
}

template <class T>
std::string json_ints(const std::vector<T>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + std::to_string(values[i]);
  return out + "]";
}

std::string summary_json(const stats::Summary& s) {
  JsonObject o;
  o.number("n", static_cast<double>(s.n)).number("median", s.median).number("q1", s.q1).number("q3", s.q3);
  o.number("min", s.min).number("max", s.max).number("mean", s.mean);
  return o.str();
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string compare_table(const CompareResult& r, const std::string& seeds) {
  std::ostringstream out;
  out << "compare " << r.variants.size() << " variants over seeds " << seeds << "; baseline " << r.variants[0].variant.name << "\n";
  for (const auto& v : r.variants) {
    out << "  " << pad(v.variant.name, 16) << v.samples.run_ids.size() << " runs";
    if (v.runs_not_ok) out << " (" << v.runs_not_ok << " left out: errored, interrupted or not run)";
    out << "  from " << v.variant.source;
    if (v.sweep_id > 0) out << "  (sweep " << v.sweep_id << " in " << v.db << ")";
    out << "\n";
  }
  for (const VariantComparison& c : r.comparisons) {
    const std::string& a = r.variants[c.baseline].variant.name;
    const std::string& b = r.variants[c.variant].variant.name;
    out << "\n" << b << " against " << a << ": " << c.pairing << "\n";
    std::vector<std::vector<std::string>> rows = {
        {"metric", a + " median [IQR]", b + " median [IQR]", "change [95% CI]", "p (Holm)", ""}};
    for (const MetricComparison& m : c.metrics) {
      const stats::Difference& d = m.difference;
      std::string change = std::isnan(d.relative) ? "n/a (baseline 0)"
                                                  : percent(d.relative) + " [" + percent(d.ci_low) + ", " + percent(d.ci_high) + "]";
      char p[32];
      std::snprintf(p, sizeof p, m.p_holm < 0.001 ? "<0.001" : "%.3f", m.p_holm);
      rows.push_back({m.metric, median_iqr(m.metric, m.baseline), median_iqr(m.metric, m.variant), change, p,
                      m.significant ? "*" : ""});
    }
    std::vector<size_t> widths(rows.front().size(), 0);
    for (const auto& row : rows)
      for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width_of(row[i]));
    for (const auto& row : rows) {
      out << " ";
      for (size_t i = 0; i < row.size(); ++i)
        out << " " << row[i] << std::string(widths[i] - width_of(row[i]) + (i + 1 < row.size() ? 1 : 0), ' ');
      out << "\n";
    }
    if (c.smallest_p * static_cast<double>(c.metrics.size()) >= r.alpha)
      out << "note: with these seeds the smallest p-value a rank test can give is " << c.smallest_p << "; after Holm over "
          << c.metrics.size() << " metrics nothing can reach alpha " << r.alpha
          << ". Run more seeds, or compare fewer metrics (--metrics).\n";
    out << "verdicts (* above): alpha " << r.alpha << ", Holm–Bonferroni over " << c.metrics.size()
        << " metrics, and the 95 % bootstrap interval must exclude 0:\n";
    std::string same;
    for (const MetricComparison& m : c.metrics) {
      if (m.significant) out << "  " << verdict_line(r, c, m) << "\n";
      else same += (same.empty() ? "" : ", ") + m.metric;
    }
    if (!same.empty()) out << "  " << b << ": no significant difference in " << same << "\n";
    else out << "  " << b << ": every compared metric differs\n";
  }
  return out.str();
}

std::string compare_json(const CompareResult& r, const std::string& seeds) {
  JsonObject top;
  top.field("command", "compare").field("seeds", seeds).number("alpha", r.alpha).field("correction", "holm");
  top.raw("metrics", [&] {
    std::string out = "[";
    for (size_t i = 0; i < r.metrics.size(); ++i) out += (i ? ", " : "") + json_escape(r.metrics[i]);
    return out + "]";
  }());
  std::string variants = "[";
  for (size_t v = 0; v < r.variants.size(); ++v) {
    const VariantSamples& vs = r.variants[v];
    JsonObject o;
    o.field("name", vs.variant.name).field("source", vs.variant.source).field("db", vs.db);
    o.number("sweep_id", static_cast<double>(vs.sweep_id)).number("runs_left_out", static_cast<double>(vs.runs_not_ok));
    o.raw("seeds", json_ints(vs.samples.seeds)).raw("run_ids", json_ints(vs.samples.run_ids));
    JsonObject values;
    for (const auto& [name, vals] : vs.samples.values) values.raw(name, json_array(vals));
    o.raw("values", values.str());
    JsonObject series;
    for (const auto& [name, band] : r.series[v]) {
      JsonObject b;
      b.raw("t_ns", json_ints(band.t_ns)).raw("mean", json_array(band.mean)).raw("q1", json_array(band.q1)).raw("q3", json_array(band.q3));
      series.raw(name, b.str());
    }
    o.raw("series", series.str());
    std::string faults = "[";
    if (!vs.samples.faults.empty()) {
      const auto& first = vs.samples.faults.front();  // the first seed's schedule, for drawing
      for (size_t i = 0; i < first.size(); ++i) {
        JsonObject f;
        f.number("t_ns", static_cast<double>(first[i].sim_time_ns)).field("kind", first[i].kind).field("detail", first[i].detail);
        faults += (i ? ", " : "") + f.str();
      }
    }
    o.raw("faults", faults + "]");
    variants += (v ? ", " : "") + o.str();
  }
  top.raw("variants", variants + "]");
  std::string comparisons = "[";
  for (size_t k = 0; k < r.comparisons.size(); ++k) {
    const VariantComparison& c = r.comparisons[k];
    JsonObject o;
    o.field("baseline", r.variants[c.baseline].variant.name).field("variant", r.variants[c.variant].variant.name);
    o.field("pairing", c.pairing).raw("paired", c.metrics.empty() || !c.metrics.front().difference.paired ? "false" : "true");
    std::string metrics = "[";
    std::string same = "[";
    for (size_t i = 0; i < c.metrics.size(); ++i) {
      const MetricComparison& m = c.metrics[i];
      JsonObject mo;
      mo.field("metric", m.metric).raw("baseline", summary_json(m.baseline)).raw("variant", summary_json(m.variant));
      mo.number("relative", m.difference.relative).number("ci_low", m.difference.ci_low).number("ci_high", m.difference.ci_high);
      mo.number("p_value", m.difference.p_value).number("p_holm", m.p_holm).raw("significant", m.significant ? "true" : "false");
      mo.field("verdict", verdict_line(r, c, m));
      metrics += (i ? ", " : "") + mo.str();
      if (!m.significant) same += (same.size() > 1 ? ", " : "") + json_escape(m.metric);
    }
    o.raw("metrics", metrics + "]").raw("not_different", same + "]");
    comparisons += (k ? ", " : "") + o.str();
  }
  top.raw("comparisons", comparisons + "]");
  return top.str();
}

std::string compare_csv(const CompareResult& r) {
  std::ostringstream out;
  out << "variant,baseline,metric,paired,n,median,q1,q3,min,max,mean,baseline_median,relative,ci_low,ci_high,p_value,p_holm,"
         "significant\n";
  auto row = [&](const std::string& variant, const std::string& baseline, const std::string& metric, const std::string& paired,
                 const stats::Summary& s, const std::string& rest) {
    out << csv_field(variant) << "," << csv_field(baseline) << "," << csv_field(metric) << "," << paired << "," << s.n << ","
        << json_number(s.median) << "," << json_number(s.q1) << "," << json_number(s.q3) << "," << json_number(s.min) << ","
        << json_number(s.max) << "," << json_number(s.mean) << "," << rest << "\n";
  };
  for (const std::string& metric : r.metrics)
    row(r.variants[0].variant.name, "", metric, "", stats::summarize(r.variants[0].samples.values.at(metric)), ",,,,,,");
  for (const VariantComparison& c : r.comparisons) {
    for (const MetricComparison& m : c.metrics) {
      const stats::Difference& d = m.difference;
      auto num = [](double v) { return std::isnan(v) ? std::string() : json_number(v); };
      row(r.variants[c.variant].variant.name, r.variants[c.baseline].variant.name, m.metric, d.paired ? "1" : "0", m.variant,
          num(m.baseline.median) + "," + num(d.relative) + "," + num(d.ci_low) + "," + num(d.ci_high) + "," +
              num(d.p_value) + "," + num(m.p_holm) + "," + (m.significant ? "1" : "0"));
    }
  }
  return out.str();
}

}  // namespace meshsim::cli
