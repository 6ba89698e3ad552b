// The names of an enum's values, in the enum's order (built from its X-macro table), and
// the lookups every such table needs: a value's name, and the value a name spells.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace rbk {

template <typename E, size_t N>
struct NameTable {
  std::array<const char*, N> names;

  // "?" for a value outside the table (only a damaged program holds one; the verifier and
  // the .rbc reader refuse those).
  constexpr const char* name(E e) const {
    auto i = static_cast<size_t>(e);
    return i < N ? names[i] : "?";
  }
  constexpr std::optional<E> find(std::string_view name) const {
    for (size_t i = 0; i < N; ++i)
      if (name == names[i]) return static_cast<E>(i);
    return std::nullopt;
  }
};

// name_table<Enum>({"first", "second", …}): the names in the enum's order.
template <typename E, size_t N>
constexpr NameTable<E, N> name_table(const char* const (&names)[N]) {
  NameTable<E, N> t{};
  for (size_t i = 0; i < N; ++i) t.names[i] = names[i];
  return t;
}

}  // namespace rbk
