"""Draw the tree so a clinician can review it as a picture (Mermaid or Graphviz DOT)."""
from __future__ import annotations

from triage.tree import END, INFO, STOP, Tree, parse_condition

_SPECIAL_LABELS = {END: "result", STOP: "stop (no result)", INFO: "causes and treatments"}
_COLOURS = {"emergency": "#d62728", "urgent": "#ff7f0e", "soon": "#e6c300", "self_care": "#2ca02c"}


def _label(text: str, limit: int = 60) -> str:
    text = text.replace('"', "'")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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


def to_mermaid(tree: Tree) -> str:
    lines = ["flowchart TD"]
    for node in tree.nodes.values():
        flag = " ⚑" if node.red_flag else ""
        lines.append(f'  {node.id}["{node.id}{flag}: {_label(node.text)}"]')
    for target, label in _SPECIAL_LABELS.items():
        lines.append(f'  {target}(["{label}"])')
    for o in tree.outcomes.values():
        lines.append(f'  {o.id}{{{{"{o.disposition.upper()}: {o.id}"}}}}')
        lines.append(f"  style {o.id} fill:{_COLOURS[o.disposition]},color:#000")
    for src, dst, label in _edges(tree):
        lines.append(f"  {src} -->|{label}| {dst}")
    for nid, o, label in _triggers(tree):
        lines.append(f"  {nid} -.->|{label}| {o.id}")
    return "\n".join(lines) + "\n"


def to_dot(tree: Tree) -> str:
    lines = ["digraph triage {", "  rankdir=TB;", '  node [fontname="Helvetica"];']
    for node in tree.nodes.values():
        shape = "box, style=bold" if node.red_flag else "box"
        lines.append(f'  "{node.id}" [shape={shape}, label="{node.id}\\n{_label(node.text, 40)}"];')
    for target, label in _SPECIAL_LABELS.items():
        lines.append(f'  "{target}" [shape=oval, label="{label}"];')
    for o in tree.outcomes.values():
        lines.append(f'  "{o.id}" [shape=hexagon, style=filled, fillcolor="{_COLOURS[o.disposition]}", '
                     f'label="{o.disposition.upper()}\\n{o.id}"];')
    for src, dst, label in _edges(tree):
        lines.append(f'  "{src}" -> "{dst}" [label="{label}"];')
    for nid, o, label in _triggers(tree):
        lines.append(f'  "{nid}" -> "{o.id}" [style=dashed, label="{label}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


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
