"""Skills: pure rules (being written)."""
