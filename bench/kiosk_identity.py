"""The kiosk bench's two identities, and the before/after table comparing them.

* ``operator-login``: every kiosk connects as one operator's own database login (the old
  way: an operator's password on the kiosk PC); the kiosks of a worker process share one
  connection pool.
* ``device``: every kiosk is an enrolled device (``leanops kiosk enroll``): its own LOGIN
  role bound to its station, its own connection, and the tapping operator signed in at it
  by PIN, so the server checks for each report that the device is on its station and that
  the operator named has a sign-in covering the tap (``leanops_device_sign_in``).

Server CPU per report is the cluster's processes' user+system time from
``/proc/<pid>/stat`` over the measured window (``bench/kiosk_cpu.py``), divided by the
reports committed in it; client CPU the bench's worker processes' own.
"""

from __future__ import annotations

from typing import Any

from bench.kiosk_phases import TAPPER, station_of
from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import open_database
from leanops_desktop.services.kiosk import kiosk_devices, operator_credentials, operator_sign_in
from leanops_desktop.services.kiosk.operator_credentials import Method

IDENTITIES = ("operator-login", "device")
#: Phases that run as either identity (the others call the operator's functions directly).
DEVICE_PHASES = ("plant", "target", "max", "wire")
TAPPER_PIN = "246810"


def enrol_devices(url: str, admin: Actor, kiosks: int) -> dict[int, tuple[str, str]]:
    """Enrol a kiosk for each station and sign the tapping operator in at each by PIN;
    returns kiosk index -> (the device's database URL with its password, its login)."""
    db = open_database(url)
    devices: dict[int, tuple[str, str]] = {}
    try:
        with db.session() as session:
            operator_credentials.set_pin(session, admin, TAPPER.email, TAPPER_PIN)
        for index in range(kiosks):
            station, _job = station_of(index)
            with db.session() as session:
                enrolment = kiosk_devices.enrol_kiosk(session, admin, station)
            device = kiosk_devices.open_device(enrolment)
            try:
                signed = operator_sign_in.sign_in(device, Method.PIN, TAPPER_PIN, TAPPER.email)
            finally:
                device.close()
            if not signed.ok:
                raise SystemExit(f"the tapper could not sign in at {station}: {signed.status}")
            login_url = enrolment.url().render_as_string(hide_password=False)
            devices[index] = (login_url, enrolment.login)
    finally:
        db.dispose()
    return devices


def print_identities(results: list[dict[str, Any]]) -> None:
    """Before (operator-login) and after (device), phase by phase."""
    if not results:
        return
    print()
    print("Identity of the kiosks: before = operator login, after = enrolled device")
    print(
        f"{'phase':8} {'identity':15} {'offered/s':>9} {'committed/s':>11} {'p99 ms':>7}"
        f" {'client CPU ms/report':>21} {'server CPU ms/report':>21} {'busy':>5}"
    )
    for r in results:
        offered = f"{r['offered']:.0f}" if r["offered"] else "closed"
        if r["late"]:
            print(f"WARNING: a worker was not ready when {r['mode']} started: not valid")
        print(
            f"{r['mode']:8} {r['identity']:15} {offered:>9} {r['rate']:11.0f} {r['p99']:7.1f}"
            f" {r['client_ms']:21.3f} {r['server_ms']:21.3f} {r['busy']:5.0%}"
        )
    by_phase: dict[str, dict[str, dict[str, Any]]] = {}
    for r in results:
        by_phase.setdefault(r["mode"], {})[r["identity"]] = r
    for mode, pair in by_phase.items():
        before, after = pair.get("operator-login"), pair.get("device")
        if before is None or after is None:
            continue
        print(
            f"{mode}: device / operator login = {ratio(after['rate'], before['rate'])} reports/s,"
            f" {ratio(after['client_ms'], before['client_ms'])} client CPU,"
            f" {ratio(after['server_ms'], before['server_ms'])} server CPU per report"
        )


def ratio(after: float, before: float) -> str:
    return f"x{after / before:.2f}" if before and before == before and after == after else "-"
