#include "cli/internal_error.hpp"

#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <new>
#include <typeinfo>

#include <cxxabi.h>

namespace rbk::cli {

namespace {
// "nlohmann::json_abi_v3_11_2::detail::out_of_range", not its mangled name.
std::string type_name(const std::type_info& t) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? name.get() : t.name();
}

void report(const char* command, const std::string& what) {
  std::cerr << "rbk " << command << ": internal error: " << what
            << " (please report this, with the command and its input)" << std::endl;
}
}  // namespace

int guarded(const char* command, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    report(command, "out of memory");
  } catch (const std::exception& e) {
    report(command, std::string(e.what()) + " [" + type_name(typeid(e)) + "]");
  } catch (...) {
    report(command, "an exception of unknown type");
  }
  return kInternalError;
}

}  // namespace rbk::cli
