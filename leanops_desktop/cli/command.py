"""What a command group hands the parser: the handler of each command and where it adds
its commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeAlias

from leanops_desktop.config import SiteConfig

#: A command: the parsed arguments and the site config in, the exit status out.
Handler = Callable[[argparse.Namespace, SiteConfig], int]

#: The ``COMMAND`` (or ``ACTION``) choices a command group adds its parsers to.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
