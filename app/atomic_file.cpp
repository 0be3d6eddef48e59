#include "app/atomic_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "sim/scenario/config_section.h"

namespace meshsim::cli {

namespace {

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw ScenarioError("cannot write " + path + ": " + why);
}

std::string folder_of(const std::string& path) {
  std::string folder = std::filesystem::path(path).parent_path().string();
  return folder.empty() ? "." : folder;
}

}  // namespace

void check_report_path(const std::string& path, const std::string& option) {
  if (path.empty()) throw ScenarioError(option + ": give a file name");
  struct stat st {};
  std::error_code ec;
  if (!std::filesystem::is_directory(folder_of(path), ec))
    refuse(path, "folder " + folder_of(path) + " does not exist (" + option + " creates only the file)");
  if (lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) refuse(path, "it is a symbolic link (remove it, or choose another name)");
    if (!S_ISREG(st.st_mode)) refuse(path, "it exists and is not a regular file");
  }
  if (access(folder_of(path).c_str(), W_OK) != 0) refuse(path, std::string("folder not writable: ") + std::strerror(errno));
}

void write_file_atomically(const std::string& path, const std::string& text) {
  check_report_path(path, path);
  std::string temp = (std::filesystem::path(folder_of(path)) / ("." + std::filesystem::path(path).filename().string() + ".XXXXXX")).string();
  int fd = mkstemp(temp.data());  // O_CREAT | O_EXCL: never opens an existing name
  if (fd < 0) refuse(path, std::strerror(errno));
  fchmod(fd, 0644);  // mkstemp's 0600 would hide the report from a CI agent running as another user
  FILE* out = fdopen(fd, "wb");
  if (!out) {
    int error = errno;
    close(fd);
    unlink(temp.c_str());
    refuse(path, std::strerror(error));
  }
  bool ok = std::fwrite(text.data(), 1, text.size(), out) == text.size() && std::fflush(out) == 0;
  int error = errno;
  if (std::fclose(out) != 0 && ok) {
    ok = false;
    error = errno;
  }
  // rename replaces the directory entry itself: a link that appeared meanwhile is replaced,
  // never followed.
  if (ok && std::rename(temp.c_str(), path.c_str()) != 0) {
    ok = false;
    error = errno;
  }
  if (!ok) {
    unlink(temp.c_str());
    refuse(path, std::strerror(error));
  }
}

}  // namespace meshsim::cli
