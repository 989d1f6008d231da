"""Entity-state and schema-version figures in run's JSON and table, and only where they apply."""
import json
import re


def table_rows(table):
    """The table's rows by label (leading spaces dropped), each the list of its cells."""
    rows = {}
    for line in table.splitlines():
        match = re.match(r"^\s*(\S.*?)\s{2,}(\S.*)$", line)
        if match:
            rows[match.group(1)] = match.group(2).split()
    return rows


def run_json(deliverysim, path):
    return json.loads(deliverysim("run", path, "--json", check=True).stdout)


def test_json_reports_entities_for_groups_that_keep_a_table(deliverysim, scenarios):
    groups = run_json(deliverysim, scenarios / "event-order-clock-skew.yaml")["groups"]
    lww = groups["projection-lww"]
    assert list(lww)[-1] == "entities", "the new key comes after the existing ones"
    assert list(lww["entities"]) == ["ordering", "entities", "matching", "diverged",
                                     "events_dropped"]
    # The scenario's header works these out: 20 entities per producer, the slow clock's diverge.
    assert lww["entities"]["ordering"] == "last-writer-wins"
    assert lww["entities"]["entities"] == 40
    assert lww["entities"]["matching"] == 20
    assert lww["entities"]["diverged"] == 20
    assert groups["projection-version"]["entities"]["matching"] == 40
    assert "schema_versions" not in lww


def test_json_reports_schema_versions_for_a_topic_whose_schema_changes(deliverysim, scenarios):
    groups = run_json(deliverysim, scenarios / "schema-versions.yaml")["groups"]
    # 1000 intents per producer every 10 ms from 10 ms; the 501 from 5 s on are v2.
    assert groups["legacy"]["schema_versions"] == {"read_as_older_version": 501,
                                                   "dead_lettered_unreadable": 501}
    assert groups["legacy"]["dead_lettered"] == 501
    assert groups["v2-only"]["schema_versions"]["dead_lettered_unreadable"] == 499
    assert "entities" not in groups["legacy"]


def test_other_scenarios_keep_their_json_keys(deliverysim, scenarios):
    group = run_json(deliverysim, scenarios / "partitioner-round-robin.yaml")["groups"]["tracking"]
    assert "entities" not in group and "schema_versions" not in group


def test_table_adds_entity_rows_with_a_dash_for_groups_without_a_table(deliverysim, scenarios,
                                                                       tmp_path):
    text = (scenarios / "event-order-version.yaml").read_text()
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(text.replace(",\n      ordering: apply }", " }"))
    table = deliverysim("run", mixed, check=True).stdout
    rows = table_rows(table)
    assert rows["ordering"][-2:] == ["-", "version"]
    assert rows["entities"][-2:] == ["-", "50"]
    assert rows["matching ordered stream"][-2:] == ["-", "50"]
    assert rows["diverged"][-2:] == ["-", "0"]
    assert "read as older version" not in table


def test_table_adds_schema_rows(deliverysim, scenarios):
    table = deliverysim("run", scenarios / "schema-versions.yaml", check=True).stdout
    rows = table_rows(table)
    assert rows["read as older version"][-3:] == ["501", "0", "0"]
    assert rows["dead-lettered unreadable"][-3:] == ["501", "0", "499"]
    assert "entities" not in rows


def test_validate_points_at_an_unknown_ordering(deliverysim, scenarios, tmp_path):
    text = (scenarios / "event-order-version.yaml").read_text()
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("ordering: version", "ordering: newest"))
    line = next(i for i, row in enumerate(broken.read_text().splitlines(), 1)
                if "newest" in row)
    result = deliverysim("validate", broken)
    assert result.returncode == 2
    assert f"{broken}:{line}:" in result.stderr
    assert "consumers[1].ordering: unknown value 'newest'; allowed: apply, version, " \
           "precedence, last-writer-wins" in result.stderr


def test_new_scenarios_give_identical_json_bytes_run_after_run(deliverysim, scenarios):
    for name in ["event-order-version", "event-order-precedence", "event-order-clock-skew",
                 "schema-versions"]:
        path = scenarios / f"{name}.yaml"
        first = deliverysim("run", path, "--json", check=True).stdout
        assert deliverysim("run", path, "--json", check=True).stdout == first, name


def test_warnings_name_event_settings_that_can_do_nothing(deliverysim, tmp_path):
    path = tmp_path / "idle.yaml"
    path.write_text(
        "name: idle\nduration: 10s\ndrain: 1s\ntopics: [ { name: t, partitions: 1 } ]\n"
        "producers: [ { name: p, topic: t, rate: 10/s,\n"
        "               schema: { v2_at: 11s, change: additive } } ]\n"
        "consumers: [ { group: g, topic: t, instances: 1, processing: 1ms, "
        "commit: after-processing, auto_offset_reset: earliest, ordering: version } ]\n"
        "faults: [ { clock: p, at: 12s, ahead: 1s } ]\n")
    result = deliverysim("validate", path)
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 3, result.stderr
    assert "consumers[0].ordering: no producer of topic t gives its messages keys" in warnings[0]
    assert "p moves to schema version 2 at 11.0 s, after it stopped producing" in warnings[1]
    assert "the clock skew of p from 12.0 s on stamps nothing" in warnings[2]
