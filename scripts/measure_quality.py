"""Measure the image quality gate on a generated corpus.

    .venv/bin/python scripts/measure_quality.py --seed 2026 --count 3

Prints the false alarms per code over the normal image pages (clean, scan, photo,
rotated, scanned statements), then how often each bad picture is caught: blurry,
tiny (every page), glare and cut_off (photos), no_document (one per page), and the
time the gate takes per page. ``--corpus DIR`` reuses a corpus already generated.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ocr.loader import load  # noqa: E402
from ocr.quality import check_page  # noqa: E402
from ocr.types import DocumentKind, Page  # noqa: E402
from samples.degrade import spoil  # noqa: E402

CODES = ("blurry", "too_small", "glare", "cut_off", "not_found")
BAD = {"blurry": "blurry", "tiny": "too_small", "glare": "glare", "cut_off": "cut_off",
       "no_document": "not_found"}
PHOTO_ONLY = ("glare", "cut_off")

Picture = tuple[str, DocumentKind, np.ndarray]


def generate(out: Path, seed: int, count: int) -> None:
    subprocess.run([sys.executable, "-m", "samples", "documents", "--out", str(out),
                    "--count", str(count), "--seed", str(seed)],
                   check=True, cwd=ROOT, capture_output=True)


def pictures(corpus: Path) -> list[Picture]:
    """Every image page (no text layer) with its file name and kind (a file with
    several documents, such as both ID sides copied on one page, counts once)."""
    found: list[Picture] = []
    seen: set[str] = set()
    for entry in json.loads((corpus / "truth.json").read_text()):
        if entry["file"] in seen:
            continue
        seen.add(entry["file"])
        kind = DocumentKind(entry["kind"]) if "part" not in entry else DocumentKind.UNKNOWN
        for page in load(entry["file"], (corpus / entry["file"]).read_bytes()).pages:
            if not page.has_text_layer:
                found.append((entry["file"], kind, page.image))
    return found


def codes(image: np.ndarray, kind: DocumentKind) -> list[str]:
    return [p.code.removeprefix("read.quality.") for p in check_page(Page(1, image), kind)]


def false_alarms(pics: list[Picture]) -> None:
    counts: Counter[str] = Counter()
    flagged = []
    seconds = []
    for name, kind, image in pics:
        start = time.perf_counter()
        found = codes(image, kind)
        seconds.append(time.perf_counter() - start)
        counts.update(found)
        if found:
            flagged.append(f"    {name}: {', '.join(found)}")
    n = len(pics)
    print(f"normal pages: {n}, with any alarm: {len(flagged)}/{n}")
    for code in CODES:
        print(f"  false {code:10s} {counts[code]}/{n}")
    print("\n".join(flagged))
    print(f"  gate time per page: mean {np.mean(seconds) * 1000:.0f} ms, "
          f"max {max(seconds) * 1000:.0f} ms")


def caught(pics: list[Picture], seed: int) -> None:
    rng = np.random.default_rng(seed)
    for mode, code in BAD.items():
        chosen = [p for p in pics if mode not in PHOTO_ONLY or _is_photo(p[0])]
        hits, missed, sides = 0, [], 0
        for name, kind, image in chosen:
            bad = spoil(image, mode, rng)
            problems = check_page(Page(1, bad), kind)
            hit = [p for p in problems if p.code == f"read.quality.{code}"]
            hits += bool(hit)
            sides += bool(hit) and "right side" in hit[0].message
            if not hit:
                missed.append(name)
        extra = f", naming the right side {sides}" if mode == "cut_off" else ""
        print(f"  {mode:12s} caught {hits}/{len(chosen)} ({hits / max(1, len(chosen)):.0%})"
              f"{extra}" + (f"; missed {', '.join(missed[:6])}" if missed else ""))


def _is_photo(name: str) -> bool:
    return "_photo" in name or "_rotated" in name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--corpus", type=Path, help="an already generated corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or Path(tmp)
        if not args.corpus:
            generate(corpus, args.seed, args.count)
        pics = pictures(corpus)
    print(f"seed {args.seed}, count {args.count}")
    false_alarms(pics)
    print("bad pictures:")
    caught(pics, args.seed)


if __name__ == "__main__":
    main()
