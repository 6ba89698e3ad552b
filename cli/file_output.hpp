// Writing a command's output file so that a failure loses nothing: the text goes to a
// temporary file beside PATH, which is then renamed over it.
#pragma once

#include <string>

namespace rbk::cli {

// False with ERROR set ("cannot write X.tmp", "cannot replace X") when it fails; PATH is
// then as it was.
bool write_file_atomically(const std::string& path, const std::string& text, std::string& error);

// A command's output: to stdout when PATH is empty or "-", else to PATH atomically. False
// after telling why ("rbk CMD: cannot write …") when it cannot be written.
bool write_output(const std::string& cmd, const std::string& path, const std::string& text);

}  // namespace rbk::cli
