#include "lsp/server.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "compiler/codegen.hpp"
#include "grammar/formatter.hpp"
#include "grammar/keywords.hpp"
#include "lsp/analysis.hpp"
#include "lsp/completion.hpp"
#include "lsp/dry_run.hpp"
#include "lsp/json_rpc.hpp"
#include "lsp/text_document.hpp"

namespace rbk::lsp {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// JSON-RPC and LSP error codes.
enum ErrorCode {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kServerNotInitialized = -32002,
  kRequestFailed = -32803,
};

struct RequestError {
  int code;
  std::string message;
};

// The protocol's SymbolKind values.
enum class LspSymbolKind {
  Module = 2,
  Class = 5,
  Method = 6,
  Property = 7,
  Field = 8,
  Function = 12,
  Constant = 14
};

constexpr size_t kMaxWorkspaceFiles = 2000;
constexpr const char* kNotRenameable = "only a node, a parameter or a variable can be renamed here";

}  // namespace

struct Server::State {
  ServerOptions options;
  std::function<void(const std::string&)> send;
  Encoding encoding = Encoding::Utf16;
  bool initialized = false, shutdown = false, exited = false;
  bool client_shows_documents = false;
  bool snippets = false;           // the client expands completion snippets
  std::vector<std::string> roots;  // workspace folders, canonical paths

  struct Open {
    std::unique_ptr<TextDocument> doc;
    std::shared_ptr<const Analysis> analysis;  // of the current text, or null when stale
    std::shared_ptr<const Analysis> checked;   // the latest that checked
    bool published = false;
  };
  std::map<std::string, Open> open;  // by uri
  // Files on disk indexed for references and rename: path -> (text, analysis).
  std::map<std::string, std::pair<std::string, std::shared_ptr<const Analysis>>> disk;
  std::unique_ptr<DryRuns> dry_runs;

  // ------------------------------------------------------------ output

  // A file's bytes reach messages (a path, a label, a doc comment); bytes that are not
  // UTF-8 are sent as U+FFFD, since JSON must be UTF-8.
  void post(const json& message) {
    send(message.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  void reply(const json& id, json result) {
    post(json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
  }
  void reply_error(const json& id, int code, const std::string& message) {
    post(json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
  }
  void notify(const std::string& method, json params) {
    post(json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
  }
  int next_request_id = 1;
  void request(const std::string& method, json params) {
    post(json{{"jsonrpc", "2.0"},
              {"id", "rbk-" + std::to_string(next_request_id++)},
              {"method", method},
              {"params", std::move(params)}});
  }

  // ------------------------------------------------------------ documents

  std::map<std::string, std::string> overlay() const {
    std::map<std::string, std::string> out;
    for (const auto& [uri, o] : open) out[o.doc->path()] = o.doc->text();
    return out;
  }

  Open& document(const json& params) {
    std::string uri = params.at("textDocument").at("uri").get<std::string>();
    auto it = open.find(uri);
    if (it == open.end())
      throw RequestError{kInvalidParams, "the document " + uri + " is not open"};
    return it->second;
  }

  const Analysis& analysis_of(Open& o) {
    if (!o.analysis) {
      o.analysis = analyze(o.doc->path(), o.doc->text(), overlay(), options.stdlib_dir);
      if (o.analysis->checked) o.checked = o.analysis;
    }
    return *o.analysis;
  }

  // Another document changed: those that load it must be checked again.
  void invalidate_importers(const std::string& path) {
    for (auto& [uri, o] : open) {
      if (!o.analysis || o.doc->path() == path) continue;
      for (const auto& f : o.analysis->ws.files)
        if (canonical_path(f.src->path()) == path) {
          o.analysis.reset();
          o.published = false;
          break;
        }
    }
  }

  uint32_t offset_of(Open& o, const json& params) {
    const json& p = params.at("position");
    return static_cast<uint32_t>(o.doc->offset_at(
        Position{p.at("line").get<uint32_t>(), p.at("character").get<uint32_t>()}, encoding));
  }

  // ------------------------------------------------------------ conversions

  static json position(const Position& p) { return {{"line", p.line}, {"character", p.character}}; }
  static json range(const TextRange& r) {
    return {{"start", position(r.start)}, {"end", position(r.end)}};
  }

  // The text of FILE (canonical path): an open document's, else the analysis's copy, else disk.
  std::string text_of_file(const std::string& file, const Analysis* a) {
    for (const auto& [uri, o] : open)
      if (o.doc->path() == file) return o.doc->text();
    if (a)
      for (const auto& f : a->ws.files)
        if (canonical_path(f.src->path()) == file) return f.src->text();
    std::string text, error;
    read_file(file, text, error);
    return text;
  }
  std::string uri_of(const std::string& file) {
    for (const auto& [uri, o] : open)
      if (o.doc->path() == file) return uri;
    return path_to_uri(file);
  }
  json location(const std::string& file, const Range& r, const Analysis* a) {
    return {{"uri", uri_of(file)}, {"range", range(to_lsp(text_of_file(file, a), r, encoding))}};
  }

  // ------------------------------------------------------------ diagnostics

  void publish(Open& o) {
    const Analysis& a = analysis_of(o);
    const std::string& text = a.source().text();
    json list = json::array();
    // Diagnostics in other files: one per import that leads to them, at the import.
    std::map<size_t, std::pair<size_t, const Diagnostic*>>
        via_import;  // import index -> (count, first)
    std::vector<std::set<size_t>> reach(a.ws.files[0].imports.size());
    for (size_t i = 0; i < reach.size(); ++i) {
      std::vector<size_t> todo{a.ws.files[0].imports[i].file};
      while (!todo.empty()) {
        size_t f = todo.back();
        todo.pop_back();
        if (!reach[i].insert(f).second) continue;
        for (const auto& e : a.ws.files[f].imports) todo.push_back(e.file);
      }
    }
    for (const Diagnostic& d : a.diags.items()) {
      if (!d.file) continue;
      if (d.file.get() != &a.source()) {
        for (size_t i = 0; i < reach.size(); ++i)
          for (size_t f : reach[i])
            if (a.ws.files[f].src.get() == d.file.get()) {
              auto& [count, first] = via_import[i];
              if (count++ == 0 ||
                  (d.severity == Severity::Error && first->severity != Severity::Error))
                first = &d;
            }
        continue;
      }
      list.push_back(diagnostic(d, text, a));
    }
    for (const auto& [i, found] : via_import) {
      const auto& [count, first] = found;
      const auto& edge = a.ws.files[0].imports[i];
      json d = {{"range", range(to_lsp(text, edge.range, encoding))},
                {"severity", first->severity == Severity::Error ? 1 : 2},
                {"source", "rbk"},
                {"code", "imported-file"},
                {"message",
                 fmt::format("{} problem{} in {}; the first: {}:{}:{}: {}", count,
                             count == 1 ? "" : "s", first->file->path(), first->file->path(),
                             first->range.begin.line, first->range.begin.col, first->message)}};
      list.push_back(std::move(d));
    }
    notify(
        "textDocument/publishDiagnostics",
        {{"uri", o.doc->uri()}, {"version", o.doc->version()}, {"diagnostics", std::move(list)}});
    o.published = true;
  }

  json diagnostic(const Diagnostic& d, const std::string& text, const Analysis& a) {
    std::string message = d.message;
    for (const auto& h : d.hints) message += "\nhint: " + h;
    json out = {{"range", range(to_lsp(text, d.range, encoding))},
                {"severity", d.severity == Severity::Error ? 1 : 2},
                {"source", "rbk"},
                {"message", message}};
    if (!d.code.empty()) out["code"] = d.code;
    if (!d.related.empty()) {
      json related = json::array();
      for (const auto& r : d.related)
        if (r.file)
          related.push_back({{"location", location(canonical_path(r.file->path()), r.range, &a)},
                             {"message", r.message}});
      out["relatedInformation"] = std::move(related);
    }
    return out;
  }

  // ------------------------------------------------------------ lifecycle

  json initialize(const json& params) {
    const json& caps = params.value("capabilities", json::object());
    if (auto enc = caps.value("/general/positionEncodings"_json_pointer, json::array());
        enc.is_array())
      for (const auto& e : enc)
        if (e == "utf-8") encoding = Encoding::Utf8;
    client_shows_documents = caps.value("/window/showDocument/support"_json_pointer, false);
    snippets =
        caps.value("/textDocument/completion/completionItem/snippetSupport"_json_pointer, false);
    auto add_root = [this](const json& uri) {
      if (!uri.is_string()) return;
      std::string p = uri_to_path(uri.get<std::string>());
      if (!p.empty()) roots.push_back(canonical_path(p));
    };
    if (params.contains("workspaceFolders") && params["workspaceFolders"].is_array())
      for (const auto& f : params["workspaceFolders"]) add_root(f.value("uri", json()));
    if (roots.empty()) add_root(params.value("rootUri", json()));
    if (auto opts = params.value("initializationOptions", json::object()); opts.is_object()) {
      if (opts.contains("stdlib") && opts["stdlib"].is_string())
        options.stdlib_dir = opts["stdlib"];
      dry_runs->configure(opts);
    }
    initialized = true;
    return {{"capabilities",
             {{"positionEncoding", encoding == Encoding::Utf8 ? "utf-8" : "utf-16"},
              {"textDocumentSync",
               {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
              {"hoverProvider", true},
              {"definitionProvider", true},
              {"referencesProvider", true},
              {"completionProvider", {{"triggerCharacters", {".", ">"}}}},
              {"documentSymbolProvider", true},
              {"documentFormattingProvider", true},
              {"renameProvider", {{"prepareProvider", true}}},
              {"codeLensProvider", {{"resolveProvider", false}}},
              {"executeCommandProvider", {{"commands", {"rbk.showDiagram", "rbk.dryRun"}}}}}},
            {"serverInfo", {{"name", "rbk"}, {"version", options.version}}}};
  }

  // ------------------------------------------------------------ text sync

  void did_open(const json& params) {
    const json& td = params.at("textDocument");
    std::string uri = td.at("uri");
    std::string path = uri_to_path(uri);
    path = path.empty() ? uri : canonical_path(path);
    Open o;
    o.doc = std::make_unique<TextDocument>(uri, path, td.value("version", 0),
                                           td.at("text").get<std::string>());
    open[uri] = std::move(o);
    invalidate_importers(path);
  }

  void did_change(const json& params) {
    Open& o = document(params);
    for (const auto& change : params.at("contentChanges")) {
      if (change.contains("range")) {
        const json& r = change["range"];
        TextRange tr{{r.at("start").at("line"), r.at("start").at("character")},
                     {r.at("end").at("line"), r.at("end").at("character")}};
        o.doc->replace(tr, change.at("text").get<std::string>(), encoding);
      } else {
        o.doc->replace_all(change.at("text").get<std::string>());
      }
    }
    o.doc->set_version(params.at("textDocument").value("version", o.doc->version()));
    o.analysis.reset();
    o.published = false;
    invalidate_importers(o.doc->path());
  }

  void did_close(const json& params) {
    std::string uri = params.at("textDocument").at("uri");
    auto it = open.find(uri);
    if (it == open.end()) return;
    std::string path = it->second.doc->path();
    open.erase(it);
    notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
    invalidate_importers(path);
  }

  // ------------------------------------------------------------ requests on symbols

  // The name at a request's position: the document's analysis, and the occurrence and its
  // symbol (both null when the position is on no name).
  struct NameAt {
    const Analysis& analysis;
    const Occurrence* occ = nullptr;
    const Symbol* symbol = nullptr;
  };
  NameAt name_at(const json& params) {
    Open& o = document(params);
    NameAt at{analysis_of(o)};
    at.occ = at.analysis.index.at(offset_of(o, params));
    if (at.occ) at.symbol = at.analysis.index.symbol(at.occ->symbol);
    if (!at.symbol) at.occ = nullptr;
    return at;
  }

  json hover(const json& params) {
    auto [a, occ, s] = name_at(params);
    if (!s) return nullptr;
    std::string md = "```rbk\n" + s->detail + "\n```";
    bool value = s->kind == SymbolKind::Variable || s->kind == SymbolKind::Param ||
                 s->kind == SymbolKind::Local || s->kind == SymbolKind::Config;
    if (value && !occ->type.empty() && s->detail.find(": " + occ->type) == std::string::npos)
      md += "\n\nhere: `" + occ->type + "`";
    if (!s->doc.empty()) md += "\n\n" + s->doc;
    if (!s->container.empty() && s->kind != SymbolKind::Function)
      md += "\n\n*in " + s->container + "*";
    return {{"contents", {{"kind", "markdown"}, {"value", md}}},
            {"range", range(to_lsp(a.source().text(), occ->range, encoding))}};
  }

  json definition(const json& params) {
    auto [a, occ, s] = name_at(params);
    if (!s || s->file.empty()) return nullptr;
    return location(s->file, s->def, &a);
  }

  // Every file that might mention a symbol: the open documents, the .rbk files of the
  // workspace folders, and the file defining it.
  std::vector<std::shared_ptr<const Analysis>> analyses_for_references(
      const std::string& def_file) {
    std::vector<std::shared_ptr<const Analysis>> out;
    std::set<std::string> done;
    for (auto& [uri, o] : open) {
      analysis_of(o);
      out.push_back(o.analysis);
      done.insert(o.doc->path());
    }
    std::vector<std::string> files;
    if (!def_file.empty()) files.push_back(def_file);
    for (const auto& root : roots) {
      std::error_code ec;
      fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec),
          end;
      for (; !ec && it != end && files.size() < kMaxWorkspaceFiles; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (it->is_directory(ec) &&
            (name.starts_with(".") || name == "node_modules" || name == "build")) {
          it.disable_recursion_pending();
          continue;
        }
        if (it->path().extension() == ".rbk") files.push_back(canonical_path(it->path().string()));
      }
    }
    auto over = overlay();
    for (const auto& f : files) {
      if (!done.insert(f).second) continue;
      std::string text, error;
      if (!read_file(f, text, error)) continue;
      auto& cached = disk[f];
      if (!cached.second || cached.first != text) {
        cached.first = text;
        cached.second = analyze(f, text, over, options.stdlib_dir);
      }
      out.push_back(cached.second);
    }
    return out;
  }

  struct Found {
    std::string file;
    Range range;
    bool definition;
    const Analysis* analysis;
  };

  // The symbol under the cursor and every occurrence of it.
  std::pair<const Symbol*, std::vector<Found>> occurrences(
      const json& params, std::vector<std::shared_ptr<const Analysis>>& keep) {
    auto [a, occ, s] = name_at(params);
    if (!s) return {nullptr, {}};
    keep = analyses_for_references(s->file);
    std::vector<Found> found;
    std::set<std::pair<std::string, uint32_t>> seen;
    for (const auto& an : keep)
      for (const auto& x : an->index.occurrences)
        if (x.symbol == occ->symbol && seen.insert({an->path, x.range.begin.offset}).second)
          found.push_back({an->path, x.range, x.definition, an.get()});
    return {s, found};
  }

  json references(const json& params) {
    bool with_decl = params.value("/context/includeDeclaration"_json_pointer, true);
    std::vector<std::shared_ptr<const Analysis>> keep;
    auto [s, found] = occurrences(params, keep);
    json out = json::array();
    for (const auto& f : found)
      if (with_decl || !f.definition) out.push_back(location(f.file, f.range, f.analysis));
    return out;
  }

  json prepare_rename(const json& params) {
    auto [a, occ, s] = name_at(params);
    if (!s || !s->renameable()) throw RequestError{kRequestFailed, kNotRenameable};
    return {{"range", range(to_lsp(a.source().text(), occ->range, encoding))},
            {"placeholder", s->name}};
  }

  json rename(const json& params) {
    std::string name = params.at("newName");
    static const std::regex ident("[A-Za-z_][A-Za-z0-9_]*");
    if (!std::regex_match(name, ident))
      throw RequestError{kRequestFailed, "'" + name + "' is not a name (letters, digits, _)"};
    if (is_reserved_word(name)) throw RequestError{kRequestFailed, "'" + name + "' is a keyword"};
    std::vector<std::shared_ptr<const Analysis>> keep;
    auto [s, found] = occurrences(params, keep);
    if (!s || !s->renameable()) throw RequestError{kRequestFailed, kNotRenameable};
    check_rename_conflict(*s, name, keep);
    json changes = json::object();
    for (const auto& f : found)
      changes[uri_of(f.file)].push_back(
          {{"range", range(to_lsp(text_of_file(f.file, f.analysis), f.range, encoding))},
           {"newText", name}});
    return {{"changes", changes}};
  }

  // A node or run variable renamed onto a name its runbook already has would merge two.
  void check_rename_conflict(const Symbol& s, const std::string& name,
                             const std::vector<std::shared_ptr<const Analysis>>& analyses) {
    for (const auto& an : analyses) {
      if (an->path != s.file) continue;
      for (const auto& [key, other] : an->index.symbols)
        if (other.name == name && other.container == s.container && other.file == s.file &&
            other.kind != SymbolKind::File && other.kind != SymbolKind::Function)
          throw RequestError{kRequestFailed, fmt::format("'{}' is already a name in {} (line {})",
                                                         name, s.container, other.def.begin.line)};
    }
  }

  // ------------------------------------------------------------ requests on the document

  json completion(const json& params) {
    Open& o = document(params);
    const Analysis& a = analysis_of(o);
    json items = json::array();
    for (const auto& c : complete(a, o.checked.get(), offset_of(o, params))) {
      json item = {{"label", c.label}, {"kind", static_cast<int>(c.kind)}};
      if (!c.detail.empty()) item["detail"] = c.detail;
      if (snippets && !c.snippet.empty()) {
        item["insertText"] = c.snippet;
        item["insertTextFormat"] = 2;  // Snippet
      }
      if (!c.documentation.empty())
        item["documentation"] = {{"kind", "markdown"}, {"value", c.documentation}};
      items.push_back(std::move(item));
    }
    return {{"isIncomplete", false}, {"items", std::move(items)}};
  }

  json document_symbols(const json& params) {
    Open& o = document(params);
    const Analysis& a = analysis_of(o);
    const std::string& text = a.source().text();
    auto sym = [&](const std::string& name, LspSymbolKind kind, const std::string& detail,
                   const Range& whole, const Range& name_range) {
      json s = {{"name", name.empty() ? "?" : name},
                {"kind", static_cast<int>(kind)},
                {"range", range(to_lsp(text, whole, encoding))},
                {"selectionRange", range(to_lsp(text, name_range, encoding))}};
      if (!detail.empty()) s["detail"] = detail;
      return s;
    };
    json out = json::array();
    for (const auto& item : a.file().items) {
      if (auto* m = std::get_if<ast::ModuleDecl>(&item)) {
        out.push_back(sym(m->name.text, LspSymbolKind::Module, "module", m->range, m->name.range));
      } else if (auto* c = std::get_if<ast::ConfigDecl>(&item)) {
        out.push_back(
            sym(c->name.text, LspSymbolKind::Constant, "config", c->range, c->name.range));
      } else if (auto* f = std::get_if<ast::FuncDecl>(&item)) {
        out.push_back(sym(f->name.text, LspSymbolKind::Function, f->is_action ? "action" : "probe",
                          f->range, f->name.range));
      } else if (auto* rb = std::get_if<ast::Runbook>(&item)) {
        json s = sym(rb->name.text, LspSymbolKind::Class, rb->title ? rb->title->text() : "runbook",
                     rb->range, rb->name.range);
        json children = json::array();
        for (const auto& ri : rb->items) {
          if (auto* p = std::get_if<ast::Param>(&ri))
            children.push_back(
                sym(p->name.text, LspSymbolKind::Property, "param", p->range, p->name.range));
          else if (auto* out_ = std::get_if<ast::Output>(&ri))
            children.push_back(sym(out_->name.text, LspSymbolKind::Field, "output", out_->range,
                                   out_->name.range));
          else if (auto* n = std::get_if<ast::Node>(&ri))
            children.push_back(
                sym(n->name.text, LspSymbolKind::Method,
                    std::string(node_kind_name(n->kind)) + (n->label ? " " + n->label->text() : ""),
                    n->range, n->name.range));
        }
        s["children"] = std::move(children);
        out.push_back(std::move(s));
      }
    }
    return out;
  }

  json formatting(const json& params) {
    Open& o = document(params);
    const Analysis& a = analysis_of(o);
    if (!a.ws.files[0].parsed) {
      const Diagnostic* first = nullptr;
      for (const auto& d : a.diags.items())
        if (d.file.get() == &a.source() && d.severity == Severity::Error) {
          first = &d;
          break;
        }
      throw RequestError{
          kRequestFailed,
          first ? fmt::format("rbk fmt: the file does not parse ({}:{}: {}); nothing was changed",
                              first->range.begin.line, first->range.begin.col, first->message)
                : "rbk fmt: the file does not parse; nothing was changed"};
    }
    std::string formatted = format_file(a.file());
    if (formatted == o.doc->text()) return json::array();
    TextRange all{{0, 0}, o.doc->position_at(o.doc->text().size(), encoding)};
    return json::array({{{"range", range(all)}, {"newText", formatted}}});
  }

  json code_lenses(const json& params) {
    Open& o = document(params);
    const Analysis& a = analysis_of(o);
    json out = json::array();
    for (const auto& item : a.file().items) {
      auto* rb = std::get_if<ast::Runbook>(&item);
      if (!rb) continue;
      json params_list = json::array();
      for (const auto& ri : rb->items)
        if (auto* p = std::get_if<ast::Param>(&ri)) {
          json param = {{"name", p->name.text},
                        {"type", a.source().text().substr(
                                     p->type->range.begin.offset,
                                     p->type->range.end.offset - p->type->range.begin.offset)}};
          if (p->default_value)
            param["default"] = a.source().text().substr(
                p->default_value->range.begin.offset,
                p->default_value->range.end.offset - p->default_value->range.begin.offset);
          params_list.push_back(std::move(param));
        }
      json r = range(to_lsp(a.source().text(), rb->name.range, encoding));
      json arg = {{"uri", o.doc->uri()}, {"path", o.doc->path()}, {"runbook", rb->name.text}};
      json dry = arg;
      dry["params"] = params_list;
      out.push_back(
          {{"range", r},
           {"command", {{"title", "▶ dry-run"}, {"command", "rbk.dryRun"}, {"arguments", {dry}}}}});
      out.push_back(
          {{"range", r},
           {"command",
            {{"title", "show diagram"}, {"command", "rbk.showDiagram"}, {"arguments", {arg}}}}});
    }
    return out;
  }

  json execute_command(const json& params) {
    std::string command = params.at("command");
    json args = params.value("arguments", json::array());
    if (!args.is_array() || args.empty() || !args[0].is_object())
      throw RequestError{kInvalidParams, command + " takes one object argument"};
    const json& arg = args[0];
    if (command == "rbk.showDiagram") return show_diagram(arg);
    if (command == "rbk.dryRun") {
      try {
        return dry_runs->start(arg);
      } catch (const std::exception& e) {
        throw RequestError{kRequestFailed, e.what()};
      }
    }
    throw RequestError{kInvalidParams, "unknown command '" + command + "'"};
  }

  // Compiles the runbook as its document reads now and writes its diagram as an SVG file
  // (under $TMPDIR/rbk-lsp-UID), which the client is asked to show.
  json show_diagram(const json& arg) {
    std::string uri = arg.value("uri", "");
    auto it = open.find(uri);
    if (it == open.end())
      throw RequestError{kInvalidParams, "the document " + uri + " is not open"};
    const Analysis& a = analysis_of(it->second);
    std::string runbook = arg.value("runbook", "");
    if (!a.checked || a.diags.error_count() > 0)
      throw RequestError{kRequestFailed, "the runbook does not compile; fix its errors first"};
    auto rb = a.program.runbook_index.find(runbook);
    if (rb == a.program.runbook_index.end())
      throw RequestError{kInvalidParams, "no runbook '" + runbook + "' in " + uri};
    if (!options.draw_svg) throw RequestError{kRequestFailed, "this server draws no diagrams"};
    Program program = generate(a.program, rb->second);
    std::string svg = options.draw_svg(program);
    const char* tmp = std::getenv("TMPDIR");
    fs::path dir = fs::path(tmp && *tmp ? tmp : "/tmp") / ("rbk-lsp-" + std::to_string(getuid()));
    std::error_code ec;
    fs::create_directories(dir, ec);
    fs::path file = dir / (runbook + ".svg");
    {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << svg;
      if (!out) throw RequestError{kRequestFailed, "cannot write " + file.string()};
    }
    std::string file_uri = path_to_uri(file.string());
    if (client_shows_documents)
      request("window/showDocument", {{"uri", file_uri}, {"external", true}});
    return {{"path", file.string()}, {"uri", file_uri}};
  }

  // ------------------------------------------------------------ dispatch

  void handle(const std::string& body) {
    json msg;
    try {
      msg = json::parse(body);
    } catch (const json::exception& e) {
      reply_error(nullptr, kParseError, std::string("not JSON: ") + e.what());
      return;
    }
    if (!msg.is_object()) {
      reply_error(nullptr, kInvalidRequest, "a message is a JSON object");
      return;
    }
    bool is_request = msg.contains("id") && msg.contains("method");
    json id = msg.value("id", json());
    if (!msg.contains("method")) return;  // a response to our request: nothing waits for it
    if (!msg["method"].is_string()) {
      if (is_request) reply_error(id, kInvalidRequest, "method must be a string");
      return;
    }
    std::string method = msg["method"];
    json params = msg.value("params", json::object());
    try {
      if (is_request) {
        reply(id, request_result(method, params));
      } else {
        notification(method, params);
      }
    } catch (const RequestError& e) {
      if (is_request) reply_error(id, e.code, e.message);
    } catch (const json::exception& e) {
      if (is_request) reply_error(id, kInvalidParams, std::string("bad parameters: ") + e.what());
    } catch (const std::exception& e) {
      if (is_request) reply_error(id, kInternalError, e.what());
    }
  }

  json request_result(const std::string& method, const json& params) {
    if (method == "initialize") return initialize(params);
    if (!initialized) throw RequestError{kServerNotInitialized, "initialize first"};
    if (shutdown) throw RequestError{kInvalidRequest, "the server is shutting down"};
    if (method == "shutdown") {
      shutdown = true;
      return nullptr;
    }
    if (method == "textDocument/hover") return hover(params);
    if (method == "textDocument/definition") return definition(params);
    if (method == "textDocument/references") return references(params);
    if (method == "textDocument/completion") return completion(params);
    if (method == "textDocument/documentSymbol") return document_symbols(params);
    if (method == "textDocument/formatting") return formatting(params);
    if (method == "textDocument/prepareRename") return prepare_rename(params);
    if (method == "textDocument/rename") return rename(params);
    if (method == "textDocument/codeLens") return code_lenses(params);
    if (method == "workspace/executeCommand") return execute_command(params);
    throw RequestError{kMethodNotFound, "rbk lsp does not answer " + method};
  }

  void notification(const std::string& method, const json& params) {
    if (method == "exit") {
      exited = true;
      return;
    }
    if (!initialized) return;
    if (method == "textDocument/didOpen")
      did_open(params);
    else if (method == "textDocument/didChange")
      did_change(params);
    else if (method == "textDocument/didClose")
      did_close(params);
    // initialized, didSave, $/cancelRequest, workspace/didChangeConfiguration: nothing to do.
  }

  // Publishing must not stop the server: a document whose check throws (a bug) says so
  // on stderr, and is not published until it changes.
  void idle() {
    for (auto& [uri, o] : open) {
      if (o.published) continue;
      try {
        publish(o);
      } catch (const std::exception& e) {
        std::cerr << "rbk lsp: internal error checking " << uri << ": " << e.what() << "\n";
        o.published = true;
      }
    }
  }
};

Server::Server(ServerOptions options, std::function<void(const std::string&)> send)
    : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
  state_->send = std::move(send);
  state_->dry_runs = std::make_unique<DryRuns>(
      state_->options.rbk_path, [s = state_.get()](const std::string& method, json params) {
        s->notify(method, std::move(params));
      });
}

Server::~Server() = default;

void Server::handle(const std::string& body) {
  state_->handle(body);
}
void Server::idle() {
  state_->idle();
}
bool Server::exited() const {
  return state_->exited;
}
int Server::exit_code() const {
  return state_->shutdown ? 0 : 1;
}

int serve(std::istream& in, std::ostream& out, const ServerOptions& options) {
  std::mutex out_mutex;
  Server server(options, [&](const std::string& body) {
    std::lock_guard lock(out_mutex);
    write_message(out, body);
  });

  // The reader: messages into a queue, so the main thread sees when none is waiting. It
  // owns its share of the queue: it may outlive this function, blocked on input the
  // client never closes after `exit`.
  struct Inbox {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<std::string> queue;
    bool ended = false;
    std::string error;
  };
  auto inbox = std::make_shared<Inbox>();
  // std::cin is tied to std::cout: each read would flush the output from the reader
  // thread, racing the writes of the main thread (seen as a header written twice).
  in.tie(nullptr);
  std::thread reader([inbox, &in] {
    std::string error;
    try {
      while (auto body = read_message(in)) {
        std::lock_guard lock(inbox->mutex);
        inbox->queue.push_back(std::move(*body));
        inbox->ready.notify_one();
      }
    } catch (const FramingError& e) {
      error = e.message;
    }
    std::lock_guard lock(inbox->mutex);
    inbox->ended = true;
    inbox->error = error;
    inbox->ready.notify_one();
  });

  while (!server.exited()) {
    std::string body;
    {
      std::unique_lock lock(inbox->mutex);
      if (inbox->queue.empty() && !inbox->ended) {
        lock.unlock();
        server.idle();
        lock.lock();
      }
      inbox->ready.wait(lock, [&] { return !inbox->queue.empty() || inbox->ended; });
      if (inbox->queue.empty()) break;
      body = std::move(inbox->queue.front());
      inbox->queue.pop_front();
    }
    server.handle(body);
  }
  bool ended = false;
  std::string error;
  {
    std::lock_guard lock(inbox->mutex);
    ended = inbox->ended;
    error = inbox->error;
  }
  if (!error.empty()) std::cerr << "rbk lsp: " << error << "\n";
  if (ended) {
    reader.join();
  } else {
    reader.detach();  // IN must outlive it: the driver passes std::cin
  }
  return server.exited() ? server.exit_code() : 1;
}

}  // namespace rbk::lsp
