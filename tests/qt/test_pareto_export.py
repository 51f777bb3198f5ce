"""The Pareto of blocked time exports as CSV by reason (with each reason's category in the
reason tree) or by category (with the reasons it holds), on both backends; the tree is read
with the view's load, off the GUI thread."""

from __future__ import annotations

import csv
from pathlib import Path

from pytestqt.qtbot import QtBot

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.performance.performance_view import PerformanceView
from leanops_desktop.services.quality.pareto_csv import BY_CATEGORY_HEADER, BY_REASON_HEADER
from tests.qt.test_performance_view import (  # noqa: F401
    LOAD_TIMEOUT_MS,
    NOW,
    plant,
    view,
)

BLOCKED = [("material", 3600.0), ("quality", 600.0), ("robot fault", 1200.0)]


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _with_tree(view: PerformanceView, qtbot: QtBot) -> None:  # noqa: F811
    assert view.panels is not None
    pareto = view.panels.pareto
    qtbot.waitUntil(lambda: "material" in pareto.categories, timeout=LOAD_TIMEOUT_MS)
    pareto.set_reasons(BLOCKED)


def test_by_reason_each_reason_has_its_category(
    view: PerformanceView,  # noqa: F811
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    _with_tree(view, qtbot)
    view.export_pareto_csv(tmp_path / "reasons.csv", by_category=False)
    rows = _read(tmp_path / "reasons.csv")
    assert rows[0] == BY_REASON_HEADER
    assert rows[1:] == [
        ["material", "no work", "1.000", "0.6667", "0.6667"],
        ["robot fault", "unexplained", "0.333", "0.2222", "0.8889"],
        ["quality", "quality", "0.167", "0.1111", "1.0000"],
    ]


def test_by_category_each_category_lists_its_reasons(
    view: PerformanceView,  # noqa: F811
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    _with_tree(view, qtbot)
    view.export_pareto_csv(tmp_path / "categories.csv", by_category=True)
    rows = _read(tmp_path / "categories.csv")
    assert rows[0] == BY_CATEGORY_HEADER
    assert [(row[0], row[1], row[4]) for row in rows[1:]] == [
        ("no work", "1.000", "material"),
        ("unexplained", "0.333", "robot fault"),
        ("quality", "0.167", "quality"),
    ]
    assert rows[-1][3] == "1.0000"


def test_the_export_menu_offers_both_and_only_to_roles_that_may_export(
    plant: Database,  # noqa: F811
    qtbot: QtBot,
    runner: DbRunner,
    view: PerformanceView,  # noqa: F811
) -> None:
    assert view.panels is not None
    pareto = view.panels.pareto
    assert pareto.export_button.isEnabled()
    chosen: list[bool] = []
    pareto.export_requested.disconnect()  # not the view's file dialog here
    pareto.export_requested.connect(chosen.append)
    pareto.export_by_category.trigger()
    pareto.export_by_reason.trigger()
    assert chosen == [True, False]
    operator = PerformanceView(
        plant,
        Actor(email="olga@plant.test", role=Role.OPERATOR),
        SiteConfig(),
        clock=lambda: NOW,
        runner=runner,
    )
    qtbot.addWidget(operator)
    panels = operator.ensure_plots()
    assert not panels.pareto.export_button.isEnabled()
