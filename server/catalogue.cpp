#include "server/catalogue.hpp"

#include <algorithm>
#include <filesystem>

#include "compiler/checker.hpp"
#include "compiler/codegen.hpp"
#include "compiler/diagnostic_render.hpp"
#include "compiler/loader.hpp"
#include "publish/program_facts.hpp"
#include "render/graphviz.hpp"
#include "render/mermaid.hpp"
#include "run/params.hpp"
#include "vm/verifier.hpp"

namespace rbk::server {

namespace fs = std::filesystem;

namespace {

nlohmann::json summarize(const Program& p, const std::string& file) {
  const RunbookInfo& rb = p.entry_runbook();
  nlohmann::json params = nlohmann::json::array();
  for (const auto& prm : rb.params) {
    nlohmann::json j = {{"name", prm.name},
                        {"type", to_string(p.types[prm.type])},
                        {"required", prm.default_code == kNone},
                        {"forms", param_forms(p.types[prm.type])}};
    if (prm.default_code != kNone) j["default"] = param_default(p, prm);
    params.push_back(std::move(j));
  }
  return {{"name", rb.name},
          {"title", rb.title},
          {"doc", rb.doc},
          {"file", file},
          {"program_hash", p.hash_hex()},
          {"params", params},
          {"capabilities", rb.capabilities},
          {"probe_capabilities", needed_capabilities(p, true)},
          {"calls", called_runbooks(p, rb)},
          {"called_by", nlohmann::json::array()}};  // filled once every file is read
}

}  // namespace

Catalogue Catalogue::load(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw CatalogueError(dir + " is not a folder of runbooks");
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".rbk")
      files.push_back(entry.path().string());
  if (ec) throw CatalogueError("cannot read " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw CatalogueError("no .rbk files in " + dir);

  Catalogue c;
  for (const auto& file : files) {
    Workspace ws;
    Diagnostics diags;
    std::vector<std::string> unreadable;
    load_workspace(ws, {file}, diags, unreadable);
    if (!unreadable.empty()) throw CatalogueError("cannot read " + unreadable[0]);
    CheckedProgram checked = check_workspace(ws, diags);
    diags.sort();
    if (diags.error_count() > 0) {
      std::string text;
      for (const auto& d : diags.items()) text += render_text(d, false);
      throw CatalogueError(file + ": " + summarize(diags) + "\n" + text);
    }
    for (size_t i = 0; i < checked.runbooks.size(); ++i) {
      if (checked.runbooks[i].src->path() != file) continue;
      auto program = std::make_shared<const Program>(generate(checked, static_cast<int>(i)));
      if (std::string problem = verify(*program); !problem.empty())
        throw CatalogueError("internal error: " + file +
                             " compiles to a program that does not "
                             "verify: " +
                             problem);
      CatalogueEntry e;
      e.file = fs::path(file).filename().string();
      e.program = program;
      e.mermaid = render_mermaid(program->entry_runbook()).text;
      e.svg = render_svg(render_dot(program->entry_runbook()));
      e.summary = summarize(*program, e.file);
      if (c.find(program->entry_runbook().name))
        throw CatalogueError(file + ": runbook '" + program->entry_runbook().name +
                             "' is defined in another file of " + dir + " too");
      c.entries_.push_back(std::move(e));
    }
  }
  std::sort(c.entries_.begin(), c.entries_.end(), [](const auto& a, const auto& b) {
    return a.program->entry_runbook().name < b.program->entry_runbook().name;
  });
  // Which runbooks of the catalogue call each one (the entries are sorted, so are these).
  for (const auto& caller : c.entries_)
    for (const auto& callee : caller.summary["calls"])
      for (auto& e : c.entries_)
        if (e.program->entry_runbook().name == callee.get<std::string>())
          e.summary["called_by"].push_back(caller.program->entry_runbook().name);
  return c;
}

const CatalogueEntry* Catalogue::find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.program->entry_runbook().name == name) return &e;
  return nullptr;
}

}  // namespace rbk::server
