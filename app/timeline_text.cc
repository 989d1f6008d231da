#include "app/timeline_text.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <vector>

namespace deliverysim::app {

namespace {

constexpr int kMinLaneWidth = 3;
constexpr int kMaxLaneWidth = 12;
constexpr int kMinLabelWidth = 20;

std::string LaneLetter(std::size_t lane) {
  return std::string(1, static_cast<char>('A' + lane % 26));
}

struct Cell {
  char glyph = ' ';
  bool coloured = false;
};

const char* ColourOf(RowStyle style) {
  if (IsAlarm(style)) return "\033[1;31m";  // bold red: faults and repeats
  switch (style) {
    case RowStyle::kEffect: return "\033[32m";  // green
    case RowStyle::kCommit: return "\033[36m";  // cyan
    case RowStyle::kRestart:
    case RowStyle::kRebalance: return "\033[33m";  // yellow
    default: return "";
  }
}

std::string Fit(const std::string& text, int width) {
  if (width <= 0) return "";
  if (static_cast<int>(text.size()) <= width) return text;
  return text.substr(0, width);
}

}  // namespace

std::vector<std::string> Wrap(const std::string& text, int width) {
  std::vector<std::string> pieces;
  std::string rest = text;
  while (static_cast<int>(rest.size()) > width) {
    std::size_t cut = rest.rfind(' ', static_cast<std::size_t>(width));
    if (cut == std::string::npos || cut == 0) cut = static_cast<std::size_t>(width);
    pieces.push_back(rest.substr(0, cut));
    rest = rest.substr(cut + (rest[cut] == ' ' ? 1 : 0));
  }
  pieces.push_back(rest);
  return pieces;
}

namespace {

class Canvas {
 public:
  Canvas(int lanes, int lane_width)
      : lane_width_(lane_width), cells_(static_cast<std::size_t>(lanes * lane_width)) {
    for (int lane = 0; lane < lanes; ++lane) cells_[Centre(lane)].glyph = '|';
  }

  void Draw(const TimelineRow& row) {
    if (row.from < 0) {
      if (row.style == RowStyle::kRebalance) {
        for (Cell& cell : cells_) cell = {'~', true};
      } else {
        // The broker's crash or restart strikes every lane at once.
        for (std::size_t at = 0; at < cells_.size(); ++at) {
          if (cells_[at].glyph == '|') Put(at, MarkGlyph(row.style));
        }
      }
      return;
    }
    if (row.to == row.from) {
      Put(Centre(row.from), MarkGlyph(row.style));
      return;
    }
    const int from = Centre(row.from);
    const int to = Centre(row.to);
    const int step = to > from ? 1 : -1;
    // A lost packet's arrow stops halfway, where the link dropped it.
    const int end = row.style == RowStyle::kLinkLoss ? from + (to - from) / 2 : to;
    const char line = ArrowLine(row.style);
    for (int at = from + step; at != end; at += step) Put(at, line);
    Put(from, 'o');
    if (row.style == RowStyle::kLinkLoss) {
      Put(end, 'x');
    } else if (row.style == RowStyle::kCommitRefused) {
      Put(end - step, 'x');
      Put(end, step > 0 ? '>' : '<');
    } else {
      Put(end, step > 0 ? '>' : '<');
    }
  }

  std::string Text(const char* colour) const {
    std::string out;
    bool in_colour = false;
    for (const Cell& cell : cells_) {
      const bool want = cell.coloured && *colour != '\0';
      if (want != in_colour) out += want ? colour : "\033[0m";
      in_colour = want;
      out += cell.glyph;
    }
    if (in_colour) out += "\033[0m";
    return out;
  }

 private:
  std::size_t Centre(int lane) const {
    return static_cast<std::size_t>(lane * lane_width_ + lane_width_ / 2);
  }
  void Put(std::size_t at, char glyph) { cells_[at] = {glyph, true}; }
  void Put(int at, char glyph) { Put(static_cast<std::size_t>(at), glyph); }

  int lane_width_;
  std::vector<Cell> cells_;
};

// Lane names on two staggered lines, so that each may be nearly two lanes wide. When a name
// does not fit, every lane gets a letter and a line above says which letter is which.
std::vector<std::string> Header(const TimelineDiagram& d, int time_width, int lane_width,
                                int width) {
  const auto longest = std::max_element(
      d.lanes.begin(), d.lanes.end(),
      [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  const bool letters =
      static_cast<int>(longest->size()) > 2 * lane_width - 1 || d.lanes.size() > 26;
  std::vector<std::string> lines;
  if (letters) {
    std::string key = "lanes:";
    for (std::size_t lane = 0; lane < d.lanes.size(); ++lane) {
      const std::string piece = fmt::format(" {}={}", LaneLetter(lane), d.lanes[lane]);
      if (static_cast<int>(key.size() + piece.size()) > width) {
        lines.push_back(key);
        key = "      ";
      }
      key += piece;
    }
    lines.push_back(key);
  }
  std::vector<std::string> names(letters ? 1 : 2, std::string(time_width + 1, ' '));
  names[0].replace(0, 8, "time (s)");
  for (std::size_t lane = 0; lane < d.lanes.size(); ++lane) {
    std::string& line = names[letters ? 0 : lane % 2];
    const int centre = time_width + 1 + static_cast<int>(lane) * lane_width + lane_width / 2;
    const std::string name = letters ? LaneLetter(lane) : d.lanes[lane];
    const int start = std::max(static_cast<int>(line.size()) + (line.back() == ' ' ? 0 : 1),
                               centre - static_cast<int>(name.size()) / 2);
    line.resize(start, ' ');
    line += name;
  }
  lines.insert(lines.end(), names.begin(), names.end());
  return lines;
}

constexpr const char* kLogLegend[] = {"o--> send, ack, deliver, commit",
                                      "o==> redelivery",
                                      "o--x lost on a link",
                                      "+ intent",
                                      "# append",
                                      "* effect",
                                      "! duplicate effect",
                                      "s skipped by the inbox",
                                      "? unreadable, dead-lettered",
                                      "X crash",
                                      "R restart",
                                      "G given up",
                                      "D duplicated on a link",
                                      "~ rebalance"};
struct LegendEntry {
  const char* text;
  std::vector<RowStyle> styles;  // the entry is shown when a row has one of these
};

// A queue broker's drawing has many kinds of marks, so its legend names only those it uses.
const std::vector<LegendEntry>& QueueLegend() {
  using S = RowStyle;
  static const std::vector<LegendEntry> entries = {
      {"o--> publish, route, confirm, deliver, ack",
       {S::kSend, S::kRoute, S::kAck, S::kDeliver, S::kConsumerAck}},
      {"o==> redelivered", {S::kRedeliver}},
      {"o..> nack or reject", {S::kNack}},
      {"o::> dead letter", {S::kDeadLetter}},
      {"o--x lost on a link", {S::kLinkLoss}},
      {"+ intent", {S::kIntent}},
      {"p processing starts", {S::kProcess}},
      {"r handler retry", {S::kHandlerRetry}},
      {"* effect", {S::kEffect}},
      {"! duplicate effect", {S::kDuplicateEffect}},
      {"s skipped by the inbox", {S::kEffectSkipped}},
      {"q requeued", {S::kRequeue}},
      {"k lock expired", {S::kLockExpired}},
      {"u unroutable", {S::kUnroutable}},
      {"d duplicate dropped", {S::kDuplicateDropped}},
      {"0 discarded", {S::kDiscard}},
      {"L lost in a broker restart", {S::kLostInRestart}},
      {"X crash", {S::kCrash}},
      {"X on every lane: broker crash", {S::kBrokerCrash}},
      {"R restart", {S::kRestart, S::kBrokerRestart}},
      {"G given up", {S::kGiveUp}},
      {"D duplicated on a link", {S::kLinkDuplicate}}};
  return entries;
}

std::string Legend(int width, const TimelineDiagram& d) {
  std::vector<const char*> entries;
  if (!d.queue_broker) entries.assign(std::begin(kLogLegend), std::end(kLogLegend));
  for (const LegendEntry& entry : d.queue_broker ? QueueLegend() : std::vector<LegendEntry>{}) {
    const bool used = std::any_of(d.rows.begin(), d.rows.end(), [&](const TimelineRow& row) {
      return std::find(entry.styles.begin(), entry.styles.end(), row.style) != entry.styles.end();
    });
    if (used) entries.push_back(entry.text);
  }
  std::string out;
  std::string line = "legend:";
  for (const char* entry : entries) {
    const std::string piece = std::string(line.empty() ? "        " : "  ") + entry;
    if (static_cast<int>(line.size() + piece.size()) > width) {
      out += line + "\n";
      line = std::string("        ") + entry;
    } else {
      line += piece;
    }
  }
  return out + line + "\n";
}

// Too many lanes for the width: one line per row, naming its lanes in words.
std::string RenderList(const TimelineDiagram& d, int time_width, const TextLayout& layout) {
  std::string out = fmt::format("{:>{}} lanes and event\n", "time (s)", time_width);
  for (const TimelineRow& row : d.rows) {
    std::string lanes;
    if (row.from >= 0) lanes = d.lanes[row.from];
    if (row.to >= 0 && row.to != row.from) lanes += " -> " + d.lanes[row.to];
    const std::string text =
        Fit(fmt::format("{}: {}", lanes, row.label), layout.width - time_width - 1);
    out += fmt::format("{:>{}} {}\n", FormatSeconds(row.at), time_width, text);
  }
  return out;
}

}  // namespace

std::string RenderTimelineText(const TimelineDiagram& d, const TextLayout& layout) {
  int time_width = 8;
  for (const TimelineRow& row : d.rows) {
    time_width = std::max(time_width, static_cast<int>(FormatSeconds(row.at).size()));
  }
  const int lanes = static_cast<int>(d.lanes.size());
  // Words get about 45% of the width; the lanes share the rest.
  const int preferred_label = std::clamp(layout.width * 45 / 100, kMinLabelWidth, 60);
  const int room = layout.width - time_width - 2 - preferred_label;
  std::string out;
  if (d.rows.empty()) {
    out = "(no events to show)\n";
  } else if (lanes == 0 || lanes > 26 || room / lanes < kMinLaneWidth) {
    out = RenderList(d, time_width, layout);
  } else {
    const int lane_width = std::min(kMaxLaneWidth, room / lanes);
    const int label_width = layout.width - time_width - 2 - lanes * lane_width;
    for (const std::string& line : Header(d, time_width, lane_width, layout.width)) {
      out += Fit(line, layout.width) + "\n";
    }
    const std::string bare_lanes = Canvas(lanes, lane_width).Text("");
    for (const TimelineRow& row : d.rows) {
      Canvas canvas(lanes, lane_width);
      canvas.Draw(row);
      const char* colour = layout.colour ? ColourOf(row.style) : "";
      const bool alarm = *colour != '\0' && IsAlarm(row.style);
      // Words that do not fit go on to lines of their own, under the lanes' lines.
      const std::vector<std::string> pieces = Wrap(row.label, label_width);
      for (std::size_t i = 0; i < pieces.size(); ++i) {
        const std::string label = alarm ? colour + pieces[i] + "\033[0m" : pieces[i];
        out += fmt::format("{:>{}} {} {}\n", i == 0 ? FormatSeconds(row.at) : "", time_width,
                           i == 0 ? canvas.Text(colour) : bare_lanes, label);
      }
    }
  }
  if (d.rows_left_out > 0) {
    out +=
        fmt::format("... {} more rows left out; narrow --messages or --window\n", d.rows_left_out);
  }
  return out + Legend(layout.width, d);
}

int TimelineWidth(std::optional<int> requested) {
  if (requested) return *requested;
  winsize size{};
  if (isatty(STDOUT_FILENO) == 1 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
      size.ws_col > 0) {
    return size.ws_col;
  }
  if (const char* columns = std::getenv("COLUMNS")) {
    const int value = std::atoi(columns);
    if (value > 0) return value;
  }
  return 80;
}

bool TimelineColour() {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && *no_colour != '\0') return false;
  return isatty(STDOUT_FILENO) == 1;
}

}  // namespace deliverysim::app
