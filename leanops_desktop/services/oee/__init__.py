"""OEE: availability × performance × quality, one formula (docs/oee.md)."""
