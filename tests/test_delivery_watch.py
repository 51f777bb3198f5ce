"""DeliveryWatch: when a seat stops waiting for notifications and reads the feed on a timer."""

from __future__ import annotations

from leanops_desktop.db.delivery_watch import (
    GREW_UNANNOUNCED,
    NOTIFICATIONS,
    TIMER,
    DeliveryWatch,
)


def test_growth_without_notification_twice_in_a_row_switches_to_the_timer() -> None:
    watch = DeliveryWatch()
    assert not watch.heartbeat(10)  # the baseline
    assert not watch.heartbeat(12)  # once proves nothing (the 10 ms notification throttle)
    assert watch.mode == NOTIFICATIONS
    assert not watch.heartbeat(12)  # no growth: neither a strike nor a pardon
    assert watch.heartbeat(13)
    assert (watch.mode, watch.reason) == (TIMER, GREW_UNANNOUNCED)


def test_a_notification_between_two_growths_keeps_notifications() -> None:
    watch = DeliveryWatch()
    watch.heartbeat(1)
    for newest in range(2, 30):
        if newest % 3:  # now and then a growth has no notification (never twice in a row)
            watch.notified(idle=True)
        assert not watch.heartbeat(newest)
    assert watch.mode == NOTIFICATIONS


def test_only_a_notification_the_server_pushed_switches_back() -> None:
    watch = DeliveryWatch()
    for newest in (1, 2, 3):
        watch.heartbeat(newest)
    assert watch.mode == TIMER
    # Through a transaction-mode pooler a stale LISTEN's notification can ride along with
    # the heartbeat's answer: that is no sign that notifications reach this seat.
    assert not watch.notified(idle=False)
    assert watch.mode == TIMER
    assert watch.notified(idle=True)
    assert (watch.mode, watch.reason) == (NOTIFICATIONS, "")


def test_a_new_connection_sets_a_new_baseline() -> None:
    watch = DeliveryWatch()
    watch.heartbeat(5)
    watch.heartbeat(6)
    watch.connected()
    assert not watch.heartbeat(900)  # the first answer on the new connection: a baseline
    assert watch.mode == NOTIFICATIONS
    assert watch.heartbeat(901) is False and not watch.heartbeat(901)
    assert watch.heartbeat(902)


def test_refused_listen_reads_on_the_timer_and_is_tried_again_on_the_clock() -> None:
    watch = DeliveryWatch(relisten_interval=30.0)
    assert watch.listen_failed("cannot execute LISTEN during recovery", now=100.0)
    assert watch.mode == TIMER and "refused LISTEN" in watch.reason
    assert not watch.listening
    assert not watch.relisten_due(129.9)
    # Notifications cannot be real while LISTEN is refused.
    assert not watch.notified(idle=True)
    assert watch.relisten_due(130.0)
    assert not watch.relisten_due(130.5)  # asked once; the answer decides what follows
    assert not watch.listen_failed("still in recovery", now=130.5)  # already on the timer
    assert not watch.relisten_due(160.4)
    assert watch.relisten_due(160.5)
    watch.listen_succeeded()
    assert watch.listening and watch.mode == TIMER  # until a notification proves it
    assert not watch.relisten_due(1000.0)
    assert watch.notified(idle=True)
    assert watch.mode == NOTIFICATIONS


def test_notifications_riding_along_with_the_heartbeat_do_not_clear_the_strikes() -> None:
    watch = DeliveryWatch()
    watch.heartbeat(1)
    watch.notified(idle=False)  # a pooler passed a stale LISTEN's notification along
    watch.heartbeat(2)
    watch.notified(idle=False)
    assert watch.heartbeat(3)
    assert watch.mode == TIMER
