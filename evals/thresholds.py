"""Score thresholds: the figures a run must reach, read from `evals/thresholds.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from evals.metrics import METRIC_BY_KEY

DEFAULT_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.yaml"


@dataclass
class Thresholds:
    """Minimums, maximums, and the metrics on which we may not trail the baseline.

    "Not behind" means at least as good: a tie with the baseline holds the bar (a perfect
    score cannot be beaten), and lower wins for lower-is-better metrics.
    """

    minimum: dict[str, float] = field(default_factory=dict)
    maximum: dict[str, float] = field(default_factory=dict)
    not_behind_baseline: list[str] = field(default_factory=list)

    def check(
        self, metrics: dict[str, float | None], baseline: dict[str, float | None] | None = None
    ) -> list[str]:
        """What misses its bar, as sentences; empty when every bar holds."""
        failures: list[str] = []
        for key, bar in self.minimum.items():
            value = metrics.get(key)
            if value is None or value < bar:
                failures.append(f"{key} = {_show(value)} is below the minimum {bar:g}")
        for key, bar in self.maximum.items():
            value = metrics.get(key)
            if value is None or value > bar:
                failures.append(f"{key} = {_show(value)} is above the maximum {bar:g}")
        for key in self.not_behind_baseline if baseline else []:
            ours, theirs = metrics.get(key), baseline.get(key)  # type: ignore[union-attr]
            if ours is None or theirs is None:
                continue
            behind = ours < theirs if METRIC_BY_KEY[key].higher_is_better else ours > theirs
            if behind:
                failures.append(f"{key} = {_show(ours)} is behind the baseline's {_show(theirs)}")
        return failures


def _show(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"


def load_thresholds(path: Path = DEFAULT_THRESHOLDS) -> Thresholds:
    """Read a thresholds file; unknown metric names are an error that lists the known ones."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read thresholds: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping with `min`, `max`, `not_behind_baseline`")
    unknown_keys = set(raw) - {"min", "max", "not_behind_baseline"}
    if unknown_keys:
        raise ValueError(f"{path}: unknown sections {sorted(unknown_keys)}")
    thresholds = Thresholds(
        minimum=_bars(path, "min", raw.get("min")),
        maximum=_bars(path, "max", raw.get("max")),
        not_behind_baseline=_names(path, raw.get("not_behind_baseline")),
    )
    named = [*thresholds.minimum, *thresholds.maximum, *thresholds.not_behind_baseline]
    unknown = [k for k in named if k not in METRIC_BY_KEY]
    if unknown:
        raise ValueError(
            f"{path}: unknown metric {unknown[0]!r}; known: {', '.join(sorted(METRIC_BY_KEY))}"
        )
    return thresholds


def _bars(path: Path, section: str, raw: object) -> dict[str, float]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: `{section}` must map metric names to numbers")
    bars: dict[str, float] = {}
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{path}: {section}.{key}: expected a number, got {value!r}")
        bars[str(key)] = float(value)
    return bars


def _names(path: Path, raw: object) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise ValueError(f"{path}: `not_behind_baseline` must be a list of metric names")
    return list(raw)
