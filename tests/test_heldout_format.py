"""The held-out material in tests/data/heldout/ is well-formed: columns, unique ids, meanings that parse,
splits by the fixed rule, every question of the tree covered. It checks the files' shape, not the product."""
import csv
import hashlib
import re
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "data" / "heldout"
TREE = tomllib.loads((ROOT / "triage" / "tree.toml").read_text(encoding="utf-8"))
NODES = TREE["nodes"]
RED_FLAGS = {name for name, node in NODES.items() if node.get("red_flag")}

ANSWER_FILES = ["answers_en.tsv", "answers_ko.tsv"]
READBACK_FILES = ["readback_replies_en.tsv", "readback_replies_ko.tsv"]
PATIENT_FILES = ["patients_en.toml", "patients_ko.toml"]
UNDERSTANDING_FILES = {"understanding_ko.tsv": 120, "understanding_en.tsv": 60, "understanding_es.tsv": 60}

ANSWER_COLUMNS = ["id", "node", "meaning", "wording", "style", "split", "mentions", "note"]
READBACK_COLUMNS = ["id", "readback_of", "meaning", "wording", "style", "split", "node", "read_back", "note"]
UNDERSTANDING_COLUMNS = ["id", "kind", "text", "expected", "note"]
STYLES = {"short", "sentence", "long", "correction", "mention", "hedge"}
NUMBER = r"\d+(?:\.\d+)?"


def split_of(row_id):
    """The fixed split rule stated in tests/data/heldout/README.md."""
    return "heldout" if int(hashlib.sha256(row_id.encode("utf-8")).hexdigest(), 16) % 5 < 2 else "tune"


def read_tsv(name, columns):
    with open(HELDOUT / name, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        assert header == columns, f"{name}: header {header}"
        rows = []
        for line_no, fields in enumerate(reader, 2):
            assert len(fields) == len(columns), f"{name}:{line_no}: {len(fields)} fields, not {len(columns)}"
            assert all(field == field.strip() for field in fields), f"{name}:{line_no}: stray spaces"
            rows.append(dict(zip(columns, fields)))
    ids = Counter(row["id"] for row in rows)
    assert [i for i, n in ids.items() if n > 1] == [], f"{name}: repeated ids"
    return rows


def thresholds(variable):
    """Every threshold the tree compares `variable` (age, duration) against: the node's own and the outcomes'."""
    found = {float(NODES[variable]["threshold"])}
    for outcome in TREE["outcomes"].values():
        for group in outcome.get("when", []):
            for item in group:
                match = re.fullmatch(rf"{variable}\s*(?:>=|<=|<|>)\s*({NUMBER})", item)
                if match:
                    found.add(float(match.group(1)))
    return sorted(found)


def check_range(note, value, where):
    for part in filter(None, (p.strip() for p in note.split(";"))):
        if part.startswith("range="):
            match = re.fullmatch(rf"range=({NUMBER})\.\.({NUMBER})(?: .*)?", part)
            assert match, f"{where}: bad range {part!r}"
            low, high = float(match.group(1)), float(match.group(2))
            assert low <= value <= high, f"{where}: {value} outside {part}"


def answer_value(node, meaning, where):
    """The answer's value for an age or duration, None for the other meanings; fails on a malformed one."""
    if meaning in ("unsure", "not_an_answer"):
        return None
    expects = NODES[node]["expects"]
    if expects == "yesno":
        assert meaning in ("yes", "no"), f"{where}: {meaning!r} for a yes/no question"
        return None
    key = "age" if expects == "number" else "duration_weeks"
    match = re.fullmatch(rf"{key}=({NUMBER})", meaning)
    assert match, f"{where}: {meaning!r} for a {expects} question"
    return float(match.group(1))


@pytest.mark.parametrize("name", ANSWER_FILES)
def test_answers_cover_every_question_with_three_wordings_per_meaning(name):
    lang = name.removesuffix(".tsv").split("_")[-1]
    rows = read_tsv(name, ANSWER_COLUMNS)
    wordings = defaultdict(list)
    values = defaultdict(list)
    for row in rows:
        where = f"{name}:{row['id']}"
        assert row["node"] in NODES, f"{where}: no node {row['node']!r}"
        assert re.fullmatch(rf"{lang}-{row['node']}-\d\d", row["id"]), f"{where}: id not LANG-NODE-NN"
        assert row["style"] in STYLES, f"{where}: style {row['style']!r}"
        assert row["split"] == split_of(row["id"]), f"{where}: split is not the rule's"
        assert row["wording"], f"{where}: empty wording"
        value = answer_value(row["node"], row["meaning"], where)
        if value is not None:
            values[row["node"]].append(value)
            check_range(row["note"], value, where)
        for mentioned in filter(None, row["mentions"].split(",")):
            assert mentioned in RED_FLAGS and mentioned != row["node"], f"{where}: mentions {mentioned!r}"
        assert (row["style"] == "mention") == bool(row["mentions"]), f"{where}: style and mentions disagree"
        wordings[row["node"], row["meaning"]].append(row["style"])
    for node, spec in NODES.items():
        meanings = ["yes", "no", "unsure"] if spec["expects"] == "yesno" else ["unsure"]
        for meaning in meanings:
            styles = wordings[node, meaning]
            assert len(styles) >= 3, f"{name}: {node} {meaning}: {len(styles)} wordings"
            assert "short" in styles and "sentence" in styles, f"{name}: {node} {meaning}: {styles}"
            assert set(styles) & {"long", "correction", "hedge", "mention"}, f"{name}: {node} {meaning}: {styles}"
    assert sum(1 for row in rows if row["style"] == "mention") >= 5, f"{name}: few passing mentions"
    assert sum(1 for row in rows if row["meaning"] == "not_an_answer") >= 5, f"{name}: few non-answers"
    for variable in ("age", "duration"):
        seen = values[variable]
        for limit in thresholds(variable):
            below = [v for v in seen if 0.9 * limit <= v < limit]
            above = [v for v in seen if limit <= v <= 1.1 * limit]
            assert below and above, f"{name}: {variable} has no values next to {limit} on both sides"
            assert sum(v < limit for v in seen) >= 3 and sum(v >= limit for v in seen) >= 3
    held = sum(row["split"] == "heldout" for row in rows) / len(rows)
    assert 0.3 <= held <= 0.5, f"{name}: {held:.0%} held out"


READBACK_MEANINGS = {"confirm", "reject", "restate", "repeat_request", "unsure", "not_an_answer"}
CORRECTIONS = {
    "yesno_no": "correct=yes",
    "yesno_yes": "correct=no",
    "duration": rf"correct=duration_weeks={NUMBER}",
    "age": rf"correct=age={NUMBER}",
}


@pytest.mark.parametrize("name", READBACK_FILES)
def test_readback_replies_cover_every_meaning_for_every_kind_of_read_back(name):
    lang = name.removesuffix(".tsv").split("_")[-1]
    rows = read_tsv(name, READBACK_COLUMNS)
    meanings = defaultdict(list)
    for row in rows:
        where = f"{name}:{row['id']}"
        kind = row["readback_of"]
        assert kind in CORRECTIONS, f"{where}: readback_of {kind!r}"
        assert re.fullmatch(rf"{lang}-{kind}-\d\d", row["id"]), f"{where}: id not LANG-READBACK_OF-NN"
        assert row["split"] == split_of(row["id"]), f"{where}: split is not the rule's"
        assert row["style"] in STYLES and row["wording"] and row["read_back"], where
        expects = {"duration": "duration", "age": "number"}.get(kind, "yesno")
        assert NODES[row["node"]]["expects"] == expects, f"{where}: node {row['node']!r} for {kind}"
        meaning = row["meaning"]
        if meaning.startswith("correct="):
            assert re.fullmatch(CORRECTIONS[kind], meaning), f"{where}: {meaning!r} for {kind}"
            meaning = "correct"
        else:
            assert meaning in READBACK_MEANINGS, f"{where}: meaning {meaning!r}"
        meanings[kind, meaning].append(row["id"])
    for kind in CORRECTIONS:
        for meaning in READBACK_MEANINGS | {"correct"}:
            assert len(meanings[kind, meaning]) >= 3, f"{name}: {kind} {meaning}: {meanings[kind, meaning]}"
    held = sum(row["split"] == "heldout" for row in rows) / len(rows)
    assert 0.3 <= held <= 0.5, f"{name}: {held:.0%} held out"


def answer_meaning(node, answer):
    """The answers-file meaning that a patient's answer to `node` corresponds to."""
    if isinstance(answer, str):
        return answer
    return f"age={answer:g}" if NODES[node]["expects"] == "number" else f"duration_weeks={answer:g}"


def is_ordinary(answers):
    """No warning sign, aged 20 to 49, pain under the tree's duration threshold: what self-care patients are."""
    return (all(answers[node] == "no" for node in RED_FLAGS)
            and 20 <= answers["age"] < NODES["age"]["threshold"]
            and answers["duration"] < NODES["duration"]["threshold"])


@pytest.mark.parametrize("name", PATIENT_FILES)
def test_patients_answer_every_question_and_name_wordings_that_mean_their_answers(name):
    lang = name.removesuffix(".toml").split("_")[-1]
    patients = tomllib.loads((HELDOUT / name).read_text(encoding="utf-8"))["patient"]
    rows = read_tsv(f"answers_{lang}.tsv", ANSWER_COLUMNS)
    by_id = {row["id"]: row for row in rows}
    said = {(row["node"], row["meaning"]) for row in rows}
    assert len(patients) >= 12, f"{name}: {len(patients)} patients"
    assert len({p["id"] for p in patients}) == len(patients), f"{name}: repeated ids"
    for patient in patients:
        where = f"{name}:{patient['id']}"
        assert re.fullmatch(rf"{lang}-p\d\d", patient["id"]), f"{where}: id not LANG-pNN"
        assert set(patient) <= {"id", "story", "split", "answers", "wordings"}, f"{where}: keys {set(patient)}"
        assert patient["story"] and "\n" not in patient["story"], f"{where}: story"
        assert patient["split"] == split_of(patient["id"]), f"{where}: split is not the rule's"
        answers = patient["answers"]
        assert set(answers) == set(NODES), f"{where}: answers {set(answers) ^ set(NODES)}"
        for node, answer in answers.items():
            if NODES[node]["expects"] == "yesno":
                assert answer in ("yes", "no", "unsure"), f"{where}: {node} = {answer!r}"
            else:
                assert answer == "unsure" or (isinstance(answer, (int, float)) and 0 <= answer <= 5200), where
            assert (node, answer_meaning(node, answer)) in said, f"{where}: no wording for {node} = {answer!r}"
        if answers["legs"] == "no":
            assert answers["both_legs"] == answers["weakness"] == "no", f"{where}: leg follow-ups without legs"
        if answers["trauma"] == "no":
            assert answers["major_trauma"] == "no", f"{where}: a serious accident without an accident"
        for node, row_id in patient.get("wordings", {}).items():
            row = by_id.get(row_id)
            assert row and row["node"] == node, f"{where}: wording {row_id!r} is not an answer to {node}"
            assert row["meaning"] == answer_meaning(node, answers[node]), f"{where}: {row_id} means {row['meaning']}"
    ordinary = sum(is_ordinary(p["answers"]) for p in patients)
    assert ordinary > len(patients) / 2, f"{name}: {ordinary} ordinary patients of {len(patients)}"
    unsure = [p["id"] for p in patients if any(p["answers"][node] == "unsure" for node in RED_FLAGS)]
    assert unsure, f"{name}: nobody unsure at a warning sign"


UNDERSTANDING_EXPECTED = {
    "age": rf"age={NUMBER}|unsure|none",
    "duration": rf"weeks={NUMBER}|unsure|none",
    "yesno": "yes|no|unsure|none",
}


@pytest.mark.parametrize("name, at_least", UNDERSTANDING_FILES.items())
def test_understanding_suites_have_every_kind_with_well_formed_expectations(name, at_least):
    lang = name.removesuffix(".tsv").split("_")[-1]
    rows = read_tsv(name, UNDERSTANDING_COLUMNS)
    assert len(rows) >= at_least, f"{name}: {len(rows)} cases"
    expected = defaultdict(set)
    texts = Counter((row["kind"], row["text"]) for row in rows)
    assert [k for k, n in texts.items() if n > 1] == [], f"{name}: the same text twice"
    for row in rows:
        where = f"{name}:{row['id']}"
        assert row["kind"] in UNDERSTANDING_EXPECTED, f"{where}: kind {row['kind']!r}"
        assert re.fullmatch(rf"u{lang}-{row['kind']}-\d\d\d", row["id"]), f"{where}: id not uLANG-KIND-NNN"
        assert re.fullmatch(UNDERSTANDING_EXPECTED[row["kind"]], row["expected"]), f"{where}: {row['expected']!r}"
        assert row["text"], f"{where}: empty text"
        if "=" in row["expected"]:
            check_range(row["note"], float(row["expected"].split("=")[1]), where)
        expected[row["kind"]].add(row["expected"].split("=")[0])
    for kind, pattern in UNDERSTANDING_EXPECTED.items():
        classes = {alternative.split("=")[0] for alternative in pattern.split("|")}
        assert expected[kind] == classes, f"{name}: {kind} lacks {classes - expected[kind]}"
