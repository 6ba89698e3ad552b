#include "compiler/loader.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

#include "grammar/parser.hpp"

#ifndef RBK_STDLIB_DIR
#define RBK_STDLIB_DIR "stdlib"
#endif
#ifndef RBK_STDLIB_INSTALL_DIR
#define RBK_STDLIB_INSTALL_DIR "share/rbk/stdlib"
#endif

namespace rbk {

namespace fs = std::filesystem;

namespace {
constexpr size_t kMaxSourceBytes = 64u << 20;

// Files that parsed without a diagnostic, by the path they were loaded as (see loader.hpp).
// One entry per path, holding its latest text, so it grows only with the number of files.
class ParseCache {
 public:
  struct Entry {
    SourcePtr src;
    std::shared_ptr<const ast::File> ast;
  };
  std::optional<Entry> find(const std::string& path, const std::string& text) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(path);
    if (it == entries_.end() || it->second.src->text() != text) return std::nullopt;
    return it->second;
  }
  void store(const std::string& path, Entry e) {
    std::lock_guard lock(mutex_);
    entries_[path] = std::move(e);
  }

 private:
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

ParseCache& parse_cache() {
  static ParseCache cache;
  return cache;
}

class Loader {
 public:
  Loader(Workspace& ws, Diagnostics& diags) : ws_(ws), diags_(diags) {}

  size_t add(const std::string& path, std::string text, bool root) {
    LoadedFile f;
    f.root = root;
    // Roots are what the user is working on (and what the benchmarks measure): always parsed.
    std::optional<ParseCache::Entry> hit;
    if (!root) hit = parse_cache().find(path, text);
    if (hit) {
      f.src = hit->src;
      f.ast = hit->ast;
      f.parsed = true;
    } else {
      auto src = std::make_shared<const SourceFile>(path, std::move(text));
      size_t reported = diags_.items().size();
      ParseResult r = parse_source(src, diags_);
      f.src = src;
      f.ast = std::make_shared<const ast::File>(std::move(r.file));
      f.parsed = r.ok;
      if (!root && r.ok && diags_.items().size() == reported)
        parse_cache().store(path, {src, f.ast});
    }
    ws_.files.push_back(std::move(f));
    size_t index = ws_.files.size() - 1;
    by_key_[canonical_path(path)] = index;
    return index;
  }

  // Loads the imports of file INDEX and, depth first, theirs.
  void load_imports(size_t index) {
    // Copy what is needed: loading more files reallocates ws_.files.
    SourcePtr src = ws_.files[index].src;
    std::vector<std::pair<std::string, Range>> imports;
    for (const auto& item : ws_.files[index].ast->items)
      if (auto* imp = std::get_if<ast::Import>(&item))
        imports.emplace_back(imp->path.text(), imp->path.range());

    for (const auto& [spec, range] : imports) {
      std::vector<std::string> tried;
      std::string found = resolve(src->path(), spec, tried);
      if (found.empty()) {
        auto& d = diags_.error("import-not-found", src, range,
                               "cannot find imported file '" + spec + "'");
        std::string looked;
        for (const auto& t : tried) looked += (looked.empty() ? "" : ", ") + t;
        d.hints.push_back("looked for " + looked);
        continue;
      }
      auto it = by_key_.find(canonical_path(found));
      if (it != by_key_.end()) {
        ws_.files[index].imports.push_back({it->second, range});
        continue;
      }
      std::string text, error;
      if (auto open = ws_.overlay.find(canonical_path(found)); open != ws_.overlay.end()) {
        text = open->second;
      } else if (!read_file(found, text, error)) {
        diags_.error("import-not-found", src, range,
                     "cannot read imported file '" + found + "': " + error);
        continue;
      }
      size_t child = add(found, std::move(text), false);
      ws_.files[index].imports.push_back({child, range});
      load_imports(child);
    }
  }

  // Reports each cycle of imports once, at the import that closes it.
  void report_cycles() {
    std::vector<int> state(ws_.files.size(), 0);  // 0 new, 1 on the stack, 2 done
    std::vector<size_t> stack;
    for (size_t i = 0; i < ws_.files.size(); ++i) visit(i, state, stack);
  }

  void visit(size_t i, std::vector<int>& state, std::vector<size_t>& stack) {
    if (state[i]) return;
    state[i] = 1;
    stack.push_back(i);
    for (const auto& edge : ws_.files[i].imports) {
      if (state[edge.file] == 1) {
        std::string cycle;
        auto from = std::find(stack.begin(), stack.end(), edge.file);
        for (auto s = from; s != stack.end(); ++s) cycle += ws_.files[*s].src->path() + " -> ";
        cycle += ws_.files[edge.file].src->path();
        diags_.error("import-cycle", ws_.files[i].src, edge.range, "import cycle: " + cycle)
            .hints.push_back(
                "move what the files share into a module that none of them imports back");
      } else {
        visit(edge.file, state, stack);
      }
    }
    stack.pop_back();
    state[i] = 2;
  }

  std::string resolve(const std::string& from, const std::string& spec,
                      std::vector<std::string>& tried) {
    std::vector<fs::path> candidates;
    fs::path p(spec);
    if (p.is_absolute()) {
      candidates.push_back(p);
    } else {
      candidates.push_back(fs::path(from).parent_path() / p);
      fs::path std_dir(ws_.stdlib_dir);
      candidates.push_back(std_dir / p);
      // "stdlib/fleet.rbk" names the stdlib directory itself.
      auto first = p.begin();
      if (first != p.end() && *first == "stdlib") {
        fs::path rest;
        for (auto it = std::next(first); it != p.end(); ++it) rest /= *it;
        candidates.push_back(std_dir / rest);
      }
    }
    for (const auto& c : candidates) {
      std::error_code ec;
      if (fs::is_regular_file(c, ec) ||
          (!ws_.overlay.empty() && ws_.overlay.count(canonical_path(c))))
        return c.lexically_normal().string();
      tried.push_back(c.lexically_normal().string());
    }
    return {};
  }

 private:
  Workspace& ws_;
  Diagnostics& diags_;
  std::map<std::string, size_t> by_key_;
};

}  // namespace

std::string canonical_path(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::path(path), ec);
  return ec ? path : p.string();
}

bool Workspace::all_parsed() const {
  for (const auto& f : files)
    if (!f.parsed) return false;
  return true;
}

std::string default_stdlib_dir() {
  if (const char* env = std::getenv("RBK_STDLIB"); env && *env) return env;
  // Installed (cmake --install, the .deb): beside the binary, PREFIX/bin/rbk and
  // PREFIX/share/rbk/stdlib, wherever the prefix is.
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / RBK_STDLIB_INSTALL_DIR;
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return RBK_STDLIB_DIR;  // the source tree's, for a build that is not installed
}

bool read_file(const std::string& path, std::string& out, std::string& error) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    error = "is a directory";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "no such file or not readable";
    return false;
  }
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  if (size < 0) {
    error = "cannot determine its size";
    return false;
  }
  if (static_cast<size_t>(size) > kMaxSourceBytes) {
    error = "larger than the 64 MiB limit for source files";
    return false;
  }
  in.seekg(0);
  out.resize(static_cast<size_t>(size));
  in.read(out.data(), size);
  if (!in) {
    error = "read failed";
    return false;
  }
  return true;
}

void load_workspace(Workspace& ws, const std::vector<std::string>& paths, Diagnostics& diags,
                    std::vector<std::string>& unreadable) {
  if (ws.stdlib_dir.empty()) ws.stdlib_dir = default_stdlib_dir();
  Loader loader(ws, diags);
  std::vector<size_t> roots;
  std::map<std::string, bool> seen;
  for (const auto& p : paths) {
    if (seen[canonical_path(p)]) continue;
    seen[canonical_path(p)] = true;
    std::string text, error;
    if (!read_file(p, text, error)) {
      unreadable.push_back(p + ": " + error);
      continue;
    }
    roots.push_back(loader.add(p, std::move(text), true));
  }
  for (size_t r : roots) loader.load_imports(r);
  loader.report_cycles();
}

void load_source(Workspace& ws, const std::string& path, std::string text, Diagnostics& diags) {
  if (ws.stdlib_dir.empty()) ws.stdlib_dir = default_stdlib_dir();
  Loader loader(ws, diags);
  loader.load_imports(loader.add(path, std::move(text), true));
  loader.report_cycles();
}

}  // namespace rbk
