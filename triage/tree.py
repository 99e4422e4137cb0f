"""The triage tree: loaded from a TOML data file and validated before use.

A clinician edits the data file, never this code. Every problem found is
reported with the node (or outcome) and the field it is in, all at once, so a
broken file can be fixed in one pass.
"""
from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from triage.vocabulary import EXPECTS, TOPICS, is_real_number  # noqa: F401  (one spelling for triage and intents)

SHIPPED_TREE = Path(__file__).with_name("tree.toml")

# Least to most urgent; the order is used to pick the result.
DISPOSITIONS = ("self_care", "soon", "urgent", "emergency")

# Targets that are not nodes.
END, STOP, INFO = "end", "stop", "info"
SPECIAL_TARGETS = (END, STOP, INFO)

# Wording per medium: how the person answers. "voice" (they speak: the spoken loop, a kiosk with voice
# input) is each field's own text; "screen" (a kiosk without voice input: buttons, a keypad, a typing
# box) and "typed" (typed answers: a terminal, JSON lines) have their own where the voice wording asks
# the person to say something: ``<field>_screen`` and ``<field>_typed`` (node text, plain, help; [meta]
# help). ``Tree.for_medium`` gives the tree worded for one of them.
MEDIA = ("voice", "screen", "typed")
NODE_MEDIUM_FIELDS = ("text", "plain", "help")
META_MEDIUM_FIELDS = ("help",)


def medium_field(name: str, medium: str) -> str:
    """The field holding ``name``'s wording for ``medium`` ("text", "screen" -> "text_screen")."""
    return name if medium == MEDIA[0] else f"{name}_{medium}"


def medium_variants(fields: tuple[str, ...]) -> set[str]:
    return {medium_field(f, m) for f in fields for m in MEDIA[1:]}


_NODE_FIELDS = {"topics", "expects", "text", "plain", "help", "red_flag", "threshold", "unit", "yes", "no",
                "said_yes", "said_no", "mention"} | medium_variants(NODE_MEDIUM_FIELDS)
_OUTCOME_FIELDS = {"disposition", "when", "topics", "source", "reason", "text", "default", "unsure_floor"}
_META_FIELDS = {"name", "version", "language", "start", "after_result", "disclaimer", "intro", "help",
                "unsure_prompt", "stop_text", "goodbye", "mention_prompt"} | medium_variants(META_MEDIUM_FIELDS)
_INFO_FIELDS = {"causes", "treatments"}

# The only placeholders a tree's wording may use, filled from the config. Nothing else is
# allowed inside braces: no format specs ("{clinic:>1500000000}" would need gigabytes), no
# conversions, no attribute or index access ("{clinic.__class__}" would print internals).
PLACEHOLDERS = ("emergency_number", "clinic")


class TreeError(ValueError):
    """The tree file cannot be used. ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the triage tree:\n{lines}")


@dataclass(frozen=True)
class Node:
    id: str
    topics: tuple[str, ...]
    expects: str
    text: str
    plain: str
    yes: str
    no: str
    help: str = ""
    red_flag: bool = False
    # yes/no questions: what each answer means, read back for confirmation ("So {said_no}. Is that right?")
    said_yes: str = ""
    said_no: str = ""
    threshold: float | None = None
    unit: str = ""
    # Each sign in a few words, for confirming it when it is mentioned in another answer
    # ("You mentioned weakness in your leg. Is that right?"): (topic, words) pairs; a node
    # without them is not confirmed early. In the file: a text, or a table topic = text.
    mention: tuple[tuple[str, str], ...] = ()
    # The wording of text, plain and help in each medium: ((field, medium), text), the voice forms too.
    media: tuple[tuple[tuple[str, str], str], ...] = ()

    def worded(self, name: str, medium: str) -> str:
        """``name``'s wording for ``medium`` (its voice wording where it has none of its own)."""
        own = dict(self.media)
        return own.get((name, medium)) or own.get((name, MEDIA[0]), getattr(self, name))

    def mention_words(self, topic: str) -> str:
        return next((w for t, w in self.mention if t == topic), "")

    def targets(self) -> tuple[str, str]:
        return (self.yes, self.no)


@dataclass(frozen=True)
class Outcome:
    id: str
    disposition: str
    topics: tuple[str, ...]
    source: str
    reason: str
    text: str
    when: tuple[tuple[str, ...], ...] = ()
    default: bool = False
    unsure_floor: bool = False

    @property
    def rank(self) -> int:
        return DISPOSITIONS.index(self.disposition)

    def triggered(self, positive: dict[str, bool], values: dict[str, float]) -> bool:
        """Every item of any one ``when`` group holds: a node id is positive (or possibly
        present), "age>=70" / "duration<4" compare a number or duration answer."""
        return any(all(_holds(item, positive, values) for item in group) for group in self.when)


_CONDITION = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(>=|<)\s*([0-9]+(?:\.[0-9]+)?)\s*$")


def parse_condition(item: str) -> tuple[str, str, float] | None:
    """``"age>=70"`` -> ("age", ">=", 70.0); a plain node id -> None."""
    m = _CONDITION.match(item)
    return (m.group(1), m.group(2), float(m.group(3))) if m else None


def _holds(item: str, positive: dict[str, bool], values: dict[str, float]) -> bool:
    cond = parse_condition(item)
    if cond is None:
        return item in positive
    nid, op, limit = cond
    if nid not in values:
        return False  # not answered (or "not sure"): a comparison never holds on a guess
    return values[nid] >= limit if op == ">=" else values[nid] < limit


@dataclass(frozen=True)
class Tree:
    nodes: dict[str, Node]
    outcomes: dict[str, Outcome]
    meta: dict[str, str]
    info: dict[str, str] = field(default_factory=dict)
    source: str = ""
    medium: str = MEDIA[0]  # whose wording the nodes and [meta] help have now (see for_medium)
    base_meta: dict[str, str] = field(default_factory=dict)  # [meta] as loaded, with every medium's help
    # What loads but a clinic should fix (``tree check`` lists it): wording that asks to speak with no
    # form for a screen or typed answers, which then shows its voice wording.
    warnings: tuple[str, ...] = ()

    @property
    def start(self) -> str:
        return self.meta["start"]

    @property
    def ready_question(self) -> Node | None:
        """The start node when it only asks whether the person is ready (a yes/no question whose
        "no" stops without a result): not a triage question. A front end where the person has
        already said so (a kiosk's Start) skips it, saying the tree's [meta] intro instead."""
        node = self.nodes.get(self.start)
        return node if node is not None and node.expects == "yesno" and node.no == STOP else None

    def for_medium(self, medium: str) -> "Tree":
        """This tree worded for ``medium`` (one of MEDIA): each node's text, plain and help, and
        [meta] help, in that medium's own wording where there is one."""
        if medium not in MEDIA:
            raise ValueError(f"unknown medium {medium!r} (known: {', '.join(MEDIA)})")
        if medium == self.medium:
            return self
        base = self.base_meta or self.meta
        meta = {**base, **{f: base.get(medium_field(f, medium)) or base[f] for f in META_MEDIUM_FIELDS if f in base}}
        nodes = {nid: replace(n, **{f: n.worded(f, medium) for f in NODE_MEDIUM_FIELDS})
                 for nid, n in self.nodes.items()}
        return replace(self, nodes=nodes, meta=meta, medium=medium, base_meta=base)

    @property
    def after_result(self) -> str | None:
        return self.meta.get("after_result") or None

    @property
    def default_outcome(self) -> Outcome:
        return next(o for o in self.outcomes.values() if o.default)

    @property
    def unsure_outcome(self) -> Outcome:
        return next(o for o in self.outcomes.values() if o.unsure_floor)


def load_tree(path: str | os.PathLike[str] | None = None, lang: str | None = None) -> Tree:
    """Load and validate a tree file (the shipped tree when ``path`` is None); ``lang``: with its
    wording in that language (its pack's tree.toml, triage/locale.py), checked as a whole like the English."""
    p = Path(path) if path is not None else SHIPPED_TREE
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TreeError(str(p), ["file not found: check the path given with --tree or in the config"]) from None
    except IsADirectoryError:
        raise TreeError(str(p), ["is a folder, not a tree file: give the path of a .toml file"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise TreeError(str(p), [f"cannot read the file: {e}"]) from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        raise TreeError(str(p), [f"not valid TOML: {e}"]) from None
    except RecursionError:  # tomllib parses nested arrays recursively
        raise TreeError(str(p), ["not valid TOML: arrays or tables nested too deeply"]) from None
    base = data.get("meta", {}).get("language", "en") if isinstance(data.get("meta"), dict) else "en"
    if lang and lang != base:
        from languages import PackError
        from triage.locale import locale_file, localize

        try:
            wording = locale_file(p, lang, shipped=p.resolve() == SHIPPED_TREE.resolve())
        except PackError as e:
            raise TreeError(str(p), [str(e)]) from None
        data, problems = localize(data, lang, wording)
        if problems:
            raise TreeError(f"{p} in {lang!r}", problems)
        return parse_tree(data, f"{p} with {wording}")
    return parse_tree(data, str(p))


def parse_tree(data: dict[str, Any], source: str = "<tree>") -> Tree:
    problems: list[str] = []
    for key in data:
        if key not in ("meta", "info", "nodes", "outcomes"):
            problems.append(f"top level: unknown table [{key}] (allowed: meta, info, nodes, outcomes)")

    meta = _strings(data.get("meta", {}), "[meta]", _META_FIELDS, problems)
    for required in ("start", "disclaimer", "help", "unsure_prompt", "stop_text", "goodbye"):
        if not meta.get(required):
            problems.append(f"[meta], field '{required}': missing")
    if meta.get("intro") and "{emergency_number}" not in meta["intro"]:
        problems.append("[meta], field 'intro': must say to call {emergency_number} (said before the first "
                        "question, then the disclaimer)")
    info = _strings(data.get("info", {}), "[info]", _INFO_FIELDS, problems)

    nodes = {nid: n for nid, raw in _tables(data, "nodes", problems)
             if (n := _parse_node(nid, raw, problems)) is not None}
    outcomes = {oid: o for oid, raw in _tables(data, "outcomes", problems)
                if (o := _parse_outcome(oid, raw, nodes, problems)) is not None}

    _check_graph(meta, nodes, problems)
    _check_outcomes(outcomes, info, meta, nodes, problems)
    _check_placeholders(meta, info, nodes, outcomes, problems)
    warnings = _check_media(meta, nodes)
    if problems:
        raise TreeError(source, problems)
    return Tree(nodes=nodes, outcomes=outcomes, meta=meta, info=info, source=source, warnings=tuple(warnings))


def _tables(data: dict[str, Any], name: str, problems: list[str]) -> list[tuple[str, dict[str, Any]]]:
    section = data.get(name)
    if not isinstance(section, dict) or not section:
        problems.append(f"top level: no [{name}.*] tables")
        return []
    out = []
    for key, value in section.items():
        if isinstance(value, dict):
            out.append((key, value))
        else:
            problems.append(f"{name[:-1]} '{key}': must be a table [{name}.{key}]")
    return out


def _strings(raw: Any, where: str, allowed: set[str], problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table")
        return {}
    out = {}
    for key, value in raw.items():
        if key not in allowed:
            problems.append(f"{where}, field '{key}': unknown field (allowed: {', '.join(sorted(allowed))})")
        elif not isinstance(value, str):
            problems.append(f"{where}, field '{key}': must be text")
        else:
            out[key] = value
    return out


def _parse_node(nid: str, raw: dict[str, Any], problems: list[str]) -> Node | None:
    where = f"node '{nid}'"
    before = len(problems)
    for key in raw:
        if key not in _NODE_FIELDS:
            problems.append(f"{where}, field '{key}': unknown field (allowed: {', '.join(sorted(_NODE_FIELDS))})")
    if nid in SPECIAL_TARGETS:
        problems.append(f"{where}: the id '{nid}' is reserved")
    topics = raw.get("topics")
    if not isinstance(topics, list) or not topics:
        problems.append(f"{where}, field 'topics': must be a non-empty list of topic codes")
        topics = []
    for t in topics:
        if not isinstance(t, str) or t not in TOPICS:
            problems.append(f"{where}, field 'topics': unknown topic code {_show(t)} (known: {', '.join(TOPICS)})")
    expects = raw.get("expects", "yesno")
    if not isinstance(expects, str) or expects not in EXPECTS:
        problems.append(f"{where}, field 'expects': must be one of {', '.join(EXPECTS)}, got {_show(expects)}")
    for key in ("text", "plain", "yes", "no"):
        if not isinstance(raw.get(key), str) or not raw.get(key, "").strip():
            problems.append(f"{where}, field '{key}': missing or empty")
    for key in ("help", "unit", "said_yes", "said_no"):
        if not isinstance(raw.get(key, ""), str):
            problems.append(f"{where}, field '{key}': must be text")
    for key in sorted(medium_variants(NODE_MEDIUM_FIELDS) & set(raw)):
        if not isinstance(raw[key], str) or not raw[key].strip():
            problems.append(f"{where}, field '{key}': must be a non-empty text")
    threshold = raw.get("threshold")
    if expects in ("duration", "number"):
        if not isinstance(threshold, (int, float)) or isinstance(threshold, bool):
            problems.append(f"{where}, field 'threshold': a {expects} question needs a number")
        elif not is_real_number(threshold) or threshold < 0:
            # nan compares false with everything: every answer would fall below it and read as "no"
            problems.append(f"{where}, field 'threshold': must be a finite number, 0 or more, got {threshold!r}")
    elif threshold is not None:
        problems.append(f"{where}, field 'threshold': only duration and number questions have one")
    _check_bool(raw, "red_flag", where, problems)
    if len(problems) > before:
        return None
    return Node(
        id=nid, topics=tuple(topics), expects=expects, text=raw["text"], plain=raw["plain"],
        yes=raw["yes"], no=raw["no"], help=raw.get("help", ""), red_flag=raw.get("red_flag", False),
        said_yes=raw.get("said_yes", ""), said_no=raw.get("said_no", ""),
        threshold=float(threshold) if threshold is not None else None, unit=raw.get("unit", ""),
        mention=_mention(raw.get("mention"), tuple(topics)),
        media=tuple(((f, m), raw[medium_field(f, m)]) for f in NODE_MEDIUM_FIELDS for m in MEDIA
                    if raw.get(medium_field(f, m))),
    )


def _parse_outcome(oid: str, raw: dict[str, Any], nodes: dict[str, Node], problems: list[str]) -> Outcome | None:
    where = f"outcome '{oid}'"
    before = len(problems)
    for key in raw:
        if key not in _OUTCOME_FIELDS:
            problems.append(f"{where}, field '{key}': unknown field (allowed: {', '.join(sorted(_OUTCOME_FIELDS))})")
    if raw.get("disposition") not in DISPOSITIONS:
        problems.append(f"{where}, field 'disposition': must be one of {', '.join(DISPOSITIONS)}, "
                        f"got {raw.get('disposition')!r}")
    for key in ("source", "reason", "text"):
        if not isinstance(raw.get(key), str) or not raw.get(key, "").strip():
            problems.append(f"{where}, field '{key}': missing or empty (every outcome cites its source)"
                            if key == "source" else f"{where}, field '{key}': missing or empty")
    topics = raw.get("topics", None)
    if not isinstance(topics, list):
        problems.append(f"{where}, field 'topics': must list the topics that lead to it")
        topics = []
    for t in topics:
        if not isinstance(t, str) or t not in TOPICS:
            problems.append(f"{where}, field 'topics': unknown topic code {_show(t)}")
    topics = [t for t in topics if isinstance(t, str)]
    when = raw.get("when", [])
    _check_bool(raw, "default", where, problems)
    _check_bool(raw, "unsure_floor", where, problems)
    special = raw.get("default") is True or raw.get("unsure_floor") is True
    groups: list[tuple[str, ...]] = []
    if not isinstance(when, list) or not all(isinstance(g, list) and g and all(isinstance(n, str) for n in g)
                                             for g in when):
        problems.append(f"{where}, field 'when': must be a list of non-empty lists of node ids, "
                        'e.g. [["fever"], ["trauma", "weakness"]]')
    else:
        groups = [tuple(g) for g in when]
    if special and groups:
        problems.append(f"{where}, field 'when': a default or unsure_floor outcome is not triggered by nodes")
    if not special and not groups:
        problems.append(f"{where}, field 'when': missing: which positive nodes trigger this outcome?")
    trigger_topics: set[str] = set()
    for group in groups:
        for item in group:
            cond = parse_condition(item)
            nid = cond[0] if cond else item
            if nid not in nodes:
                problems.append(f"{where}, field 'when': no question node {nid!r}")
            elif cond and nodes[nid].expects not in ("duration", "number"):
                problems.append(f"{where}, field 'when': {item!r} compares a yes/no question; "
                                "only duration and number answers have values")
            else:
                trigger_topics.update(nodes[nid].topics)
    if groups and trigger_topics - set(topics):
        problems.append(f"{where}, field 'topics': must list the topics that lead to it; missing "
                        f"{', '.join(sorted(trigger_topics - set(topics)))}")
    if len(problems) > before:
        return None
    return Outcome(
        id=oid, disposition=raw["disposition"], topics=tuple(topics), source=raw["source"],
        reason=raw["reason"], text=raw["text"], when=tuple(groups),
        default=raw.get("default") is True, unsure_floor=raw.get("unsure_floor") is True,
    )


def _mention(raw: Any, topics: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """A node's ``mention``: one text for all its topics, or a table topic = text."""
    if isinstance(raw, str) and raw.strip():
        return tuple((t, raw) for t in topics)
    if isinstance(raw, dict):
        return tuple((t, w) for t, w in raw.items() if t in topics and isinstance(w, str) and w.strip())
    return ()


def _show(value: Any) -> str:
    """A bad value for a message: its repr, cut short (a hostile file can hold anything)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_bool(raw: dict[str, Any], key: str, where: str, problems: list[str]) -> None:
    if not isinstance(raw.get(key, False), bool):
        problems.append(f"{where}, field '{key}': must be true or false (without quotes), got {_show(raw[key])}")


def _check_graph(meta: dict[str, str], nodes: dict[str, Node], problems: list[str]) -> None:
    """Every target exists; every node is reachable; no cycles (so no path can loop forever)."""
    for node in nodes.values():
        for branch, target in (("yes", node.yes), ("no", node.no)):
            if target not in nodes and target not in SPECIAL_TARGETS:
                problems.append(f"node '{node.id}', field '{branch}': goes to {target!r}, which is neither a node "
                                f"nor one of {', '.join(SPECIAL_TARGETS)} (dead end)")
            if target == INFO and node.id != meta.get("after_result"):
                problems.append(f"node '{node.id}', field '{branch}': only the after_result node may go to 'info'")
    roots = [r for r in (meta.get("start"), meta.get("after_result")) if r]
    for key in ("start", "after_result"):
        if meta.get(key) and meta[key] not in nodes:
            problems.append(f"[meta], field '{key}': no node {meta[key]!r}")
    reached: set[str] = set()
    stack = [r for r in roots if r in nodes]
    while stack:
        nid = stack.pop()
        if nid in reached:
            continue
        reached.add(nid)
        stack.extend(t for t in nodes[nid].targets() if t in nodes)
    for nid in nodes:
        if nid not in reached:
            problems.append(f"node '{nid}': unreachable from the start node")
    # Cycle check: iterative depth-first search with colours (a long chain of questions must not
    # exhaust Python's recursion limit); each cycle is reported once, at the edge that closes it.
    colour: dict[str, int] = {}
    for root in nodes:
        if root in colour:
            continue
        colour[root] = 1
        path = [root]
        stack = [iter(nodes[root].targets())]
        while stack:
            target = next(stack[-1], None)
            if target is None:
                colour[path.pop()] = 2
                stack.pop()
            elif target not in nodes:
                continue
            elif colour.get(target) == 1:
                loop = path[path.index(target):] + [target]
                problems.append(f"node '{path[-1]}': cycle {' -> '.join(loop)}")
            elif target not in colour:
                colour[target] = 1
                path.append(target)
                stack.append(iter(nodes[target].targets()))


def _check_outcomes(outcomes: dict[str, Outcome], info: dict[str, str], meta: dict[str, str],
                    nodes: dict[str, Node], problems: list[str]) -> None:
    defaults = [o for o in outcomes.values() if o.default]
    floors = [o for o in outcomes.values() if o.unsure_floor]
    if len(defaults) != 1:
        problems.append(f"outcomes: need exactly one outcome with default = true, found {len(defaults)}")
    if len(floors) != 1:
        problems.append(f"outcomes: need exactly one outcome with unsure_floor = true, found {len(floors)}")
    elif floors[0].rank < DISPOSITIONS.index("urgent"):
        problems.append(f"outcome '{floors[0].id}', field 'disposition': the unsure floor may not be below urgent")
    for o in outcomes.values():
        if o.disposition == "emergency" and "{emergency_number}" not in o.text.split(".")[0]:
            problems.append(f"outcome '{o.id}', field 'text': an emergency must say to call "
                            "{emergency_number} in its first sentence")
    for nid in (n for n in nodes.values() if any(t == INFO for t in n.targets())):
        for key in ("causes", "treatments"):
            if not info.get(key):
                problems.append(f"[info], field '{key}': missing, but node '{nid.id}' goes to 'info'")
    triggering = {(parse_condition(i) or (i,))[0] for o in outcomes.values() for g in o.when for i in g}
    for node in nodes.values():
        if node.red_flag and node.id not in triggering:
            problems.append(f"node '{node.id}', field 'red_flag': no outcome is triggered by this node")


def _check_placeholders(meta: dict[str, str], info: dict[str, str], nodes: dict[str, Node],
                        outcomes: dict[str, Outcome], problems: list[str]) -> None:
    """Wording may hold only {emergency_number} and {clinic}; literal braces are written {{ and }}."""
    texts = [(f"[meta], field '{k}'", v) for k, v in meta.items()]
    texts += [(f"[info], field '{k}'", v) for k, v in info.items()]
    texts += [(f"node '{n.id}', field '{k}'", getattr(n, k)) for n in nodes.values()
              for k in ("text", "plain", "help", "said_yes", "said_no")]
    texts += [(f"node '{n.id}', field '{medium_field(f, m)}'", text) for n in nodes.values()
              for (f, m), text in n.media if m != MEDIA[0]]
    texts += [(f"node '{n.id}', field 'mention'", words) for n in nodes.values() for _, words in n.mention]
    texts += [(f"outcome '{o.id}', field '{k}'", getattr(o, k)) for o in outcomes.values() for k in ("text", "reason")]
    allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    for where, text in texts:
        problem = placeholder_problem(text)
        if problem:
            problems.append(f"{where}: {problem} (allowed: {allowed}; write {{{{ and }}}} for a brace)")


def _check_media(meta: dict[str, str], nodes: dict[str, Node]) -> list[str]:
    """Wording that asks the person to say something (the tree language's ``medium.voice_words``,
    languages/<lang>/messages.toml) wants a form for a screen without voice input and one for
    typed answers, so nobody is asked to say anything where they cannot. Without them the tree
    still loads (a clinic's tree written before the forms existed), those media show the voice
    wording, and each such text is a warning. The shipped tree and packs have none (tests)."""
    from triage.messages import MessagesError, messages

    try:
        voice_words = re.compile(messages(meta.get("language") or "en").voice_words, re.I)
    except (MessagesError, re.error):
        return []  # a broken catalogue is reported by its own check
    warnings = []
    checks = [("[meta]", f, meta.get(f, ""), {m: meta.get(medium_field(f, m)) for m in MEDIA[1:]})
              for f in META_MEDIUM_FIELDS]
    checks += [(f"node '{n.id}'", f, getattr(n, f), {m: dict(n.media).get((f, m)) for m in MEDIA[1:]})
               for n in nodes.values() for f in NODE_MEDIUM_FIELDS]
    for where, name, text, forms in checks:
        missing = [medium_field(name, m) for m, form in forms.items() if not form]
        if missing and text and voice_words.search(text):
            warnings.append(f"{where}, field '{name}': asks the person to say something; give "
                            f"{' and '.join(missing)} too (the same for a screen without voice input, "
                            "and for typed answers): until then they show this voice wording")
    return warnings


def placeholder_problem(text: str) -> str | None:
    """What is wrong with the braces in ``text``, or None when it only uses the documented placeholders."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as e:
        return f"unbalanced braces ({e})"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if name not in PLACEHOLDERS:
            return f"unknown placeholder {_show(shown)}"
        if spec or conversion:
            return f"placeholder {_show(shown)} may not have a format or conversion"
    return None
