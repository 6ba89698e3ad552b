// rbk fmt FILES… [-w] [--check]
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/file_output.hpp"
#include "compiler/diagnostic_render.hpp"
#include "compiler/loader.hpp"
#include "grammar/formatter.hpp"
#include "grammar/parser.hpp"

namespace rbk::cli {

int run_fmt(const FmtOptions& opts) {
  int status = kOk;
  bool color = stderr_is_color_terminal();
  for (const auto& path : opts.files) {
    std::string text, error;
    if (!read_file(path, text, error)) {
      std::cerr << "rbk fmt: cannot read " << path << ": " << error << "\n";
      status = kUsage;
      continue;
    }
    auto src = std::make_shared<SourceFile>(path, text);
    Diagnostics diags;
    ParseResult parsed = parse_source(src, diags);
    if (!parsed.ok) {
      // Never rewrite a file that does not parse: its text is all the user has.
      for (const auto& d : diags.items()) std::cerr << render_text(d, color);
      if (status == kOk) status = kFailed;
      continue;
    }
    std::string formatted = format_file(parsed.file);
    if (opts.check) {
      if (formatted != text) {
        std::cerr << "rbk fmt: " << path << " is not formatted\n";
        if (status == kOk) status = kFailed;
      }
    } else if (opts.write) {
      if (formatted == text) continue;
      std::string error;
      if (!write_file_atomically(path, formatted, error)) {
        std::cerr << "rbk fmt: " << error << "\n";
        status = kUsage;
      }
    } else {
      std::cout << formatted;
    }
  }
  return status;
}

}  // namespace rbk::cli
