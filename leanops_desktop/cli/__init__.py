"""The ``leanops`` command line (``main.py``), one module per command group: ``db``,
``demo``, ``user`` and the windows (app, kiosk, screenshot); ``database.py`` finds and opens
the database a command names, ``failures.py`` turns a failure into one line and a status."""
