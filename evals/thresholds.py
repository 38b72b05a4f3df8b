"""Score thresholds: the figures a run must reach, read from `evals/thresholds.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from evals.metrics import METRIC_BY_KEY

DEFAULT_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.yaml"


@dataclass
class Thresholds:
    """Minimums, maximums, and the metrics on which we may not trail the baseline."""

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
        minimum={k: float(v) for k, v in (raw.get("min") or {}).items()},
        maximum={k: float(v) for k, v in (raw.get("max") or {}).items()},
        not_behind_baseline=list(raw.get("not_behind_baseline") or []),
    )
    named = [*thresholds.minimum, *thresholds.maximum, *thresholds.not_behind_baseline]
    unknown = [k for k in named if k not in METRIC_BY_KEY]
    if unknown:
        raise ValueError(
            f"{path}: unknown metrics {unknown}; known: {', '.join(sorted(METRIC_BY_KEY))}"
        )
    return thresholds
