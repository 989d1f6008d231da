#include "app/units.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace deliverysim::app {

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Splits "12.5ms" into the number and the unit.
std::pair<std::string_view, std::string_view> SplitNumber(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  return {text.substr(0, i), Trim(text.substr(i))};
}

std::optional<sim::Time> UnitScale(std::string_view unit) {
  if (unit == "ns") return sim::kNanosecond;
  if (unit == "us") return sim::kMicrosecond;
  if (unit == "ms") return sim::kMillisecond;
  if (unit == "s") return sim::kSecond;
  if (unit == "m") return sim::kMinute;
  if (unit == "h") return sim::kHour;
  return std::nullopt;
}

// Parses a decimal such as "1.25" times `scale` exactly, as integer arithmetic.
Parsed<sim::Time> ScaleDecimal(std::string_view number, sim::Time scale) {
  const std::string malformed = std::string("expected ") + kDurationHelp;
  const std::string too_long = "too long; the clock counts nanoseconds up to about 292 years";
  const std::size_t dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : number.substr(dot + 1);
  if ((whole.empty() && fraction.empty()) || fraction.find('.') != std::string_view::npos) {
    return malformed;
  }
  std::int64_t result = 0;
  if (!whole.empty()) {
    std::int64_t w = 0;
    auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), w);
    if (ec == std::errc::result_out_of_range) return too_long;
    if (ec != std::errc() || end != whole.data() + whole.size()) return malformed;
    if (__builtin_mul_overflow(w, scale, &result)) return too_long;
  }
  sim::Time place = scale;
  for (char digit : fraction) {
    if (digit < '0' || digit > '9') return malformed;
    place /= 10;
    if (place == 0 && digit != '0') {
      return std::string("finer than a nanosecond, the smallest step of the clock");
    }
    if (__builtin_add_overflow(result, (digit - '0') * place, &result)) return too_long;
  }
  return result;
}

std::optional<double> ParseDouble(std::string_view text) {
  text = Trim(text);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::vector<std::string_view> SplitArguments(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ',') {
      parts.push_back(Trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  return parts;
}

}  // namespace

Parsed<sim::Time> ParseDuration(std::string_view text) {
  text = Trim(text);
  if (text == "0") return sim::Time{0};
  auto [number, unit] = SplitNumber(text);
  const auto scale = UnitScale(unit);
  if (!text.empty() && text.front() == '-') return std::string("a duration cannot be negative");
  if (number.empty() || !scale) return std::string("expected ") + kDurationHelp;
  return ScaleDecimal(number, *scale);
}

Parsed<double> ParseRate(std::string_view text) {
  text = Trim(text);
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::string("expected ") + kRateHelp;
  const auto count = ParseDouble(text.substr(0, slash));
  const auto per = UnitScale(Trim(text.substr(slash + 1)));
  if (!count || !per) return std::string("expected ") + kRateHelp;
  if (*count <= 0) return std::string("the rate must be above zero");
  return *count * static_cast<double>(sim::kSecond) / static_cast<double>(*per);
}

Parsed<sim::Distribution> ParseDistribution(std::string_view text) {
  text = Trim(text);
  const std::size_t open = text.find('(');
  if (open == std::string_view::npos) {
    auto plain = ParseDuration(text);
    if (auto* value = std::get_if<sim::Time>(&plain)) {
      return sim::Distribution::Constant(static_cast<double>(*value));
    }
    // Text that starts like a number was meant as a duration; say what is wrong with it.
    if (text.find_first_of("-.0123456789") == 0) return std::get<std::string>(plain);
    return std::string("expected ") + kDistributionHelp;
  }
  if (text.back() != ')') {
    return std::string("unclosed '(' (inside { } a value with a comma must be quoted); expected ") +
           kDistributionHelp;
  }
  const std::string_view name = Trim(text.substr(0, open));
  const auto args = SplitArguments(text.substr(open + 1, text.size() - open - 2));
  auto duration = [&](std::size_t i) -> std::optional<double> {
    auto parsed = ParseDuration(args[i]);
    if (auto* value = std::get_if<sim::Time>(&parsed)) return static_cast<double>(*value);
    return std::nullopt;
  };
  auto wrong = [&](const char* form) { return std::string("expected ") + form; };

  if (name == "const") {
    if (args.size() != 1 || !duration(0)) return wrong("const(DURATION), such as const(1ms)");
    return sim::Distribution::Constant(*duration(0));
  }
  if (name == "uniform") {
    if (args.size() != 2 || !duration(0) || !duration(1) || *duration(0) > *duration(1)) {
      return wrong("uniform(LOW, HIGH) with LOW <= HIGH, such as uniform(1ms, 3ms)");
    }
    return sim::Distribution::Uniform(*duration(0), *duration(1));
  }
  if (name == "exp") {
    if (args.size() != 1 || !duration(0) || *duration(0) <= 0) {
      return wrong("exp(MEAN) with a mean above zero, such as exp(2ms)");
    }
    return sim::Distribution::Exponential(*duration(0));
  }
  if (name == "normal") {
    if (args.size() != 2 || !duration(0) || !duration(1)) {
      return wrong("normal(MEAN, STDDEV), such as normal(5ms, 1ms)");
    }
    return sim::Distribution::Normal(*duration(0), *duration(1));
  }
  if (name == "lognormal") {
    const auto sigma = args.size() == 2 ? ParseDouble(args[1]) : std::nullopt;
    if (args.size() != 2 || !duration(0) || *duration(0) <= 0 || !sigma || *sigma < 0) {
      return wrong(
          "lognormal(MEDIAN, SIGMA) with MEDIAN a duration above zero and SIGMA >= 0, "
          "such as lognormal(2ms, 0.5)");
    }
    return sim::Distribution::Lognormal(*duration(0), *sigma);
  }
  return std::string("unknown distribution '") + std::string(name) +
         "'; allowed: " + kDistributionHelp;
}

}  // namespace deliverysim::app
