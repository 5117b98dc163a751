"""python -m samples cases --out DIR [--seed N] [--scenarios a,b]
python -m samples documents --out DIR --count N [--seed N]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("cases", help="write whole cases with case.json and expected.json")
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--seed", type=int, default=1, help="base seed (case seeds are seed*100+i)")
    c.add_argument("--scenarios", default="", help="comma-separated; all by default")
    dcmd = sub.add_parser("documents", help="write an OCR corpus with truth.json")
    dcmd.add_argument("--out", type=Path, required=True)
    dcmd.add_argument("--count", type=int, default=2, help="documents per kind and degradation")
    dcmd.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    if args.command == "cases":
        from .cases import SCENARIOS, build_case

        wanted = [s.strip() for s in args.scenarios.split(",") if s.strip()] or list(SCENARIOS)
        unknown = [s for s in wanted if s not in SCENARIOS]
        if unknown:
            parser.error(f"unknown scenarios: {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
        if "duplicate_second" in wanted and "duplicate_first" not in wanted:
            wanted.append("duplicate_first")
        # Fixed order (duplicate_first before duplicate_second); seed = base*100 + index + 1.
        for index, scenario in enumerate(SCENARIOS):
            if scenario in wanted:
                folder = build_case(scenario, args.seed * 100 + index + 1, args.out)
                print(f"{folder}\t{scenario}")
        return 0

    from .corpus import build_corpus

    truth = build_corpus(args.out, args.count, args.seed)
    print(f"{len(truth)} documents, truth in {args.out / 'truth.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
