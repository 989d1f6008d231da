"""`run --timeline`: the terminal sequence diagram, its width, its colours and its options."""
import os
import pty
import subprocess

AT_LEAST_ONCE = "order-placed-at-least-once.yaml"


def run_plain(binary, *args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")}
    env.update(env_extra or {})
    return subprocess.run([binary, *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=300)


def run_on_terminal(binary, *args, env_extra=None):
    """Runs with standard output on a pseudo-terminal and returns what it showed."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(env_extra or {})
    controller, terminal = pty.openpty()
    process = subprocess.Popen([binary, *map(str, args)], stdout=terminal,
                               stderr=subprocess.DEVNULL, env=env)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=300) == 0
    os.close(controller)
    return shown.decode()


def test_the_crash_duplicate_of_the_at_least_once_scenario(binary, scenarios):
    # Message 14934 is the one billing-2 had processed but not committed when it crashed.
    result = run_plain(binary, "run", scenarios / AT_LEAST_ONCE, "--timeline",
                       "--messages", "14934")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # At 80 columns the crash's words wrap onto a second line.
    assert "CRASH billing-2 at step after-effect," in out
    assert "holding #14934" in out
    assert "REDELIVER #14934" in out
    assert "DUPLICATE effect of #14934" in out
    assert "\033[" not in out  # no colour when piped


def test_lines_fit_80_columns_by_default_and_120_when_asked(binary, scenarios):
    for width, extra in ((80, []), (120, ["--width", "120"])):
        result = run_plain(binary, "run", scenarios / AT_LEAST_ONCE, "--timeline", *extra)
        assert result.returncode == 0, result.stderr
        lines = result.stdout[result.stdout.index("time (s)"):].splitlines()
        assert max(len(line) for line in lines) <= width
    assert max(len(line) for line in lines) > 80  # the wider page is used


def test_columns_variable_sets_the_width_when_piped(binary, scenarios):
    result = run_plain(binary, "run", scenarios / AT_LEAST_ONCE, "--timeline",
                       env_extra={"COLUMNS": "100"})
    lines = result.stdout[result.stdout.index("time (s)"):].splitlines()
    assert 80 < max(len(line) for line in lines) <= 100


def test_colour_on_a_terminal_and_none_with_no_color(binary, scenarios):
    args = ("run", scenarios / AT_LEAST_ONCE, "--timeline", "--messages", "14934")
    assert "\033[1;31m" in run_on_terminal(binary, *args)
    assert "\033[" not in run_on_terminal(binary, *args, env_extra={"NO_COLOR": "1"})


def test_without_a_choice_the_most_telling_messages_are_drawn(binary, scenarios):
    out = run_plain(binary, "run", scenarios / AT_LEAST_ONCE, "--timeline").stdout
    # 14934 is the only message whose offset was handed out twice (the crash), and the only
    # one with two duplicate effects.
    assert "#14934 intended" in out


def test_timeline_and_json_exclude_each_other(binary, scenarios):
    result = run_plain(binary, "run", scenarios / AT_LEAST_ONCE, "--timeline", "--json")
    assert result.returncode == 2
    assert "excludes" in result.stderr


def test_bad_messages_and_window_name_the_option(binary, scenarios):
    for option, value in (("--messages", "9..3"), ("--window", "5s"), ("--width", "10")):
        result = run_plain(binary, "run", scenarios / AT_LEAST_ONCE, "--timeline", option, value)
        assert result.returncode == 2, option
        assert option in result.stderr
        assert "allowed" in result.stderr or "expected" in result.stderr
        assert result.stdout == ""  # refused before the run


def test_window_draws_everything_inside_it(binary, scenarios):
    out = run_plain(binary, "run", scenarios / AT_LEAST_ONCE, "--timeline", "--width", "120",
                    "--window", "30.010s..30.011s").stdout
    assert "CRASH billing-2" in out
    times = [float(line.split()[0]) for line in out[out.index("time (s)"):].splitlines()[2:]
             if line[:1] in " 0123456789" and line.split() and line.split()[0][0].isdigit()]
    assert times and all(30.010 <= t <= 30.011 for t in times)


def test_filters_without_a_timeline_are_refused(binary, scenarios):
    result = run_plain(binary, "run", scenarios / AT_LEAST_ONCE, "--messages", "3")
    assert result.returncode == 2
    assert "--messages: needs --timeline or --timeline-html" in result.stderr


def test_same_scenario_gives_the_same_timeline(binary, scenarios):
    def timeline():
        out = run_plain(binary, "run", scenarios / AT_LEAST_ONCE, "--timeline").stdout
        return out[out.index("time (s)"):]
    assert timeline() == timeline()


RETRY_DEMO = "demos/retries-with-backoff-end-in-a-dead-letter-queue.yaml"


def test_queue_timeline_has_queue_lanes_retries_and_a_dead_letter(binary, scenarios):
    result = run_plain(binary, "run", scenarios / RETRY_DEMO, "--timeline")
    assert result.returncode == 0, result.stderr
    out = result.stdout[result.stdout.index("lanes:"):]
    assert "lanes: A=order-service B=orders C=billing D=billing-dlq E=billing-1" in out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any("o----->" in line and line.endswith("route #0 to billing") for line in lines)
    retries = [line for line in lines if " r   #0 failed (attempt " in line]
    assert len(retries) == 6  # max_attempts 7
    assert any("<...........o" in line and line.endswith("REJECT #0") for line in lines)
    dead = [line for line in lines if "DEAD-LETTER #0 to billing-dlq" in line]
    assert len(dead) == 1 and "o:::::>" in dead[0]
    assert "o::> dead letter" in out and "r handler retry" in out
    assert "\033[" not in out


def test_queue_timeline_marks_crashes_requeues_and_redeliveries(binary, scenarios):
    result = run_plain(binary, "run", scenarios / "queue-poison-delivery-limit.yaml",
                       "--timeline", "--width", "120")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert max(len(line) for line in out[out.index("lanes:"):].splitlines()) <= 120
    assert "CRASH quorum-dlx-1: poison #0 killed it" in out
    assert "#0 requeued at its old position" in out
    assert "REDELIVER #0 to quorum-dlx-1 (redelivered flag)" in out
    # Long words wrap onto the next line under the lanes; join them back to read the labels.
    words = " ".join(line.split("|")[-1].strip() for line in out.splitlines())
    assert ("DEAD-LETTER #0 to billing-dlq via orders-dlx: delivery limit exceeded (returned 4 "
            "times, delivery_limit 3)") in words
    assert ("DISCARDED #0: delivery limit exceeded (returned 4 times, delivery_limit 3), and no "
            "dead-letter exchange") in words
