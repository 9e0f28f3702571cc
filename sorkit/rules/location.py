"""Rules for location changes (filled in by the change-engine work)."""
