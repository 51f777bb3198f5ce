"""Who is acting: passed to every service call."""

from __future__ import annotations

from dataclasses import dataclass

from leanops_desktop.core.enums import Role


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in user on whose behalf a service acts."""

    email: str
    role: Role
    user_id: str | None = None

    @classmethod
    def system(cls, name: str = "leanops-cli") -> Actor:
        """An admin actor for IT commands run with direct access to the database."""
        return cls(email=name, role=Role.ADMIN)
