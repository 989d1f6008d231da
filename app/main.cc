// deliverysim: simulate message delivery under faults and measure what each strategy loses,
// duplicates and delays. See README.md for a walk-through.
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <iostream>
#include <string>

#include "app/analyze_command.h"
#include "app/commands.h"
#include "app/report_command.h"
#include "app/sweep_commands.h"
#include "app/teach_commands.h"
#include "app/topology_graph.h"
#include "app/version.h"

namespace {

// CLI11 would read "-1" as 2^64 - 1 and clamp values past the top; a seed must be exact.
std::string WholeNumber(const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return "expected a whole number from 0 to 18446744073709551615, got '" + text + "'";
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace deliverysim::app;

  CLI::App cli{
      "deliverysim: a deterministic simulator of message delivery.\n"
      "Describe producers, a broker, consumer groups and faults in a scenario file; a run\n"
      "reports, per consumer group, the messages lost, delivered twice, processed twice,\n"
      "reordered and delayed. The same file and seed always give the same result.\n"};
  cli.set_version_flag("--version", std::string("deliverysim ") + kVersion);
  cli.require_subcommand(0, 1);
  cli.footer(
      "Exit status: 0 success, 1 an output file could not be written, 2 bad input,\n"
      "3 a demo did not show the outcome it promises.\n"
      "Examples:\n"
      "  deliverysim run scenarios/order-placed-at-least-once.yaml\n"
      "  deliverysim run scenarios/order-placed-inbox.yaml --seed 7 --json\n"
      "  deliverysim validate my-scenario.yaml\n"
      "  deliverysim demo\n"
      "  deliverysim sweep sweeps/crashes-by-strategy.yaml -o crashes.db\n"
      "  deliverysim report crashes.db -o crashes-report");

  RunOptions run;
  CLI::App* run_cli =
      cli.add_subcommand("run", "Run a scenario and print its metrics per consumer group.");
  run_cli->add_option("FILE", run.scenario_path, "Scenario file (YAML), see docs/SCENARIOS.md")
      ->required();
  run_cli->add_option("--seed", run.seed, "Seed for this run, instead of the file's 'seed'")
      ->check(WholeNumber, "UINT64");
  CLI::Option* json_flag = run_cli->add_flag(
      "--json", run.json, "Print the result as JSON (schema in docs/OUTPUT.md) instead of a table");
  run_cli->add_option("--trace", run.trace_path,
                      "Write every notable event to this file, one JSON object per line");
  // Timelines (docs/OUTPUT.md): a sequence diagram of a few messages.
  run_cli
      ->add_flag("--timeline", run.timeline.text,
                 "Draw a sequence diagram of the most telling messages (or those chosen with "
                 "--messages / --window) after the table")
      ->excludes(json_flag);
  run_cli->add_option("--timeline-html", run.timeline.html_path,
                      "Write the timeline, with the metrics, as one self-contained HTML page");
  run_cli->add_option("--messages", run.timeline.messages,
                      "Messages to draw: N, A..B, PRODUCER:N or PRODUCER:A..B (repeatable)");
  run_cli->add_option("--window", run.timeline.window,
                      "Simulated time to draw, T1..T2 (for example 30s..30.5s)");
  run_cli->add_option("--width", run.timeline.width,
                      "Columns for --timeline (default: the terminal's, else 80)");

  std::string validate_path;
  CLI::App* validate_cli = cli.add_subcommand(
      "validate", "Check a scenario file and report the first mistake with its line and key.");
  validate_cli->add_option("FILE", validate_path, "Scenario file (YAML)")->required();

  // Teaching commands (app/teach_commands.h).
  ExplainOptions explain;
  CLI::App* explain_cli =
      cli.add_subcommand("explain",
                         "Tell one message's story in plain sentences: sends, losses, deliveries, "
                         "effects, crashes, commits, and why it ended lost, duplicated or fine.");
  explain_cli->add_option("FILE", explain.scenario_path, "Scenario file (YAML)")->required();
  explain_cli->add_option("--seed", explain.seed, "Seed for this run, instead of the file's")
      ->check(WholeNumber, "UINT64");
  // Exactly one way of choosing the message.
  CLI::Option_group* which = explain_cli->add_option_group("which message");
  which->add_option("--message", explain.message,
                    "The message: N (the first producer's) or PRODUCER:N");
  which->add_option("--key", explain.key, "Every message with this key");
  which->add_flag("--worst", explain.worst,
                  "The message with the most duplicate effects, else a lost one, else one out "
                  "of order");
  which->require_option(1);

  GraphOptions graph;
  CLI::App* graph_cli = cli.add_subcommand(
      "graph",
      "Draw the scenario's topology (producers, topics, partitions, groups, instances) "
      "as Graphviz DOT, and as SVG with --svg.");
  graph_cli->add_option("FILE", graph.scenario_path, "Scenario file (YAML)")->required();
  graph_cli->add_option("-o,--output", graph.dot_path,
                        "Write the DOT to this file instead of standard output");
  graph_cli->add_option("--svg", graph.svg_path,
                        "Also write SVG to this file (needs Graphviz's dot on PATH)");

  DemoOptions demo;
  demo.folder = DefaultDemoFolder();
  CLI::App* demo_cli = cli.add_subcommand(
      "demo",
      "List the bundled classroom demos with their lessons, or run one: narration, "
      "metrics, the expected outcome checked, and a timeline of its telling messages.");
  demo_cli->add_option("NAME", demo.name, "The demo to run; leave out to list them");
  demo_cli->add_option("--demos", demo.folder, "Folder of demo files")->capture_default_str();
  demo_cli->add_option("--width", demo.width, "Columns (default: the terminal's, else 80)")
      ->check(CLI::Range(40, 1000));

  // Sweeps, their results store and its exports.
  SweepOptions sweep;
  CLI::App* sweep_cli = cli.add_subcommand(
      "sweep",
      "Run a scenario over a grid of parameter values with replications (docs/SWEEPS.md).");
  sweep_cli->add_option("FILE", sweep.sweep_path, "Sweep file (YAML)")->required();
  sweep_cli
      ->add_option("--jobs,-j", sweep.jobs,
                   "Runs at once, each on one thread (default: one per hardware thread)")
      ->check(CLI::Range(1u, 1024u));
  sweep_cli->add_option("-o,--output", sweep.database_path,
                        "Results database (SQLite); default: the sweep file's name with .db. "
                        "Running again resumes: stored runs are skipped");
  ExportOptions export_options;
  CLI::App* export_cli =
      cli.add_subcommand("export", "Write a sweep's results as CSV or JSON (docs/OUTPUT.md).");
  export_cli->add_option("DB", export_options.database_path, "Results database of a sweep")
      ->required();
  export_cli->add_flag("--csv", export_options.csv, "CSV: one row per point, scope and metric");
  export_cli->add_flag("--json", export_options.json, "JSON: points, runs and aggregates");
  export_cli->add_flag("--runs", export_options.runs,
                       "With --csv: one row per run, scope and metric instead of the aggregates");
  export_cli->add_option("-o,--output", export_options.output_path, "File to write")->required();

  ReportOptions report;
  CLI::App* report_cli = cli.add_subcommand(
      "report", "Write an HTML report of a sweep with PNG and SVG figures (docs/SWEEPS.md).");
  report_cli->add_option("DB", report.database_path, "Results database of a sweep")->required();
  report_cli->add_option("-o,--output", report.output_dir, "Folder for index.html and figures")
      ->required();

  AnalyzeOptions analyze;
  CLI::App* analyze_cli = cli.add_subcommand(
      "analyze",
      "Print the analytic predictions (Erlang C, retry chain, at-most-once loss) "
      "that apply to a scenario, and say why none applies where none does.");
  analyze_cli->add_option("FILE", analyze.scenario_path, "Scenario file (YAML)")->required();
  analyze_cli
      ->add_option("--runs", analyze.runs,
                   "Also run the scenario this many times and show each predicted value beside "
                   "the simulated mean and its 95% confidence interval")
      ->check(CLI::Range(1u, 100000u));

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = cli.exit(e);
    return status == 0 ? kExitOk : kExitBadInput;
  }
  if (*run_cli) return RunCommand(run);
  if (*validate_cli) return ValidateCommand(validate_path);
  if (*explain_cli) return ExplainCommand(explain);
  if (*graph_cli) return GraphCommand(graph);
  if (*demo_cli) return DemoCommand(demo);
  if (*sweep_cli) return SweepCommand(sweep);
  if (*export_cli) return ExportCommand(export_options);
  if (*report_cli) return ReportCommand(report);
  if (*analyze_cli) return AnalyzeCommand(analyze);
  std::cerr << "error: name a command: run, validate, sweep, export, report, analyze, explain, "
               "graph or demo; see deliverysim --help\n";
  return kExitBadInput;
}
