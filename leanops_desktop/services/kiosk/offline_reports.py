"""Before a kiosk sends its outbox after an outage: the server checks the offline sign-ins
first, and the reports of a refused one are refused in the outbox with the server's reason.

The kiosk passes :func:`settle_offline_sign_ins` as the sender's ``prepare``::

    sender = ReportSender(outbox, device.db, device.actor,
                          prepare=lambda: settle_offline_sign_ins(cache, device, outbox))

Without it the server still refuses those reports (no confirmed sign-in covers their tap),
but only with "has no sign-in at this kiosk at the time of the tap"; with it the operator
and the supervisor read why: e.g. "the offline sign-in of x@plant at 14:02 was refused by
the server: not an active user of this plant" for an operator disabled during the outage.
The refused items stay in the outbox (the kiosk shows them) and the sender tells the
supervisor of them (``qty_report_refused`` events), as for any refused report.
"""

from __future__ import annotations

from datetime import datetime

from leanops_desktop.db.outbox import Outbox
from leanops_desktop.db.outbox_items import OutboxItem, RefusalCode
from leanops_desktop.services.kiosk.kiosk_devices import DeviceSession
from leanops_desktop.services.kiosk.kiosk_offline import OfflineSignInCache, PendingSignIn
from leanops_desktop.services.kiosk.operator_sign_in import SignInStatus

__all__ = ["refusal_reason", "settle_offline_sign_ins"]

Answer = tuple[PendingSignIn, SignInStatus, str]


def refusal_reason(sign_in: PendingSignIn, message: str) -> str:
    """What the outbox keeps for a report made under a refused offline sign-in."""
    at = sign_in.signed_in_at.astimezone()
    why = message or "refused"
    return (
        f"not counted: the offline sign-in of {sign_in.email} at {at:%Y-%m-%d %H:%M} was"
        f" refused by the server: {why}"
    )


def _made_under(item: OutboxItem, sign_in: PendingSignIn) -> bool:
    """The item was tapped by that operator while that sign-in lasted."""
    tapped: datetime = item.created_at
    return (
        item.operator == sign_in.email
        and tapped >= sign_in.signed_in_at
        and (sign_in.ended_at is None or tapped <= sign_in.ended_at)
    )


def settle_offline_sign_ins(
    cache: OfflineSignInCache, device: DeviceSession, outbox: Outbox
) -> list[Answer]:
    """Register the pending offline sign-ins (and sign-outs) with the server; refuse, in the
    outbox, the pending items made under each sign-in it refused. Returns the server's
    answers. Raises on no connection (nothing was changed that is not safe to repeat)."""
    answers = cache.register_pending(device)
    refused = [
        (sign_in, message) for sign_in, status, message in answers if status != SignInStatus.OK
    ]
    if not refused:
        return answers
    for item in outbox.pending():
        for sign_in, message in refused:
            if _made_under(item, sign_in):
                outbox.mark_refused(
                    item.id, RefusalCode.PERMISSION, refusal_reason(sign_in, message)
                )
                break
    return answers
