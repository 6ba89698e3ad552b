#include "vm/value_json.hpp"

namespace rbk {

using nlohmann::json;

json to_plain_json(const Value& v) {
  switch (v.kind) {
    case ValueKind::Null:
      return nullptr;
    case ValueKind::Bool:
      return v.b;
    case ValueKind::Int:
      return v.i;
    case ValueKind::Float:
      return v.f;
    case ValueKind::String:
      return v.str();
    case ValueKind::Duration:
    case ValueKind::Time:
    case ValueKind::Percent:
      return to_display(v);
    case ValueKind::Error:
      return json{{"error", v.str()}};
    case ValueKind::List: {
      json a = json::array();
      for (const auto& x : v.items()) a.push_back(to_plain_json(x));
      return a;
    }
    case ValueKind::Record: {
      json o = json::object();
      for (size_t i = 0; i < v.keys().size(); ++i) o[v.keys()[i]] = to_plain_json(v.items()[i]);
      return o;
    }
  }
  return nullptr;
}

Value from_plain_json(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return Value::null();
    case json::value_t::boolean:
      return Value::boolean(j.get<bool>());
    case json::value_t::number_integer:
      return Value::integer(j.get<int64_t>());
    case json::value_t::number_unsigned: {  // past int64's range: a float, not wrapped around
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value::floating(static_cast<double>(u));
      return Value::integer(static_cast<int64_t>(u));
    }
    case json::value_t::number_float:
      return Value::floating(j.get<double>());
    case json::value_t::string:
      return Value::string(j.get<std::string>());
    case json::value_t::array: {
      std::vector<Value> items;
      for (const auto& x : j) items.push_back(from_plain_json(x));
      return Value::list(std::move(items));
    }
    case json::value_t::object: {
      std::vector<std::string> keys;
      std::vector<Value> vals;
      for (auto it = j.begin(); it != j.end(); ++it) {
        keys.push_back(it.key());
        vals.push_back(from_plain_json(it.value()));
      }
      return Value::record(std::move(keys), std::move(vals));
    }
    default:
      return Value::null();
  }
}

json to_tagged_json(const Value& v) {
  json j;
  j["k"] = static_cast<int>(v.kind);
  switch (v.kind) {
    case ValueKind::Null:
      break;
    case ValueKind::Bool:
      j["v"] = v.b;
      break;
    case ValueKind::Int:
    case ValueKind::Duration:
    case ValueKind::Time:
      j["v"] = v.i;
      break;
    case ValueKind::Float:
    case ValueKind::Percent:
      j["v"] = v.f;
      break;
    case ValueKind::String:
    case ValueKind::Error:
      j["v"] = v.str();
      break;
    case ValueKind::List: {
      json a = json::array();
      for (const auto& x : v.items()) a.push_back(to_tagged_json(x));
      j["v"] = a;
      break;
    }
    case ValueKind::Record: {
      json a = json::array();
      for (size_t i = 0; i < v.keys().size(); ++i)
        a.push_back(json::array({v.keys()[i], to_tagged_json(v.items()[i])}));
      j["v"] = a;
      break;
    }
  }
  return j;
}

namespace {

Value tagged_value(const json& j) {
  int k = j.at("k").get<int>();
  switch (static_cast<ValueKind>(k)) {
    case ValueKind::Null:
      return Value::null();
    case ValueKind::Bool:
      return Value::boolean(j.at("v").get<bool>());
    case ValueKind::Int:
      return Value::integer(j.at("v").get<int64_t>());
    case ValueKind::Duration:
      return Value::duration(j.at("v").get<int64_t>());
    case ValueKind::Time:
      return Value::time(j.at("v").get<int64_t>());
    case ValueKind::Float:
      return Value::floating(j.at("v").get<double>());
    case ValueKind::Percent:
      return Value::percent(j.at("v").get<double>());
    case ValueKind::String:
      return Value::string(j.at("v").get<std::string>());
    case ValueKind::Error:
      return Value::error(j.at("v").get<std::string>());
    case ValueKind::List: {
      std::vector<Value> items;
      for (const auto& x : j.at("v")) items.push_back(tagged_value(x));
      return Value::list(std::move(items));
    }
    case ValueKind::Record: {
      std::vector<std::string> keys;
      std::vector<Value> vals;
      for (const auto& kv : j.at("v")) {
        keys.push_back(kv.at(0).get<std::string>());
        vals.push_back(tagged_value(kv.at(1)));
      }
      return Value::record(std::move(keys), std::move(vals));
    }
  }
  throw TaggedJsonError("unknown value kind " + std::to_string(k));
}

}  // namespace

Value from_tagged_json(const json& j) {
  try {
    return tagged_value(j);
  } catch (const json::exception& e) {  // a missing key or a value of the wrong JSON type
    throw TaggedJsonError(std::string("not a stored value: ") + e.what());
  }
}

}  // namespace rbk
