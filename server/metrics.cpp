#include "server/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "server/web_pages.hpp"

namespace rbk::server {

namespace {

// Latencies from a millisecond to a minute: probes and actions reach across a network.
const std::vector<double> kCallBounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                         0.5,   1,     2.5,  5,     10,   30,  60};
const std::vector<double> kRequestBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                            0.05,   0.1,   0.25,   0.5,   1,    2.5};

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string label_value(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out + "\"";
}

std::string route_of(const std::string& path) {
  static const std::vector<std::string> fixed = {
      "/healthz",       "/readyz",      "/openapi.json", "/metrics",          "/api/whoami",
      "/api/runbooks",  "/api/runs",    "/api/gates",    "/api/gates/events", "/auth/login",
      "/auth/callback", "/auth/logout", "/auth/token",   "/auth/session"};
  if (std::find(fixed.begin(), fixed.end(), path) != fixed.end()) return path;
  if (path.rfind("/assets/", 0) == 0) return "/assets/{name}";
  if (is_web_page(path)) return "page";  // the web pages: one page, whatever the address
  for (const char* prefix : {"/api/runs/", "/api/runbooks/"}) {
    std::string p = prefix;
    if (path.compare(0, p.size(), p) != 0) continue;
    size_t slash = path.find('/', p.size());
    std::string rest = slash == std::string::npos ? "" : path.substr(slash);
    std::string param = p == "/api/runs/" ? "{id}" : "{name}";
    if (rest.empty() || rest == "/trace" || rest == "/events" || rest == "/approve" ||
        rest == "/deny" || rest == "/cancel" || rest == "/diagram.svg" || rest == "/diagram.mmd" ||
        rest == "/audit")
      return p + param + rest;
    if (p == "/api/runs/" && rest.rfind("/signals/", 0) == 0) return p + param + "/signals/{name}";
  }
  return "other";
}

void Histogram::observe(const std::string& labels, double value) {
  Series& s = series_[labels];
  if (s.counts.empty()) s.counts.assign(bounds_.size() + 1, 0);
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++s.counts[i];
  s.sum += value;
  ++s.count;
}

void Histogram::render(std::string& out, const std::string& name) const {
  for (const auto& [labels, s] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s.counts[i];
      double le = i < bounds_.size() ? bounds_[i] : INFINITY;
      out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, labels.empty() ? "" : ",",
                         number(le), cumulative);
    }
    std::string braces = labels.empty() ? "" : "{" + labels + "}";
    out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces, number(s.sum), name, braces,
                       s.count);
  }
}

Metrics::Metrics()
    : probes_(kCallBounds), actions_(kCallBounds), requests_seconds_(kRequestBounds) {}

void Metrics::event(const TraceEvent& e, int64_t) {
  if (e.kind != TraceKind::Probe && e.kind != TraceKind::Action) return;
  std::string function;
  double seconds = -1;
  for (const auto& f : e.fields) {
    if (f.key == "function" && f.value.kind == ValueKind::String) function = f.value.str();
    if (f.key == "duration_ms" && f.value.kind == ValueKind::Int)
      seconds = static_cast<double>(f.value.i) / 1000.0;
    if (f.key == "performed" && f.value.kind == ValueKind::Bool && !f.value.b)
      return;  // "would do": nothing was performed, nothing took time
  }
  if (seconds < 0 || function.empty()) return;
  std::lock_guard lock(mu_);
  (e.kind == TraceKind::Probe ? probes_ : actions_)
      .observe("function=" + label_value(function), seconds);
}

void Metrics::request(const std::string& method, const std::string& route, int status,
                      double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[fmt::format("method={},route={},status=\"{}\"", label_value(method),
                          label_value(route), status)];
  requests_seconds_.observe("route=" + label_value(route), seconds);
}

void Metrics::run_executed(const RunRecord& rec, const RunResult& r,
                           const std::optional<JournalWriter::Stats>& journal) {
  std::lock_guard lock(mu_);
  if (r.status == RunStatus::Ended || r.status == RunStatus::Failed)
    ++runs_ended_[fmt::format("runbook={},outcome={}", label_value(rec.runbook),
                              label_value(outcome_name(r.outcome)))];
  if (journal) {
    journal_commits_ += journal->commits;
    journal_entries_ += journal->entries;
    journal_commit_seconds_ += journal->commit_ms / 1000.0;
  }
}

std::string Metrics::render(RunStore& store, const ExecutorFigures& work) {
  std::string out;
  std::vector<RunCount> counts = store.count_runs();
  int64_t now = system_now_ms();
  header(out, "rbk_runs", "gauge", "Runs in the store, by runbook and stored status.");
  std::map<std::string, int64_t> by_status;
  for (const auto& c : counts)
    by_status[fmt::format("runbook={},status={}", label_value(c.runbook),
                          label_value(run_state_name(c.status)))] += c.count;
  for (const auto& [labels, n] : by_status) out += fmt::format("rbk_runs{{{}}} {}\n", labels, n);
  header(out, "rbk_gates_waiting", "gauge",
         "Runs paused at a gate, waiting for a decision, by runbook and role.");
  std::string ages;
  for (const auto& c : counts) {
    if (c.status != RunState::Paused) continue;
    std::string labels =
        fmt::format("runbook={},role={}", label_value(c.runbook), label_value(c.paused_role));
    out += fmt::format("rbk_gates_waiting{{{}}} {}\n", labels, c.count);
    ages += fmt::format("rbk_gate_oldest_wait_seconds{{{}}} {}\n", labels,
                        number(static_cast<double>(now - c.oldest_update) / 1000.0));
  }
  header(out, "rbk_gate_oldest_wait_seconds", "gauge",
         "How long the longest-waiting gate of each runbook and role has waited.");
  out += ages;
  header(out, "rbk_runs_executing", "gauge", "Runs this server executes now.");
  out += fmt::format("rbk_runs_executing {}\n", work.executing);
  header(out, "rbk_runs_queued", "gauge", "Runs waiting for a worker of this server.");
  out += fmt::format("rbk_runs_queued {}\n", work.queued);
  header(out, "rbk_runs_taken_over_total", "counter",
         "Runs this server took over from a replica whose lease ran out.");
  out += fmt::format("rbk_runs_taken_over_total {}\n", work.runs_taken_over);
  header(out, "rbk_children_executing", "gauge",
         "Fan-out children (of any replica's runs) this server executes now.");
  out += fmt::format("rbk_children_executing {}\n", work.children_executing);
  header(out, "rbk_children_total", "counter",
         "Fan-out children this server executed: done, or left to another replica.");
  out += fmt::format("rbk_children_total{{result=\"done\"}} {}\n", work.children_done);
  out += fmt::format("rbk_children_total{{result=\"left\"}} {}\n", work.children_left);
  header(out, "rbk_children_taken_over_total", "counter",
         "Fan-out children this server took on after an earlier taker died or let them go.");
  out += fmt::format("rbk_children_taken_over_total {}\n", work.children_taken_over);

  std::lock_guard lock(mu_);
  header(out, "rbk_runs_ended_total", "counter",
         "Runs this server executed to an end, by runbook and outcome.");
  for (const auto& [labels, n] : runs_ended_)
    out += fmt::format("rbk_runs_ended_total{{{}}} {}\n", labels, n);
  header(out, "rbk_probe_duration_seconds", "histogram",
         "How long probes took in the runs this server executed, by function.");
  probes_.render(out, "rbk_probe_duration_seconds");
  header(out, "rbk_action_duration_seconds", "histogram",
         "How long performed actions took in the runs this server executed, by function.");
  actions_.render(out, "rbk_action_duration_seconds");
  header(out, "rbk_journal_commits_total", "counter", "Journal commits of this server's runs.");
  out += fmt::format("rbk_journal_commits_total {}\n", journal_commits_);
  header(out, "rbk_journal_entries_total", "counter", "Journal entries of this server's runs.");
  out += fmt::format("rbk_journal_entries_total {}\n", journal_entries_);
  header(out, "rbk_journal_commit_seconds_total", "counter",
         "Time spent committing the journals of this server's runs.");
  out += fmt::format("rbk_journal_commit_seconds_total {}\n", number(journal_commit_seconds_));
  header(out, "rbk_http_requests_total", "counter",
         "HTTP requests answered, by method, route and status.");
  for (const auto& [labels, n] : requests_)
    out += fmt::format("rbk_http_requests_total{{{}}} {}\n", labels, n);
  header(out, "rbk_http_request_duration_seconds", "histogram",
         "How long answering a request took, by route (an event stream: until it began).");
  requests_seconds_.render(out, "rbk_http_request_duration_seconds");
  return out;
}

}  // namespace rbk::server
