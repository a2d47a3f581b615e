"""Write `report.json` (everything) and `report.md` (tables, charts, failing runs) for one eval run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.charts import dispatch_chart, extraction_chart, scenarios_chart

MAX_FAILURES_SHOWN = 25  # transcripts in the markdown; report.json holds every failing run


def write_report(report: dict[str, Any], gates: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """The JSON and markdown reports (and PNG charts) under `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    sets = report["sets"]
    charts = {}
    if "scenarios" in sets:
        charts["scenarios"] = scenarios_chart(sets["scenarios"], gates["scenarios"], out)
    if "extraction" in sets:
        charts["extraction"] = extraction_chart(sets["extraction"], out)
    if sets.get("dispatch", {}).get("status") == "ran":
        metrics = [
            *gates["dispatch"].get("lower_is_better", {}),
            *gates["dispatch"].get("higher_is_better", {}),
        ]
        charts["dispatch"] = dispatch_chart(sets["dispatch"], metrics, out)
    json_path, md_path = out / "report.json", out / "report.md"
    json_path.write_text(
        json.dumps({**report, "charts": charts}, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    md_path.write_text(markdown(report, charts), encoding="utf-8")
    return json_path, md_path


def markdown(report: dict[str, Any], charts: dict[str, str]) -> str:
    tags, sets = report["tags"], report["sets"]
    verdict = "PASSED" if report["passed"] else "FAILED"
    lines = [
        f"# Eval report: {verdict}",
        "",
        f"- revision `{tags['git_revision']}`, {tags['created_at']}, wall time {report['wall_time_s']:.1f} s",
        f"- backend **{tags['backend']}**, simulated user **{tags['user_simulator']}**, k = {tags['k']}",
        "- prompts: "
        + ", ".join(
            f"`{v}`" + ("" if n in tags["prompts_in_use"] else " (not used)")
            for n, v in tags["prompts"].items()
        ),
        f"- strategies: {_strategies(tags)}",
        "",
        "## Gates",
        "",
        "| set | gate | value | threshold | verdict | note |",
        "| --- | --- | ---: | ---: | --- | --- |",
    ]
    for g in report["gates"]:
        value = "-" if g["value"] is None else f"{g['value']:.4f}"
        lines.append(
            f"| {g['set']} | {g['name']} | {value} | {g['op']} {g['threshold']:g} | "
            f"{g['verdict'].upper()} | {g['note']} |"
        )
    if "scenarios" in sets:
        lines += _scenarios(sets["scenarios"], charts.get("scenarios"))
    if "faithfulness" in sets:
        lines += _faithfulness(sets["faithfulness"])
    if "extraction" in sets:
        lines += _extraction(sets["extraction"], charts.get("extraction"))
    if "dispatch" in sets:
        lines += _dispatch(sets["dispatch"], charts.get("dispatch"))
    return "\n".join(lines) + "\n"


def _strategies(tags: dict[str, Any]) -> str:
    loaded = tags["strategies"].get("loaded", {})
    text = ", ".join(f"`{key}`" for key in loaded) or "-"
    if tags["strategies"].get("default"):
        text += f" (default `{tags['strategies']['default']}`)"
    if tags.get("simulator_strategy"):
        text += f"; simulator hub `{tags['simulator_strategy']}`"
    return text


def _scenarios(r: dict[str, Any], chart: str | None) -> list[str]:
    lines = [
        "",
        "## Scenarios",
        "",
        f"{r['scenarios']} scenarios ({r['languages']['en']} English, {r['languages']['zh']} Chinese), "
        f"{r['k']} runs each (seeds 0..{r['k'] - 1}), {r['runs']} runs, "
        f"{r['mean_turns']:.1f} user turns per run.",
        "",
        f"**pass^1 = {r['pass_1']:.3f}**, **pass^{r['k']} = {r['pass_k']:.3f}** "
        f"(pass^j: {', '.join(f'{j}: {v:.3f}' for j, v in r['pass_hat'].items())}); "
        f"by language: {', '.join(f'{k} {v:.3f}' for k, v in r['by_language'].items())}.",
        "",
    ]
    if chart:
        lines += [f"![scenarios]({chart})", ""]
    lines += ["| check | runs judged | failed |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {c['applied']} | {c['failed']} |" for name, c in r["checks"].items()]
    lines += ["", "| persona | pass rate |", "| --- | ---: |"]
    lines += [f"| {p} | {v:.2f} |" for p, v in r["by_persona"].items()]
    failures = r["failures"]
    lines += ["", f"### Failing runs ({len(failures)} of {r['runs']})", ""]
    if failures:
        lines += _failure_table(failures)
    shown: set[str] = set()
    for f in failures:  # one transcript per failing scenario
        if f["scenario"] in shown or len(shown) >= MAX_FAILURES_SHOWN:
            continue
        shown.add(f["scenario"])
        checks = "; ".join(f"**{c['check']}**: {c['message']}" for c in f["checks"])
        lines += [
            f"- `{f['scenario']}` seed {f['seed']}: {checks}",
            "  <details><summary>transcript excerpt</summary>",
            "",
            "  ```text",
            *[f"  {line}" for line in f["excerpt"].splitlines()],
            "  ```",
            "  </details>",
        ]
    return lines


def _failure_table(failures: list[dict[str, Any]]) -> list[str]:
    """One row per (scenario, check): in how many runs it failed, and the first message."""
    rows: dict[tuple[str, str], list[Any]] = {}
    for f in failures:
        for c in f["checks"]:
            row = rows.setdefault((f["scenario"], c["check"]), [0, c["message"]])
            row[0] += 1
    lines = ["| scenario | check | failed runs | first message |", "| --- | --- | ---: | --- |"]
    lines += [f"| `{s}` | {c} | {n} | {_cell(m)} |" for (s, c), (n, m) in rows.items()]
    return [*lines, ""]


def _cell(text: str, limit: int = 160) -> str:
    text = text.replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _faithfulness(r: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Explanation faithfulness",
        "",
        f"{r['explanations']} explanations shown in the scenario runs: {r['faithful_share']:.4f} faithful "
        f"(`check_faithfulness` against the ranking's own factors), {r['top_factor_share']:.4f} name their "
        "top factor.",
    ]
    lines += [
        f"- `{u['scenario']}` seed {u['seed']}: {u['problem']}" for u in r["unfaithful"][:MAX_FAILURES_SHOWN]
    ]
    return lines


def _extraction(r: dict[str, Any], chart: str | None) -> list[str]:
    by = r["by_language"]
    lines = [
        "",
        "## Extraction",
        "",
        f"Backend {r['backend']}, {r['items']} items: field accuracy **{r['field_accuracy']:.3f}** "
        f"(en {by['en']:.3f}, zh {by['zh']:.3f}); every field right on {r['exact_match']:.3f} of the items; "
        f"splits: {', '.join(f'{s} {v:.3f}' for s, v in r['by_split'].items())}.",
        "",
    ]
    if chart:
        lines += [f"![extraction]({chart})", ""]
    lines += ["| field | en | zh | all | support |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, f in r["by_field"].items():
        cells = " | ".join(f"{f[g]:.3f}" if g in f else "-" for g in ("en", "zh", "all"))
        lines.append(f"| {name} | {cells} | {f['support']} |")
    return lines


def _dispatch(r: dict[str, Any], chart: str | None) -> list[str]:
    lines = ["", "## Dispatch (market simulator)", ""]
    if r["status"] != "ran":
        return [*lines, f"**{r['status'].upper()}** (not passed): {r.get('reason', '')}"]
    run, policies = r["run"], list(r["metrics"])
    lines += [
        f"{run['n_claims']} claims over {run['days']} days, {run['n_shops']} shops, seed {run['seed']}, "
        f"hub strategy `{run['hub_strategy']}`, {r['seconds']:.1f} s.",
        "",
    ]
    if chart:
        lines += [f"![dispatch]({chart})", ""]
    lines += ["| metric | " + " | ".join(policies) + " |", "| --- |" + " ---: |" * len(policies)]
    metrics = list(r["metrics"][policies[0]])
    lines += [f"| {m} | " + " | ".join(f"{r['metrics'][p][m]:.4g}" for p in policies) + " |" for m in metrics]
    return lines
