#include "app/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace deliverysim::app {

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)), temporary_(path_ + ".tmp." + std::to_string(getpid())) {}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  if (out_.is_open()) out_.close();
  std::remove(temporary_.c_str());
}

Result<Done> AtomicFile::Open() {
  out_.open(temporary_, std::ios::binary | std::ios::trunc);
  if (!out_) return Error{path_, 0, 0, "", std::string("cannot write: ") + std::strerror(errno)};
  return Done{};
}

Result<Done> AtomicFile::Commit() {
  out_.flush();
  const bool written = static_cast<bool>(out_);
  out_.close();
  if (!written || out_.fail()) {
    return Error{path_, 0, 0, "", "writing failed (disk full?); the old file is unchanged"};
  }
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    return Error{path_, 0, 0, "", std::string("cannot rename into place: ") + std::strerror(errno)};
  }
  committed_ = true;
  return Done{};
}

Result<Done> WriteFileAtomically(const std::string& path, const std::string& text) {
  AtomicFile file(path);
  if (auto opened = file.Open(); !opened.ok()) return opened;
  file.stream() << text;
  return file.Commit();
}

}  // namespace deliverysim::app
