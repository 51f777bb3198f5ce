"""Andon: alerts for supervisors when the floor needs a hand (Qt-free, with a given clock)."""
