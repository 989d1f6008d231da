// What a sweep shows while it runs: a bar on a terminal, one line per point otherwise.
#include "app/sweep_progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace deliverysim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Everything written to a temporary file, read back.
std::string Written(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) text += static_cast<char>(c);
  return text;
}

TEST(SweepProgress, PipedPrintsALineWhenAPointsLastRunFinishes) {
  std::FILE* out = std::tmpfile();
  {
    app::SweepProgress progress({2, 0, 1}, {"a=1", "a=2", "a=3"}, out, /*terminal=*/false);
    progress.RunFinished(0, true);
    EXPECT_EQ(Written(out), "");
    progress.RunFinished(2, false);
    progress.RunFinished(0, true);
  }
  // Point a=2 has nothing left to run, so there are two points to report.
  EXPECT_EQ(Written(out),
            "point 1/2 done: a=3 (1 run(s), 1 failed)\n"
            "point 2/2 done: a=1 (2 run(s), 0 failed)\n");
  std::fclose(out);
}

TEST(SweepProgress, OnATerminalABarCountsDoneAndFailedAndEndsWithTheLastRun) {
  std::FILE* out = std::tmpfile();
  {
    app::SweepProgress progress({1, 1}, {"a=1", "a=2"}, out, /*terminal=*/true);
    progress.RunFinished(0, false);
    progress.RunFinished(1, true);
  }
  const std::string text = Written(out);
  EXPECT_THAT(text, HasSubstr("[..............................] 0/2 runs, 0 failed, about ? left"));
  EXPECT_THAT(text,
              HasSubstr("[##############################] 2/2 runs, 1 failed, about 0s left"));
  EXPECT_THAT(text, Not(HasSubstr("point ")));
  std::fclose(out);
}

TEST(SweepProgress, TimeLeftReadsAsHoursMinutesSeconds) {
  EXPECT_EQ(app::SweepProgress::FormatTimeLeft(0.2), "1s");
  EXPECT_EQ(app::SweepProgress::FormatTimeLeft(61), "1m01s");
  EXPECT_EQ(app::SweepProgress::FormatTimeLeft(3 * 3600 + 5 * 60 + 9), "3h05m");
}

}  // namespace
}  // namespace deliverysim
