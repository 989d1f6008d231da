#include "app/trace_writer.h"

#include <fmt/format.h>

namespace deliverysim::app {

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void JsonLinesTrace::Record(sim::Time at, std::string_view kind,
                            std::initializer_list<sim::TraceField> fields) {
  line_.clear();
  line_ += "{\"t\":";
  line_ += std::to_string(at);
  line_ += ",\"kind\":";
  AppendJsonString(line_, kind);
  for (const sim::TraceField& field : fields) {
    line_ += ',';
    AppendJsonString(line_, field.name);
    line_ += ':';
    if (field.is_text) {
      AppendJsonString(line_, field.text);
    } else {
      line_ += std::to_string(field.number);
    }
  }
  line_ += "}\n";
  file_.stream() << line_;
}

}  // namespace deliverysim::app
