"""How well both ID sides photocopied onto one A4 page are split and read.

For each seed and i < count, the corpus's composite copies (samples.corpus.composite_copy:
a scanned PNG, a JPEG desk photo, a scanner's one-page PDF) are read with
ocr.read_upload; per degradation it prints how often both sides were found, the
fields read right, those read wrong and sure (not under SURE, so nothing asks for a
check by hand), each field's exact-match rate and share of characters read right (its
length less the characters inserted, dropped or changed), and seconds per file.

    nice -n 10 .venv/bin/python scripts/measure_split.py --seeds 2026 --count 3

``--test-copies``: the desk photos the test suite makes instead (one per seed, another
layout): ``--seeds $(seq 1 40) --count 1 --degradations composite_photo --test-copies``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ocr  # noqa: E402
from ocr.lexicon import edits  # noqa: E402
from samples.corpus import composite_copy  # noqa: E402
from samples.render.composite import DEGRADATIONS  # noqa: E402

SURE = 0.85  # the default policy's field_confidence_min: a value under it is checked by hand


def _same(got: str | None, want: str) -> bool:
    return got is not None and re.sub(r"\s+", "", got) == re.sub(r"\s+", "", want)


class Tally:
    def __init__(self) -> None:
        self.found: dict[str, list[bool]] = defaultdict(list)
        self.fields: dict[tuple[str, str], list[bool]] = defaultdict(list)
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.sure_wrong: dict[str, int] = defaultdict(int)
        self.characters: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)

    def add(self, deg: str, truth: list[dict], docs: list[ocr.ReadDocument],
            seconds: float) -> list[str]:
        """Tally one file; returns the fields read wrong (``kind.field: got != want``)."""
        by_kind = {d.kind.value: d for d in docs}
        self.found[deg].append(all(t["kind"] in by_kind for t in truth) and len(docs) == 2)
        self.seconds[deg].append(seconds)
        wrong = []
        for entry in truth:
            doc = by_kind.get(entry["kind"])
            for name, want in entry["fields"].items():
                got = doc.value(name) if doc else None
                ok = _same(got, want)
                self.fields[(deg, f"{entry['kind']}.{name}")].append(ok)
                self.characters[(deg, f"{entry['kind']}.{name}")].append(_characters_right(
                    got, want))
                if not ok:
                    wrong.append(f"{entry['kind']}.{name}: {got!r} != {want!r}")
                    read = doc.fields.get(name) if doc else None
                    self.sure_wrong[deg] += bool(read and read.confidence >= SURE)
        return wrong

    def print(self) -> None:
        for deg in DEGRADATIONS:
            if deg not in self.found:
                continue
            found, secs = self.found[deg], self.seconds[deg]
            hits = [ok for (d, _), oks in self.fields.items() if d == deg for ok in oks]
            print(f"{deg}: both sides {sum(found)}/{len(found)}, fields right "
                  f"{sum(hits)}/{len(hits)}, wrong and sure {self.sure_wrong[deg]}, "
                  f"{sum(secs) / len(secs):.1f} s/file")
            for (d, name), hits in sorted(self.fields.items()):
                if d == deg:
                    right, total = map(sum, zip(*self.characters[(d, name)], strict=True))
                    print(f"    {name:34s} {sum(hits)}/{len(hits)}"
                          f"  characters {100 * right / max(1, total):.1f} %")


def _characters_right(got: str | None, want: str) -> tuple[int, int]:
    """The characters of ``want`` read right: its length less the edits from ``got``."""
    want = re.sub(r"\s+", "", want)
    return max(0, len(want) - edits(re.sub(r"\s+", "", got or ""), want)), len(want)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[2026])
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--degradations", nargs="+", default=list(DEGRADATIONS))
    parser.add_argument("--keep", type=Path, help="write the generated files here")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each file")
    parser.add_argument("--test-copies", action="store_true",
                        help="each seed's desk photo made by the test suite's copy generator "
                             "(tests/ocr/test_split.py _copy, another layout), not the corpus's")
    args = parser.parse_args()
    tally = Tally()
    for seed in args.seeds:
        for i in range(args.count):
            for deg in args.degradations:
                name, data, truth = (_test_copy(seed) if args.test_copies
                                     else composite_copy(seed, i, deg))
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    (args.keep / f"s{seed}_{name}").write_bytes(data)
                started = time.perf_counter()
                docs = ocr.read_upload(name, data)
                wrong = tally.add(deg, truth, docs, time.perf_counter() - started)
                if args.verbose:
                    kinds = [f"{d.part}:{d.kind.value}" for d in docs]
                    print(f"seed {seed} {name}: {kinds}", *wrong, sep="\n    ", flush=True)
    tally.print()


def _test_copy(seed: int) -> tuple[str, bytes, list[dict]]:
    from tests.ocr.test_split import _copy

    data, front, back = _copy(seed, "photo")
    return f"test_copy_{seed:03d}.jpg", data, [
        {"kind": "id_card_front", "fields": front}, {"kind": "id_card_back", "fields": back}]


if __name__ == "__main__":
    main()
