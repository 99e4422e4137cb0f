"""Tree validation: every problem is named with its node and field; drawings cover the whole tree."""
from __future__ import annotations

import copy
import subprocess
import sys

import pytest

from triage import TOPICS, TreeError, load_tree
from triage.render import to_dot, to_mermaid, to_text
from triage.tree import SHIPPED_TREE, parse_tree, tomllib

RAW = tomllib.loads(SHIPPED_TREE.read_text(encoding="utf-8"))


def broken(change) -> list[str]:
    data = copy.deepcopy(RAW)
    change(data)
    with pytest.raises(TreeError) as e:
        parse_tree(data, "test.toml")
    return e.value.problems


def test_shipped_tree_is_valid_and_uses_only_known_topics():
    tree = load_tree()
    assert {t for n in tree.nodes.values() for t in n.topics} <= set(TOPICS)
    # every red flag the issue names is asked
    asked = {t for n in tree.nodes.values() for t in n.topics}
    for topic in ("bladder_bowel", "saddle_numbness", "fever", "weight_loss", "weakness", "numbness", "trauma",
                  "osteoporosis", "steroids", "cancer_history", "infection_risk", "sleep", "daily_activities",
                  "duration", "more_info"):
        assert topic in asked
    for o in tree.outcomes.values():
        assert o.source and o.topics or o.unsure_floor


def test_unknown_topic_code_names_node_and_field():
    problems = broken(lambda d: d["nodes"]["fever"].update(topics=["fevr"]))
    assert any("node 'fever', field 'topics'" in p and "'fevr'" in p for p in problems)


def test_dead_end_names_node_and_field():
    problems = broken(lambda d: d["nodes"]["fever"].update(yes="nowhere"))
    assert any("node 'fever', field 'yes'" in p and "dead end" in p for p in problems)


def test_unreachable_node_is_reported():
    def orphan(d):
        d["nodes"]["orphan"] = dict(d["nodes"]["fever"])
    problems = broken(orphan)
    assert "node 'orphan': unreachable from the start node" in problems


def test_cycle_is_reported():
    problems = broken(lambda d: d["nodes"]["fever"].update(no="weakness"))
    assert any("cycle" in p and "fever" in p and "weakness" in p for p in problems)


def test_unknown_field_and_missing_source():
    def change(d):
        d["nodes"]["fever"]["colour"] = "red"
        del d["outcomes"]["urgent_infection"]["source"]
    problems = broken(change)
    assert any("node 'fever', field 'colour': unknown field" in p for p in problems)
    assert any("outcome 'urgent_infection', field 'source'" in p for p in problems)


def test_outcome_must_list_the_topics_that_lead_to_it():
    problems = broken(lambda d: d["outcomes"]["urgent_infection"].update(topics=["fever"]))
    assert any("outcome 'urgent_infection', field 'topics'" in p and "infection_risk" in p for p in problems)


def test_a_when_comparison_needs_a_number_or_duration_question():
    problems = broken(lambda d: d["outcomes"]["urgent_fracture"].update(
        when=[["trauma", "fever>=2"], ["trauma", "height>=70"]]))
    assert any("outcome 'urgent_fracture', field 'when'" in p and "'fever>=2' compares a yes/no question" in p
               for p in problems)
    assert any("no question node 'height'" in p for p in problems)


def test_a_when_comparison_holds_only_on_an_answered_value():
    fracture = load_tree().outcomes["urgent_fracture"]
    assert fracture.triggered({"trauma": True}, {"age": 70.0})
    assert not fracture.triggered({"trauma": True}, {"age": 69.0})
    assert not fracture.triggered({"trauma": True}, {})  # age not answered (or "not sure")
    assert not fracture.triggered({}, {"age": 90.0})


def test_emergency_must_say_the_number_first():
    problems = broken(lambda d: d["outcomes"]["emergency_cauda_equina"].update(text="Please rest. Call {emergency_number}."))
    assert any("outcome 'emergency_cauda_equina', field 'text'" in p for p in problems)


def test_threshold_rules_and_bad_disposition():
    def change(d):
        del d["nodes"]["duration"]["threshold"]
        d["nodes"]["fever"]["threshold"] = 3
        d["outcomes"]["soon_duration"]["disposition"] = "later"
    problems = broken(change)
    assert any("node 'duration', field 'threshold'" in p for p in problems)
    assert any("node 'fever', field 'threshold'" in p for p in problems)
    assert any("outcome 'soon_duration', field 'disposition'" in p for p in problems)


def test_unsure_floor_may_not_be_below_urgent():
    problems = broken(lambda d: d["outcomes"]["urgent_unsure"].update(disposition="soon"))
    assert any("unsure floor may not be below urgent" in p for p in problems)


def test_all_problems_are_reported_at_once():
    def change(d):
        d["nodes"]["fever"]["topics"] = ["x"]
        d["nodes"]["sleep"]["yes"] = "nowhere"
        d["outcomes"]["self_care"]["disposition"] = "fine"
    assert len(broken(change)) >= 3


def test_bad_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[nodes.a\ntext=", encoding="utf-8")
    with pytest.raises(TreeError, match="not valid TOML"):
        load_tree(bad)
    with pytest.raises(TreeError, match="file not found"):
        load_tree(tmp_path / "missing.toml")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "voice", *args], capture_output=True, text=True, timeout=60)


def test_tree_check_cli(tmp_path):
    ok = run_cli("tree", "check", str(SHIPPED_TREE))
    assert ok.returncode == 0 and "OK" in ok.stdout
    bad = tmp_path / "clinic.toml"
    bad.write_text(SHIPPED_TREE.read_text(encoding="utf-8").replace('no = "infection_risk"', 'no = "nowhere"'),
                   encoding="utf-8")
    res = run_cli("tree", "check", str(bad))
    assert res.returncode == 1
    assert "node 'fever', field 'no'" in res.stderr and "Traceback" not in res.stderr


def test_broken_tree_in_a_session_is_a_plain_message(tmp_path):
    bad = tmp_path / "clinic.toml"
    bad.write_text("this is not a tree", encoding="utf-8")
    res = run_cli("run", "--io", "text", "--tree", str(bad))
    assert res.returncode == 2 and "not valid TOML" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("render", [to_mermaid, to_dot, to_text])
def test_drawings_show_every_node_and_outcome(render):
    tree = load_tree()
    drawing = render(tree)
    for name in list(tree.nodes) + list(tree.outcomes):
        assert name in drawing


def test_tree_show_cli_mermaid_and_dot():
    mer = run_cli("tree", "show", "--format", "mermaid")
    assert mer.returncode == 0 and mer.stdout.startswith("flowchart TD")
    assert 'q_bladder_bowel -->|"yes"| t_end' in mer.stdout  # "end" alone is reserved in Mermaid
    dot = run_cli("tree", "show", "--format", "dot")
    assert dot.returncode == 0 and dot.stdout.startswith("digraph triage {") and dot.stdout.rstrip().endswith("}")


def test_dot_wraps_question_text_without_cutting_it():
    tree = load_tree()
    dot = to_dot(tree)
    for node in tree.nodes.values():
        line = next(ln for ln in dot.splitlines() if ln.startswith(f'  "{node.id}" [shape=box'))
        label = line.split('label="', 1)[1].rsplit('"];', 1)[0]
        parts = label.split("\\n")
        assert parts[0] == node.id and " ".join(parts[1:]) == " ".join(node.text.split())
        assert all(len(p) <= 40 for p in parts[1:]), parts


# ---- hostile tree files (audit D10, D11 and the `default = "false"` minor item)

def chain_tree(length: int) -> str:
    """A valid tree file whose questions form one chain ``length`` long."""
    meta = "\n".join(f'{k} = "x"' for k in ("disclaimer", "help", "unsure_prompt", "stop_text", "goodbye"))
    nodes = "".join(f'[nodes.q{i}]\ntopics = ["pain_score"]\ntext = "Question {i}?"\nplain = "Q {i}?"\n'
                    f'yes = "{f"q{i + 1}" if i + 1 < length else "end"}"\nno = "{f"q{i + 1}" if i + 1 < length else "end"}"\n'
                    for i in range(length))
    outcomes = ('[outcomes.fine]\ndisposition = "self_care"\ntopics = []\nsource = "s"\nreason = "r"\ntext = "t"\n'
                'default = true\n[outcomes.unsure]\ndisposition = "urgent"\ntopics = []\nsource = "s"\nreason = "r"\n'
                'text = "t"\nunsure_floor = true\n')
    return f'[meta]\nstart = "q0"\n{meta}\n{nodes}{outcomes}'


def test_a_long_chain_of_questions_is_checked_without_recursion(tmp_path):
    long = tmp_path / "long.toml"
    long.write_text(chain_tree(5000), encoding="utf-8")
    assert len(load_tree(long).nodes) == 5000
    res = run_cli("tree", "check", str(long))
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr[-500:]


def test_a_long_cycle_is_reported_once(tmp_path):
    looped = chain_tree(3000).replace('yes = "end"\nno = "end"', 'yes = "q0"\nno = "end"')
    with pytest.raises(TreeError) as e:
        parse_tree(tomllib.loads(looped))
    assert [p for p in e.value.problems if "cycle" in p] == [
        "node 'q2999': cycle " + " -> ".join(f"q{i}" for i in range(3000)) + " -> q0"]


def test_arrays_nested_too_deep_are_a_plain_problem(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(TreeError, match="nested too deeply"):
        load_tree(deep)
    res = run_cli("run", "--io", "text", "--tree", str(deep))
    assert res.returncode == 2 and "nested too deeply" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("when", [[[["fever"]]], [[1]], ["fever"], [[]], "fever", [[{"a": 1}]]])
def test_when_must_be_groups_of_node_ids(when):
    problems = broken(lambda d: d["outcomes"]["urgent_infection"].update(when=when))
    assert any("outcome 'urgent_infection', field 'when': must be a list of non-empty lists" in p for p in problems)


@pytest.mark.parametrize("topics", [[["fever"]], [{"x": 1}], [3]])
def test_topics_of_other_types_are_named_not_crashed_on(topics):
    problems = broken(lambda d: d["outcomes"]["urgent_infection"].update(topics=topics))
    assert any("outcome 'urgent_infection', field 'topics': unknown topic code" in p for p in problems)
    problems = broken(lambda d: d["nodes"]["fever"].update(topics=topics))
    assert any("node 'fever', field 'topics': unknown topic code" in p for p in problems)


@pytest.mark.parametrize("text, problem", [
    ("Call {clinic:>1500000000}.", "may not have a format"),
    ("Call {clinic!r}.", "may not have a format or conversion"),
    ("{clinic.__class__.__mro__}", "unknown placeholder '{clinic.__class__.__mro__}'"),
    ("{clinic[0]}", "unknown placeholder"),
    ("Call {doctor}.", "unknown placeholder '{doctor}'"),
    ("{0}", "unknown placeholder"),
    ("Call {clinic", "unbalanced braces"),
    ("Call } now", "unbalanced braces"),
])
def test_wording_allows_only_the_documented_placeholders(text, problem):
    problems = broken(lambda d: d["nodes"]["fever"].update(help=text))
    assert any(p.startswith("node 'fever', field 'help': ") and problem in p for p in problems), problems


def test_literal_braces_and_the_two_placeholders_pass():
    data = copy.deepcopy(RAW)
    data["nodes"]["fever"]["help"] = "Answer {{yes}} or call {clinic} or {emergency_number}."
    parse_tree(data)


def test_a_format_spec_in_the_tree_file_is_refused_before_any_session(tmp_path):
    bad = tmp_path / "clinic.toml"
    bad.write_text(SHIPPED_TREE.read_text(encoding="utf-8").replace("call {emergency_number}. Please",
                                                                      "call {clinic:>1500000000}. Please"),
                   encoding="utf-8")
    res = run_cli("tree", "check", str(bad))
    assert res.returncode == 1 and "node 'start', field 'text'" in res.stderr and "Traceback" not in res.stderr
    res = subprocess.run([sys.executable, "-m", "voice", "run", "--io", "text", "--tree", str(bad)], input="yes\n",
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "may not have a format" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("threshold", [float("nan"), float("inf"), float("-inf"), -5, 10**400])
def test_threshold_must_be_finite_and_not_negative(threshold, tmp_path):
    problems = broken(lambda d: d["nodes"]["age"].update(threshold=threshold))
    assert any("node 'age', field 'threshold': must be a finite number" in p for p in problems)


def test_nan_threshold_in_a_file_fails_tree_check(tmp_path):
    bad = tmp_path / "clinic.toml"
    bad.write_text(SHIPPED_TREE.read_text(encoding="utf-8").replace("threshold = 50", "threshold = nan"),
                   encoding="utf-8")
    res = run_cli("tree", "check", str(bad))
    assert res.returncode == 1 and "node 'age', field 'threshold'" in res.stderr


@pytest.mark.parametrize("field", ["default", "unsure_floor"])
def test_quoted_booleans_are_refused(field):
    outcome = "self_care" if field == "default" else "urgent_unsure"
    problems = broken(lambda d: d["outcomes"][outcome].update({field: "false"}))
    assert any(f"outcome '{outcome}', field '{field}': must be true or false" in p for p in problems)


def test_a_folder_given_as_the_tree_is_a_plain_problem(tmp_path):
    with pytest.raises(TreeError, match="is a folder"):
        load_tree(tmp_path)


@pytest.mark.parametrize("field", ["said_yes", "said_no", "mention"])
def test_read_back_and_mention_wording_allow_only_the_documented_placeholders(field):
    node = next(n for n, raw in RAW["nodes"].items() if raw.get("topics") and raw.get("expects", "yesno") == "yesno"
                and n != RAW["meta"]["start"])
    problems = broken(lambda d: d["nodes"][node].update({field: "You have {clinic:>1500000000}"}))
    assert any(p.startswith(f"node '{node}', field '{field}'") and "may not have a format" in p for p in problems)


def test_a_translation_nested_too_deeply_is_a_plain_problem(tmp_path):
    tree = tmp_path / "clinic.toml"
    tree.write_text(SHIPPED_TREE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "locale" / "es").mkdir(parents=True)
    (tmp_path / "locale" / "es" / "tree.toml").write_text("x = " + "[" * 5000 + "]" * 5000, encoding="utf-8")
    with pytest.raises(TreeError, match="nested too deeply"):
        load_tree(tree, lang="es")


def test_translated_wording_allows_only_the_documented_placeholders(tmp_path):
    from languages import ROOT as PACKS

    tree = tmp_path / "clinic.toml"
    tree.write_text(SHIPPED_TREE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "locale" / "es").mkdir(parents=True)
    spanish = (PACKS / "es" / "tree.toml").read_text(encoding="utf-8")
    assert "{emergency_number}" in spanish
    (tmp_path / "locale" / "es" / "tree.toml").write_text(
        spanish.replace("{emergency_number}", "{emergency_number:>1500000000}"), encoding="utf-8")
    with pytest.raises(TreeError) as e:
        load_tree(tree, lang="es")
    assert any("may not have a format" in p or "emergency_number" in p for p in e.value.problems)
