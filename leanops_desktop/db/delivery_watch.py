"""Whether PostgreSQL notifications reach this seat, judged from what its listener sees.

Notifications need one server session that stays this client's own. A transaction-mode
pooler (PgBouncer ``pool_mode = transaction``) hands the listener's LISTEN to whichever server
connection is free and takes it back after the statement; a read replica refuses LISTEN
outright. The window then hears nothing, while the feed keeps growing.

:class:`DeliveryWatch` notices either way:

* LISTEN itself failed: the feed is read on a timer at once; LISTEN is tried again every
  ``relisten_interval`` seconds;
* the heartbeat (the feed's newest sequence, asked every few hundred milliseconds) saw the
  feed grow with no notification since the growth it saw before, ``strikes_to_timer`` times
  in a row. One such growth alone proves nothing: the server notifies at most once per 10 ms
  (migration 0007), and a notification may cross a heartbeat answer on the wire.

In timer mode the feed is read every ``poll_interval`` seconds. A notification that arrives
while no heartbeat is on the wire (so not one a pooler passed along with the heartbeat's
answer) shows that notifications arrive again, and the watch switches back. The decisions
take the time as an argument: tests drive them with a clock of their own. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Other seats' changes arrive by PostgreSQL notifications.
NOTIFICATIONS = "notifications"
#: No notifications arrive: the feed is read every ``poll_interval`` seconds.
TIMER = "timer"

GREW_UNANNOUNCED = "the feed grew without a notification"


@dataclass
class DeliveryWatch:
    """How other seats' changes reach this one: :data:`NOTIFICATIONS` or :data:`TIMER`."""

    poll_interval: float = 1.0
    strikes_to_timer: int = 2
    relisten_interval: float = 30.0

    mode: str = NOTIFICATIONS
    #: Why the watch is in timer mode (empty in notification mode).
    reason: str = ""

    def __post_init__(self) -> None:
        self._newest: int | None = None  # the feed's newest sequence at the last heartbeat
        self._heard = False  # a notification arrived since the last growth the heartbeat saw
        self._strikes = 0
        self._listening = True
        self._relisten_at: float | None = None

    @property
    def listening(self) -> bool:
        """False while LISTEN has failed on the current connection (tried again later)."""
        return self._listening

    def connected(self) -> None:
        """A new listener connection: its first heartbeat sets the baseline again."""
        self._newest = None
        self._heard = False
        self._strikes = 0

    def notified(self, *, idle: bool) -> bool:
        """Notifications arrived (``idle``: with no heartbeat on the wire). True when the
        mode changed.

        Only idle ones count. Through a transaction-mode pooler a notification can ride along
        with the heartbeat's answer (from a server connection some listener once ran LISTEN
        on); counting it would keep clearing the strikes. On a direct connection a
        notification rarely crosses a heartbeat (a millisecond in 400), and it takes two
        strikes in a row to switch."""
        if not idle:
            return False
        self._heard = True
        self._strikes = 0
        if self.mode == TIMER and self._listening:
            return self._switch(NOTIFICATIONS, "")
        return False

    def heartbeat(self, newest: int) -> bool:
        """The heartbeat's answer: the feed's newest sequence. True when the mode changed."""
        grew = self._newest is not None and newest > self._newest
        self._newest = newest
        if not grew:
            return False
        if self._heard:
            self._heard = False
            self._strikes = 0
            return False
        self._strikes += 1
        if self._strikes >= self.strikes_to_timer:
            return self._switch(TIMER, GREW_UNANNOUNCED)
        return False

    def listen_failed(self, reason: str, now: float) -> bool:
        """LISTEN was refused (``reason``); try again ``relisten_interval`` from ``now``.
        True when the mode changed."""
        self._listening = False
        self._relisten_at = now + self.relisten_interval
        return self._switch(TIMER, f"the database refused LISTEN: {reason}")

    def listen_succeeded(self) -> None:
        """LISTEN was accepted again: a notification that arrives idle switches back."""
        self._listening = True
        self._relisten_at = None

    def relisten_due(self, now: float) -> bool:
        """Whether to try LISTEN again now (then :meth:`listen_failed` or
        :meth:`listen_succeeded` follows)."""
        if self._relisten_at is None or now < self._relisten_at:
            return False
        self._relisten_at = None
        return True

    def _switch(self, mode: str, reason: str) -> bool:
        self._strikes = 0
        self.reason = reason
        if mode == self.mode:
            return False
        self.mode = mode
        return True
