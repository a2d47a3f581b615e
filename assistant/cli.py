"""`rih`: the command line. Each sub-command is a thin shell over bootstrap-wired services."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from retrieval.errors import RetrievalError

EPILOG = """examples:
  rih catalog build --shops 110000          national network at full scale (about 20 s)
  rih catalog info
  rih search --city 上海 "能修特斯拉电池的店" -k 5
  rih search --lat 31.23 --lon 121.47 "BMW 4S dealer, cracked windshield"
  rih shop S000001
  rih extract "我的宝马在上海被追尾了，想去4S店，5公里以内"
  rih chat
  rih simulate --config simulator/configs/default.toml --out runs/default
  rih eval --k 4 --out var/eval
  rih serve --port 8000
settings come from RIH_* environment variables (see README)."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except (RetrievalError, ValueError) as error:  # entrypoint: a clear one-line message, no stack trace
        print(f"rih: error: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rih",
        description="Resource Intelligence Hub: steer motor claims to partner repair shops.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(title="commands")

    catalog = sub.add_parser("catalog", help="build or inspect the partner-shop catalog")
    catalog_sub = catalog.add_subparsers(title="catalog commands")
    build = catalog_sub.add_parser("build", help="generate a seeded national shop network into SQLite")
    build.add_argument(
        "--shops", type=int, default=None, help="number of shops (default: RIH_CATALOG_SHOPS, 5000)"
    )
    build.add_argument("--seed", type=int, default=None, help="random seed (default: RIH_CATALOG_SEED, 7)")
    build.add_argument(
        "--out", type=Path, default=None, help="SQLite file (default: RIH_DATA_DIR/catalog.sqlite)"
    )
    build.set_defaults(run=_catalog_build)
    info = catalog_sub.add_parser("info", help="print the stored catalog's metadata and make-up")
    info.set_defaults(run=_catalog_info)

    search = sub.add_parser("search", help="retrieve candidate shops for a need near a place")
    search.add_argument("text", help="the need in English or Chinese, e.g. '能修特斯拉电池的店'")
    where = search.add_mutually_exclusive_group(required=True)
    where.add_argument("--city", help="city name in English or Chinese")
    where.add_argument("--lat", type=float, help="latitude (use with --lon)")
    search.add_argument("--lon", type=float, help="longitude (use with --lat)")
    search.add_argument("-k", type=int, default=10, help="how many candidates (default 10)")
    search.add_argument("--max-km", type=float, default=None, help="drop shops farther than this")
    search.set_defaults(run=_search)

    shop = sub.add_parser("shop", help="print one shop as JSON")
    shop.add_argument("shop_id")
    shop.set_defaults(run=_shop)

    from assistant.chat_cli import add_chat_command
    from assistant.extraction_cli import add_extract_command
    from evals.cli import add_eval_command

    add_extract_command(sub)
    add_chat_command(sub)
    _add_simulate(sub)
    add_eval_command(sub)

    serve = sub.add_parser("serve", help="start the HTTP service on the embedded defaults")
    serve.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.set_defaults(run=_serve)
    return parser


def _add_simulate(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    try:
        from simulator.cli import add_simulate_command
    except ImportError:  # the simulator package is optional at import time only while it is being built
        return
    add_simulate_command(sub)


def _progress_bar(total: int, label: str):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="shop", unit_scale=True, file=sys.stderr)


def _catalog_build(args: argparse.Namespace) -> int:
    from assistant.bootstrap import build_catalog
    from retrieval.catalog.store import SqliteCatalogStore
    from retrieval.index import GeoIndex

    settings = Settings()
    n_shops = args.shops or settings.catalog_shops
    seed = settings.catalog_seed if args.seed is None else args.seed
    store = SqliteCatalogStore(args.out or settings.catalog_path)
    started = time.perf_counter()
    with _progress_bar(n_shops, "generating") as bar:
        table = build_catalog(store, n_shops, seed, progress=bar.update)
    index_dir = (args.out.parent / "index") if args.out else settings.index_dir
    GeoIndex.build(table).save(index_dir)
    print(
        f"built {len(table):,} shops (seed {seed}) into {store.path} and index {index_dir} "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


def _catalog_info(args: argparse.Namespace) -> int:
    from collections import Counter

    from retrieval.catalog.store import SqliteCatalogStore
    from retrieval.catalog.vocabulary import SHOP_TYPE_NAMES

    store = SqliteCatalogStore(Settings().catalog_path)
    table = store.load()
    types = Counter(SHOP_TYPE_NAMES[t] for t in table["shop_type"])
    cities = Counter(table["city"]).most_common(5)
    print(
        json.dumps(
            {
                **store.meta(),
                "shop_types": types,
                "top_cities": cities,
                "new_shops": int(table.is_new().sum()),
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0


def _search(args: argparse.Namespace) -> int:
    from assistant.bootstrap import bootstrap

    retriever = bootstrap().retriever
    if args.city:
        found = retriever.search_city(args.city, k=args.k, text=args.text, max_km=args.max_km)
    else:
        if args.lon is None:
            raise ValueError("--lat needs --lon too.")
        found = retriever.search(args.lat, args.lon, k=args.k, text=args.text, max_km=args.max_km)
    needs = found.needs
    print(
        f"needs: capabilities={list(needs.capabilities)} make={needs.make} "
        f"authorized_only={needs.authorized_only}"
    )
    for row, shop_id, km, cov in zip(
        found.rows, found.shop_ids, found.distance_km, found.coverage, strict=True
    ):
        t = retriever.table
        print(f"{shop_id}  {km:6.1f} km  cover {cov:.2f}  {t['name_zh'][row]}  ({t['name_en'][row]})")
    return 0


def _shop(args: argparse.Namespace) -> int:
    from retrieval.catalog.store import SqliteCatalogStore

    table = SqliteCatalogStore(Settings().catalog_path).load()
    print(json.dumps(asdict(table.shop(args.shop_id)), ensure_ascii=False, indent=2))
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from assistant.api.app import create_app
    from assistant.bootstrap import bootstrap, ensure_catalog
    from assistant.dev_keys import ensure_dev_keys
    from assistant.observability import configure_logging, register_secret

    settings, keys_file = ensure_dev_keys(Settings())
    configure_logging(settings.log_level)
    for key in (settings.agent_key, settings.ops_key, settings.llm_api_key):
        register_secret(key)  # masked verbatim wherever it would appear in a log line
    if not settings.catalog_path.exists():
        with _progress_bar(settings.catalog_shops, "building default catalog") as bar:
            ensure_catalog(settings, progress=bar.update)
    container = bootstrap(settings)
    app = create_app(container)
    _settle_heap(container)
    host, port = args.host or settings.host, args.port or settings.port
    print(
        f"rih: serving on http://{host}:{port}  (chat /chat, agent console /agent, dashboard /ops, API /docs)"
    )
    if keys_file is not None:
        print(f"rih: development API keys for the agent and ops roles are in {keys_file} (owner-only)")
    # Our middleware writes the (redacted, JSON) access log; uvicorn's own plain-text config stays off.
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, log_config=None)
    return 0


FULL_COLLECTION_EVERY = 1_000  # young (generation 1) collections per full one; Python's default is 10


def _settle_heap(container: Any) -> None:
    """Build the lazily wired services now, then move everything alive into the collector's permanent
    generation: the catalog, models and modules (~230,000 objects) are never garbage, yet each full
    collection would walk them all, a pause of ~100 ms on this machine in the middle of requests."""
    import gc

    for service in ("dispatch", "conversation", "capacity_feed"):
        getattr(container, service)
    container.decision_writer.start()
    if container.ranker is not None:
        container.ranker.start()
    gc.collect()
    gc.freeze()
    # What builds up after the freeze (decoded shops of the display cache, ~40,000 objects once warm) made
    # each full collection a 17-30 ms pause that freed next to nothing (13 objects, measured under load),
    # every few seconds. A full collection now waits for 1,000 younger ones instead of 10 (at most one per
    # 20-s run at 300 requests/s, measured), while the young collections still find cyclic garbage first.
    threshold0, threshold1, _ = gc.get_threshold()
    gc.set_threshold(threshold0, threshold1, FULL_COLLECTION_EVERY)


if __name__ == "__main__":
    sys.exit(main())
