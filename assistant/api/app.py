"""FastAPI application factory: `create_app(container)`; no app is built at import time."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request

from assistant.api.capacity_routes import router as capacity_router
from assistant.api.console_routes import router as console_router
from assistant.api.dispatch_routes import router as dispatch_router
from assistant.api.errors import install_error_handlers
from assistant.api.express import install_express
from assistant.api.extract_route import router as extract_router
from assistant.api.middleware import install_observability
from assistant.api.schemas import CandidateOut, CandidatesOut, Health, NeedsOut
from assistant.api.sessions_routes import router as sessions_router
from assistant.bootstrap import Container
from assistant.capacity_feed import live_capacity
from assistant.web.pages import install_web
from retrieval.catalog.vocabulary import MAKE_NAMES, SHOP_TYPE_NAMES, bits_to_names
from retrieval.errors import InvalidQueryError


def create_app(container: Container) -> FastAPI:
    app = FastAPI(
        title="Resource Intelligence Hub",
        version="0.1.0",
        description="Steers motor-insurance claims to partner repair shops. Customer routes need no key "
        "(the session id is the capability); agent and operations routes take `Authorization: Bearer KEY`.",
        lifespan=_lifespan(container),
    )
    app.state.container = container
    install_error_handlers(app)
    for router in (extract_router, sessions_router, dispatch_router, capacity_router, console_router):
        app.include_router(router)
    install_web(app)
    install_express(app, container)
    limits = {"/v1/capacity/events": container.settings.max_capacity_body_bytes}
    install_observability(app, container.settings, container.metrics, body_limits=limits)

    @app.get("/healthz", response_model=Health)
    async def healthz() -> Health:  # async: a plain def would cost a thread-pool hop per probe
        return Health()

    @app.get("/v1/shops/{shop_id}")
    def shop(shop_id: str) -> dict[str, Any]:
        """The catalog entry of one shop with its live capacity."""
        entry = asdict(container.catalog.shop(shop_id))
        with container.dispatch_lock:
            capacity = live_capacity(container.dispatcher.capacity, shop_id, time.time())
        return {**entry, "capacity": capacity}

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


def _lifespan(container: Container) -> Any:
    """Start the Redis Stream consumer with the server (when `RIH_REDIS_URL` is set); at the end stop it and
    drain the decision writer."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        settings, consumer = container.settings, None
        if settings.redis_url:
            from assistant.adapters.redis_stream import RedisCapacityConsumer

            consumer = RedisCapacityConsumer(
                settings.redis_url,
                container.capacity_feed,
                stream=settings.redis_stream,
                group=settings.redis_group,
                consumer=settings.redis_consumer,
            )
            consumer.start()
        try:
            yield
        finally:
            if consumer is not None:
                consumer.stop()
            container.decision_writer.close()  # commits what is queued before the process ends
            if container.ranker is not None:
                container.ranker.close()

    return lifespan
