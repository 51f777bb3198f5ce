"""Automatic stops: quiet stations get an "unexplained stop" that people classify later."""
