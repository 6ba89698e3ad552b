// rbk docs build RUNBOOK_DIR -o SITE_DIR: compiles every runbook defined in the .rbk files
// of RUNBOOK_DIR and writes the documentation site (publish/site.hpp) into SITE_DIR.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/file_output.hpp"
#include "cli/program_loading.hpp"
#include "publish/site.hpp"

namespace rbk::cli {

int run_docs_build(const DocsOptions& opts) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(opts.runbook_dir, ec)) {
    std::cerr << "rbk docs build: " << opts.runbook_dir << " is not a directory\n";
    return kUsage;
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(opts.runbook_dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".rbk")
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::cerr << "rbk docs build: no .rbk files in " << opts.runbook_dir << "\n";
    return kUsage;
  }

  // Pages name a source as DIR/FILE (runbooks/device_offline.rbk), the same wherever the
  // site is built from.
  fs::path dir = fs::absolute(opts.runbook_dir).lexically_normal();
  std::string dir_name = (dir.has_filename() ? dir : dir.parent_path()).filename().string();
  std::vector<SiteRunbook> runbooks;
  for (const auto& file : files) {
    std::vector<Program> programs;
    if (int status = compile_file(file, std::nullopt, programs); status != kOk) {
      std::cerr << "rbk docs build: " << file << " does not compile; no site written\n";
      return status;
    }
    for (auto& p : programs)
      runbooks.push_back({std::move(p), (fs::path(dir_name) / fs::path(file).filename()).string()});
  }

  std::vector<SiteFile> site;
  try {
    site = build_site(runbooks);
  } catch (const std::exception& e) {
    std::cerr << "rbk docs build: " << e.what() << "\n";
    return kFailed;
  }
  fs::create_directories(fs::path(opts.output) / "markdown", ec);
  if (ec) {
    std::cerr << "rbk docs build: cannot create " << opts.output << ": " << ec.message() << "\n";
    return kUsage;
  }
  for (const auto& f : site) {
    std::string error;
    if (!write_file_atomically((fs::path(opts.output) / f.path).string(), f.content, error)) {
      std::cerr << "rbk docs build: " << error << "\n";
      return kUsage;
    }
  }
  std::cout << "rbk docs build: " << runbooks.size() << " runbook"
            << (runbooks.size() == 1 ? "" : "s") << ", " << site.size() << " files in "
            << opts.output << " (open " << (fs::path(opts.output) / "index.html").string() << ")\n";
  return kOk;
}

}  // namespace rbk::cli
