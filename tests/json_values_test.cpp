// The fleet snapshot reader (vm/json_values.hpp): the values plain JSON reads as, shared
// shapes and strings, and errors that name the place.
#include <gtest/gtest.h>

#include "vm/json_values.hpp"
#include "vm/value_json.hpp"

namespace rbk {
namespace {

Value read(std::string_view text) {
  return JsonValueReader().read(text);
}

std::string error_of(std::string_view text) {
  try {
    JsonValueReader().read(text);
  } catch (const JsonReadError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(JsonValues, ReadsWhatTheJsonLibraryReads) {
  for (const char* text :
       {R"({"id": "dev-1", "age": 20.09, "n": -3, "ok": true, "gw": {"on": false}, "x": null})",
        R"([1, 2.5e3, -0, "a\"b\\c\/d\n\u00e9\ud83d\ude00", [], {}])", "  \"\xc3\xa9t\xc3\xa9\"  ",
        "\xEF\xBB\xBF{\"a\": 1}", "18446744073709551615", "1e-400", R"({"a": 1, "a": 2})"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(to_plain_json(read(text)), to_plain_json(from_plain_json(read_json(text))));
  }
}

TEST(JsonValues, KeepsKeyOrderAndNumberKinds) {
  Value v = read(R"({"zeta": 1, "alpha": 2.0, "mid": 9223372036854775808})");
  EXPECT_EQ(v.keys(), (std::vector<std::string>{"zeta", "alpha", "mid"}));
  EXPECT_EQ(v.items()[0].kind, ValueKind::Int);
  EXPECT_EQ(v.items()[1].kind, ValueKind::Float);
  EXPECT_EQ(v.items()[2].kind, ValueKind::Float);  // past int64: a float, not wrapped
}

TEST(JsonValues, RecordsOfOneShapeShareKeysAndRepeatedStringsShareCells) {
  Value v = read(R"([{"id": "a", "region": "eu"}, {"id": "b", "region": "eu"},
                     {"region": "us", "id": "c"}])");
  const auto& items = v.items();
  EXPECT_EQ(items[0].heap->keys, items[1].heap->keys);
  EXPECT_NE(items[0].heap->keys, items[2].heap->keys);
  EXPECT_EQ(items[0].items()[1].heap, items[1].items()[1].heap);  // "eu" once
  EXPECT_EQ(*items[2].field("id"), Value::string("c"));
}

TEST(JsonValues, ALastDuplicateKeyWinsInTheFirstPlace) {
  Value v = read(R"({"a": 1, "b": 2, "a": 3})");
  EXPECT_EQ(v.keys(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*v.field("a"), Value::integer(3));
}

TEST(JsonValues, ErrorsNameThePlace) {
  EXPECT_EQ(error_of("{\"a\": 1,\n \"b\" 2}"),
            "not valid JSON: ':' should follow the key at line 2, column 6");
  EXPECT_EQ(error_of("[1, 2"), "not valid JSON: ',' or ']' should be here at line 1, column 6");
  EXPECT_EQ(error_of("[01]"), "not valid JSON: a number must not start with 0 at line 1, column 2");
  EXPECT_EQ(error_of("[1e309]"),
            "not valid JSON: the number 1e309 is out of range at line 1, column 2");
  EXPECT_EQ(error_of("\"abc"), "not valid JSON: the string is not closed at line 1, column 1");
  EXPECT_EQ(error_of("\"a\tb\""),
            "not valid JSON: a control character must be escaped in a string at line 1, column 3");
  EXPECT_EQ(error_of("\"\xff\""), "not valid JSON: invalid UTF-8 in a string at line 1, column 2");
  EXPECT_EQ(error_of(R"("\ud800x")"),
            "not valid JSON: a surrogate pair is cut in half at line 1, column 2");
  EXPECT_EQ(error_of("[tru]"),
            "not valid JSON: a value should start here (an object, array, string, number, "
            "true, false or null) at line 1, column 2");
  EXPECT_EQ(error_of("{} {}"), "not valid JSON: more text after the value at line 1, column 4");
  EXPECT_EQ(error_of(""), "not valid JSON: the text is empty at line 1, column 1");
  EXPECT_EQ(error_of(std::string(65, '[') + std::string(65, ']')),
            "JSON nested more than 64 levels deep (the limit for arrays and objects)");
  EXPECT_EQ(error_of(std::string(64, '[') + std::string(64, ']')), "(accepted)");
}

}  // namespace
}  // namespace rbk
