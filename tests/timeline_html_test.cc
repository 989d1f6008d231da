// The HTML timeline's structure: one SVG group per row, marked for the filter and the browser
// test, and text escaped. Its behaviour in a browser is tested in tests/cli/test_timeline_html.py.
#include "app/timeline_html.h"

#include <gtest/gtest.h>

namespace deliverysim::app {
namespace {

std::size_t Count(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

TimelineDiagram TwoRows() {
  TimelineDiagram d;
  d.lanes = {"p", "t/0", "g<1>"};
  d.rows.push_back({1'500'000, 1, 2, RowStyle::kDeliver, "deliver #3 (offset 3)", {0, 3}, 7});
  d.rows.push_back(
      {2'000'000, 2, 2, RowStyle::kDuplicateEffect, "DUPLICATE effect of #3", {0, 3}, 7});
  return d;
}

TEST(TimelineHtml, OneGroupPerRowWithItsStyleMessageAndKey) {
  models::RunResult result;
  result.scenario = "tiny";
  const std::string page = RenderTimelineHtml(TwoRows(), result);
  EXPECT_EQ(Count(page, "<g class=\"row "), 2u);
  EXPECT_NE(page.find("<g class=\"row deliver\" data-message=\"3\" data-key=\"7\""),
            std::string::npos);
  EXPECT_NE(page.find("<g class=\"row duplicate-effect alarm\" data-message=\"3\""),
            std::string::npos);
  // The hover text: time, words, message and key.
  EXPECT_NE(page.find("<title>0.002000 s: DUPLICATE effect of #3 (message 3, key 7)</title>"),
            std::string::npos);
}

TEST(TimelineHtml, TextIsEscaped) {
  models::RunResult result;
  result.scenario = "a<b & c";
  const std::string page = RenderTimelineHtml(TwoRows(), result);
  EXPECT_NE(page.find("<h1>a&lt;b &amp; c</h1>"), std::string::npos);
  EXPECT_NE(page.find(">g&lt;1&gt;</text>"), std::string::npos);
  EXPECT_EQ(page.find("g<1>"), std::string::npos);
}

}  // namespace
}  // namespace deliverysim::app
