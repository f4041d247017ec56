#include "json_body.h"

#include "admin/input.h"
#include "util/strings.h"

namespace postern::webapi {

JsonBody::JsonBody(const std::string& body) {
  json_ = nlohmann::json::parse(body, nullptr, false);
  if (json_.is_discarded()) throw admin::Invalid("", "the request body is not valid JSON");
  if (!json_.is_object()) throw admin::Invalid("", "the request body must be a JSON object");
}

JsonBody::JsonBody(const std::string& body, std::initializer_list<const char*> allowed) : JsonBody(body) {
  for (const auto& item : json_.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || item.key() == a;
    if (!known) throw admin::Invalid(item.key(), "unknown field '" + item.key() + "'");
  }
}

const nlohmann::json* JsonBody::find(const char* field) const {
  auto it = json_.find(field);
  return it == json_.end() || it->is_null() ? nullptr : &*it;
}

std::string JsonBody::text(const char* field) {
  auto* v = find(field);
  if (!v) throw admin::Invalid(field, std::string(field) + " is required");
  if (!v->is_string()) throw admin::Invalid(field, std::string(field) + " must be a string");
  return v->get<std::string>();
}

std::string JsonBody::text_or(const char* field, const std::string& fallback) {
  return find(field) ? text(field) : fallback;
}

std::vector<std::string> JsonBody::text_list(const char* field) {
  auto* v = find(field);
  if (!v) throw admin::Invalid(field, std::string(field) + " is required");
  if (!v->is_array()) throw admin::Invalid(field, std::string(field) + " must be an array of strings");
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string()) throw admin::Invalid(field, std::string(field) + " must be an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<long long> JsonBody::integer(const char* field) {
  auto* v = find(field);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) throw admin::Invalid(field, std::string(field) + " must be a whole number");
  return v->get<long long>();
}

std::optional<bool> JsonBody::boolean(const char* field) {
  auto* v = find(field);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) throw admin::Invalid(field, std::string(field) + " must be true or false");
  return v->get<bool>();
}

size_t query_number(const Request& req, const char* name, size_t fallback) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return fallback;
  long long n = 0;
  if (!util::parse_int(it->second, n) || n < 0) throw admin::Invalid(name, std::string(name) + " must be a whole number");
  return size_t(n);
}

}  // namespace postern::webapi
