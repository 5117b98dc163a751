"""Every published rule set kept in the object store; the live one switched by a pointer.

Layout (the object store is shared by every API and worker process, on any machine):

    rulesets/<sha256>/meta.json          name, version, sha256, published_at/by, note, files
    rulesets/<sha256>/files/<relative>   the rule files (ruleset.yaml, facts.yaml,
                                         policy.yaml, checks/*.yaml, tests/*.yaml)
    rulesets/current                     the sha256 of the live version (text)

- ``publish`` validates (schema, semantics, C-core limits), runs the scenario tests and
  try-compiles the candidate in a subprocess with a timeout; only then are the files
  stored and the pointer moved. An invalid rule set never becomes live.
- ``current`` re-reads the pointer at most every ``check_every`` seconds, so a version
  published by any process goes live everywhere without a restart. Books are loaded
  once per sha256 and cached; a case keeps the book it started with.
- At start: the configured rules directory is published (and made live) when its sha256
  is not yet in the archive; when it is already archived the pointer is left alone (a
  version published from the web stays live across restarts); an empty archive gets it
  as its first, live version.
- Two processes publishing at once: both bundles are stored (same content, same keys);
  the pointer is the last one written.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from .errors import InvalidRuleSet, RuleSetNotFound
from .rulebook import RuleBook, fingerprint, load_rulebook, rule_files
from .rulecheck import try_compile

PREFIX = "rulesets"
POINTER = f"{PREFIX}/current"


class ObjectStore(Protocol):
    def put_at(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def keys(self, prefix: str = "") -> list[str]: ...


@dataclass(frozen=True)
class RuleSetVersion:
    name: str
    version: str
    sha256: str
    published_at: str  # ISO 8601, UTC
    published_by: str
    note: str
    current: bool  # the live version


def bundle_files(directory: Path) -> dict[str, str]:
    """The files a version is made of (relative path -> text), scenario tests included."""
    paths = [p for p in rule_files(directory) if p.is_file()]
    paths += sorted((directory / "tests").glob("*.yaml"))
    return {p.relative_to(directory).as_posix(): p.read_text(encoding="utf-8") for p in paths}


def check_candidate(directory: Path, compile_timeout: float = 30.0) -> RuleBook:
    """Validate, run the scenario tests and try-compile; raise InvalidRuleSet otherwise."""
    from .scenarios import run_scenarios  # imports the rules engine

    book = load_rulebook(directory)
    problems = [f"tests/{r.file}: {r.name}: {p}" for r in run_scenarios(book, directory / "tests")
                for p in r.problems]
    problems += try_compile(directory, compile_timeout)
    if problems:
        raise InvalidRuleSet(problems)
    return book


class RuleSets:
    """The rule-set archive: the live version, any past one, publishing and history."""

    def __init__(self, store: ObjectStore, rules_dir: Path, check_every: float = 2.0,
                 compile_timeout: float = 30.0) -> None:
        self._store = store
        self._check_every = check_every
        self._compile_timeout = compile_timeout
        self._lock = threading.RLock()
        self._books: dict[str, RuleBook] = {}
        self._cache = Path(tempfile.mkdtemp(prefix="prereview-rulesets-"))
        # the loaded versions' files go with this object, or at the latest with the process
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._cache, ignore_errors=True)
        self._live = ""
        self._checked_at = 0.0
        self._start(rules_dir)

    def _start(self, rules_dir: Path) -> None:
        sha = fingerprint(rules_dir)
        if not self._store.exists(_meta_key(sha)):
            self.publish(rules_dir, "deployment", f"rules directory {rules_dir.name} at start")
        elif not self._store.exists(POINTER):
            self._point_to(sha)
        self._refresh(force=True)

    def current(self) -> RuleBook:
        """The live version (a newly published one is seen within ``check_every`` seconds)."""
        self._refresh()
        return self.get(self._live)

    def get(self, sha256: str) -> RuleBook:
        """Any published version, for re-running a past case; RuleSetNotFound otherwise."""
        with self._lock:
            book = self._books.get(sha256)
            if book is None:
                book = self._load(sha256)
                self._books[sha256] = book
            return book

    def publish(self, rules_dir: Path, published_by: str, note: str = "") -> RuleBook:
        """Check the candidate, store it and make it live."""
        book = check_candidate(rules_dir, self._compile_timeout)
        with self._lock:
            if not self._store.exists(_meta_key(book.sha256)):
                self._store_bundle(book, rules_dir, published_by, note)
            self._point_to(book.sha256)
            self._refresh(force=True)
            return self.get(book.sha256)

    def versions(self) -> list[RuleSetVersion]:
        """Every published version, oldest first; ``current`` marks the live one."""
        self._refresh()
        out = []
        for key in self._store.keys(f"{PREFIX}/"):
            if key.endswith("/meta.json") and key.count("/") == 2:
                meta = json.loads(self._store.get(key))
                out.append(RuleSetVersion(meta["name"], meta["version"], meta["sha256"],
                                          meta["published_at"], meta["published_by"],
                                          meta["note"], meta["sha256"] == self._live))
        return sorted(out, key=lambda v: v.published_at)

    def files(self, sha256: str) -> dict[str, str]:
        """A version's files (relative path -> text), for the web editor's drafts."""
        names = self._meta(sha256)["files"]
        if not isinstance(names, list):
            raise InvalidRuleSet([f"rule set {sha256}: meta.json lists no files"])
        return {rel: self._store.get(_file_key(sha256, rel)).decode("utf-8") for rel in names}

    # the archive underneath

    def _refresh(self, force: bool = False) -> None:
        with self._lock:
            if not force and time.monotonic() - self._checked_at < self._check_every:
                return
            live = self._store.get(POINTER).decode().strip()
            self.get(live)  # load before switching: a broken bundle never becomes live here
            self._live, self._checked_at = live, time.monotonic()

    def _point_to(self, sha256: str) -> None:
        self._store.put_at(POINTER, sha256.encode(), "text/plain")

    def _store_bundle(self, book: RuleBook, rules_dir: Path, by: str, note: str) -> None:
        files = bundle_files(rules_dir)
        for rel, text in files.items():
            self._store.put_at(_file_key(book.sha256, rel), text.encode("utf-8"), "text/yaml")
        meta = {"name": book.name, "version": book.version, "sha256": book.sha256,
                "published_at": datetime.now(UTC).isoformat(timespec="microseconds"),
                "published_by": by, "note": note, "files": sorted(files)}
        self._store.put_at(_meta_key(book.sha256), json.dumps(meta, ensure_ascii=False)
                           .encode(), "application/json")  # last: a bundle is whole or absent

    def _meta(self, sha256: str) -> dict[str, object]:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise RuleSetNotFound(f"not a rule set sha256: {sha256[:80]!r}")
        if not self._store.exists(_meta_key(sha256)):
            raise RuleSetNotFound(f"no published rule set with sha256 {sha256}")
        meta: dict[str, object] = json.loads(self._store.get(_meta_key(sha256)))
        return meta

    def _load(self, sha256: str) -> RuleBook:
        directory = self._cache / sha256
        for rel, text in self.files(sha256).items():
            path = directory / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        book = load_rulebook(directory)
        if book.sha256 != sha256:  # fail closed: the bundle is not what was published
            raise InvalidRuleSet([f"rule set {sha256}: stored files hash to {book.sha256}"])
        return book


def _meta_key(sha256: str) -> str:
    return f"{PREFIX}/{sha256}/meta.json"


def _file_key(sha256: str, rel: str) -> str:
    return f"{PREFIX}/{sha256}/files/{rel}"
