// Speed of rbk lsp on a 1,000-line runbook: what one keystroke costs (an incremental
// edit, the check of the whole file with its imports, the index, the diagnostics sent),
// and the requests an author makes while typing. Side by side with BM_Check1000Lines
// (check_bench.cpp): the same file through `rbk check`'s front end alone. Figures are in
// docs/performance.md.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "generated_runbook.hpp"
#include "lsp/server.hpp"
#include "lsp/text_document.hpp"

namespace {

using nlohmann::json;

class Session {
 public:
  Session() {
    dir_ = std::filesystem::temp_directory_path() / ("rbk-lsp-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    size_t lines = 0;
    text_ = "import \"stdlib/fleet.rbk\"\n" + rbk::bench::generate(0, &lines);
    while (lines < 1000)
      text_ = "import \"stdlib/fleet.rbk\"\n" + rbk::bench::generate(text_.size() + 2000, &lines);
    lines_ = lines + 1;
    std::ofstream(dir_ / "generated.rbk") << text_;
    uri_ = rbk::lsp::path_to_uri((dir_ / "generated.rbk").string());
    rbk::lsp::ServerOptions options;
    options.stdlib_dir = std::string(RBK_SOURCE_DIR) + "/stdlib";
    server_ = std::make_unique<rbk::lsp::Server>(options, [this](const std::string& body) {
      sent_bytes_ += body.size();
      last_ = body;
    });
    call("initialize",
         {{"rootUri", rbk::lsp::path_to_uri(dir_.string())}, {"capabilities", json::object()}});
    notify("textDocument/didOpen",
           {{"textDocument",
             {{"uri", uri_}, {"languageId", "rbk"}, {"version", 1}, {"text", text_}}}});
    server_->idle();
    if (last_.find("\"diagnostics\":[]") == std::string::npos)
      throw std::runtime_error("the generated runbook has problems: " + last_.substr(0, 400));
  }
  ~Session() { std::filesystem::remove_all(dir_); }

  void notify(const std::string& method, json params) {
    server_->handle(
        json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}}.dump());
  }
  const std::string& call(const std::string& method, json params) {
    server_->handle(
        json{{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", std::move(params)}}
            .dump());
    return last_;
  }
  // Types one character at the start of line LINE, or takes it out again.
  void keystroke(int line, bool insert) {
    json range = {{"start", {{"line", line}, {"character", 0}}},
                  {"end", {{"line", line}, {"character", insert ? 0 : 1}}}};
    notify("textDocument/didChange",
           {{"textDocument", {{"uri", uri_}, {"version", ++version_}}},
            {"contentChanges", {{{"range", range}, {"text", insert ? " " : ""}}}}});
    server_->idle();
  }
  json at(int line, int character) const {
    return {{"textDocument", {{"uri", uri_}}},
            {"position", {{"line", line}, {"character", character}}}};
  }
  // The line and column of the first NEEDLE.
  std::pair<int, int> find(const std::string& needle) const {
    size_t at = text_.find(needle);
    int line =
        static_cast<int>(std::count(text_.begin(), text_.begin() + static_cast<long>(at), '\n'));
    size_t start = text_.rfind('\n', at);
    return {line, static_cast<int>(at - (start == std::string::npos ? 0 : start + 1))};
  }
  size_t lines() const { return lines_; }
  size_t sent_bytes() const { return sent_bytes_; }

 private:
  std::filesystem::path dir_;
  std::string text_, uri_, last_;
  size_t lines_ = 0, sent_bytes_ = 0;
  int id_ = 0, version_ = 1;
  std::unique_ptr<rbk::lsp::Server> server_;
};

void BM_LspKeystroke1000Lines(benchmark::State& state) {
  Session s;
  int line = s.find("decide d40 ").first;
  bool insert = true;
  for (auto _ : state) {
    s.keystroke(line, insert);
    insert = !insert;
  }
  state.counters["lines"] = static_cast<double>(s.lines());
  state.counters["diagnostic_bytes"] =
      benchmark::Counter(static_cast<double>(s.sent_bytes()), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_LspKeystroke1000Lines)->Unit(benchmark::kMillisecond);

void BM_LspHover1000Lines(benchmark::State& state) {
  Session s;
  auto [line, col] = s.find("when age40 <");
  for (auto _ : state)
    benchmark::DoNotOptimize(s.call("textDocument/hover", s.at(line, col + 6)).size());
}
BENCHMARK(BM_LspHover1000Lines)->Unit(benchmark::kMicrosecond);

void BM_LspCompletion1000Lines(benchmark::State& state) {
  Session s;
  auto [line, col] = s.find("when age40 <");
  for (auto _ : state)
    benchmark::DoNotOptimize(s.call("textDocument/completion", s.at(line, col + 5)).size());
}
BENCHMARK(BM_LspCompletion1000Lines)->Unit(benchmark::kMicrosecond);

void BM_LspReferences1000Lines(benchmark::State& state) {
  Session s;
  auto [line, col] = s.find("decide d40 ");
  json params = s.at(line, col + 8);
  params["context"] = {{"includeDeclaration", true}};
  for (auto _ : state) benchmark::DoNotOptimize(s.call("textDocument/references", params).size());
}
BENCHMARK(BM_LspReferences1000Lines)->Unit(benchmark::kMicrosecond);

}  // namespace
