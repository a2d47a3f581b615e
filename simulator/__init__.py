"""Market simulator: replays claims against a shop network to compare dispatch policies (issue 4)."""
