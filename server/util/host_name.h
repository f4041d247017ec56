// This machine's host name, for the places that name the server when the admin did not
// (smtp.hostname empty): SMTP greetings and HELO, Received and Message-ID headers,
// generated certificates, report senders.
// Error contract: never fails; "localhost" when the system has no name.
// Threading: safe from any thread.
#pragma once
#include <string>

namespace postern::util {

std::string system_host_name();

}  // namespace postern::util
