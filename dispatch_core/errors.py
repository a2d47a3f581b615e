"""Errors raised by dispatch_core; mapped to HTTP in one place by the service layer."""


class DispatchError(Exception):
    """Base class of every error dispatch_core raises on purpose."""


class InvalidInputError(DispatchError, ValueError):
    """An argument has the wrong shape, range or type; the message says which and why."""


class UnknownArmError(DispatchError, KeyError):
    """A policy was asked about an arm (shop) it has never been given."""


class NoCandidatesError(DispatchError):
    """Every candidate was filtered out by a hard constraint."""
