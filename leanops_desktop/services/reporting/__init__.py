"""Counting what was made: quantity reports and corrections, their PostgreSQL calls, and the
kiosk's sender that delivers the reports of its local outbox over a kept connection."""
