"""PerformancePanels: the tabs holding the four plots (this module imports pyqtgraph)."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QWidget

from leanops_desktop.qt.performance.job_progress_plot import JobProgressPlot
from leanops_desktop.qt.performance.job_risk_table import JobRiskTable
from leanops_desktop.qt.performance.oee_panel import OeePanel
from leanops_desktop.qt.performance.pareto_plot import ParetoPlot
from leanops_desktop.qt.performance.status_timeline_plot import StatusTimelinePlot
from leanops_desktop.qt.performance.throughput_plot import ThroughputPlot

THROUGHPUT, JOB_PROGRESS, TIMELINE, PARETO = "throughput", "job_progress", "timeline", "pareto"
OEE = "oee"
TAB_TITLES = {
    THROUGHPUT: "Throughput",
    JOB_PROGRESS: "Job progress",
    TIMELINE: "Status timeline",
    PARETO: "Blocked time (Pareto)",
    OEE: "OEE",
}


class PerformancePanels(QTabWidget):
    """Throughput, job progress (with the jobs-at-risk table), status timeline, Pareto."""

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.throughput = ThroughputPlot(tz, self)
        self.job_progress = JobProgressPlot(tz, self)
        self.risk_table = JobRiskTable(tz, self)
        self.timeline = StatusTimelinePlot(tz, self)
        self.pareto = ParetoPlot(self)
        self.oee = OeePanel(self)
        jobs = QSplitter(Qt.Orientation.Horizontal, self)
        jobs.addWidget(self.job_progress)
        jobs.addWidget(self.risk_table)
        jobs.setStretchFactor(0, 3)
        jobs.setStretchFactor(1, 2)
        jobs.setSizes([600, 480])
        self._pages: dict[str, QWidget] = {
            THROUGHPUT: self.throughput,
            JOB_PROGRESS: jobs,
            TIMELINE: self.timeline,
            PARETO: self.pareto,
            OEE: self.oee,
        }
        for key, page in self._pages.items():
            page.setObjectName(f"performance_{key}")
            self.addTab(page, TAB_TITLES[key])

    def current_key(self) -> str:
        return list(self._pages)[self.currentIndex()]

    def show_tab(self, key: str) -> None:
        self.setCurrentIndex(list(self._pages).index(key))

    def plot_widget(self, key: str) -> QWidget:
        """The plot of a tab (what a PNG export shows; the OEE tab's table)."""
        plots: dict[str, QWidget] = {
            THROUGHPUT: self.throughput.plot,
            JOB_PROGRESS: self.job_progress.plot,
            TIMELINE: self.timeline.plot,
            PARETO: self.pareto.plot,
            OEE: self.oee,
        }
        return plots[key]
