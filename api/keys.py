"""API keys: ``prk_<key id>_<secret>``; only the secret's sha256 is stored.
Each key has one role; what a role may do is listed here, once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .db import ApiKey, now

ROLES = ("intake", "approver", "compliance", "system", "admin")

# permission -> roles that have it
PERMISSIONS: dict[str, frozenset[str]] = {
    "case.create": frozenset({"intake", "system", "admin"}),
    "case.upload": frozenset({"intake", "system", "admin"}),
    "case.verify": frozenset({"intake", "system", "admin"}),
    "case.read": frozenset({"intake", "approver", "system", "admin"}),
    "verdict.read": frozenset({"approver", "system", "admin"}),
    "report.read": frozenset({"approver", "admin"}),
    "report.unmasked": frozenset({"admin"}),  # engine.masking.UNMASKED_ROLES
    "rules.read": frozenset({"compliance", "approver", "admin"}),
    "rules.edit": frozenset({"compliance", "admin"}),
    "audit.read": frozenset({"admin", "compliance"}),
}


@dataclass(frozen=True)
class Caller:
    key_id: str
    role: str

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]


class UnknownRole(ValueError):
    code = "keys.unknown_role"


def create_key(session: Session, role: str, label: str = "") -> str:
    """A new key for ``role``; the full key is returned once and never stored."""
    if role not in ROLES:
        raise UnknownRole(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    session.add(ApiKey(key_id=key_id, secret_sha256=_digest(secret), role=role, label=label))
    session.commit()
    return f"prk_{key_id}_{secret}"


def check_key(session: Session, presented: str) -> Caller | None:
    """The caller a presented key belongs to, or None (unknown, malformed or revoked)."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != "prk":
        return None
    key = session.get(ApiKey, parts[1])
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_sha256, _digest(parts[2])):
        return None
    return Caller(key.key_id, key.role)


def revoke_key(session: Session, key_id: str) -> bool:
    key = session.get(ApiKey, key_id)
    if key is None:
        return False
    key.revoked_at = now()
    session.commit()
    return True


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
