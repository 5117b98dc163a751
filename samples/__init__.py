"""Deterministic synthetic Chinese loan documents with ground truth.

No real person's data: names, ID numbers, addresses, employers and accounts are
generated from a seed. ``python -m samples cases --out DIR`` writes whole cases
(see ``samples.cases``); ``python -m samples documents`` writes an OCR corpus.
"""

from __future__ import annotations

__all__ = ["build_case", "SCENARIOS"]


def __getattr__(name: str) -> object:  # lazy: keep ``import samples`` cheap
    if name in __all__:
        from . import cases

        return getattr(cases, name)
    raise AttributeError(name)
