"""Benchmarks that print figures (never asserted by tests).

``prereview bench accuracy``: generate a corpus with ground truth (samples/),
read every file, and print per document kind, degradation and field how often
the value read equals the truth, how often the kind was right, statement rows
read right, and seconds per page.
"""

from __future__ import annotations

import difflib
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


def accuracy(count: int, seed: int, corpus: Path | None, console: Console,
             engine_names: list[str] | None = None, repeat: int = 1) -> dict[str, Any]:
    """Read the corpus once per engine profile (None: as configured per kind) and
    print the figures side by side, with bare Tesseract's seconds per page.
    ``repeat``: each file read this many times, each time by bare Tesseract and by
    every profile back to back (a round); the quietest round is kept, both sides' seconds
    from it (``quietest_round``)."""
    chosen = engine_names or ["configured"]
    names: list[str | None] = [None if n == "configured" else n for n in chosen]
    for name in names:
        if name is not None:
            ocr.engines.profile(name)  # an unknown name stops here, before any reading
    with tempfile.TemporaryDirectory() as tmp:
        root = corpus or Path(tmp)
        if corpus is None:
            subprocess.run([sys.executable, "-m", "samples", "documents", "--out", str(root),
                            "--count", str(count), "--seed", str(seed)], check=True)
        truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
        items = truth if isinstance(truth, list) else truth.get("documents", [])
        files: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in items:
            files[item["file"]].append(item)
        tallies = {name or "configured": _Tally() for name in names}
        console.print(f"machine: {machine()}")
        if files:
            _warm_up(root / next(iter(files)), names)
        for number, (file, entries) in enumerate(files.items(), 1):
            data = (root / file).read_bytes()
            bare, reads = quietest_round([_timed_round(file, data, names)
                                          for _ in range(repeat)])
            for name in names:
                seconds, docs = reads[name]
                pages = bare[1] or max(len(d.pages) for d in docs) or 1
                share = 1 / len(entries)  # both ID sides on one page share its time
                for entry in entries:
                    tallies[name or "configured"].add(
                        entry, _matching(entry, docs), (seconds * share, pages * share),
                        (bare[0] * share, bare[1] * share))
            console.log(f"{number}/{len(files)} {file}")
    return {**_print_side_by_side(tallies, console), "machine": machine()}


SIMD = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")  # what the models' speed turns on


def machine() -> str:
    """The CPU the figures were taken on: the models' speed against bare Tesseract's
    depends on it (the same code ran desk photos of copies at 1.26-1.60x bare on a
    2-core Xeon with AMX, 1.59-1.69x on a 2-core EPYC with AVX2 only)."""
    import os
    import platform

    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    except OSError:
        pass
    simd = ", ".join(f for f in SIMD if f in flags) or "none of " + "/".join(SIMD)
    return f"{model}, {os.cpu_count()} cores, {simd}"


Read = tuple[float, list[ocr.ReadDocument]]  # seconds, the documents read
Round = tuple[tuple[float, int], dict[str | None, Read]]  # bare (seconds, pages), per profile


def _timed_round(file: str, data: bytes, names: list[str | None]) -> Round:
    """The file read by bare Tesseract, then by each profile, back to back."""
    bare = ocr.engines.bare_tesseract_seconds(file, data)
    return bare, {name: _timed_read(name, Path(file).name, data) for name in names}


def quietest_round(rounds: list[Round]) -> Round:
    """The round that took least in all: our seconds and bare Tesseract's are then
    taken at the same moment. This VM's speed swings by a third from minute to minute
    (a copy photo's bare seconds 0.32, then 0.48); the fastest of each side, taken from
    different rounds, set a quiet moment's bare against a busy one's reading."""
    return min(rounds, key=lambda r: r[0][0] + sum(seconds for seconds, _ in r[1].values()))


def _timed_read(name: str | None, file: str, data: bytes) -> Read:
    with ocr.engines.forced(name):
        started = time.perf_counter()
        docs = ocr.read_upload(file, data)
        return time.perf_counter() - started, docs


def _warm_up(path: Path, names: list[str | None]) -> None:
    """One file read untimed per profile: a worker loads and compiles the models once,
    not for each page (~1 s, which the first file timed would carry)."""
    for name in names:
        _timed_read(name, path.name, path.read_bytes())


def rows_right(got: list[tuple[str, ...]], want: list[tuple[str, ...]]) -> int:
    """Truth rows read exactly, in order: the two lists aligned (a row missed or
    read twice costs that row, not every row after it)."""
    matcher = difflib.SequenceMatcher(a=want, b=got, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def _matching(entry: dict[str, Any], docs: list[ocr.ReadDocument]) -> ocr.ReadDocument:
    """The document read from a file that stands for this truth entry: the one of
    its kind when a file held several (both ID sides on one page)."""
    same = [d for d in docs if d.kind.value == entry["kind"]]
    return same[0] if same else docs[0]


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
        self.bare: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        self.misreads: list[dict[str, Any]] = []  # generated documents only: no real data
        self.floor = _confidence_floor()

    def add(self, item: dict[str, Any], doc: ocr.ReadDocument, spent: tuple[float, float],
            bare: tuple[float, float]) -> None:
        """One truth entry; ``spent`` and ``bare``: (seconds, pages) of its file's share."""
        key = (item["kind"], item.get("degradation", "?"))
        self.kind_right[key].append(doc.kind.value == item["kind"])
        for name, value in item.get("fields", {}).items():
            if value not in (None, ""):
                read = doc.value(name)
                hit = same_value(name, read, str(value))
                self.fields[(*key, name)].append(hit)
                if not hit:
                    found = doc.fields.get(name)
                    sure = found is not None and found.confidence >= self.floor
                    self.misreads.append({
                        "file": item["file"], "field": name, "read": read or "",
                        "truth": str(value), "confidence": found.confidence if found else 0.0,
                        "silent": sure})  # sure of a wrong value: nothing asks for a check
        truth_rows = item.get("rows") or []
        if truth_rows:
            got = [tuple(getattr(r, f) for f in ROW_FIELDS) for r in doc.rows]
            want = [tuple(str(r[f]) for f in ROW_FIELDS) for r in truth_rows]
            right = rows_right(got, want)
            self.rows[key][0] += right
            self.rows[key][1] += len(want)
        self.seconds[key][0] += spent[0]
        self.seconds[key][1] += spent[1]
        if bare[1]:
            self.bare[key][0] += bare[0]
            self.bare[key][1] += bare[1]

    def kind_accuracy(self, key: tuple[str, str]) -> float:
        right = self.kind_right[key]
        return sum(right) / len(right)

    def per_page(self, key: tuple[str, str]) -> float:
        secs = self.seconds[key]
        return secs[0] / secs[1]

    def field_accuracy(self, kind: str) -> tuple[int, int]:
        hits = [h for (k, _, _), found in self.fields.items() if k == kind for h in found]
        return sum(hits), len(hits)

    def figures(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kinds": {}, "fields": {}, "misreads": self.misreads}
        for key in sorted(self.kind_right):
            rows = self.rows.get(key, [0, 0])
            out["kinds"]["/".join(key)] = {
                "files": len(self.kind_right[key]), "kind_accuracy": self.kind_accuracy(key),
                "rows_right": rows[0], "rows": rows[1],
                "seconds_per_page": self.per_page(key), "bare_seconds_per_page": _bare(self, key)}
        for field_key, hits in sorted(self.fields.items()):
            out["fields"]["/".join(field_key)] = sum(hits) / len(hits)
        return out


def _confidence_floor() -> float:
    """The rules' field_confidence_min: a value read below it is checked by hand."""
    from engine.rulebook import load_rulebook

    return float(load_rulebook().policy["thresholds"]["field_confidence_min"])


def _bare(tally: _Tally, key: tuple[str, str]) -> float | None:
    secs = tally.bare.get(key)
    return secs[0] / secs[1] if secs and secs[1] else None


def _print_side_by_side(tallies: dict[str, _Tally], console: Console) -> dict[str, Any]:
    names = list(tallies)
    first = tallies[names[0]]
    if not console.is_terminal:  # written to a file: wide enough for every profile side by side
        console.width = max(console.width, 60 + 36 * len(names))
    summary = Table("kind", "degradation", "files", "bare s/page",
                    *(f"{n}\nkind · rows · s/page · ×bare" for n in names),
                    title="Kind classification, statement rows, speed")
    for key in sorted(first.kind_right):
        bare = _bare(first, key)
        cells = [_summary_cell(tallies[name], key, bare) for name in names]
        summary.add_row(*key, str(len(first.kind_right[key])),
                        f"{bare:.2f}" if bare else "- (text layer)", *cells)
    console.print(summary)
    detail = Table("kind", "degradation", "field", "n", *names, title="Field exact match")
    for field_key in sorted(first.fields):
        detail.add_row(*field_key, str(len(first.fields[field_key])),
                       *(_pct(sum(tallies[n].fields[field_key]), len(tallies[n].fields[field_key]))
                         for n in names))
    console.print(detail)
    for name in names:
        misreads = tallies[name].misreads
        silent = sum(m["silent"] for m in misreads)
        console.print(f"{name}: {len(misreads)} fields read wrong; {len(misreads) - silent} of "
                      f"them under field_confidence_min (checked by hand), {silent} sure "
                      "(wrong and not flagged)")
    figures: dict[str, Any] = {name: tally.figures() for name, tally in tallies.items()}
    if len(names) > 1:
        figures["best_by_kind"] = _print_best(tallies, console)
    return figures if len(names) > 1 else figures[names[0]]


def _summary_cell(tally: _Tally, key: tuple[str, str], bare: float | None) -> str:
    rows = tally.rows.get(key, [0, 0])
    per_page = tally.per_page(key)
    return " · ".join((_pct(sum(tally.kind_right[key]), len(tally.kind_right[key])),
                       _pct(rows[0], rows[1]) if rows[1] else "-", f"{per_page:.2f}",
                       f"{per_page / bare:.2f}x" if bare else "-"))


def _print_best(tallies: dict[str, _Tally], console: Console) -> dict[str, str]:
    """Per kind, every field of every degradation together: the profile that reads
    most fields right (ties: the faster one) is the one to make that kind's default."""
    names = list(tallies)
    table = Table("kind", *names, "best", title="Fields right per kind (all degradations)")
    best: dict[str, str] = {}
    for kind in sorted({k for k, _ in next(iter(tallies.values())).kind_right}):
        scores = {n: tallies[n].field_accuracy(kind) for n in names}
        speed = {n: sum(s[0] for (k, _), s in tallies[n].seconds.items() if k == kind)
                 for n in names}
        best[kind] = max(names, key=lambda n: (scores[n][0], -speed[n]))
        table.add_row(kind, *(_pct(*scores[n]) for n in names), best[kind])
    console.print(table)
    return best


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
