"""What the customer asked for, as far as an explanation needs to know it."""

from __future__ import annotations

from dataclasses import dataclass

from dispatch_core.domain import ClaimRequest


@dataclass(frozen=True)
class ExplainNeeds:
    """The customer's stated needs: a courtesy car, pick-up, a deadline in days, an authorized dealer.

    `authorized` is True (4S dealer wanted), False (prefers a non-dealer shop) or None (no preference).
    """

    courtesy_car: bool = False
    pickup: bool = False
    deadline_days: int | None = None
    authorized: bool | None = None

    def __post_init__(self) -> None:
        if self.deadline_days is not None and self.deadline_days < 0:
            raise ValueError(f"deadline_days must be >= 0 when given, got {self.deadline_days}.")

    @classmethod
    def from_request(cls, request: ClaimRequest) -> ExplainNeeds:
        """The needs of the request the recommendation was ranked for."""
        return cls(
            courtesy_car=bool(request.needs_courtesy_car),
            pickup=bool(request.needs_pickup),
            deadline_days=request.deadline_days,
            authorized=request.wants_authorized,
        )
