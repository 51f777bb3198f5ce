"""The kiosk of an enrolled station: operators sign in by badge or PIN (``operator_page``),
supervisors who walk up by email and password, and an idle operator is warned before the
sign-out ("Still there? Tap anywhere")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

from leanops_desktop.core.actor import Actor
from leanops_desktop.qt.kiosk.idle_warning import IdleWarning
from leanops_desktop.qt.kiosk.kiosk_controller import KioskController
from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
from leanops_desktop.qt.kiosk.operator_page import OperatorSignInPage
from leanops_desktop.qt.kiosk.undo_banner import UNDO_MS
from leanops_desktop.qt.kiosk.widgets import big_button
from leanops_desktop.services.kiosk.operator_credentials import Method


class DeviceKioskWindow(KioskWindow):
    """A :class:`KioskWindow` whose controller works as the enrolled device."""

    def __init__(
        self,
        controller: KioskController,
        *,
        idle_ms: int | None = None,
        undo_ms: int = UNDO_MS,
    ) -> None:
        super().__init__(controller, idle_ms=idle_ms, undo_ms=undo_ms)
        link = controller.link
        assert link is not None, "attach_device first"
        self.operator_page = OperatorSignInPage(controller.station_id, self)
        self.stack.addWidget(self.operator_page)
        self.badge_button = big_button("Badge or PIN instead", "", self.sign_in_page)
        self.badge_button.clicked.connect(self._show_operator_page)
        sign_in_layout = self.sign_in_page.layout()
        if sign_in_layout is not None:
            sign_in_layout.addWidget(self.badge_button)
        page = self.operator_page
        page.badge_scanned.connect(lambda code: link.sign_in(Method.BADGE, code))
        page.pin_entered.connect(lambda email, pin: link.sign_in(Method.PIN, pin, email))
        page.password_requested.connect(self._show_password_page)
        link.operator_failed.connect(page.failed)
        self.idle_warning = IdleWarning(self.idle, self)
        controller.connection_changed.connect(lambda *_: self.header.connection_label.show())
        self._show_actor(controller.actor)
        self.header.set_connection(controller.online, "")
        self.header.connection_label.show()  # the device sends whoever is signed in

    def _show_operator_page(self) -> None:
        self.operator_page.reset()
        self.stack.setCurrentWidget(self.operator_page)
        self.setFocus()

    def _show_password_page(self) -> None:
        self.sign_in_page.reset()
        self.stack.setCurrentWidget(self.sign_in_page)
        self.sign_in_page.email.setFocus()

    def _show_actor(self, actor: Actor | None) -> None:
        super()._show_actor(actor)
        if not hasattr(self, "operator_page"):
            return  # still being built
        self.header.connection_label.show()
        if actor is None:
            self._show_operator_page()
        else:
            self.operator_page.reset()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.stack.currentWidget() is not self.operator_page:
            super().keyPressEvent(event)
            return
        quit_keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        if event.key() == Qt.Key.Key_Q and event.modifiers() == quit_keys:
            self.close()
            return
        self.operator_page.handle_key(event.key(), event.text())
