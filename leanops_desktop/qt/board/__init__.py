"""The production board: a full-screen, read-only view of the floor for a TV."""

from leanops_desktop.qt.board.board_controller import BoardController
from leanops_desktop.qt.board.board_view import BoardView

__all__ = ["BoardController", "BoardView"]
