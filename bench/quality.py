"""`python -m bench.quality GOLD SYSTEM TEXTS` (what `make eval` runs for each set): extraction quality of the
enriched articles SYSTEM (the output of `newswire extract`) against hand-made GOLD, in the format of
`../shared/eval/README.md`, with the texts in the folder TEXTS.

It prints the shared scorer's figures (entities, events, cross-document identity; `../shared/eval/score.py`
itself, so the figures are the ones reviewers compute) and adds two things that scorer leaves out:

* **event arguments**: each gold event is aligned with at most one system event of an accepted type whose
  sentence holds the gold evidence; over the aligned pairs, and counting the arguments of unaligned events
  as missed (gold) or spurious (system), precision / recall / F1 of actor, target, place (`location`) and
  casualties (`killed`, `injured` attributes);
* **error classes** (`--errors N`): the N most frequent kinds of error, each with an example, e.g. "missed
  LOC entity", "spurious ORG entity", "LOC typed ORG", "missed PROTEST event", "place: missing".
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

DEFAULT_SCORER = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"
SLOTS = ("actor", "target", "location")
CASUALTIES = ("killed", "injured")
Doc = dict[str, Any]


def load_scorer(path: Path = DEFAULT_SCORER) -> ModuleType:
    """The shared scorer, imported from its file (it is a script, not a package). Raises FileNotFoundError."""
    if not path.is_file():
        raise FileNotFoundError(f"the shared scorer is missing at {path}")
    spec = importlib.util.spec_from_file_location("newswire_shared_score", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_jsonl(path: Path) -> list[Doc]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: object, system: object) -> None:
        if gold is not None and system == gold:
            self.tp += 1
            return
        if system is not None:
            self.fp += 1
        if gold is not None:
            self.fn += 1

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Report:
    arguments: dict[str, Tally] = field(default_factory=lambda: {s: Tally() for s in (*SLOTS, "casualties")})
    errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def error(self, kind: str, example: str) -> None:
        self.errors[kind] += 1
        self.examples.setdefault(kind, example)


def evidence_start(text: str, evidence: str) -> int | None:
    """Where the gold evidence starts in the text (its first fragment before an ellipsis), or None."""
    fragment = re.split(r"\.\.\.|…", evidence)[0].strip(' "«»“”')
    for probe in (fragment, fragment[:40]):
        if len(probe) >= 8:
            found = text.casefold().find(probe.casefold())
            if found >= 0:
                return found
    return None


def align(gold_events: Sequence[Doc], system_events: Sequence[Doc], text: str) -> dict[int, int]:
    """gold index -> system index: an event of an accepted type whose sentence holds the gold evidence, each
    system event used once, required gold events first."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    order = sorted(range(len(gold_events)), key=lambda i: not gold_events[i].get("required", True))
    for gi in order:
        gold = gold_events[gi]
        start = evidence_start(text, gold.get("evidence", ""))
        if start is None:
            continue
        for si, event in enumerate(system_events):
            sentence = event.get("sentence") or {}
            inside = sentence.get("start", -1) <= start < sentence.get("end", -1)
            if si not in used and inside and str(event.get("type", "")).upper() in gold["type"]:
                pairs[gi] = si
                used.add(si)
                break
    return pairs


def score_arguments(gold: Doc, system: Doc, text: str, mapping: dict[str, str], report: Report) -> None:
    """Add one article's argument tallies and argument errors to `report` (pure but for `report`)."""
    gold_events, system_events = gold.get("events", []), system.get("events", [])
    pairs = align(gold_events, system_events, text)
    aligned_system = set(pairs.values())
    for gi, g in enumerate(gold_events):
        s = system_events[pairs[gi]] if gi in pairs else {}
        for slot in SLOTS:
            sid = s.get(slot)
            found = mapping.get(sid, f"?{sid}") if sid is not None else None
            report.arguments[slot].add(g.get(slot), found)
            if gi in pairs and g.get(slot) != found:
                what = "missing" if found is None else ("spurious" if g.get(slot) is None else "wrong")
                report.error(f"{slot}: {what}", f"{gold['doc']}: {g.get('evidence', '')[:90]}")
        for key in CASUALTIES:
            expected = (g.get("attributes") or {}).get(key)
            got = (s.get("attributes") or {}).get(key)
            report.arguments["casualties"].add(expected, got)
            if gi in pairs and expected != got:
                report.error(f"casualties ({key}): {'missing' if got is None else 'wrong'}",
                             f"{gold['doc']}: {g.get('evidence', '')[:90]}")  # fmt: skip
        if gi not in pairs and g.get("required", True):
            report.error(
                f"missed {'/'.join(g['type'])} event", f"{gold['doc']}: {g.get('evidence', '')[:90]}"
            )
    for si, s in enumerate(system_events):
        if si in aligned_system:
            continue
        for slot in SLOTS:
            if s.get(slot) is not None:
                report.arguments[slot].add(None, mapping.get(s[slot], f"?{s[slot]}"))
        for key in CASUALTIES:
            if (s.get("attributes") or {}).get(key) is not None:
                report.arguments["casualties"].add(None, s["attributes"][key])


def entity_errors(gold: Doc, system: Doc, scorer: ModuleType, report: Report) -> None:
    """Entity error classes of one article: missed (gold type), spurious (system type), mistyped, split."""
    aliases = {g["id"]: {scorer.norm(a) for a in g["aliases"]} for g in gold["entities"]}
    types = {g["id"]: g["type"] for g in gold["entities"]}
    optional = {g["id"] for g in gold["entities"] if g.get("optional")}
    claimed: Counter[str] = Counter()
    mistyped: set[str] = set()
    for entity in system.get("entities", []):
        forms = scorer.surface_forms(entity)
        stype = scorer.TYPE_MAP.get(str(entity.get("type", "")).upper(), "MISC")
        hits = [gid for gid, forms_of in aliases.items() if forms & forms_of]
        typed = [gid for gid in hits if types[gid] == stype]
        example = f"{gold['doc']}: {entity.get('name')}"
        if typed:
            claimed[typed[0]] += 1
        elif hits and not all(h in optional for h in hits):
            report.error(f"{types[hits[0]]} typed {stype}", example)
            mistyped.update(hits)
        elif not hits:
            report.error(f"spurious {stype} entity", example)
    for gid, count in claimed.items():
        if count > 1 and gid not in optional:
            report.error("one entity split in several", f"{gold['doc']}: {gid}")
    for g in gold["entities"]:
        if g["id"] not in claimed and g["id"] not in optional and g["id"] not in mistyped:
            report.error(f"missed {g['type']} entity", f"{gold['doc']}: {g['aliases'][0]}")


def evaluate(gold_docs: Sequence[Doc], system_docs: Sequence[Doc], texts: Path, scorer: ModuleType) -> Report:
    by_id = {doc.get("external_id"): doc for doc in system_docs}
    report = Report()
    for gold in gold_docs:
        system = by_id.get(gold["doc"], {})
        text = (texts / gold["doc"]).read_text(encoding="utf-8")
        _, _, _, mapping, _ = scorer.match_entities(gold, system)
        score_arguments(gold, system, text, mapping, report)
        entity_errors(gold, system, scorer, report)
    return report


def render(report: Report, errors: int) -> str:
    lines = ["event arguments      P      R      F1    (tp/fp/fn)"]
    for slot, tally in report.arguments.items():
        p, r, f = tally.prf()
        name = "place" if slot == "location" else slot
        lines.append(f"  {name:<16} {p:6.3f} {r:6.3f} {f:6.3f}    ({tally.tp}/{tally.fp}/{tally.fn})")
    if errors:
        lines.append(f"top {errors} error classes (count, example):")
        for kind, count in report.errors.most_common(errors):
            lines.append(f"  {count:4d}  {kind:<34} {report.examples[kind]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("system", type=Path)
    parser.add_argument("texts", type=Path, help="the folder of the articles' .txt files")
    parser.add_argument("--errors", type=int, default=0, help="print the N most frequent error classes")
    parser.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    parser.add_argument(
        "--json", action="store_true", help="one JSON object: the shared scores and arguments"
    )
    args = parser.parse_args(argv)
    scorer = load_scorer(args.scorer)
    gold, system = load_jsonl(args.gold), load_jsonl(args.system)
    report = evaluate(gold, system, args.texts, scorer)
    if args.json:
        print(json.dumps(scores(scorer, args.gold, args.system, report)))
        return 0
    scorer.main(["score.py", str(args.gold), str(args.system)])
    print(render(report, args.errors))
    return 0


def scores(scorer: ModuleType, gold: Path, system: Path, report: Report) -> dict[str, Any]:
    """The shared scorer's --json result (it prints, it does not return) with `arguments`: per slot
    {"p", "r", "f1"} from `report`."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        scorer.main(["score.py", str(gold), str(system), "--json"])
    result: dict[str, Any] = json.loads(out.getvalue())
    result["arguments"] = {
        slot: dict(zip(("p", "r", "f1"), tally.prf(), strict=True))
        for slot, tally in report.arguments.items()
    }
    return result


if __name__ == "__main__":
    sys.exit(main())
