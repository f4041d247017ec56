// Unpredictable identifiers and secrets from the kernel's CSPRNG (getrandom).
#pragma once
#include <string>

namespace postern::util {

// `n` random bytes; throws std::system_error if the kernel cannot provide them.
std::string random_bytes(size_t n);
// Random string over an unambiguous alphabet (no 0/O, 1/l/I), for generated passwords.
std::string random_password(size_t length);
// Queue id: sortable by time, unique within and across processes ("A1B2C3D4E5F6G7").
std::string new_queue_id();

}  // namespace postern::util
