"""Operators sign in at a kiosk while the server is away: a cache on the kiosk PC.

After every successful online sign-in the kiosk :meth:`~OfflineSignInCache.remember`\\ s the
operator: the server's offline token for (this device, this operator, pin or badge), sealed
with a key derived from the PIN or badge code by Argon2id (random salt each time). Nothing in
the cache opens without the PIN or badge: it holds the salt, a check value of the key and the
sealed token, never the PIN, the badge or the server's verifier.

Offline, :meth:`~OfflineSignInCache.verify` derives the key from what the operator typed or
scanned, checks it, unseals the token and keeps a *pending offline sign-in* with a proof
(``sha256(token:sign-in id:time)``) that names that one sign-in. When the server is back,
:meth:`~OfflineSignInCache.register_pending` sends each pending sign-in before any report
(``ReportSender(prepare=...)``); the server confirms it (token, account active and not
locked, PIN unchanged, at most 30 days since the online sign-in) and the reports made
under it count, marked ``offline_sign_in`` in their events; a refused one leaves its
reports refused and kept in the outbox.

Trade-off (docs/security.md): a stolen kiosk disk lets its thief guess the PINs of the
operators cached there offline (a 4-digit PIN falls in minutes even with Argon2). Mitigated
by: only operators who signed in at this kiosk are cached, for at most 30 days; 5 wrong
tries offline wipe that operator's entry; the token is useless once the kiosk is revoked
(its login can no longer connect) or the PIN is reset (the server checks the version); and
every offline sign-in is flagged in the audit trail.

The file is JSON, mode 0600, next to the kiosk's credential.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw

from leanops_desktop.core.enums import Role
from leanops_desktop.services.kiosk.kiosk_devices import DeviceSession, offline_cache_path
from leanops_desktop.services.kiosk.operator_credentials import Method
from leanops_desktop.services.kiosk.operator_sign_in import (
    OperatorSignIn,
    SignInStatus,
    offline_proof,
    register_offline_sign_in,
)

__all__ = ["OfflineSignIn", "OfflineSignInCache", "PendingSignIn"]

MAX_AGE = timedelta(days=30)
WRONG_TRIES_BEFORE_WIPE = 5
#: Argon2id at OWASP's second recommended setting: 19 MiB, 2 passes.
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME = 2


def _key(secret: str, salt: bytes, memory: int, time: int) -> bytes:
    return hash_secret_raw(
        secret.encode(),
        salt,
        time_cost=time,
        memory_cost=memory,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )


def _normal(method: Method, secret: str) -> str:
    return secret.strip().lower() if method == Method.BADGE else secret


def _pad(key: bytes) -> bytes:
    return hashlib.sha256(key + b"leanops offline token").digest()


def _check(key: bytes) -> str:
    return hashlib.sha256(key + b"leanops offline check").hexdigest()


@dataclass(frozen=True, slots=True)
class OfflineSignIn:
    """An operator signed in offline: their reports are marked for the server to check."""

    sign_in_id: uuid.UUID
    email: str
    role: Role
    method: Method
    signed_in_at: datetime

    def as_sign_in(self) -> OperatorSignIn:
        return OperatorSignIn(SignInStatus.OK, self.email, self.role, self.sign_in_id, offline=True)


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    sign_in_id: uuid.UUID
    email: str
    method: Method
    proof: str
    signed_in_at: datetime
    ended_at: datetime | None


class OfflineSignInCache:
    """The kiosk's cache of sealed offline tokens and its pending offline sign-ins."""

    def __init__(self, path: Path, *, memory_kib: int = ARGON2_MEMORY_KIB) -> None:
        self.path = path
        self.memory_kib = memory_kib

    @classmethod
    def for_station(cls, station_id: str, directory: Path | None = None) -> OfflineSignInCache:
        return cls(offline_cache_path(station_id, directory))

    # -- the file ---------------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        data.setdefault("entries", [])
        data.setdefault("pending", [])
        return data

    def _save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    # -- online: remember ------------------------------------------------------------------

    def remember(self, signed_in: OperatorSignIn, method: Method | str, secret: str) -> None:
        """After an online sign-in: seal its offline token with the PIN or badge."""
        method = Method(method)
        if not signed_in.ok or not signed_in.offline_token or signed_in.email is None:
            return
        salt = secrets.token_bytes(16)
        key = _key(_normal(method, secret), salt, self.memory_kib, ARGON2_TIME)
        token = bytes.fromhex(signed_in.offline_token)
        sealed = bytes(a ^ b for a, b in zip(token, _pad(key), strict=True))
        data = self._load()
        data["entries"] = [
            e
            for e in data["entries"]
            if not (e["email"] == signed_in.email and e["method"] == method.value)
        ]
        data["entries"].append(
            {
                "email": signed_in.email,
                "role": signed_in.role.value if signed_in.role else "operator",
                "method": method.value,
                "salt": salt.hex(),
                "memory_kib": self.memory_kib,
                "time": ARGON2_TIME,
                "check": _check(key),
                "sealed": sealed.hex(),
                "cached_at": datetime.now(UTC).isoformat(),
                "wrong": 0,
            }
        )
        self._save(data)

    def forget(self, email: str) -> None:
        data = self._load()
        data["entries"] = [e for e in data["entries"] if e["email"] != email]
        self._save(data)

    # -- offline: verify -------------------------------------------------------------------

    def verify(
        self,
        method: Method | str,
        secret: str,
        email: str | None = None,
        *,
        now: datetime | None = None,
    ) -> OfflineSignIn | None:
        """Check a PIN (with the email) or a badge against the cache; on success keep a
        pending offline sign-in and return it, else None."""
        method = Method(method)
        now = now or datetime.now(UTC)
        data = self._load()
        fresh = [
            e for e in data["entries"] if datetime.fromisoformat(e["cached_at"]) >= now - MAX_AGE
        ]
        candidates = [
            e
            for e in fresh
            if e["method"] == method.value and (method == Method.BADGE or e["email"] == email)
        ]
        normal = _normal(method, secret)
        found: dict[str, Any] | None = None
        token = b""
        for entry in candidates:
            key = _key(normal, bytes.fromhex(entry["salt"]), entry["memory_kib"], entry["time"])
            if hmac.compare_digest(_check(key), entry["check"]):
                found = entry
                sealed = bytes.fromhex(entry["sealed"])
                token = bytes(a ^ b for a, b in zip(sealed, _pad(key), strict=True))
                break
        if found is None:
            if method == Method.PIN:
                for entry in candidates:
                    entry["wrong"] = int(entry.get("wrong", 0)) + 1
                fresh = [e for e in fresh if int(e.get("wrong", 0)) < WRONG_TRIES_BEFORE_WIPE]
            data["entries"] = fresh
            self._save(data)
            return None
        found["wrong"] = 0
        sign_in_id = uuid.uuid4()
        at = now.replace(microsecond=0)
        data["entries"] = fresh
        data["pending"].append(
            {
                "sign_in_id": str(sign_in_id),
                "email": found["email"],
                "method": method.value,
                "proof": offline_proof(token.hex(), sign_in_id, at),
                "signed_in_at": at.isoformat(),
                "ended_at": None,
            }
        )
        self._save(data)
        return OfflineSignIn(sign_in_id, found["email"], Role(found["role"]), method, at)

    def end(self, sign_in_id: uuid.UUID, *, now: datetime | None = None) -> None:
        """The operator signed out offline: later taps are not theirs."""
        data = self._load()
        for item in data["pending"]:
            if item["sign_in_id"] == str(sign_in_id) and item["ended_at"] is None:
                item["ended_at"] = (now or datetime.now(UTC)).isoformat()
        self._save(data)

    def end_online(
        self, signed_in: OperatorSignIn, method: Method | str, *, now: datetime | None = None
    ) -> None:
        """An operator who signed in ONLINE signed out (or was signed out when idle) while
        the server was away: keep the time, so :meth:`register_pending` ends that sign-in
        on the server at the real time, not when the connection is back (their sign-in
        must not seem to cover the outage, when others tapped)."""
        if signed_in.sign_in_id is None or signed_in.email is None:
            return
        at = (now or datetime.now(UTC)).isoformat()
        data = self._load()
        data.setdefault("sign_outs", []).append(
            {
                "sign_in_id": str(signed_in.sign_in_id),
                "email": signed_in.email,
                "method": Method(method).value,
                "ended_at": at,
            }
        )
        self._save(data)

    def _deliver_sign_outs(self, device: DeviceSession) -> None:
        """Send the sign-outs kept while offline. The server's offline sign-in call, given
        the id of a sign-in this device already holds, only ends it (at the time given, never
        later than its own clock) and asks no proof: the device may end its own sign-ins."""
        for item in list(self._load().get("sign_outs", [])):
            ended_at = datetime.fromisoformat(item["ended_at"])
            register_offline_sign_in(
                device,
                uuid.UUID(item["sign_in_id"]),
                item["email"],
                item["method"],
                "",
                ended_at,
                ended_at,
            )
            data = self._load()
            data["sign_outs"] = [
                o for o in data.get("sign_outs", []) if o["sign_in_id"] != item["sign_in_id"]
            ]
            self._save(data)

    def pending(self) -> list[PendingSignIn]:
        return [
            PendingSignIn(
                uuid.UUID(p["sign_in_id"]),
                p["email"],
                Method(p["method"]),
                p["proof"],
                datetime.fromisoformat(p["signed_in_at"]),
                datetime.fromisoformat(p["ended_at"]) if p["ended_at"] else None,
            )
            for p in self._load()["pending"]
        ]

    def register_pending(
        self, device: DeviceSession
    ) -> list[tuple[PendingSignIn, SignInStatus, str]]:
        """Send the sign-outs kept while offline (:meth:`end_online`) and every pending
        offline sign-in to the server (before any report of theirs); each answered one
        leaves the list. Raises on no connection (nothing is lost)."""
        answered: list[tuple[PendingSignIn, SignInStatus, str]] = []
        self._deliver_sign_outs(device)
        for item in self.pending():
            status, message = register_offline_sign_in(
                device,
                item.sign_in_id,
                item.email,
                item.method,
                item.proof,
                item.signed_in_at,
                item.ended_at,
            )
            answered.append((item, status, message))
            data = self._load()
            data["pending"] = [
                p for p in data["pending"] if p["sign_in_id"] != str(item.sign_in_id)
            ]
            if status != SignInStatus.OK:  # the server no longer vouches for this entry
                data["entries"] = [e for e in data["entries"] if e["email"] != item.email]
            self._save(data)
        return answered
