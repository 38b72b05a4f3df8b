"""Eval reports: the console table, report.json, report.md and a self-contained report.html."""

from __future__ import annotations

import html
import json
from pathlib import Path

from evals.metrics import METRICS, Metric
from evals.runner import CaseResult, EvalReport, SystemRun

COLOURS = {"assistant": "#2563eb", "baseline": "#9ca3af"}
LOWER_IS_BETTER = " (lower is better)"


def label(metric: Metric) -> str:
    """A metric's name as shown, marked when a lower figure is the better one."""
    return metric.label + ("" if metric.higher_is_better else LOWER_IS_BETTER)


def fmt(metric: Metric, value: float | None) -> str:
    """A metric value as people read it."""
    if value is None:
        return "n/a"
    return f"{value:.3f}" if metric.percent else f"{value:.1f}"


def table_rows(report: EvalReport) -> list[list[str]]:
    """Metric, ours, baseline (if run), and the verdict of the comparison."""
    base = report.baseline
    rows = [["metric", "assistant", *(["baseline", "vs baseline"] if base else [])]]
    for metric in METRICS:
        ours = report.ours.metrics.get(metric.key)
        row = [label(metric), fmt(metric, ours)]
        if base:
            theirs = base.metrics.get(metric.key)
            row += [fmt(metric, theirs), _verdict(metric, ours, theirs)]
        rows.append(row)
    return rows


def _verdict(metric: Metric, ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None:
        return ""
    if abs(ours - theirs) < 1e-9:
        return "tie"
    ahead = ours > theirs if metric.higher_is_better else ours < theirs
    return "ahead" if ahead else "behind"


def console_table(report: EvalReport) -> str:
    """The figures as an aligned plain-text table, with the threshold verdict under it."""
    rows = table_rows(report)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    ours = report.ours
    lines.append("")
    lines.append(
        f"{len(ours.results)} cases ({report.split} split), {len(ours.failures)} failing"
        + (f" (baseline: {len(report.baseline.failures)})" if report.baseline else "")
        + f"; retrieval {_k(report)}; {report.seconds:.1f} s{_judged(report, '; ')}"
    )
    if report.threshold_failures:
        lines.append("Thresholds missed:")
        lines += [f"  - {failure}" for failure in report.threshold_failures]
    else:
        lines.append("All thresholds hold.")
    return "\n".join(lines)


def _k(report: EvalReport) -> str:
    """The retrieval metrics' k, per system when they differ."""
    ks = {run.name: run.k for run in report.runs.values()}
    if len(set(ks.values())) == 1:
        return f"k={next(iter(ks.values()))}"
    return "k: " + ", ".join(f"{name} {k}" for name, k in ks.items())


def _judged(report: EvalReport, separator: str) -> str:
    """Which model judged faithfulness, after a separator; empty when none did."""
    return f"{separator}faithfulness judged by {report.judge}" if report.judge else ""


def _case_json(result: CaseResult) -> dict[str, object]:
    answer, score = result.observation.answer, result.score
    return {
        "id": result.case.id,
        "question": result.case.text,
        "understood_as": answer.question,
        "category": result.case.category,
        "tools": result.case.tools,
        "passed": score.passed,
        "issues": score.issues,
        "answer": answer.answer,
        "answerable": answer.answerable,
        "citations": [
            {"n": c.n, "section": c.section, "text": c.text} for c in answer.citations
        ],
        "scores": {
            "fact_recall": score.fact_recall,
            "grounding": score.grounding,
            "citation_validity": score.citation_validity,
            "citation_precision": score.citation_precision,
            "unsupported_numbers": score.numbers_unsupported,
            "refusal_correct": score.refusal_correct,
            "refused": score.refused,
            "retrieval_recall": score.retrieval_recall,
            "reciprocal_rank": score.reciprocal_rank,
            "faithfulness": score.faithfulness,
            "words": score.words,
            "latency_ms": round(score.latency_ms, 2),
        },
    }


def _run_json(run: SystemRun) -> dict[str, object]:
    return {
        "k": run.k,
        "metrics": run.metrics,
        "by_tool": run.by_tool(),
        "cases": [_case_json(result) for result in run.results],
    }


def to_json(report: EvalReport) -> dict[str, object]:
    """The whole report as JSON-ready data."""
    return {
        "started": report.started,
        "split": report.split,
        "mode": report.mode,
        "k": report.k,
        "datasets": report.datasets,
        "seconds": report.seconds,
        "passed": report.passed,
        "threshold_failures": report.threshold_failures,
        # The model that judged faithfulness, and the assistant's figure; None when no LLM was
        # configured to judge.
        "judge": report.judge,
        "faithfulness": report.ours.metrics.get("faithfulness_llm"),
        "runs": {name: _run_json(run) for name, run in report.runs.items()},
    }


def to_markdown(report: EvalReport) -> str:
    """The report as Markdown: the table, the verdict, per-tool figures and failing cases."""
    rows = table_rows(report)
    out = [
        f"# Eval report: {report.split} split, {report.mode} mode",
        "",
        f"Run {report.started}, {len(report.ours.results)} cases, retrieval {_k(report)}"
        f"{_judged(report, ', ')}.",
        "",
        "| " + " | ".join(rows[0]) + " |",
        "|" + "---|" * len(rows[0]),
        *("| " + " | ".join(row) + " |" for row in rows[1:]),
        "",
    ]
    if report.threshold_failures:
        out += ["**Thresholds missed:**", "", *(f"- {f}" for f in report.threshold_failures), ""]
    else:
        out += ["**All thresholds hold.**", ""]
    out += ["## Per tool (assistant)", "", "| tool | cases | passed | fact recall |",
            "|---|---|---|---|"]
    for tool, figures in report.ours.by_tool().items():
        recall = figures.get("fact_recall")
        out.append(f"| {tool} | {figures['cases']:.0f} | {figures['passed']:.0f} | "
                   f"{'n/a' if recall is None else f'{recall:.3f}'} |")
    out += ["", f"## Failing cases ({len(report.ours.failures)})", ""]
    for result in report.ours.failures:
        answer = result.observation.answer
        out += [f"### {result.case.id}", "", f"**Question:** {result.case.text}", "",
                "**Issues:** " + "; ".join(result.score.issues), "", "**Answer:**", "",
                *("> " + line for line in answer.answer.splitlines()), ""]
        out += [f"- [{c.n}] {c.section or c.title}: {' '.join(c.text.split())[:200]}"
                for c in answer.citations]
        out.append("")
    if report.baseline:
        out += [f"## Baseline failing cases ({len(report.baseline.failures)})", ""]
        out += [f"- `{r.case.id}`: {'; '.join(r.score.issues)}" for r in report.baseline.failures]
        out.append("")
    return "\n".join(out)


def _bars(report: EvalReport) -> str:
    """Horizontal bars per share-valued metric, ours against the baseline."""
    metrics = [m for m in METRICS if m.percent]
    runs = list(report.runs.values())
    row_h, bar_h, label_w, width = 14 * len(runs) + 10, 12, 190, 360
    svg = [f'<svg width="{label_w + width + 60}" height="{row_h * len(metrics) + 10}" '
           'role="img" aria-label="metrics">']
    for i, metric in enumerate(metrics):
        y = i * row_h + 5
        name = metric.label + ("" if metric.higher_is_better else " \u2193")
        svg.append(f'<text x="0" y="{y + 12}" font-size="12">{html.escape(name)}</text>')
        for j, run in enumerate(runs):
            value = run.metrics.get(metric.key)
            by = y + j * 14
            if value is None:
                # Not measured is not zero: no bar, only the words.
                svg.append(f'<text x="{label_w + 4}" y="{by + 10}" font-size="11" '
                           f'fill="{COLOURS.get(run.name, "#555")}">n/a ({run.name})</text>')
                continue
            w = max(1.0, value * width)
            svg.append(f'<rect x="{label_w}" y="{by}" width="{w:.1f}" height="{bar_h}" '
                       f'fill="{COLOURS.get(run.name, "#555")}"><title>{run.name}</title></rect>')
            svg.append(f'<text x="{label_w + w + 4:.1f}" y="{by + 10}" font-size="11">'
                       f'{value:.3f}</text>')
    svg.append(f'<text x="0" y="{row_h * len(metrics) + 8}" font-size="11">\u2193 lower is '
               'better</text>')
    svg.append("</svg>")
    return "".join(svg)


def _latency_counts(run: SystemRun, top: float, buckets: int) -> list[int]:
    counts = [0] * buckets
    for result in run.results:
        counts[min(buckets - 1, int(result.score.latency_ms / top * buckets))] += 1
    return counts


def _histograms(report: EvalReport, buckets: int = 12) -> str:
    """Latency histograms of every run on one shared scale, so their shapes compare."""
    runs = [run for run in report.runs.values() if run.results]
    if not runs:
        return ""
    top = max(r.score.latency_ms for run in runs for r in run.results) or 1.0
    counts = {run.name: _latency_counts(run, top, buckets) for run in runs}
    most = max(max(c) for c in counts.values()) or 1
    return "".join(
        f"<div><h3>{html.escape(run.name)}</h3>"
        f"{_histogram(run.name, counts[run.name], top, most)}</div>"
        for run in runs
    )


def _histogram(name: str, counts: list[int], top: float, most: int) -> str:
    """One run's latency histogram; `top` (ms) and `most` (cases) are shared by every run."""
    buckets = len(counts)
    bar_w, height = 30, 120
    svg = [f'<svg width="{buckets * bar_w + 20}" height="{height + 40}" role="img" '
           f'aria-label="latency histogram {html.escape(name)}">']
    for i, count in enumerate(counts):
        h = count / most * height
        svg.append(f'<rect x="{i * bar_w + 10}" y="{height - h + 5:.1f}" width="{bar_w - 3}" '
                   f'height="{h:.1f}" fill="{COLOURS.get(name, "#555")}">'
                   f'<title>{count} cases</title></rect>')
        if count:
            svg.append(f'<text x="{i * bar_w + 14}" y="{height - h + 2:.1f}" font-size="10">'
                       f'{count}</text>')
    svg.append(f'<text x="10" y="{height + 22}" font-size="11">0 ms</text>')
    svg.append(f'<text x="{buckets * bar_w - 40}" y="{height + 22}" font-size="11">'
               f'{top:.0f} ms</text></svg>')
    return "".join(svg)


def _tool_table(report: EvalReport) -> str:
    rows = []
    base = report.baseline.by_tool() if report.baseline else {}
    for tool, figures in report.ours.by_tool().items():
        ours = figures.get("fact_recall")
        theirs = base.get(tool, {}).get("fact_recall")
        bar = "" if ours is None else (
            f'<svg width="120" height="10"><rect width="{ours * 120:.0f}" height="10" '
            f'fill="{COLOURS["assistant"]}"/></svg>'
        )
        rows.append(
            f"<tr><td>{html.escape(tool)}</td><td>{figures['cases']:.0f}</td>"
            f"<td>{figures['passed']:.0f}</td><td>{'n/a' if ours is None else f'{ours:.3f}'} "
            f"{bar}</td><td>{'' if theirs is None else f'{theirs:.3f}'}</td></tr>"
        )
    return ("<table><tr><th>tool</th><th>cases</th><th>passed</th><th>fact recall (ours)</th>"
            "<th>fact recall (baseline)</th></tr>" + "".join(rows) + "</table>")


def _baseline_failures_html(report: EvalReport) -> str:
    base = report.baseline
    if base is None:
        return ""
    items = "".join(
        f"<li><b>{html.escape(r.case.id)}</b>: {html.escape('; '.join(r.score.issues))}</li>"
        for r in base.failures
    )
    return (f"<h2>Baseline failing cases ({len(base.failures)})</h2>"
            + (f"<ul>{items}</ul>" if items else "<p>None.</p>"))


def _failures_html(run: SystemRun) -> str:
    if not run.failures:
        return "<p>None.</p>"
    parts = []
    for result in run.failures:
        answer = result.observation.answer
        cites = "".join(
            f"<li><b>[{c.n}]</b> {html.escape(c.section or c.title)}<pre>{html.escape(c.text)}"
            "</pre></li>" for c in answer.citations
        )
        parts.append(
            f"<details open><summary><b>{html.escape(result.case.id)}</b>: "
            f"{html.escape(result.case.text)}</summary>"
            f"<p class=issues>{html.escape('; '.join(result.score.issues))}</p>"
            f"<pre class=answer>{html.escape(answer.answer)}</pre><ol class=cites>{cites}</ol>"
            "</details>"
        )
    return "".join(parts)


def to_html(report: EvalReport) -> str:
    """A single HTML file with inline CSS and SVG charts; it loads nothing from elsewhere."""
    rows = table_rows(report)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows[1:]
    )
    verdict = (
        "<ul class=bad>" + "".join(f"<li>{html.escape(f)}</li>" for f in report.threshold_failures)
        + "</ul>" if report.threshold_failures else "<p class=good>All thresholds hold.</p>"
    )
    legend = " ".join(
        f'<span style="color:{COLOURS.get(n, "#555")}">&#9632; {html.escape(n)}</span>'
        for n in report.runs
    )
    histograms = _histograms(report)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Eval report ({report.split})</title>
<style>
body{{font:14px system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#111}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ddd;padding:4px 8px;
text-align:left}}pre{{white-space:pre-wrap;background:#f6f6f6;padding:6px;margin:4px 0}}
.bad{{color:#b91c1c}}.good{{color:#15803d}}.issues{{color:#b91c1c}}.row{{display:flex;gap:2em}}
details{{border-top:1px solid #eee;padding:6px 0}}
</style></head><body>
<h1>Eval report: {report.split} split, {report.mode} mode</h1>
<p>Run {html.escape(report.started)}; {len(report.ours.results)} cases; retrieval {_k(report)};
{report.seconds:.1f} s{html.escape(_judged(report, '; '))}.</p>
<table><tr>{head}</tr>{body}</table>{verdict}
<h2>Metrics</h2><p>{legend}</p>{_bars(report)}
<h2>Per tool</h2>{_tool_table(report)}
<h2>Latency</h2><div class=row>{histograms}</div>
<h2>Failing cases ({len(report.ours.failures)})</h2>{_failures_html(report.ours)}
{_baseline_failures_html(report)}
</body></html>
"""


def write_reports(report: EvalReport, output: Path) -> list[Path]:
    """Write report.json, report.md and report.html into a folder; returns their paths."""
    output.mkdir(parents=True, exist_ok=True)
    files = {
        "report.json": json.dumps(to_json(report), indent=2),
        "report.md": to_markdown(report),
        "report.html": to_html(report),
    }
    paths = []
    for name, text in files.items():
        path = output / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
