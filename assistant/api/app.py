"""FastAPI application factory: `create_app(container)`; no app is built at import time."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request

from assistant.api.dispatch_routes import router as dispatch_router
from assistant.api.errors import install_error_handlers
from assistant.api.extract_route import router as extract_router
from assistant.api.schemas import CandidateOut, CandidatesOut, Health, NeedsOut
from assistant.api.sessions_routes import router as sessions_router
from assistant.bootstrap import Container
from retrieval.catalog.vocabulary import MAKE_NAMES, SHOP_TYPE_NAMES, bits_to_names
from retrieval.errors import InvalidQueryError


def create_app(container: Container) -> FastAPI:
    app = FastAPI(
        title="Resource Intelligence Hub",
        version="0.1.0",
        description="Steers motor-insurance claims to partner repair shops.",
    )
    app.state.container = container
    install_error_handlers(app)
    app.include_router(extract_router)
    app.include_router(sessions_router)
    app.include_router(dispatch_router)

    @app.get("/healthz", response_model=Health)
    def healthz() -> Health:
        return Health()

    @app.get("/v1/shops/{shop_id}")
    def shop(shop_id: str) -> dict[str, Any]:
        """The catalog entry of one shop."""
        return asdict(container.catalog.shop(shop_id))

    @app.get("/v1/candidates", response_model=CandidatesOut)
    def candidates(
        request: Request,
        text: Annotated[str, Query(max_length=500)],
        lat: float | None = None,
        lon: float | None = None,
        city: str | None = None,
        k: int = 10,
        max_km: float | None = None,
    ) -> CandidatesOut:
        """Retrieval only: the nearest shops able to meet the need in `text` (English or Chinese)."""
        retriever = container.retriever
        if city is not None:
            found = retriever.search_city(city, k=k, text=text, max_km=max_km)
        elif lat is not None and lon is not None:
            found = retriever.search(lat, lon, k=k, text=text, max_km=max_km)
        else:
            raise InvalidQueryError("Give either `city` or both `lat` and `lon`.")
        t = container.catalog
        out = [
            CandidateOut(
                shop_id=str(t["shop_id"][r]),
                name=str(t["name_en"][r]),
                name_zh=str(t["name_zh"][r]),
                distance_km=round(float(d), 3),
                coverage=float(c),
                shop_type=SHOP_TYPE_NAMES[int(t["shop_type"][r])],
                authorized_makes=bits_to_names(int(t["authorized_makes"][r]), MAKE_NAMES),
                rating=round(float(t["rating"][r]), 2),
            )
            for r, d, c in zip(found.rows, found.distance_km, found.coverage, strict=True)
        ]
        n = found.needs
        return CandidatesOut(
            needs=NeedsOut(capabilities=list(n.capabilities), make=n.make, authorized_only=n.authorized_only),
            candidates=out,
        )

    return app
