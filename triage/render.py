"""Draw the tree so a clinician can review it as a picture (Mermaid or Graphviz DOT).

Question texts are wrapped onto short lines, never cut: a reviewer must see the whole
wording patients hear. Mermaid ids get a prefix because tree ids such as ``end`` are
reserved words in Mermaid's flowchart grammar (a bare ``end`` closes a subgraph).
"""
from __future__ import annotations

import textwrap

from triage.tree import END, INFO, STOP, Tree, parse_condition

_SPECIAL_LABELS = {END: "result", STOP: "stop (no result)", INFO: "causes and treatments"}
_COLOURS = {"emergency": "#d62728", "urgent": "#ff7f0e", "soon": "#e6c300", "self_care": "#2ca02c"}


WRAP = 34  # characters per line in a drawn box


def _lines(text: str) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), WRAP, break_long_words=False) or [""]


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: entity codes for characters its grammar would read."""
    for ch, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("|", "#124;")):
        text = text.replace(ch, code)
    return text


def _mermaid_label(text: str) -> str:
    return "<br>".join(_mermaid_text(line) for line in _lines(text))


def _dot_label(text: str) -> str:
    return "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in _lines(text))


def _mid(name: str, tree: Tree) -> str:
    """Mermaid id: q_ question, r_ result, t_ terminal (never a reserved word such as ``end``)."""
    if name in tree.outcomes:
        return "r_" + name
    return ("q_" if name in tree.nodes else "t_") + name


def _edges(tree: Tree):
    for node in tree.nodes.values():
        yes = "yes" if node.expects == "yesno" else f">= {node.threshold:g} {node.unit}".strip()
        no = "no" if node.expects == "yesno" else f"< {node.threshold:g} {node.unit}".strip()
        if node.yes == node.no:
            yield node.id, node.yes, "any answer"
        else:
            yield node.id, node.yes, yes
            yield node.id, node.no, no


def _said(item: str) -> str:
    """A `when` item for a drawing: "age>=70" -> "age ≥ 70", "duration<4" -> "duration under 4"."""
    cond = parse_condition(item)
    if cond is None:
        return item
    nid, op, limit = cond
    return f"{nid} {'≥' if op == '>=' else 'under'} {limit:g}"


def _triggers(tree: Tree):
    """(node id, outcome, label) for each positive node (or compared answer: "age>=70") that
    triggers an outcome; a comparison is drawn from its own node with the comparison as label."""
    for o in tree.outcomes.values():
        for group in o.when:
            for item in group:
                cond = parse_condition(item)
                others = [_said(g) for g in group if g != item]
                label = (_said(item) if cond else "positive") if not others else \
                    ((_said(item) + " ") if cond else "") + "with " + " + ".join(others)
                yield (cond[0] if cond else item), o, label


def _drawing(tree: Tree, node, terminal, outcome, edge, trigger) -> list[str]:
    """The tree's picture in one walk, each kind of element drawn by the format's own function: the
    questions, the terminals, the outcomes (each a list of lines), the branches, then a dashed line
    from each red flag to the outcome it triggers."""
    lines = [node(n) for n in tree.nodes.values()]
    lines += [terminal(target, label) for target, label in _SPECIAL_LABELS.items()]
    lines += [line for o in tree.outcomes.values() for line in outcome(o)]
    lines += [edge(src, dst, label) for src, dst, label in _edges(tree)]
    lines += [trigger(nid, o, label) for nid, o, label in _triggers(tree)]
    return lines


def to_mermaid(tree: Tree) -> str:
    def m(name: str) -> str:
        return _mid(name, tree)

    body = _drawing(
        tree,
        node=lambda n: f'  {m(n.id)}["{n.id}{" ⚑" if n.red_flag else ""}:<br>{_mermaid_label(n.text)}"]',
        terminal=lambda target, label: f'  {m(target)}(["{label}"])',
        outcome=lambda o: [f'  {m(o.id)}{{{{"{o.disposition.upper()}: {o.id}"}}}}',
                           f"  style {m(o.id)} fill:{_COLOURS[o.disposition]},color:#000"],
        edge=lambda src, dst, label: f'  {m(src)} -->|"{_mermaid_text(label)}"| {m(dst)}',
        trigger=lambda nid, o, label: f'  {m(nid)} -.->|"{_mermaid_text(label)}"| {m(o.id)}')
    return "\n".join(["flowchart TD", *body]) + "\n"


def to_dot(tree: Tree) -> str:
    body = _drawing(
        tree,
        node=lambda n: f'  "{n.id}" [shape={"box, style=bold" if n.red_flag else "box"}, '
                       f'label="{n.id}\\n{_dot_label(n.text)}"];',
        terminal=lambda target, label: f'  "{target}" [shape=oval, label="{label}"];',
        outcome=lambda o: [f'  "{o.id}" [shape=hexagon, style=filled, fillcolor="{_COLOURS[o.disposition]}", '
                           f'label="{o.disposition.upper()}\\n{o.id}"];'],
        edge=lambda src, dst, label: f'  "{src}" -> "{dst}" [label="{label}"];',
        trigger=lambda nid, o, label: f'  "{nid}" -> "{o.id}" [style=dashed, label="{label}"];')
    return "\n".join(["digraph triage {", "  rankdir=TB;", '  node [fontname="Helvetica"];', *body, "}"]) + "\n"


def to_text(tree: Tree) -> str:
    """A plain outline for a terminal or a screen reader."""
    out = [f"{tree.meta.get('name', 'triage tree')} (version {tree.meta.get('version', '?')})", "", "Questions:"]
    for node in tree.nodes.values():
        flag = " [red flag]" if node.red_flag else ""
        out.append(f"  {node.id}{flag} ({', '.join(node.topics)}; {node.expects}): {node.text}")
        for src, dst, label in _edges(tree):
            if src == node.id:
                out.append(f"      {label} -> {dst}")
    out += ["", "Outcomes (most urgent first):"]
    for o in sorted(tree.outcomes.values(), key=lambda o: -o.rank):
        trig = " or ".join(" and ".join(g) for g in o.when) or ("nothing else" if o.default else "an unsure red flag")
        out.append(f"  {o.disposition.upper()} {o.id}: when {trig}. Source: {o.source}")
    return "\n".join(out) + "\n"
