"""Errors of the assistant's services; the API maps each to a status in one place (api/errors.py)."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every assistant error; messages are full sentences a client developer can act on."""


class UnknownDecisionError(AssistantError):
    """No decision with that id."""


class UnknownSessionError(AssistantError):
    """No session with that id (or the caller may not see it)."""


class InvalidFeedbackError(AssistantError):
    """Feedback about a shop the decision did not recommend, or an unknown outcome."""


class MissingInformationError(AssistantError):
    """Not enough information to recommend (no location, for one)."""
