"""Telling the caller's system that a verdict is ready: the verdict JSON POSTed to
the case's ``callback_url``, signed with HMAC-SHA256 over ``<timestamp>.<body>``.

Receivers check ``X-Prereview-Signature: sha256=<hex>`` with the shared secret and
refuse a ``X-Prereview-Timestamp`` older than a few minutes (replays)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import httpx

from .db import Case
from .runtime import Runtime

log = logging.getLogger("prereview.callbacks")
TIMEOUT_SECONDS = 10.0


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: bytes, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def deliver(rt: Runtime, case_id: str) -> bool:
    """One attempt; True when the receiver answered 2xx (or nothing is left to send)."""
    with rt.sessions() as session:
        case = session.get(Case, case_id)
        if case is None or not case.callback_url or case.verdict is None:
            return True
        if case.callback_status == "delivered":
            return True
        url, verdict = case.callback_url, case.verdict
        case.callback_attempts += 1
        session.commit()
    body = json.dumps(verdict, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Prereview-Timestamp": timestamp,
               "X-Prereview-Signature": sign(rt.settings.signing_secret(), timestamp, body),
               "X-Prereview-Case": case_id}
    try:
        answer = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
        ok = 200 <= answer.status_code < 300
        reason = f"HTTP {answer.status_code}"
    except httpx.HTTPError as err:
        ok, reason = False, type(err).__name__
    _record(rt, case_id, "delivered" if ok else "retrying")
    if not ok:
        log.warning("callback not accepted", extra={"case_id": case_id, "reason": reason})
    return ok


def give_up(rt: Runtime, case_id: str) -> None:
    _record(rt, case_id, "failed")
    log.error("callback given up", extra={"case_id": case_id})


def backoff_seconds(rt: Runtime, attempt: int) -> float:
    """5 s, 10 s, 20 s, … capped at 10 minutes."""
    return float(min(rt.settings.callback_backoff_seconds * 2**attempt, 600.0))


def _record(rt: Runtime, case_id: str, status: str) -> None:
    with rt.sessions() as session:
        case = session.get(Case, case_id)
        if case is not None:
            case.callback_status = status
            session.commit()
