// File-system helpers whose point is durability: every function that claims a file is
// "written" has fsync'd it (and the directory entry where that matters).
#pragma once
#include <string>
#include <vector>

namespace postern::util {

// mkdir -p with the given mode for created directories; throws std::system_error.
void make_dirs(const std::string& path, unsigned mode = 0750);
// fsync a directory so a rename/link/create inside it survives a crash.
void fsync_dir(const std::string& path);
// Writes `data` to `path` atomically (temp file, fsync, rename, fsync dir); throws.
void write_file_atomic(const std::string& path, const std::string& data, unsigned mode = 0640);
// Reads a whole file; throws std::system_error when it cannot.
std::string read_file(const std::string& path);
bool file_exists(const std::string& path);
// Names in a directory (without "." and ".."); empty when it does not exist; throws on
// other errors.
std::vector<std::string> list_dir(const std::string& path);

}  // namespace postern::util
