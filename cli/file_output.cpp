#include "cli/file_output.hpp"

#include <iostream>

#include <cstdio>
#include <fstream>

namespace rbk::cli {

bool write_file_atomically(const std::string& path, const std::string& text, std::string& error) {
  std::string tmp = path + ".rbk.tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      error = "cannot write " + tmp;
      out.close();
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot replace " + path;
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

bool write_output(const std::string& cmd, const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text << std::flush;
    return static_cast<bool>(std::cout);
  }
  std::string error;
  if (write_file_atomically(path, text, error)) return true;
  std::cerr << "rbk " << cmd << ": " << error << "\n";
  return false;
}

}  // namespace rbk::cli
