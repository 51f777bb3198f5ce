"""``python -m leanops_desktop`` runs the same command line as ``leanops``."""

from leanops_desktop.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
