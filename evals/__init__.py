"""Evals: datasets (JSONL), scorers and gates, kept apart from unit tests."""
