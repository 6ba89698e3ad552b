// The published JSON Schemas (docs/*.schema.json), built into the binary so that
// `rbk schema NAME` prints them for editors.
#pragma once

namespace rbk::cli {

extern const char* const kScenarioSchema;

}  // namespace rbk::cli
