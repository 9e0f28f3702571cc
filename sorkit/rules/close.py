"""Rules for close changes (filled in by the change-engine work)."""
