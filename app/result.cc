#include "app/result.h"

#include <fmt/format.h>

namespace deliverysim::app {

std::string Error::ToString() const {
  std::string text = file;
  if (line > 0) text += fmt::format(":{}:{}", line, column);
  if (!text.empty()) text += ": ";
  if (!key.empty()) text += fmt::format("{}: ", key);
  text += message;
  return text;
}

}  // namespace deliverysim::app
