// Harness: rbk lsp, with what an editor may send. The input is a document: it is opened,
// every request is made at positions spread over it (including past its end), an
// incremental edit cuts a piece out and pastes it elsewhere, and the requests are made
// again. An input that starts with "{" is instead a sequence of raw message bodies
// (separated by NUL bytes) after the handshake. Properties: every request gets exactly
// one response, every message the server sends is JSON-RPC 2.0, and every range it gives
// in the document lies inside the document.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "lsp/server.hpp"
#include "lsp/text_document.hpp"

namespace {

using nlohmann::json;

const std::string kUri = rbk::lsp::path_to_uri(rbk::fuzz::kFileName);

struct Session {
  std::vector<json> sent;
  rbk::lsp::Server server;
  int next_id = 1;

  Session()
      : server(
            [] {
              rbk::lsp::ServerOptions o;
              o.stdlib_dir = rbk::fuzz::stdlib_dir();
              return o;
            }(),
            [this](const std::string& body) {
              json m = json::parse(body, nullptr, false);
              if (m.is_discarded() || m.value("jsonrpc", "") != "2.0")
                rbk::fuzz::broken("the server sent a message that is not JSON-RPC 2.0: " + body);
              sent.push_back(std::move(m));
            }) {}

  // As a client would: JSON is UTF-8, so a document's bad bytes arrive as U+FFFD.
  static std::string body(const json& m) {
    return m.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  void notify(const std::string& method, json params) {
    server.handle(
        body(json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}}));
  }
  void request(const std::string& method, json params) {
    int id = next_id++;
    size_t before = sent.size();
    server.handle(body(
        json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}));
    size_t answers = 0;
    for (size_t i = before; i < sent.size(); ++i)
      if (sent[i].contains("id") && sent[i]["id"] == id) ++answers;
    if (answers != 1) rbk::fuzz::broken(method + " got " + std::to_string(answers) + " responses");
  }
};

// Every "range" in a message about the document lies within LINES lines.
void check_ranges(const json& j, uint32_t lines, bool about_document) {
  if (j.is_object()) {
    bool here = about_document;
    if (j.contains("uri") && j["uri"].is_string()) here = j["uri"] == kUri;
    for (const auto& [k, v] : j.items()) {
      if ((k == "range" || k == "selectionRange") && here && v.is_object()) {
        for (const char* end : {"start", "end"}) {
          uint32_t line = v.value(json::json_pointer(std::string("/") + end + "/line"), 0u);
          if (line > lines) rbk::fuzz::broken("a range ends past the document: " + j.dump());
        }
      }
      check_ranges(v, lines, here);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) check_ranges(v, lines, about_document);
  }
}

void ask_everything(Session& s, const std::string& text) {
  uint32_t lines = 1;
  for (char c : text) lines += c == '\n';
  json td = {{"uri", kUri}};
  s.request("textDocument/documentSymbol", {{"textDocument", td}});
  s.request("textDocument/codeLens", {{"textDocument", td}});
  s.request("textDocument/formatting", {{"textDocument", td}, {"options", json::object()}});
  // Positions spread over the text, and one past its end.
  for (uint32_t i = 0; i < 6; ++i) {
    json pos = {{"line", i * lines / 5}, {"character", (i * 7) % 40}};
    json at = {{"textDocument", td}, {"position", pos}};
    s.request("textDocument/hover", at);
    s.request("textDocument/definition", at);
    s.request("textDocument/completion", at);
    s.request("textDocument/prepareRename", at);
    if (i == 2) {
      json refs = at;
      refs["context"] = {{"includeDeclaration", true}};
      s.request("textDocument/references", refs);
      json rename = at;
      rename["newName"] = "renamed";
      s.request("textDocument/rename", rename);
    }
  }
  s.server.idle();
  for (const auto& m : s.sent) check_ranges(m, lines, false);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  Session s;
  s.request("initialize", {{"capabilities", json::object()}});
  if (!input.empty() && input[0] == '{') {
    size_t start = 0;
    while (start <= input.size()) {
      size_t end = input.find('\0', start);
      if (end == std::string::npos) end = input.size();
      s.server.handle(input.substr(start, end - start));
      start = end + 1;
    }
    s.server.idle();
    return 0;
  }
  s.notify(
      "textDocument/didOpen",
      {{"textDocument", {{"uri", kUri}, {"languageId", "rbk"}, {"version", 1}, {"text", input}}}});
  ask_everything(s, input);
  // Cut the middle third out and paste it at the start, as two incremental edits.
  std::string piece = input.substr(input.size() / 3, input.size() / 3);
  rbk::lsp::TextDocument doc(kUri, rbk::fuzz::kFileName, 1, input);
  rbk::lsp::Position a = doc.position_at(input.size() / 3, rbk::lsp::Encoding::Utf16);
  rbk::lsp::Position b =
      doc.position_at(input.size() / 3 + piece.size(), rbk::lsp::Encoding::Utf16);
  auto range = [](rbk::lsp::Position x, rbk::lsp::Position y) {
    return json{{"start", {{"line", x.line}, {"character", x.character}}},
                {"end", {{"line", y.line}, {"character", y.character}}}};
  };
  s.notify("textDocument/didChange", {{"textDocument", {{"uri", kUri}, {"version", 2}}},
                                      {"contentChanges",
                                       {{{"range", range(a, b)}, {"text", ""}},
                                        {{"range", range({0, 0}, {0, 0})}, {"text", piece}}}}});
  doc.replace({a, b}, "", rbk::lsp::Encoding::Utf16);
  doc.replace({{0, 0}, {0, 0}}, piece, rbk::lsp::Encoding::Utf16);
  s.sent.clear();
  ask_everything(s, doc.text());
  return 0;
}
