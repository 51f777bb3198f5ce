"""The station kiosk: a touch-first, full-screen screen for operators wearing gloves.

Reports go to a local outbox first (``db.outbox``) and are sent in order by
``services.reporting.report_sender`` off the GUI thread, so the kiosk keeps counting while the
database is away. Entry point: :func:`leanops_desktop.app.run_kiosk`.
"""
