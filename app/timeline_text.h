// Draws a TimelineDiagram for a terminal: time runs down the page, one column per lane, and
// each row is an arrow between two lanes or a mark on one, followed by its words. The glyphs
// alone tell the kinds apart, so the drawing reads the same without colour:
//
//   time (s)   order-se  orders/3  billing-1 billing-2
//    0.000401     +         |         |         |      #17 intended (key 42, seq 0)
//    0.000401     o-------->|         |         |      send #17
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/timeline_diagram.h"

namespace deliverysim::app {

struct TextLayout {
  int width = 80;       // columns the drawing may use
  bool colour = false;  // ANSI colours on the glyphs and on alarms
};

// Every line is at most `layout.width` columns, not counting colour codes.
std::string RenderTimelineText(const TimelineDiagram& diagram, const TextLayout& layout);

// The columns to draw in: `requested` if given, else the terminal's width when standard output
// is a terminal, else COLUMNS, else 80.
int TimelineWidth(std::optional<int> requested);

// Splits `text` at spaces into pieces of at most `width` characters (a longer word is cut).
std::vector<std::string> Wrap(const std::string& text, int width);

// Colour only when standard output is a terminal and NO_COLOR is unset or empty
// (https://no-color.org).
bool TimelineColour();

}  // namespace deliverysim::app
