"""Rules for general changes (filled in by the change-engine work)."""
