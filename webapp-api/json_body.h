// Strict reading of a JSON request body (it must be an object, every field must be known,
// and every value must have the expected type) and of numeric query parameters. Any violation throws admin::Invalid naming
// the field, which the API answers with 400 {"error", "field"}.
// Threading: a value type, one per request.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http_types.h"

namespace postern::webapi {

class JsonBody {
 public:
  // `allowed` lists the fields this route accepts.
  JsonBody(const std::string& body, std::initializer_list<const char*> allowed);
  // Any-fields variant (the settings PATCH validates keys against the registry itself).
  explicit JsonBody(const std::string& body);

  std::string text(const char* field);  // required
  std::string text_or(const char* field, const std::string& fallback);
  std::vector<std::string> text_list(const char* field);  // required: array of strings
  std::optional<long long> integer(const char* field);
  std::optional<bool> boolean(const char* field);
  const nlohmann::json& object() const { return json_; }

 private:
  const nlohmann::json* find(const char* field) const;
  nlohmann::json json_;
};

// A whole number >= 0 from the query string ("offset", "limit"), or `fallback` when absent.
size_t query_number(const Request& req, const char* name, size_t fallback);

}  // namespace postern::webapi
