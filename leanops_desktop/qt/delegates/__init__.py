"""Item delegates of the floor tables."""

from leanops_desktop.qt.delegates.progress_delegate import ProgressBarDelegate, progress_label

__all__ = ["ProgressBarDelegate", "progress_label"]
