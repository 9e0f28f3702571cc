"""Rules for move changes (filled in by the change-engine work)."""
