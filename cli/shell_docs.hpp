// What the shell and `man` know about rbk, generated from the one definition of its
// commands (cli/main.cpp's CLI11 tree), so they cannot drift from `rbk help`:
//   rbk completion bash|zsh|fish   prints the completion script for that shell;
//   rbk man DIR                    writes rbk.1 and a page per command (rbk-docs-check.1).
// The build runs both and `cmake --install` lays the results out (docs/install.md).
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace rbk::cli {

int run_completion(const CLI::App& app, const std::string& shell);
int run_man(const CLI::App& app, const std::string& dir, const std::string& version);

}  // namespace rbk::cli
