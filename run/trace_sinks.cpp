#include "run/trace_sinks.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "vm/value_json.hpp"

namespace rbk {

nlohmann::json trace_json(const TraceEvent& e, int64_t now_ms, const std::string& run,
                          const std::string& program, size_t seq) {
  nlohmann::json j;
  j["run"] = run;
  j["program"] = program;
  j["seq"] = seq;
  j["time"] = format_time(now_ms);
  j["event"] = trace_kind_name(e.kind);
  if (e.site.runbook) j["runbook"] = e.site.runbook->name;
  if (e.site.node) j["node"] = e.site.node->name;
  if (e.site.line) j["line"] = e.site.line;
  if (e.site.depth) j["depth"] = e.site.depth;
  if (e.in_body) j["in_body"] = true;
  if (e.kind == TraceKind::NodeEntered && e.site.node) {
    j["kind"] = node_kind_name(e.site.node->kind);
    j["label"] = e.site.node->label;
  }
  if (e.edge != kNone && e.site.runbook) {
    const EdgeInfo& edge = e.site.runbook->edges[e.edge];
    j["edge"] = e.edge;
    j["kind"] = edge_kind_name(edge.kind);
    j["to"] = e.site.runbook->nodes[edge.to].name;
    j["label"] = edge.label;
  }
  for (const auto& f : e.fields) j[f.key] = to_plain_json(f.value);
  return j;
}

void JsonlTrace::event(const TraceEvent& e, int64_t now_ms) {
  ++seq_;
  out_ << trace_json(e, now_ms, run_, program_, seq_).dump() << "\n";
  out_.flush();
}

void StoreTrace::event(const TraceEvent& e, int64_t now_ms) {
  ++seq_;
  store_.append_trace(run_, static_cast<int64_t>(seq_),
                      trace_json(e, now_ms, run_, program_, seq_).dump());
}

namespace {
std::string show(const Value& v) {
  return to_source(v);
}
const Value* field(const TraceEvent& e, const char* key) {
  for (const auto& f : e.fields)
    if (f.key == key) return &f.value;
  return nullptr;
}
std::string text(const TraceEvent& e, const char* key) {
  const Value* v = field(e, key);
  return v ? to_display(*v) : "";
}
}  // namespace

// Children by cohort (the `by` columns) and end node, one row per cohort:
//       d.region  d.firmware  flap  watch
//       eu-west   2.4.0         12      3
void ReadableTrace::cohort_table(const Value& columns, const Value& cohorts,
                                 const std::string& pad) {
  std::vector<std::string> ends;
  for (const auto& c : cohorts.items())
    for (const auto& e : c.field("ends")->items()) {
      std::string name = e.field("end")->str();
      if (std::find(ends.begin(), ends.end(), name) == ends.end()) ends.push_back(name);
    }
  std::vector<std::vector<std::string>> rows(1);
  for (const auto& c : columns.items()) rows[0].push_back(c.str());
  for (const auto& e : ends) rows[0].push_back(e);
  // A table a person reads: up to kCohortRows rows; beyond that, the largest cohorts (where
  // the children cluster), largest first, and how many more there are.
  std::vector<const Value*> shown;
  for (const auto& c : cohorts.items()) shown.push_back(&c);
  const size_t all = shown.size();
  if (all > kCohortRows) {
    auto size = [](const Value* c) {
      int64_t n = 0;
      for (const auto& x : c->field("ends")->items()) n += x.field("children")->i;
      return n;
    };
    std::stable_sort(shown.begin(), shown.end(),
                     [&](const Value* a, const Value* b) { return size(a) > size(b); });
    shown.resize(kCohortRows);
  }
  for (const Value* c : shown) {
    std::vector<std::string> row;
    for (const auto& k : c->field("key")->items()) row.push_back(to_display(k));
    for (const auto& e : ends) {
      int64_t n = 0;
      for (const auto& x : c->field("ends")->items())
        if (x.field("end")->str() == e) n = x.field("children")->i;
      row.push_back(std::to_string(n));
    }
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  size_t key_columns = columns.items().size();
  for (const auto& row : rows) {
    std::string line = pad + "      ";
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      std::string gap(width[i] - row[i].size(), ' ');
      line += (i < key_columns ? row[i] + gap : gap + row[i]) + "  ";  // counts align right
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out_ << line << "\n";
  }
  if (all > shown.size())
    out_ << pad << "      … and " << all - shown.size()
         << " smaller cohorts (all of them: rbk run --summary FILE, rbk runs RUN --json)\n";
}

void ReadableTrace::event(const TraceEvent& e, int64_t) {
  std::string pad(static_cast<size_t>(e.site.depth) * 4, ' ');
  auto call_text = [&] {
    std::string call = text(e, "function") + "(";
    if (const Value* args = field(e, "args"))
      for (size_t i = 0; i < args->items().size(); ++i)
        call += (i ? ", " : "") + show(args->items()[i]);
    return call + ")";
  };
  switch (e.kind) {
    case TraceKind::NodeEntered: {
      const std::string& label = e.site.node->label;
      out_ << pad << "● " << e.site.node->name << (label.empty() ? "" : " — " + label) << "\n";
      break;
    }
    case TraceKind::Probe:
      if (e.in_body) break;  // the natives a declared probe calls: its result says enough
      if (const Value* r = field(e, "result")) {
        if (const Value* n = field(e, "result_items"); n && r->kind == ValueKind::List) {
          // a fleet: the first few items and how many
          std::string first;
          for (size_t i = 0; i < 3 && i < r->items().size(); ++i)
            first += (i ? ", " : "") + show(r->items()[i]);
          out_ << pad << "    " << call_text() << " = [" << first << ", … " << to_display(*n)
               << " items]\n";
        } else {
          out_ << pad << "    " << call_text() << " = " << show(*r) << "\n";
        }
      } else
        out_ << pad << "    " << call_text() << " failed: " << text(e, "error") << "\n";
      break;
    case TraceKind::EdgeTaken: {
      const EdgeInfo& edge = e.site.runbook->edges[e.edge];
      const std::string& label = edge.label;
      out_ << pad << "    → " << e.site.runbook->nodes[edge.to].name
           << (label.empty() ? "" : "  \"" + label + "\"") << "\n";
      break;
    }
    case TraceKind::Action: {
      bool performed = field(e, "performed") && field(e, "performed")->b;
      out_ << pad << "    " << (performed ? "did " : "would do ") << call_text();
      if (field(e, "error")) {
        out_ << " failed: " << text(e, "error");
      } else if (const Value* r = field(e, "result")) {  // read later (do let)
        out_ << " = " << show(*r);
        if (field(e, "placeholder")) out_ << "  (a placeholder: not performed)";
      }
      out_ << "\n";
      break;
    }
    case TraceKind::GateAsked:
      out_ << pad << "    gate " << text(e, "gate") << " asks role \"" << text(e, "role") << "\"";
      if (const Value* plan = field(e, "plan"))
        for (const auto& p : plan->items()) out_ << "\n" << pad << "      plan: " << p.str();
      out_ << "\n";
      break;
    case TraceKind::GateDecided: {
      out_ << pad << "    gate " << text(e, "gate") << ": " << text(e, "decision");
      if (const Value* answers = field(e, "answers"); answers && answers->kind == ValueKind::Record)
        for (size_t i = 0; i < answers->keys().size(); ++i)
          out_ << (i ? ", " : " — ") << answers->keys()[i] << " = " << show(answers->items()[i]);
      out_ << "\n";
      break;
    }
    case TraceKind::Error:
      out_ << pad << "    error: " << text(e, "reason") << "\n";
      break;
    case TraceKind::WaitTimeout:
      out_ << pad << "    timed out" << (field(e, "after") ? " after " + text(e, "after") : "")
           << "\n";
      break;
    case TraceKind::Signal: {
      out_ << pad << "    signal " << text(e, "signal") << " after " << text(e, "after");
      if (const Value* v = field(e, "value"); v && !v->is_null()) out_ << " = " << show(*v);
      out_ << "\n";
      break;
    }
    case TraceKind::WaveStarted:
      out_ << pad << "    wave " << text(e, "wave") << " of " << text(e, "waves") << ": "
           << text(e, "items") << " item" << (text(e, "items") == "1" ? "" : "s") << "\n";
      break;
    case TraceKind::Children:  // a fleet's thousands: summed up when the foreach ends
      break;
    case TraceKind::ForeachPlan: {
      out_ << pad << "    plan: " << text(e, "items") << " item"
           << (text(e, "items") == "1" ? "" : "s") << " (list " << text(e, "digest") << ")";
      if (const Value* waves = field(e, "waves"); waves && waves->items().size() > 1) {
        out_ << ", waves of";
        for (size_t i = 0; i < waves->items().size(); ++i)
          out_ << (i ? ", " : " ") << to_display(waves->items()[i]);
      }
      std::string actions;
      if (const Value* a = field(e, "actions"))
        for (size_t i = 0; i < a->keys().size(); ++i)
          actions +=
              (actions.empty() ? "" : ", ") + a->keys()[i] + " ×" + to_display(a->items()[i]);
      out_ << "; each child may do " << (actions.empty() ? "no action" : actions);
      if (field(e, "worst_case"))
        out_ << "; worst case " << text(e, "worst_case")
             << (text(e, "worst_case") == "1" ? " child" : " children")
             << " before the abort fires";
      out_ << "\n";
      break;
    }
    case TraceKind::ForeachEnded: {
      out_ << pad << "    " << text(e, "started") << " of " << text(e, "count") << " children ran"
           << (field(e, "aborted") && field(e, "aborted")->b ? ", then it aborted" : "");
      std::string sep = ": ";
      if (const Value* ends = field(e, "ends"))
        for (const auto& end : ends->items()) {
          out_ << sep << to_display(*end.field("end")) << " " << to_display(*end.field("children"));
          sep = ", ";
        }
      out_ << "\n";
      if (const Value* cohorts = field(e, "cohorts")) cohort_table(*field(e, "by"), *cohorts, pad);
      break;
    }
    case TraceKind::RunStarted:  // the command's own first and last lines say these
    case TraceKind::RunEnded:
    case TraceKind::RunFailed:
      break;
  }
  // A live run can wait for minutes: whoever watches it (through a pipe or tee too) sees
  // each step when it happens, not when the buffer fills.
  out_.flush();
}

namespace {
std::string thousands(size_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}
}  // namespace

std::string progress_text(const FleetProgress& p) {
  std::string line = p.node + ": wave " + std::to_string(p.wave) + " of " +
                     std::to_string(p.waves) + " · " + thousands(p.done) + " of " +
                     thousands(p.items) + " done · " + thousands(p.failed) + " failed";
  if (p.in_flight) line += " · " + thousands(p.in_flight) + " in flight";
  if (p.elapsed_ms > 0 && p.done > 0) {
    double per_s = 1000.0 * static_cast<double>(p.done) / static_cast<double>(p.elapsed_ms);
    line += " · " + thousands(static_cast<size_t>(per_s + 0.5)) + "/s";
    if (p.done < p.items)
      line += " · about " +
              format_duration(static_cast<int64_t>(static_cast<double>(p.items - p.done) / per_s) *
                              1000) +
              " left";
  }
  return line;
}

void ProgressLine::progress(const FleetProgress& p) {
  out_ << "\r\033[K  " << progress_text(p) << std::flush;
  shown_ = true;
}

void ProgressLine::erase() {
  if (!shown_) return;
  out_ << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace rbk
