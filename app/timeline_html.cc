#include "app/timeline_html.h"

#include <fmt/format.h>

#include "app/report_table.h"
#include "app/timeline_events.h"

namespace deliverysim::app {

namespace {

constexpr int kTimeWidth = 96;
constexpr int kLaneWidth = 110;
constexpr int kLabelWidth = 460;
constexpr int kRowHeight = 22;
constexpr int kHeaderHeight = 44;

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

int LaneX(int lane) { return kTimeWidth + lane * kLaneWidth + kLaneWidth / 2; }

const char* Glyph(RowStyle style) {
  switch (style) {
    case RowStyle::kIntent: return "+";
    case RowStyle::kAppend: return "#";
    case RowStyle::kGiveUp: return "G";
    case RowStyle::kLinkDuplicate: return "D";
    case RowStyle::kEffect: return "*";
    case RowStyle::kDuplicateEffect: return "!";
    case RowStyle::kEffectSkipped: return "s";
    case RowStyle::kDeadLettered: return "?";
    case RowStyle::kCrash: return "X";
    case RowStyle::kRestart: return "R";
    case RowStyle::kLinkLoss: return "x";
    default: return "o";
  }
}

std::string Shape(const TimelineRow& row, int y, int lanes) {
  if (row.from < 0) {
    return fmt::format(R"(<line class="sweep" x1="{}" y1="{}" x2="{}" y2="{}"/>)", kTimeWidth, y,
                       kTimeWidth + lanes * kLaneWidth, y);
  }
  if (row.to == row.from) {
    return fmt::format(R"(<circle class="mark" cx="{0}" cy="{1}" r="8"/><text class="glyph" )"
                       R"(x="{0}" y="{2}">{3}</text>)",
                       LaneX(row.from), y, y + 4, Escape(Glyph(row.style)));
  }
  const int from = LaneX(row.from);
  int to = LaneX(row.to);
  if (row.style == RowStyle::kLinkLoss) {
    to = from + (to - from) / 2;  // a lost packet stops halfway
    return fmt::format(R"(<line class="arrow" x1="{}" y1="{}" x2="{}" y2="{}"/>)"
                       R"(<text class="glyph" x="{}" y="{}">x</text>)",
                       from, y, to, y, to, y + 4);
  }
  return fmt::format(R"(<line class="arrow" x1="{}" y1="{}" x2="{}" y2="{}"/>)"
                     R"(<circle class="tail" cx="{}" cy="{}" r="3"/>)",
                     from, y, to + (to > from ? -4 : 4), y, from, y);
}

std::string Svg(const TimelineDiagram& d) {
  const int lanes = static_cast<int>(d.lanes.size());
  const int width = kTimeWidth + lanes * kLaneWidth + kLabelWidth;
  const int height = kHeaderHeight + static_cast<int>(d.rows.size() + 1) * kRowHeight;
  std::string out = fmt::format(
      R"(<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" )"
      R"(viewBox="0 0 {0} {1}" role="img" aria-label="sequence diagram">)"
      R"(<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" )"
      R"(markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">)"
      R"(<path d="M0,0 L10,5 L0,10 z"/></marker>)"
      R"(</defs>)"
      "\n",
      width, height);
  out += fmt::format(R"(<text class="head" x="4" y="{}">time (s)</text>)", kHeaderHeight - 14);
  for (int lane = 0; lane < lanes; ++lane) {
    out += fmt::format(
        R"(<text class="lane" x="{0}" y="{1}">{2}</text><line class="laneline" x1="{0}" )"
        R"(y1="{3}" x2="{0}" y2="{4}"/>)"
        "\n",
        LaneX(lane), kHeaderHeight - 14 - (lane % 2) * 14, Escape(d.lanes[lane]), kHeaderHeight - 8,
        height);
  }
  for (std::size_t i = 0; i < d.rows.size(); ++i) {
    const TimelineRow& row = d.rows[i];
    const int y = kHeaderHeight + static_cast<int>(i) * kRowHeight + kRowHeight / 2;
    const std::string message = row.message.valid() ? std::to_string(row.message.number) : "";
    const std::string key = row.key >= 0 ? std::to_string(row.key) : "";
    std::string details = FormatSeconds(row.at) + " s: " + row.label;
    if (!message.empty()) details += fmt::format(" (message {}", message);
    if (!message.empty()) details += key.empty() ? ", no key)" : ", key " + key + ")";
    out += fmt::format(
        R"(<g class="row {}{}" data-message="{}" data-key="{}" data-details="{}">)"
        R"(<title>{}</title><rect class="band" x="0" y="{}" width="{}" height="{}"/>)"
        R"(<text class="time" x="4" y="{}">{}</text>{}<text class="label" x="{}" y="{}">{}</text>)"
        "</g>\n",
        RowStyleName(row.style), IsAlarm(row.style) ? " alarm" : "", message, key, Escape(details),
        Escape(details), y - kRowHeight / 2, width, kRowHeight, y + 4, FormatSeconds(row.at),
        Shape(row, y, lanes), kTimeWidth + lanes * kLaneWidth + 8, y + 4, Escape(row.label));
  }
  return out + "</svg>\n";
}

std::string Metrics(const models::RunResult& result) {
  std::string out =
      "<table id=\"metrics\"><tr><th>group</th><th>commit</th><th>intended</th><th>lost</th>"
      "<th>deliveries</th><th>duplicate deliveries</th><th>duplicate effects</th>"
      "<th>out of order</th><th>latency p50</th><th>latency p99</th></tr>\n";
  for (const models::GroupResult& g : result.groups) {
    const auto latency = [&](sim::Time t) {
      return g.latency.count == 0 ? std::string("n/a") : FormatDuration(t);
    };
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td>"
        "<td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        Escape(g.group), Escape(g.commit), g.intended, g.lost > 0 ? "bad" : "", g.lost,
        g.deliveries, g.duplicate_deliveries, g.duplicate_effects > 0 ? "bad" : "",
        g.duplicate_effects, g.out_of_order, latency(g.latency.p50), latency(g.latency.p99));
  }
  return out + "</table>\n";
}

constexpr const char* kStyle = R"(
body { font-family: sans-serif; margin: 16px; color: #1f2937; }
table { border-collapse: collapse; margin-bottom: 12px; }
th, td { border: 1px solid #d1d5db; padding: 3px 8px; text-align: right; }
td.bad { color: #b91c1c; font-weight: bold; }
#controls { margin: 8px 0; }
#details { min-height: 1.4em; font-family: monospace; margin: 6px 0; }
svg text { font-family: monospace; font-size: 12px; }
.lane { text-anchor: middle; font-weight: bold; }
.laneline { stroke: #9ca3af; stroke-dasharray: 3 3; }
.band { fill: transparent; }
.row:hover .band { fill: #fef9c3; }
.arrow { stroke: #374151; stroke-width: 1.5; marker-end: url(#head); }
.tail { fill: #374151; }
marker path { fill: #374151; }
.mark { fill: #e5e7eb; stroke: #374151; }
.glyph { text-anchor: middle; font-weight: bold; }
.sweep { stroke: #ca8a04; stroke-width: 2; stroke-dasharray: 6 3; }
.effect .mark { fill: #bbf7d0; }
.commit .arrow { stroke: #0891b2; }
.redeliver .arrow { stroke: #dc2626; stroke-width: 3; stroke-dasharray: 8 3; }
.alarm .mark { fill: #fecaca; stroke: #dc2626; }
.alarm .label, .alarm .glyph { fill: #b91c1c; font-weight: bold; }
.link-loss .arrow { stroke: #dc2626; marker-end: none; }
.hidden { display: none; }
)";

// Filtering and hover details; the hash (#message=N or #key=K) presets the filter.
constexpr const char* kScript = R"(
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('#timeline .row'));
  var message = document.getElementById('message');
  var key = document.getElementById('key');
  var shown = document.getElementById('shown');
  var details = document.getElementById('details');
  function apply() {
    var m = message.value.replace(/^#/, '').trim(), k = key.value.trim(), count = 0;
    rows.forEach(function (row) {
      var keep = (!m || row.dataset.message === m) && (!k || row.dataset.key === k);
      row.classList.toggle('hidden', !keep);
      if (keep) count++;
    });
    shown.textContent = count + ' of ' + rows.length + ' events shown; duplicate effects: ' +
        document.querySelectorAll('#timeline .row.duplicate-effect:not(.hidden)').length +
        ', redeliveries: ' +
        document.querySelectorAll('#timeline .row.redeliver:not(.hidden)').length;
  }
  rows.forEach(function (row) {
    row.addEventListener('mouseenter', function () { details.textContent = row.dataset.details; });
  });
  var preset = /^#(message|key)=([0-9]+)$/.exec(window.location.hash);
  if (preset) (preset[1] === 'message' ? message : key).value = preset[2];
  message.addEventListener('input', apply);
  key.addEventListener('input', apply);
  apply();
})();
)";

}  // namespace

std::string RenderTimelineHtml(const TimelineDiagram& d, const models::RunResult& result) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += fmt::format("<title>deliverysim timeline: {}</title>\n<style>{}</style></head><body>\n",
                     Escape(result.scenario), kStyle);
  out += fmt::format("<h1>{}</h1>\n<p>seed {}, {} simulated, then {} of drain</p>\n",
                     Escape(result.scenario), result.seed, FormatDuration(result.duration),
                     FormatDuration(result.drain));
  out += Metrics(result);
  out +=
      "<div id=\"controls\">Filter: message <input id=\"message\" size=\"8\" "
      "placeholder=\"id\"> key <input id=\"key\" size=\"8\" placeholder=\"key\"> "
      "<span id=\"shown\"></span></div>\n<div id=\"details\">Point at an event for its "
      "details.</div>\n";
  out += Svg(d);
  if (d.rows_left_out > 0) {
    out += fmt::format(
        "<p>{} more events were left out; choose fewer messages or a narrower "
        "window.</p>\n",
        d.rows_left_out);
  }
  out += fmt::format("<script>{}</script>\n</body></html>\n", kScript);
  return out;
}

}  // namespace deliverysim::app
