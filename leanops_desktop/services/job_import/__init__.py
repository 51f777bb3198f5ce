"""Importing jobs from a CSV or XLSX file: reading, mapping, checking and writing, one module
each (Qt-free; the CLI's ``leanops jobs import`` and the window's import dialog use them)."""
