// Writing a file so that a reader never sees half of it and an old file is never lost to a
// failed write: the text goes to a temporary file beside the target, which is then renamed
// over it in one step.
#pragma once

#include <fstream>
#include <string>

#include "app/result.h"

namespace deliverysim::app {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  // Removes the temporary file if Commit was not called.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // An error if the temporary file could not be created.
  Result<Done> Open();
  std::ofstream& stream() { return out_; }

  // Flushes, closes and renames the temporary file over the target.
  Result<Done> Commit();

 private:
  std::string path_;
  std::string temporary_;
  std::ofstream out_;
  bool committed_ = false;
};

// Writes `text` to `path` atomically.
Result<Done> WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace deliverysim::app
