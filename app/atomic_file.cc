#include "app/atomic_file.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace deliverysim::app {

namespace {

namespace fs = std::filesystem;

// Temporary files to remove if the process is interrupted. A signal handler may only touch
// plain memory, so the paths live in fixed buffers claimed with an atomic flag.
struct CleanupSlot {
  std::atomic<bool> used{false};
  char path[4096] = {};
};
std::array<CleanupSlot, 8> cleanup_slots;

extern "C" void RemoveTemporariesAndDie(int signal_number) {
  for (CleanupSlot& slot : cleanup_slots) {
    if (slot.used.load()) unlink(slot.path);
  }
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

int ClaimCleanupSlot(const std::string& path) {
  static const bool installed = [] {
    std::signal(SIGINT, RemoveTemporariesAndDie);
    std::signal(SIGTERM, RemoveTemporariesAndDie);
    return true;
  }();
  (void)installed;
  if (path.size() >= sizeof(CleanupSlot::path)) return -1;
  for (std::size_t i = 0; i < cleanup_slots.size(); ++i) {
    CleanupSlot& slot = cleanup_slots[i];
    if (slot.used.load()) continue;
    std::memcpy(slot.path, path.c_str(), path.size() + 1);
    slot.used.store(true);
    return static_cast<int>(i);
  }
  return -1;  // more files open than slots: the rare leftover after Ctrl-C is acceptable
}

Error FileError(const std::string& path, const std::string& what) {
  return Error{path, 0, 0, "", what};
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), target_(path_) {}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  if (out_.is_open()) out_.close();
  if (!temporary_.empty()) std::remove(temporary_.c_str());
  Forget();
}

void AtomicFile::Forget() {
  if (cleanup_slot_ >= 0) cleanup_slots[static_cast<std::size_t>(cleanup_slot_)].used.store(false);
  cleanup_slot_ = -1;
}

Result<Done> AtomicFile::Open() {
  std::error_code error;
  const fs::file_status status = fs::status(path_, error);  // follows symbolic links
  if (fs::is_directory(status)) return FileError(path_, "is a directory, not a file");
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    out_.open(path_, std::ios::binary);
  } else {
    if (fs::is_symlink(fs::symlink_status(path_, error))) {
      target_ = fs::canonical(path_, error).string();
      if (error) return FileError(path_, "cannot follow the symbolic link: " + error.message());
    }
    temporary_ = target_ + ".tmp." + std::to_string(getpid());
    out_.open(temporary_, std::ios::binary | std::ios::trunc);
    if (out_) cleanup_slot_ = ClaimCleanupSlot(temporary_);
  }
  if (!out_) return FileError(path_, std::string("cannot write: ") + std::strerror(errno));
  return Done{};
}

Result<Done> AtomicFile::Commit() {
  out_.flush();
  const bool written = static_cast<bool>(out_);
  out_.close();
  if (!written || out_.fail()) {
    return FileError(path_, "writing failed (disk full?); the old file is unchanged");
  }
  if (!temporary_.empty() && std::rename(temporary_.c_str(), target_.c_str()) != 0) {
    return FileError(path_, std::string("cannot rename into place: ") + std::strerror(errno));
  }
  committed_ = true;
  Forget();
  return Done{};
}

}  // namespace deliverysim::app
