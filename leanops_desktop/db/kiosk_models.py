"""Tables of kiosk devices and operators' badge/PIN sign-in (migration 0012).

* ``kiosk_devices``: a kiosk PC enrolled for one station (its database login on PostgreSQL,
  its credential's Argon2 hash on SQLite), who enrolled and who revoked it.
* ``operator_credentials``: an operator's PIN verifier and badge digest, the failures in a
  row and the lock. Nobody but the database's owner reads it on PostgreSQL.
* ``kiosk_sign_ins``: who signed in at which kiosk, when, how, online or offline, and
  whether the server confirmed it; a device's report is taken only for an operator with a
  confirmed sign-in at that device covering the tap time.
* ``kiosk_sign_in_failures``: failed attempts per device (the rate limit).
* ``kiosk_offline_tokens``: the token a device got at an operator's last online sign-in; an
  offline sign-in proves the PIN or badge with it (see ``services/kiosk/kiosk_offline.py``).
* ``kiosk_secrets``: the plant's badge pepper.

docs/schema.md lists the columns and the reasons.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from leanops_desktop.db.models import NOW, Base
from leanops_desktop.db.types import GUID, UTCDateTime

METHODS = "method IN ('pin', 'badge')"


class KioskDevice(Base):
    """A kiosk PC enrolled for one station."""

    __tablename__ = "kiosk_devices"
    __table_args__ = (Index("ix_kiosk_devices_station_id", "station_id"),)

    login: Mapped[str] = mapped_column(Text, primary_key=True)
    station_id: Mapped[str] = mapped_column(Text, ForeignKey("stations.id"), nullable=False)
    secret_hash: Mapped[str | None] = mapped_column(Text)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)
    enrolled_by: Mapped[str] = mapped_column(Text, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(Text)


class OperatorCredential(Base):
    """An operator's PIN verifier and badge digest, failures in a row and lock."""

    __tablename__ = "operator_credentials"
    __table_args__ = (Index("ix_operator_credentials_badge_digest", "badge_digest", unique=True),)

    user_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("users.id"), primary_key=True)
    pin_hash: Mapped[str | None] = mapped_column(Text)
    badge_digest: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))
    failed_attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)
    updated_by: Mapped[str | None] = mapped_column(Text)


class KioskSignIn(Base):
    """One operator's sign-in at one kiosk."""

    __tablename__ = "kiosk_sign_ins"
    __table_args__ = (
        CheckConstraint(METHODS, name="method"),
        Index("ix_kiosk_sign_ins_device_email_signed_in_at", "device", "email", "signed_in_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    device: Mapped[str] = mapped_column(Text, ForeignKey("kiosk_devices.login"), nullable=False)
    station_id: Mapped[str] = mapped_column(Text, nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("users.id"), nullable=False)
    email: Mapped[str] = mapped_column(Text, nullable=False)
    method: Mapped[str] = mapped_column(Text, nullable=False)
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offline: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    verified: Mapped[bool] = mapped_column(Boolean, nullable=False)


class KioskSignInFailure(Base):
    """A failed sign-in attempt at a kiosk (the per-device rate limit counts them)."""

    __tablename__ = "kiosk_sign_in_failures"
    __table_args__ = (Index("ix_kiosk_sign_in_failures_device_at", "device", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    device: Mapped[str] = mapped_column(Text, nullable=False)
    email: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)


class KioskOfflineToken(Base):
    """The token a device holds (sealed by the operator's PIN or badge) for offline sign-in."""

    __tablename__ = "kiosk_offline_tokens"

    device: Mapped[str] = mapped_column(Text, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("users.id"), primary_key=True)
    method: Mapped[str] = mapped_column(Text, primary_key=True)
    token: Mapped[str] = mapped_column(Text, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)


class KioskSecret(Base):
    """Secrets of the plant the database keeps to itself (the badge pepper)."""

    __tablename__ = "kiosk_secrets"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


KIOSK_TABLES = (
    "kiosk_devices",
    "operator_credentials",
    "kiosk_sign_ins",
    "kiosk_sign_in_failures",
    "kiosk_offline_tokens",
    "kiosk_secrets",
)
