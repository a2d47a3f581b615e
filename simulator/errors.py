"""Errors the simulator raises on purpose; the CLI turns them into one-line messages and exit code 2."""

from __future__ import annotations


class SimulatorError(Exception):
    """Base class of every error the simulator raises on purpose."""


class InvalidConfigError(SimulatorError, ValueError):
    """A config file or override is unreadable, names an unknown key, or holds a value out of range."""
