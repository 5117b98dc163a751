"""Reading a line as one of the things it may say: the recogniser's character
probabilities at each step of the line (CTC, ``recognizer.character_scores``) scored
against each candidate, as a clerk reads a blurred 民族 as one of the 56 names.

``choose`` returns the most likely candidate and its share of the candidates' summed
likelihood (of a long list, of the SHORTLIST whose characters show most strongly): a
line that reads as none of them spreads it, and one that reads clearly as one gives
that one nearly all of it. With ``free_start`` the line may begin with anything (a
label, a value before it) and the candidate must end it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

BLANK = 0  # PP-OCR's CTC blank is the first class
_NONE = -1e9  # log-probability of what cannot happen


@dataclass(frozen=True)
class Choice:
    value: str
    share: float  # its share (0..1) of the candidates' summed likelihood
    log_likelihood: float


def choose(log_probs: np.ndarray, characters: Sequence[str], candidates: Sequence[str],
           free_start: bool = False, free_end: bool = False) -> Choice | None:
    """The candidate the line most likely says (None when no candidate can be written
    with the recogniser's characters). ``log_probs``: steps x classes; ``free_end``:
    the candidate the line most likely starts with (an address's province, city and
    district)."""
    writable, labels = _encoded(tuple(candidates), tuple(characters))
    if not writable:
        return None
    if len(writable) > SHORTLIST:
        writable, labels = _shortlist(log_probs, writable, labels)
    by_length: dict[int, list[int]] = {}
    for i, c in enumerate(writable):
        by_length.setdefault(len(c), []).append(i)
    names: list[str] = []
    scores: list[np.ndarray] = []
    for length, rows in by_length.items():
        names += [writable[i] for i in rows]
        scores.append(ctc_log_likelihoods(log_probs, labels[rows, :length], free_start,
                                          free_end))
    values = np.concatenate(scores)
    shares = np.exp(values - np.logaddexp.reduce(values))
    best = int(np.argmax(values))
    return Choice(names[best], float(shares[best]), float(values[best]))


@lru_cache(maxsize=16)
def _encoded(candidates: tuple[str, ...], characters: tuple[str, ...]
             ) -> tuple[list[str], np.ndarray]:
    """The candidates the recogniser can write, and their classes (candidates x the
    longest; shorter rows padded with the blank)."""
    index = {ch: i for i, ch in enumerate(characters)}
    writable = [c for c in dict.fromkeys(candidates) if c and all(ch in index for ch in c)]
    labels = np.full((len(writable), max(map(len, writable), default=0)), BLANK)
    for row, c in enumerate(writable):
        labels[row, :len(c)] = [index[ch] for ch in c]
    return writable, labels


SHORTLIST = 64  # candidates scored in full, of a longer list (3,186 authorities: 0.25 s)


def _shortlist(log_probs: np.ndarray, candidates: list[str], labels: np.ndarray
               ) -> tuple[list[str], np.ndarray]:
    """The SHORTLIST candidates whose characters show most strongly somewhere on the
    line (each character's best step, averaged): a cheap bound that keeps the likely."""
    best = log_probs.max(axis=0)
    lengths = np.array([len(c) for c in candidates])
    strength = np.where(np.arange(labels.shape[1]) < lengths[:, None], best[labels], 0.0)
    keep = np.sort(np.argsort(strength.sum(axis=1) / lengths)[::-1][:SHORTLIST])
    return [candidates[i] for i in keep], labels[keep]


def ctc_log_likelihoods(log_probs: np.ndarray, labels: np.ndarray,
                        free_start: bool = False, free_end: bool = False) -> np.ndarray:
    """log P(labels | line) of each row of ``labels`` (candidates x characters, one
    length) by the CTC forward algorithm; ``free_start``: the steps before a
    candidate begins count as certain (whatever the line holds there); ``free_end``:
    so do those after it, log P(the line starts with it), summed over the step where
    its last character is first written."""
    count, length = labels.shape
    extended = np.full((count, 2 * length + 1), BLANK)
    extended[:, 1::2] = labels
    # a character may be reached over the blank before it unless it repeats the last
    skip = np.zeros(extended.shape, bool)
    skip[:, 3::2] = extended[:, 3::2] != extended[:, 1:-2:2]
    none = np.full((count, 1), _NONE)
    alpha = np.full(extended.shape, _NONE)
    alpha[:, :2] = log_probs[0, extended[:, :2]]
    started = alpha[:, -2].copy()  # the last character first written at this step
    for t in range(1, log_probs.shape[0]):
        step = np.hstack([none, alpha[:, :-1]])
        jump = np.where(skip, np.hstack([none, none, alpha[:, :-2]]), _NONE)
        if free_end:
            before = np.logaddexp(step[:, -2], jump[:, -2])
            if free_start and length == 1:  # or the line's free start ends here
                before = np.logaddexp(before, 0.0)
            started = np.logaddexp(started, before + log_probs[t, extended[:, -2]])
        alpha = np.logaddexp(np.logaddexp(alpha, step), jump)
        if free_start:
            alpha[:, :2] = np.logaddexp(alpha[:, :2], 0.0)
        alpha = alpha + log_probs[t, extended]
    if free_end:
        return started
    return np.asarray(np.logaddexp(alpha[:, -1], alpha[:, -2]))


MAX_CHANGES = 3  # characters changed to make a reading valid, at most (by default)
RUNNER_UP = float(np.log(0.05))  # a character's runner-up counts from this probability


def closest_valid(log_probs: np.ndarray, characters: Sequence[str], alphabet: str | None,
                  length: int | None, valid: Callable[[str], bool],
                  max_changes: int = MAX_CHANGES) -> str | None:
    """The most likely reading in ``alphabet`` that is ``valid`` (an ID number's check
    character and date, a real validity period), changing at most ``max_changes``
    characters of the line's best reading to their runners-up at the same steps (those
    at least RUNNER_UP likely): the digits a blur confuses (0 read 6 or 9). None when
    the best reading is not ``length`` long (if given) or no such change makes it
    valid. ``alphabet`` None: any character."""
    classes = [i for i, ch in enumerate(characters)
               if i != BLANK and (alphabet is None or ch in alphabet)]
    allowed = log_probs[:, [BLANK, *classes]]
    best = allowed.argmax(axis=1)
    spans = _spans(best)
    if not spans or length is not None and len(spans) != length:
        return None
    options = []  # per character: its classes by their best score on its steps
    for steps in spans:
        strength = allowed[steps, 1:].max(axis=0)
        top = [k for k in np.argsort(strength)[::-1][:3]
               if k == strength.argmax() or strength[k] >= RUNNER_UP]
        options.append([(characters[classes[k]], float(strength[k])) for k in top])
    doubtful = [i for i, opts in enumerate(options) if len(opts) > 1]
    for changes in range(max_changes + 1):
        found: list[tuple[float, str]] = []
        for where in itertools.combinations(doubtful, changes):
            for picks in itertools.product(*(options[i][1:] for i in where)):
                chosen = [opts[0] for opts in options]
                for i, pick in zip(where, picks, strict=True):
                    chosen[i] = pick
                text = "".join(ch for ch, _ in chosen)
                if valid(text):
                    found.append((sum(score for _, score in chosen), text))
        if found:  # the fewest changes that make it valid
            return max(found)[1]
    return None


def _spans(best: np.ndarray) -> list[list[int]]:
    """The steps of each character a line's best path reads (CTC: a class repeated over
    steps is one character, the blank between two parts them)."""
    spans: list[list[int]] = []
    for t, k in enumerate(best):
        if k and (t == 0 or best[t - 1] != k):
            spans.append([t])
        elif k:
            spans[-1].append(t)
    return spans


def least_sure(log_probs: np.ndarray, characters: Sequence[str],
               counted: Callable[[str], bool]) -> float | None:
    """The probability of the least sure character of the line's best reading (each
    character at its likeliest step), among those ``counted``; None when none is."""
    best = log_probs.argmax(axis=1)
    sure = [float(np.exp(log_probs[steps, best[steps[0]]].max())) for steps in _spans(best)
            if counted(characters[best[steps[0]]])]
    return min(sure) if sure else None


def edits(a: str, b: str) -> int:
    """Characters inserted, dropped or changed between two readings (Levenshtein)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]
