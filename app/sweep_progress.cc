#include "app/sweep_progress.h"

#include <fmt/format.h>

#include <cmath>

namespace deliverysim::app {

SweepProgress::SweepProgress(std::vector<std::uint32_t> runs_left_per_point,
                             std::vector<std::string> labels, std::FILE* out, bool terminal)
    : left_(std::move(runs_left_per_point)),
      failed_at_(left_.size(), 0),
      done_at_(left_.size(), 0),
      labels_(std::move(labels)),
      out_(out),
      terminal_(terminal),
      start_(std::chrono::steady_clock::now()) {
  for (std::uint32_t runs : left_) {
    total_ += runs;
    if (runs > 0) ++points_total_;
  }
  if (terminal_ && total_ > 0) DrawBar();
}

SweepProgress::~SweepProgress() {
  if (terminal_ && total_ > 0) {
    std::fputs("\n", out_);
    std::fflush(out_);
  }
}

std::string SweepProgress::FormatTimeLeft(double seconds) {
  const auto whole = static_cast<long long>(std::ceil(seconds));
  if (whole >= 3600) return fmt::format("{}h{:02}m", whole / 3600, whole % 3600 / 60);
  if (whole >= 60) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  return fmt::format("{}s", whole);
}

void SweepProgress::RunFinished(std::uint32_t point, bool ok) {
  ++done_;
  ++done_at_[point];
  if (!ok) {
    ++failed_;
    ++failed_at_[point];
  }
  if (terminal_) {
    // Ten redraws a second at most, and always the last, so short runs cost no terminal time.
    const auto now = std::chrono::steady_clock::now();
    if (done_ == total_ || now - drawn_ >= std::chrono::milliseconds(100)) DrawBar();
    return;
  }
  if (--left_[point] > 0) return;
  ++points_done_;
  fmt::print(out_, "point {}/{} done: {} ({} run(s), {} failed)\n", points_done_, points_total_,
             labels_[point], done_at_[point], failed_at_[point]);
  std::fflush(out_);
}

void SweepProgress::DrawBar() {
  drawn_ = std::chrono::steady_clock::now();
  constexpr int kWidth = 30;
  const double fraction = total_ ? static_cast<double>(done_) / total_ : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::string left =
      done_ == 0 ? "?" : FormatTimeLeft(elapsed / done_ * static_cast<double>(total_ - done_));
  fmt::print(out_, "\r\033[K[{}{}] {}/{} runs, {} failed, about {} left",
             std::string(static_cast<std::size_t>(filled), '#'),
             std::string(static_cast<std::size_t>(kWidth - filled), '.'), done_, total_, failed_,
             left);
  std::fflush(out_);
}

}  // namespace deliverysim::app
