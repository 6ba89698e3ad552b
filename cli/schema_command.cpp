// rbk schema NAME: prints a published JSON Schema (docs/NAME.schema.json), for editors
// that complete and check the files rbk reads.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/schemas.hpp"

namespace rbk::cli {

int run_schema(const SchemaOptions& opts) {
  if (opts.name == "scenario") {
    std::cout << kScenarioSchema;
    return kOk;
  }
  std::cerr << "rbk schema: no schema '" << opts.name << "' (there is: scenario)\n";
  return kUsage;
}

}  // namespace rbk::cli
