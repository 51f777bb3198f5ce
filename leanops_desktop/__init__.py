"""LeanOps Desktop: a lightweight manufacturing execution system for small and mid-size plants."""

__all__ = ["APP_NAME", "__version__"]

__version__ = "0.1.0"
APP_NAME = "LeanOps"
