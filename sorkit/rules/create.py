"""Rules for create changes (filled in by the change-engine work)."""
