// Writing a file so that a reader never sees half of it and an old file is never lost to a
// failed write: the text goes to a temporary file beside the target, which is then renamed
// over it in one step.
//
// Special cases: a symbolic link is followed, and its target replaced; a path that is not a
// regular file (a terminal, /dev/null, a pipe) is written straight through, since renaming over
// it would replace the device itself; a directory is refused. A run stopped by Ctrl-C or
// SIGTERM removes its temporary files on the way out.
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

  // An error if the file cannot be written: a missing folder, a directory, no permission.
  Result<Done> Open();
  std::ofstream& stream() { return out_; }

  // Flushes, closes and renames the temporary file over the target.
  Result<Done> Commit();

 private:
  void Forget();

  std::string path_;       // as the user gave it
  std::string target_;     // the file to replace: path_, or where its symbolic link points
  std::string temporary_;  // empty when writing straight through
  std::ofstream out_;
  bool committed_ = false;
  int cleanup_slot_ = -1;  // this file's entry in the list the signal handler removes
};

}  // namespace deliverysim::app
