"""The composition root's parts: each builds one kind of window (or file) from the
configuration, the database and the services, for :mod:`leanops_desktop.app`.

:mod:`.main_window` signs in and opens the supervisor's window, :mod:`.kiosk` the station
kiosk with its outbox, :mod:`.files` the exports and screenshots made without a window.
"""
