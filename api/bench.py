"""Benchmarks that print figures (never asserted by tests).

``prereview bench accuracy``: generate a corpus with ground truth (samples/),
read every file, and print per document kind, degradation and field how often
the value read equals the truth, how often the kind was right, statement rows
read right, and seconds per page.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

import ocr

ROW_FIELDS = ("date", "summary", "amount", "balance", "counterparty")


def accuracy(count: int, seed: int, corpus: Path | None, console: Console) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = corpus or Path(tmp)
        if corpus is None:
            subprocess.run([sys.executable, "-m", "samples", "documents", "--out", str(root),
                            "--count", str(count), "--seed", str(seed)], check=True)
        truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
        items = truth if isinstance(truth, list) else truth.get("documents", [])
        tally = _Tally()
        for item in items:
            data = (root / item["file"]).read_bytes()
            started = time.perf_counter()
            doc = ocr.read_file(Path(item["file"]).name, data)
            tally.add(item, doc, time.perf_counter() - started)
    return tally.print(console)


def same_value(name: str, got: str | None, want: str) -> bool:
    """Exact match after the differences that carry no meaning: spaces between
    Chinese and digits, a closing 。; the property's ``area`` is the building's
    floor area (the truth keeps the whole printed line)."""
    if got is None:
        return False
    if name == "area" and (m := re.search(r"房屋建筑面积\s*([\d.]+)", want)):
        want = m.group(1)
    def norm(text: str) -> str:
        return re.sub(r"\s+", "", text).rstrip("。.")

    return norm(got) == norm(want)


class _Tally:
    def __init__(self) -> None:
        self.fields: dict[tuple[str, str, str], list[bool]] = defaultdict(list)
        self.kind_right: dict[tuple[str, str], list[bool]] = defaultdict(list)
        self.rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        self.seconds: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])

    def add(self, item: dict[str, Any], doc: ocr.ReadDocument, seconds: float) -> None:
        key = (item["kind"], item.get("degradation", "?"))
        self.kind_right[key].append(doc.kind.value == item["kind"])
        for name, value in item.get("fields", {}).items():
            if value not in (None, ""):
                self.fields[(*key, name)].append(same_value(name, doc.value(name), str(value)))
        truth_rows = item.get("rows") or []
        if truth_rows:
            got = [tuple(getattr(r, f) for f in ROW_FIELDS) for r in doc.rows]
            want = [tuple(str(r[f]) for f in ROW_FIELDS) for r in truth_rows]
            right = sum(1 for i, w in enumerate(want) if i < len(got) and got[i] == w)
            self.rows[key][0] += right
            self.rows[key][1] += len(want)
        self.seconds[key][0] += seconds
        self.seconds[key][1] += max(1, len(doc.pages))

    def print(self, console: Console) -> dict[str, Any]:
        summary = Table("kind", "degradation", "files", "kind right", "rows right", "s/page")
        figures: dict[str, Any] = {"kinds": {}, "fields": {}}
        for key in sorted(self.kind_right):
            right = self.kind_right[key]
            rows = self.rows.get(key, [0, 0])
            secs = self.seconds[key]
            summary.add_row(*key, str(len(right)), _pct(sum(right), len(right)),
                            _pct(rows[0], rows[1]) if rows[1] else "-",
                            f"{secs[0] / secs[1]:.2f}")
            figures["kinds"]["/".join(key)] = {
                "files": len(right), "kind_accuracy": sum(right) / len(right),
                "rows_right": rows[0], "rows": rows[1], "seconds_per_page": secs[0] / secs[1]}
        console.print(summary)
        detail = Table("kind", "degradation", "field", "exact", "n")
        for field_key in sorted(self.fields):
            hits = self.fields[field_key]
            detail.add_row(*field_key, _pct(sum(hits), len(hits)), str(len(hits)))
            figures["fields"]["/".join(field_key)] = sum(hits) / len(hits)
        console.print(detail)
        return figures


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:.1f}%" if total else "-"


def cases(seed: int, console: Console) -> dict[str, Any]:
    """Verify every generated scenario (in a fresh embedded store) and print
    how many verdicts are exact, fail-safe (sent back for a re-read, no reject
    lost or invented) or wrong, with seconds per case."""
    from engine.pipeline import verify_case_dir
    from engine.settings import Settings
    from engine.verdict import judge

    from .services import build_services

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        listing = subprocess.run([sys.executable, "-m", "samples", "cases", "--out",
                                  str(root / "cases"), "--seed", str(seed)], check=True,
                                 capture_output=True, text=True).stdout
        services = build_services(Settings(data_dir=root / "data"))
        table = Table("scenario", "expected", "got", "judgement", "seconds")
        tally: dict[str, int] = defaultdict(int)
        total = 0.0
        for line in listing.splitlines():
            folder, scenario = line.split("\t")
            expected = json.loads((Path(folder) / "expected.json").read_text("utf-8"))
            started = time.perf_counter()
            verdict = verify_case_dir(Path(folder), services.rules, services.registry,
                                      services.store).verdict
            seconds = time.perf_counter() - started
            total += seconds
            result = judge(verdict, expected)
            tally[result] += 1
            got = sorted({f["code"] for f in verdict["findings"]})
            table.add_row(scenario, f"{expected['verdict']} {expected['finding_codes']}",
                          f"{verdict['verdict']} {got}", result, f"{seconds:.1f}")
    console.print(table)
    count = sum(tally.values())
    console.print(f"{count} cases: {tally['exact']} exact, {tally['fail-safe']} fail-safe, "
                  f"{tally['wrong']} wrong; {total / max(1, count):.1f} s per case")
    return {"cases": count, **tally, "seconds_per_case": total / max(1, count)}


def rules(console: Console, runs: int = 300) -> dict[str, Any]:
    """The rules stage alone: time per case and facts per second for the shipped
    rule set over a typical case's facts, then as the rule count grows (copies of
    the shipped rules under new ids)."""
    import copy
    import statistics
    from dataclasses import replace

    from engine.application import load_application
    from engine.facts import build_facts
    from engine.pipeline import collect_uploads
    from engine.rulebook import load_rulebook
    from engine.rules_engine import evaluate_facts
    from samples.cases import build_case

    book = load_rulebook()
    with tempfile.TemporaryDirectory() as tmp:  # a typical mortgage case, read once
        case_dir = build_case("clean", 1, Path(tmp))
        app = load_application(case_dir)
        docs = [ocr.read_file(u.name, u.data) for u in collect_uploads(case_dir)]
    facts = build_facts(app, docs, book, []).facts
    table = Table("rules", "facts", "firings", "median ms/case", "p95 ms/case", "facts/s")
    figures: dict[str, Any] = {}
    for copies in (1, 4, 15):  # 16 copies pass the engine limit of 256 shared conditions
        grown = copy.copy(book)
        grown.rules = [replace(r, id=f"{r.id}.x{k}" if k else r.id)
                       for k in range(copies) for r in book.rules]
        grown.sha256 = hashlib.sha256(f"{book.sha256}:{copies}".encode()).hexdigest()
        evaluate_facts(grown, facts, app.product, app.application_date)  # register once
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            evaluate_facts(grown, facts, app.product, app.application_date)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        p95 = sorted(times)[int(0.95 * len(times))]
        fired = len(evaluate_facts(grown, facts, app.product, app.application_date)[1])
        table.add_row(str(len(grown.rules)), str(len(facts)), str(fired), f"{median * 1000:.2f}",
                      f"{p95 * 1000:.2f}", f"{len(facts) / median:,.0f}")
        figures[str(len(grown.rules))] = {"median_ms": median * 1000, "p95_ms": p95 * 1000}
    console.print(table)
    return figures
