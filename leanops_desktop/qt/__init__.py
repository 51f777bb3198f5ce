"""The Qt user interface: main window, docks, dialogs, plant overview, kiosk.

Only this package (and the entry points) imports PySide6. Widgets read through
``leanops_desktop.services.reads.queries`` and change things only through the services.
"""
