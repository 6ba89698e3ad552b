// rbk lsp at the protocol level: each request a client sends, on a workspace of real
// files in a temporary folder, through lsp::Server exactly as `rbk lsp` runs it (the
// transport is tested on its own below, and with Neovim in lsp_nvim_test.sh).
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compiler/loader.hpp"
#include "lsp/json_rpc.hpp"
#include "lsp/server.hpp"
#include "lsp/text_document.hpp"
#include "render/graphviz.hpp"
#include "test_support.hpp"
#include "vm/program.hpp"

namespace rbk::lsp {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const char* const kModule = R"(// Site checks.
module site

config site_api: string

// Whether the site's controller answers.
probe up(site: string) -> bool {
  let s = http.get_json("{config.site_api}/sites/{site}")
  return s.up
}

// Restarts the site's controller.
action restart(site: string) {
  http.post_json("{config.site_api}/sites/{site}/restart")
}
)";

const char* const kMain = R"(import "site.rbk"

runbook recover "Recover a site" {
  doc "Brings a site back."
  param site: string
  param grace: duration = 5m

  start -> check

  decide check "Is it up?" {
    let up = site.up(site)
    when up -> done    "Up"
    else    -> restart "Down"
  }

  action restart "Restart it" {
    do site.restart(site)
    then -> done
  }

  end done as resolved
}
)";

const char* const kCaller = R"(import "main.rbk"

runbook wrapper {
  param where: string

  start -> again

  call again "Recover it" {
    run recover(site: where)
    then -> finished
  }

  end finished as resolved
}
)";

class LspTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rbk-lsp-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    dir_ = canonical_path(dir_.string());
    test::write_text(dir_ / "site.rbk", kModule);
    test::write_text(dir_ / "main.rbk", kMain);
    test::write_text(dir_ / "caller.rbk", kCaller);
    ServerOptions options;
    options.version = "test";
    options.stdlib_dir = (test::source_dir() / "stdlib").string();
    options.draw_svg = [](const Program& p) { return render_svg(render_dot(p.entry_runbook())); };
    server_ = std::make_unique<Server>(
        options, [this](const std::string& body) { sent_.push_back(json::parse(body)); });
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string uri(const std::string& name) const { return path_to_uri((dir_ / name).string()); }

  void send(const json& m) { server_->handle(m.dump()); }
  void notify(const std::string& method, json params) {
    send({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
  }
  // The response to a request: its result, or {"error": …}.
  json request(const std::string& method, json params) {
    int id = next_id_++;
    send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
    for (const auto& m : sent_)
      if (m.contains("id") && m["id"] == id)
        return m.contains("error") ? json{{"error", m["error"]}} : m["result"];
    ADD_FAILURE() << "no response to " << method;
    return nullptr;
  }
  json initialize(json capabilities = json::object()) {
    json r = request("initialize", {{"processId", nullptr},
                                    {"rootUri", path_to_uri(dir_.string())},
                                    {"capabilities", std::move(capabilities)}});
    notify("initialized", json::object());
    return r;
  }
  void open(const std::string& name, std::string text = {}) {
    if (text.empty()) text = test::read_text(dir_ / name);
    notify("textDocument/didOpen",
           {{"textDocument",
             {{"uri", uri(name)}, {"languageId", "rbk"}, {"version", 1}, {"text", text}}}});
  }
  // The diagnostics last published for NAME (after the server went idle).
  json diagnostics(const std::string& name) {
    server_->idle();
    json last;
    for (const auto& m : sent_)
      if (m.value("method", "") == "textDocument/publishDiagnostics" &&
          m["params"]["uri"] == uri(name))
        last = m["params"];
    return last;
  }
  static json at(const std::string& u, int line, int character) {
    return {{"textDocument", {{"uri", u}}},
            {"position", {{"line", line}, {"character", character}}}};
  }

  fs::path dir_;
  std::unique_ptr<Server> server_;
  std::vector<json> sent_;
  int next_id_ = 1;
};

TEST_F(LspTest, InitializeAdvertisesWhatItAnswersAndTakesUtf8WhenOffered) {
  json r = initialize({{"general", {{"positionEncodings", {"utf-16", "utf-8"}}}}});
  const json& caps = r["capabilities"];
  EXPECT_EQ(caps["positionEncoding"], "utf-8");
  EXPECT_EQ(caps["textDocumentSync"]["change"], 2);  // incremental
  for (const char* p : {"hoverProvider", "definitionProvider", "referencesProvider",
                        "documentSymbolProvider", "documentFormattingProvider"})
    EXPECT_EQ(caps[p], true) << p;
  EXPECT_EQ(caps["renameProvider"]["prepareProvider"], true);
  EXPECT_TRUE(caps.contains("completionProvider"));
  EXPECT_TRUE(caps.contains("codeLensProvider"));
  EXPECT_EQ(r["serverInfo"]["name"], "rbk");
}

TEST_F(LspTest, DiagnosticsArriveOnOpenAndFollowIncrementalEdits) {
  initialize();
  std::string text = kMain;
  size_t at = text.find("-> restart \"Down\"");
  text.replace(at, 10, "-> restrat");
  open("main.rbk", text);
  json d = diagnostics("main.rbk");
  // The unknown node, and so the node no edge reaches any more (a warning).
  ASSERT_EQ(d["diagnostics"].size(), 2u) << d.dump(2);
  EXPECT_EQ(d["diagnostics"][1]["code"], "unreachable-node");
  EXPECT_EQ(d["diagnostics"][1]["severity"], 2);
  const json& diag = d["diagnostics"][0];
  EXPECT_EQ(diag["code"], "unknown-node");
  EXPECT_EQ(diag["severity"], 1);
  EXPECT_NE(diag["message"].get<std::string>().find("hint: did you mean 'restart'?"),
            std::string::npos)
      << diag.dump();
  // "    else    -> restrat": the name starts at character 15 of line 12.
  EXPECT_EQ(diag["range"]["start"], json({{"line", 12}, {"character", 15}}));
  EXPECT_EQ(diag["range"]["end"], json({{"line", 12}, {"character", 22}}));

  // Typing the fix, one edit of the range.
  notify("textDocument/didChange", {{"textDocument", {{"uri", uri("main.rbk")}, {"version", 2}}},
                                    {"contentChanges",
                                     {{{"range",
                                        {{"start", {{"line", 12}, {"character", 15}}},
                                         {"end", {{"line", 12}, {"character", 22}}}}},
                                       {"text", "restart"}}}}});
  d = diagnostics("main.rbk");
  EXPECT_EQ(d["version"], 2);
  EXPECT_TRUE(d["diagnostics"].empty()) << d.dump(2);
}

TEST_F(LspTest, PositionsCountUtf16UnitsUnlessUtf8WasAgreed) {
  for (bool utf8 : {false, true}) {
    if (utf8) {
      sent_.clear();
      SetUp();
    }
    initialize(utf8 ? json{{"general", {{"positionEncodings", {"utf-8"}}}}} : json::object());
    // "é" is 2 bytes and 1 UTF-16 unit; "🔥" 4 bytes and 2 units (a surrogate pair).
    std::string text = kMain;
    text.replace(text.find("    when up -> done"), 19, "    when \"é🔥\" == site -> restrat");
    open("main.rbk", text);
    json d = diagnostics("main.rbk");
    ASSERT_FALSE(d["diagnostics"].empty()) << d.dump(2);
    int start = utf8 ? 9 + 8 + 4 + 4 + 4 : 9 + 5 + 4 + 4 + 4;
    EXPECT_EQ(d["diagnostics"][0]["range"]["start"], json({{"line", 11}, {"character", start}}));
    EXPECT_EQ(d["diagnostics"][0]["range"]["end"], json({{"line", 11}, {"character", start + 7}}));
    // A position the client computed the same way lands on the same name.
    json h = request("textDocument/hover", at(uri("main.rbk"), 11, start - 7));  // `site`
    EXPECT_NE(h.dump().find("param site"), std::string::npos) << h.dump();
  }
}

TEST_F(LspTest, UnsavedBuffersStandInForTheirFilesAndImportProblemsShowAtTheImport) {
  initialize();
  std::string main = kMain;
  main.replace(main.find("site.up(site)"), 13, "site.up_now(site)");
  open("main.rbk", main);
  json d = diagnostics("main.rbk");
  ASSERT_EQ(d["diagnostics"].size(), 1u) << d.dump(2);
  EXPECT_EQ(d["diagnostics"][0]["code"], "unknown-function");

  // The module, open with the probe added but not saved: main.rbk checks against it.
  std::string module = kModule;
  module += "\nprobe up_now(site: string) -> bool {\n  return true\n}\n";
  open("site.rbk", module);
  d = diagnostics("main.rbk");
  EXPECT_TRUE(d["diagnostics"].empty()) << d.dump(2);

  // A syntax error in the open module: main.rbk says so at its import.
  notify("textDocument/didChange", {{"textDocument", {{"uri", uri("site.rbk")}, {"version", 2}}},
                                    {"contentChanges", {{{"text", module + "probe {\n"}}}}});
  d = diagnostics("main.rbk");
  ASSERT_EQ(d["diagnostics"].size(), 1u) << d.dump(2);
  EXPECT_EQ(d["diagnostics"][0]["code"], "imported-file");
  EXPECT_EQ(d["diagnostics"][0]["range"]["start"]["line"], 0);
  EXPECT_NE(d["diagnostics"][0]["message"].get<std::string>().find("site.rbk"), std::string::npos);

  // Closed, the file on disk counts again (it has no up_now).
  notify("textDocument/didClose", {{"textDocument", {{"uri", uri("site.rbk")}}}});
  d = diagnostics("main.rbk");
  ASSERT_EQ(d["diagnostics"].size(), 1u);
  EXPECT_EQ(d["diagnostics"][0]["code"], "unknown-function");
  EXPECT_TRUE(diagnostics("site.rbk")["diagnostics"].empty());
}

TEST_F(LspTest, HoverShowsSignaturesDocsEffectsAndTypes) {
  initialize();
  open("main.rbk");
  // site.up(site): the declared probe, its doc comment and effect.
  json h = request("textDocument/hover", at(uri("main.rbk"), 10, 18));
  std::string md = h["contents"]["value"];
  EXPECT_NE(md.find("probe site.up(site: string) -> bool"), std::string::npos) << md;
  EXPECT_NE(md.find("Whether the site's controller answers."), std::string::npos) << md;
  EXPECT_NE(md.find("read-only"), std::string::npos) << md;
  // The action: a side effect.
  md = request("textDocument/hover", at(uri("main.rbk"), 16, 14))["contents"]["value"];
  EXPECT_NE(md.find("action site.restart(site: string)"), std::string::npos) << md;
  EXPECT_NE(md.find("side effect"), std::string::npos) << md;
  // A variable and a parameter.
  md = request("textDocument/hover", at(uri("main.rbk"), 10, 8))["contents"]["value"];
  EXPECT_NE(md.find("let up: bool"), std::string::npos) << md;
  md = request("textDocument/hover", at(uri("main.rbk"), 10, 22))["contents"]["value"];
  EXPECT_NE(md.find("param site: string"), std::string::npos) << md;
  // A node named by an edge, and a native.
  md = request("textDocument/hover", at(uri("main.rbk"), 11, 16))["contents"]["value"];
  EXPECT_NE(md.find("ends the run as `resolved`"), std::string::npos) << md;
  EXPECT_NE(md.find("end done"), std::string::npos) << md;
  // Nothing to say on a keyword.
  EXPECT_TRUE(request("textDocument/hover", at(uri("main.rbk"), 9, 2)).is_null());
}

TEST_F(LspTest, DefinitionJumpsToNodesParamsImportsAndDeclarationsInOtherFiles) {
  initialize();
  open("main.rbk");
  auto def = [&](int line, int ch) {
    return request("textDocument/definition", at(uri("main.rbk"), line, ch));
  };
  json d = def(10, 18);  // site.up -> site.rbk, `up` of `probe up`
  EXPECT_EQ(d["uri"], uri("site.rbk"));
  EXPECT_EQ(d["range"]["start"], json({{"line", 6}, {"character", 6}}));
  d = def(7, 12);  // start -> check
  EXPECT_EQ(d["uri"], uri("main.rbk"));
  EXPECT_EQ(d["range"]["start"], json({{"line", 9}, {"character", 9}}));
  d = def(10, 22);  // the argument `site`: the parameter
  EXPECT_EQ(d["range"]["start"], json({{"line", 4}, {"character", 8}}));
  d = def(0, 10);  // the import's path: the file
  EXPECT_EQ(d["uri"], uri("site.rbk"));
  EXPECT_TRUE(def(9, 1).is_null());
}

TEST_F(LspTest, ReferencesAreFoundInTheWorkspacesFilesThatImportTheDefinition) {
  initialize();
  open("main.rbk");
  // The runbook `recover`: its definition here, its call in caller.rbk (not open).
  json refs = request("textDocument/references", {{"textDocument", {{"uri", uri("main.rbk")}}},
                                                  {"position", {{"line", 2}, {"character", 10}}},
                                                  {"context", {{"includeDeclaration", true}}}});
  ASSERT_EQ(refs.size(), 2u) << refs.dump(2);
  std::set<std::string> uris;
  for (const auto& r : refs) uris.insert(r["uri"]);
  EXPECT_EQ(uris, (std::set<std::string>{uri("main.rbk"), uri("caller.rbk")}));
  // The node `done`: two edges and its definition, or only the edges.
  json node = request("textDocument/references", {{"textDocument", {{"uri", uri("main.rbk")}}},
                                                  {"position", {{"line", 20}, {"character", 7}}},
                                                  {"context", {{"includeDeclaration", false}}}});
  EXPECT_EQ(node.size(), 2u) << node.dump(2);
}

TEST_F(LspTest, CompletionOffersWhatFitsWhereTheCursorIs) {
  initialize();
  open("main.rbk");
  diagnostics("main.rbk");  // the editor idles once: the text as opened is checked
  auto labels = [&](const std::string& text, int line, int ch) {
    notify("textDocument/didChange",
           {{"textDocument", {{"uri", uri("main.rbk")}, {"version", next_id_}}},
            {"contentChanges", {{{"text", text}}}}});
    json r = request("textDocument/completion", at(uri("main.rbk"), line, ch));
    std::set<std::string> out;
    for (const auto& i : r["items"]) out.insert(i["label"]);
    return out;
  };
  std::string main = kMain;
  // After `->`, on a line that does not parse yet: the runbook's nodes.
  std::string t = main;
  t.insert(t.find("    then -> done"), "    on error -> \n");
  auto got = labels(t, 17, 16);
  EXPECT_TRUE(got.count("check") && got.count("restart") && got.count("done")) << got.size();
  // After a module's name: its probes and actions.
  t = main;
  t.insert(t.find("    when up"), "    let x = site.\n");
  got = labels(t, 11, 17);
  EXPECT_EQ(got, (std::set<std::string>{"up", "restart"}));
  // After config.
  t = main;
  t.insert(t.find("    when up"), "    let x = config.\n");
  got = labels(t, 11, 19);
  EXPECT_TRUE(got.count("site_api"));
  // At the start of a line in a decide node: its clauses.
  t = main;
  t.insert(t.find("    when up"), "    \n");
  got = labels(t, 11, 4);
  EXPECT_TRUE(got.count("let") && got.count("when") && got.count("else") && got.count("on error"));
  EXPECT_FALSE(got.count("do"));
  // In the runbook's body: its items and node kinds.
  t = main;
  t.insert(t.find("  end done"), "  \n");
  got = labels(t, 20, 2);
  EXPECT_TRUE(got.count("param") && got.count("decide") && got.count("foreach"));
  // In an expression: the names in scope.
  t = main;
  t.insert(t.find("    when up"), "    let y = gr\n");
  got = labels(t, 11, 14);
  EXPECT_TRUE(got.count("grace") && got.count("site") && got.count("up") && got.count("http"));
}

TEST_F(LspTest, CompletionOfACallFillsInItsRequiredParametersForClientsThatTakeSnippets) {
  for (bool snippets : {true, false}) {
    if (!snippets) {
      sent_.clear();
      SetUp();
    }
    initialize(
        {{"textDocument", {{"completion", {{"completionItem", {{"snippetSupport", snippets}}}}}}}});
    open("main.rbk");
    diagnostics("main.rbk");  // checked as opened; then the line being typed
    std::string text = kMain;
    text.insert(text.find("    when up"), "    let x = site.\n");
    notify("textDocument/didChange", {{"textDocument", {{"uri", uri("main.rbk")}, {"version", 2}}},
                                      {"contentChanges", {{{"text", text}}}}});
    json r = request("textDocument/completion", at(uri("main.rbk"), 11, 17));
    json up;
    for (const auto& i : r["items"])
      if (i["label"] == "up") up = i;
    ASSERT_FALSE(up.is_null()) << r.dump();
    EXPECT_EQ(up["detail"], "probe site.up(site: string) -> bool");
    if (snippets) {
      EXPECT_EQ(up["insertText"], "up(${1:site})$0");
      EXPECT_EQ(up["insertTextFormat"], 2);
    } else {
      EXPECT_FALSE(up.contains("insertText"));
    }
  }
}

TEST_F(LspTest, DocumentSymbolsOutlineRunbooksAndTheirNodes) {
  initialize();
  open("main.rbk");
  json s = request("textDocument/documentSymbol", {{"textDocument", {{"uri", uri("main.rbk")}}}});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0]["name"], "recover");
  std::vector<std::string> children;
  for (const auto& c : s[0]["children"]) children.push_back(c["name"]);
  EXPECT_EQ(children, (std::vector<std::string>{"site", "grace", "check", "restart", "done"}));
}

TEST_F(LspTest, FormattingGivesTheCanonicalLayoutAndRefusesAFileThatDoesNotParse) {
  initialize();
  std::string messy = "import \"site.rbk\"\nrunbook   tiny {\nstart->e\nend e as resolved\n}\n";
  open("tiny.rbk", messy);
  json edits =
      request("textDocument/formatting", {{"textDocument", {{"uri", uri("tiny.rbk")}}},
                                          {"options", {{"tabSize", 2}, {"insertSpaces", true}}}});
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_EQ(edits[0]["newText"],
            "import \"site.rbk\"\n\nrunbook tiny {\n  start -> e\n  end e as resolved\n}\n");
  EXPECT_EQ(edits[0]["range"]["end"], json({{"line", 5}, {"character", 0}}));
  open("main.rbk");
  EXPECT_TRUE(request("textDocument/formatting",
                      {{"textDocument", {{"uri", uri("main.rbk")}}}, {"options", json::object()}})
                  .empty());

  open("broken.rbk", "runbook x {\n  start ->\n}\n");
  json r = request("textDocument/formatting",
                   {{"textDocument", {{"uri", uri("broken.rbk")}}}, {"options", json::object()}});
  ASSERT_TRUE(r.contains("error"));
  EXPECT_EQ(r["error"]["code"], -32803);
  EXPECT_NE(r["error"]["message"].get<std::string>().find(
                "does not parse (3:1: expected the name of the first node"),
            std::string::npos)
      << r.dump();
}

TEST_F(LspTest, RenameChangesEveryMentionAcrossFilesAndRefusesClashesAndKeywords) {
  initialize();
  open("main.rbk");
  json prep = request("textDocument/prepareRename", at(uri("main.rbk"), 12, 18));
  EXPECT_EQ(prep["placeholder"], "restart");
  // The node `restart`: its definition and the edge to it.
  json edit = request("textDocument/rename", {{"textDocument", {{"uri", uri("main.rbk")}}},
                                              {"position", {{"line", 12}, {"character", 18}}},
                                              {"newName", "reboot"}});
  ASSERT_TRUE(edit.contains("changes")) << edit.dump();
  EXPECT_EQ(edit["changes"][uri("main.rbk")].size(), 2u) << edit.dump(2);
  // The parameter `site`: its declaration, its reads, and the named argument in caller.rbk.
  edit = request("textDocument/rename", {{"textDocument", {{"uri", uri("main.rbk")}}},
                                         {"position", {{"line", 4}, {"character", 9}}},
                                         {"newName", "plant"}});
  EXPECT_EQ(edit["changes"][uri("main.rbk")].size(), 3u) << edit.dump(2);
  ASSERT_EQ(edit["changes"][uri("caller.rbk")].size(), 1u) << edit.dump(2);
  EXPECT_EQ(edit["changes"][uri("caller.rbk")][0]["range"]["start"],
            json({{"line", 8}, {"character", 16}}));

  auto refused = [&](int line, int ch, const std::string& name) {
    json r = request("textDocument/rename", {{"textDocument", {{"uri", uri("main.rbk")}}},
                                             {"position", {{"line", line}, {"character", ch}}},
                                             {"newName", name}});
    return r.contains("error") ? r["error"]["message"].get<std::string>() : std::string();
  };
  EXPECT_NE(refused(12, 18, "check").find("already a name"), std::string::npos);
  EXPECT_NE(refused(12, 18, "when").find("keyword"), std::string::npos);
  EXPECT_NE(refused(12, 18, "2fast").find("not a name"), std::string::npos);
  EXPECT_NE(refused(10, 20, "down").find("only a node"), std::string::npos);  // a probe
}

TEST_F(LspTest, CodeLensesOfferADryRunAndTheDiagramWhichIsDrawn) {
  initialize();
  open("main.rbk");
  json lenses = request("textDocument/codeLens", {{"textDocument", {{"uri", uri("main.rbk")}}}});
  ASSERT_EQ(lenses.size(), 2u);
  EXPECT_EQ(lenses[0]["command"]["command"], "rbk.dryRun");
  EXPECT_EQ(lenses[0]["command"]["arguments"][0]["params"][1],
            json({{"name", "grace"}, {"type", "duration"}, {"default", "5m"}}));
  EXPECT_EQ(lenses[1]["command"]["command"], "rbk.showDiagram");
  json drawn =
      request("workspace/executeCommand",
              {{"command", "rbk.showDiagram"}, {"arguments", lenses[1]["command"]["arguments"]}});
  ASSERT_TRUE(drawn.contains("path")) << drawn.dump();
  std::string svg = test::read_text(drawn["path"].get<std::string>());
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("Is it up?"), std::string::npos);
}

TEST_F(LspTest, ProtocolErrorsGetTheirCodesAndNothingElseBreaks) {
  auto error_of = [&](const std::string& body) {
    size_t before = sent_.size();
    server_->handle(body);
    EXPECT_EQ(sent_.size(), before + 1) << body;
    return sent_.back()["error"]["code"].get<int>();
  };
  EXPECT_EQ(error_of("{not json"), -32700);
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}})"),
            -32002);
  initialize();
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":2,"method":"textDocument/nonsense","params":{}})"),
            -32601);
  EXPECT_EQ(
      error_of(R"({"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{"position":1}})"),
      -32602);
  EXPECT_EQ(
      error_of(
          R"({"jsonrpc":"2.0","id":4,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///nope.rbk"},"position":{"line":0,"character":0}}})"),
      -32602);
  // Notifications are never answered, even when wrong.
  size_t before = sent_.size();
  notify("textDocument/didChange", {{"textDocument", {{"uri", "file:///nope.rbk"}}}});
  notify("$/cancelRequest", {{"id", 1}});
  EXPECT_EQ(sent_.size(), before);
  EXPECT_FALSE(server_->exited());
  request("shutdown", nullptr);
  notify("exit", nullptr);
  EXPECT_TRUE(server_->exited());
  EXPECT_EQ(server_->exit_code(), 0);
}

TEST_F(LspTest, BytesThatAreNotUtf8ReachTheClientAsReplacementCharacters) {
  initialize();
  // A folder whose name has a byte that is not UTF-8: the diagnostics name the path.
  fs::path odd = dir_ / "caf\xff";
  fs::create_directories(odd);
  std::string u = path_to_uri((odd / "x.rbk").string());
  ASSERT_NE(u.find("%FF"), std::string::npos);
  notify("textDocument/didOpen", {{"textDocument",
                                   {{"uri", u},
                                    {"languageId", "rbk"},
                                    {"version", 1},
                                    {"text", "import \"missing.rbk\"\n"}}}});
  server_->idle();
  json last;
  for (const auto& m : sent_)
    if (m.value("method", "") == "textDocument/publishDiagnostics") last = m["params"];
  ASSERT_EQ(last["diagnostics"].size(), 1u) << last.dump();
  std::string message = last["diagnostics"][0]["message"];
  EXPECT_NE(message.find("caf\xEF\xBF\xBD"), std::string::npos) << message;  // U+FFFD
  EXPECT_FALSE(request("textDocument/hover", at(u, 0, 1)).contains("error"));
}

// The dry-run lens: the server starts `rbk run --dry-run` as a process of its own, sends its
// output as log messages from another thread, and its end as a message.
TEST(LspDryRun, TheLensRunsRbkRunBesideTheServerAndSaysHowItEnded) {
  fs::path dir = fs::temp_directory_path() / ("rbk-lsp-dry-run-" + std::to_string(getpid()));
  fs::create_directories(dir);
  test::write_text(dir / "tiny.rbk",
                   "runbook tiny {\n  param who: string\n\n  start -> d\n\n  decide d {\n"
                   "    when who == \"x\" -> a\n    else            -> b\n  }\n\n"
                   "  end a as resolved\n  end b as escalated\n}\n");
  setenv("RBK_STORE", (dir / "runs.db").c_str(), 1);
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<json> sent;
  {
    ServerOptions options;
    options.rbk_path = RBK_BINARY_PATH;
    options.stdlib_dir = (test::source_dir() / "stdlib").string();
    Server server(options, [&](const std::string& body) {
      std::lock_guard lock(mutex);
      sent.push_back(json::parse(body));
      arrived.notify_all();
    });
    server.handle(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}})");
    json command = {{"jsonrpc", "2.0"},
                    {"id", 2},
                    {"method", "workspace/executeCommand"},
                    {"params",
                     {{"command", "rbk.dryRun"},
                      {"arguments",
                       {{{"path", (dir / "tiny.rbk").string()},
                         {"runbook", "tiny"},
                         {"values", {{"who", "x"}}}}}}}}};
    server.handle(command.dump());
    std::unique_lock lock(mutex);
    json started = sent.back();
    EXPECT_TRUE(started["result"].contains("pid")) << started.dump();
    EXPECT_NE(started["result"]["command"].get<std::string>().find("--dry-run --param who=x"),
              std::string::npos);
    bool ended = arrived.wait_for(lock, std::chrono::seconds(30), [&] {
      for (const auto& m : sent)
        if (m.value("method", "") == "window/showMessage") return true;
      return false;
    });
    ASSERT_TRUE(ended) << "no end of the dry-run in 30 s";
    std::string log;
    for (const auto& m : sent) {
      if (m.value("method", "") == "window/logMessage")
        log += m["params"]["message"].get<std::string>() + "\n";
      if (m.value("method", "") == "window/showMessage") {
        EXPECT_EQ(m["params"]["message"], "dry-run of tiny ended");
      }
    }
    EXPECT_NE(log.find("outcome: resolved"), std::string::npos) << log;
  }  // the server (and its dry-runs) end here
  unsetenv("RBK_STORE");
  fs::remove_all(dir);
}

std::string framed(const std::string& body) {
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(JsonRpcFraming, ReadsMessagesAndRejectsBrokenFramesWithAReason) {
  std::istringstream two(
      framed("{}") + "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + framed("[1]"));
  EXPECT_EQ(read_message(two), "{}");
  EXPECT_EQ(read_message(two), "[1]");
  EXPECT_EQ(read_message(two), std::nullopt);
  auto error = [](const std::string& input) {
    std::istringstream in(input);
    try {
      read_message(in);
    } catch (const FramingError& e) {
      return e.message;
    }
    return std::string("(no error)");
  };
  EXPECT_NE(error("Content-Length: 10\r\n\r\n{}").find("ended inside a message body"),
            std::string::npos);
  EXPECT_NE(error("Content-Type: x\r\n\r\n{}").find("without Content-Length"), std::string::npos);
  EXPECT_NE(error("Content-Length: ten\r\n\r\n").find("not a number"), std::string::npos);
  EXPECT_NE(error("Content-Length: 99999999999\r\n\r\n").find("over the limit"), std::string::npos);
  EXPECT_NE(error("garbage\r\n\r\n").find("not a header"), std::string::npos);
  EXPECT_NE(error("Content-Length: 2").find("ended inside a header"), std::string::npos);
}

TEST(LspServe, ASessionOverStreamsEndsWithTheExitCodeTheProtocolAsks) {
  auto session = [](bool shutdown) {
    std::string in =
        framed(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}})");
    if (shutdown) in += framed(R"({"jsonrpc":"2.0","id":2,"method":"shutdown"})");
    in += framed(R"({"jsonrpc":"2.0","method":"exit"})");
    std::istringstream input(in);
    std::ostringstream output;
    int code = serve(input, output, ServerOptions{});
    return std::make_pair(code, output.str());
  };
  auto [code, out] = session(true);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("\"capabilities\""), std::string::npos);
  EXPECT_EQ(session(false).first, 1);
}

// std::cin is tied to std::cout: a read would flush the output from the reader thread while
// the main thread writes (Neovim saw a header written twice). serve() unties its input.
TEST(LspServe, TheInputIsUntiedSoTheReaderNeverFlushesTheOutput) {
  std::string in =
      framed(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}})") +
      framed(R"({"jsonrpc":"2.0","id":2,"method":"shutdown"})") +
      framed(R"({"jsonrpc":"2.0","method":"exit"})");
  std::istringstream input(in);
  std::ostringstream output;
  input.tie(&output);
  EXPECT_EQ(serve(input, output, ServerOptions{}), 0);
  EXPECT_EQ(input.tie(), nullptr);
  // Two whole responses, each framed once.
  std::string out = output.str();
  size_t headers = 0;
  for (size_t at = out.find("Content-Length:"); at != std::string::npos;
       at = out.find("Content-Length:", at + 1))
    ++headers;
  EXPECT_EQ(headers, 2u) << out;
}

TEST(TextDocument, EditsAndPositionsInBothEncodings) {
  TextDocument doc("file:///x.rbk", "/x.rbk", 1, "ab\n\xC3\xA9\xF0\x9F\x94\xA5z\nlast");
  EXPECT_EQ(doc.offset_at({1, 3}, Encoding::Utf16), 3u + 2 + 4);  // after é🔥
  EXPECT_EQ(doc.offset_at({1, 6}, Encoding::Utf8), 3u + 6);
  EXPECT_EQ(doc.offset_at({1, 99}, Encoding::Utf16), 3u + 7);  // clamped to the line
  EXPECT_EQ(doc.offset_at({9, 0}, Encoding::Utf16), doc.text().size());
  EXPECT_EQ(doc.position_at(3 + 6, Encoding::Utf16).character, 3u);
  doc.replace({{0, 1}, {1, 1}}, "X", Encoding::Utf16);
  EXPECT_EQ(doc.text(), "aX\xF0\x9F\x94\xA5z\nlast");
  EXPECT_EQ(uri_to_path("file:///a/b%20c.rbk"), "/a/b c.rbk");
  EXPECT_EQ(path_to_uri("/a/b c.rbk"), "file:///a/b%20c.rbk");
  EXPECT_EQ(uri_to_path("untitled:1"), "");
}

}  // namespace
}  // namespace rbk::lsp
