"""The kiosk's credential file holds the device's own login, never the enrolling admin's
credentials, even when the admin's URL carried them as libpq options."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database, normalize_url
from leanops_desktop.services.accounts import users
from leanops_desktop.services.accounts.auth import sign_in
from leanops_desktop.services.kiosk import kiosk_devices
from tests.factories import make_station
from tests.pg_server import admin_connect

ADMIN_PASSWORD = "Enrolling-admin-pw-9"


def test_the_enrol_file_never_holds_the_admins_credentials(
    db: Database, db_url: str, admin: Actor, tmp_path: Path
) -> None:
    email = f"enroller-{uuid.uuid4().hex[:6]}@plant.test"
    with db.session() as session:
        users.add_user(session, admin, email=email, role="admin", password=ADMIN_PASSWORD)
    make_station(db, admin, "ST-09")
    url = normalize_url(db_url)
    if db.backend == "postgresql":
        # libpq takes credentials from the query too: an admin's URL may carry them there.
        url = url.update_query_dict({"password": ADMIN_PASSWORD, "sslmode": "prefer"})
    signed = sign_in(url.render_as_string(hide_password=False), email, ADMIN_PASSWORD)
    try:
        with signed.db.session() as session:
            enrolment = kiosk_devices.enrol_kiosk(session, signed.actor, "ST-09")
    finally:
        signed.db.dispose()
    path = kiosk_devices.save_enrolment(enrolment, tmp_path)

    written = path.read_text(encoding="utf-8")
    assert email not in written and ADMIN_PASSWORD not in written
    server = normalize_url(db_url)
    if server.password:
        assert server.password not in written  # nor the test server's owner password
    stored = json.loads(written)
    assert set(stored) == {"login", "password", "station", "database"}
    assert stored["login"] != email and stored["password"] != ADMIN_PASSWORD
    target = normalize_url(stored["database"])
    assert target.username is None and target.password is None
    assert not {"user", "password", "passfile", "sslkey", "sslcert"} & set(target.query)
    if db.backend == "postgresql":
        assert target.query.get("sslmode") == "prefer"  # what is not a credential stays
        with admin_connect(db_url) as conn:
            row = conn.execute(
                "SELECT pg_has_role(%s, leanops_plant_role('admin'), 'MEMBER'),"
                " pg_has_role(%s, leanops_plant_role('device'), 'MEMBER')",
                (stored["login"], stored["login"]),
            ).fetchone()
        assert row == (False, True)  # a device login, not an admin
    # the file alone opens the kiosk's device session
    device = kiosk_devices.open_device(kiosk_devices.load_enrolment("ST-09", tmp_path))
    try:
        assert device.station_id == "ST-09"
    finally:
        device.close()


def test_a_file_written_with_the_admins_credentials_is_cleaned_when_read(
    tmp_path: Path,
) -> None:
    """Files written before: the enrolling admin's user and password in the URL."""
    leaked = "postgresql+psycopg://ada%40plant.test:Admin-pw-1234@db.plant.local:5432/leanops"
    old = kiosk_devices.Enrolment("leanops_kiosk_st_09_x", "device-secret", "ST-09", leaked)
    path = kiosk_devices.save_enrolment(old, tmp_path)
    assert "Admin-pw-1234" in path.read_text(encoding="utf-8")

    loaded = kiosk_devices.load_enrolment("ST-09", tmp_path)
    assert loaded.database == "postgresql+psycopg://db.plant.local:5432/leanops"
    assert loaded.login == old.login and loaded.password == old.password
    written = path.read_text(encoding="utf-8")
    assert "Admin-pw-1234" not in written and "ada" not in written
    assert loaded.url().username == old.login  # the device's own login is what connects
