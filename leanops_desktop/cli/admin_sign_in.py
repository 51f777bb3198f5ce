"""An admin signs in at a command that sets up this PC (``leanops kiosk enroll``, ``leanops
board enroll``): the e-mail from ``--admin`` or a prompt, the password from a prompt or
``--password-stdin``. The session is the admin's own, ended when the block ends."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from leanops_desktop.cli.database import checked_url, database_url
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor


@contextmanager
def admin_session(args: argparse.Namespace, config: SiteConfig) -> Iterator[tuple[Session, Actor]]:
    """A session of the admin who runs the command, and who they are."""
    from leanops_desktop.services.accounts import auth

    url = checked_url(database_url(args, config))
    email = args.admin or input("Admin email: ").strip()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password of {email}: ")
    signed = auth.sign_in(url, email, password)
    try:
        with signed.db.session() as session:
            yield session, signed.actor
    finally:
        signed.db.dispose()
