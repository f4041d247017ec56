// The request and response the API's handlers see: plain values, no CivetWeb types, so the
// routing and the handlers are testable without a socket.
// Errors: handlers throw HttpError (status + message + field), admin::Invalid (400),
// admin::NotFound (404) or store::Refused (409); api.cpp turns them into JSON answers.
#pragma once
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace postern::webapi {

struct Request {
  std::string method;
  std::string path;                            // URL-decoded, without the query
  std::map<std::string, std::string> query;    // decoded query parameters
  std::map<std::string, std::string> params;   // path parameters, e.g. {"address": ...}
  std::string body;
  std::string remote_ip;
  bool https = false;
  std::string cookie;  // the Cookie header
  std::string csrf;    // the X-CSRF-Token header
  std::string session; // the session token, once api.cpp has checked it
};

struct Response {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  std::vector<std::string> headers;  // extra "Name: value" lines (Set-Cookie, Retry-After)
};

class HttpError : public std::runtime_error {
 public:
  HttpError(int status, const std::string& message, std::string field = "")
      : std::runtime_error(message), status(status), field(std::move(field)) {}
  int status;
  std::string field;
};

}  // namespace postern::webapi
