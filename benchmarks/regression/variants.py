"""Recipe variants for ablations: ``--variant`` options and a registry of named ones.

A variant is ``make_tabular_regressor(random_state=fold_seed, **overrides)``
under a name; the report ranks each against the peers alone
(:mod:`.ablation`). Three spellings:

- ``NAME`` alone: a registered variant of :data:`REGISTRY`;
- ``NAME=key=value,key=value``: values are Python literals (``0``, ``0.5``,
  ``(256, 256)``, ``None``, ``False``), anything else is a string (``relu``);
- ``NAME={"key": value}``: JSON, as ``bench_tabular.py --recipe-variant``.
"""

from __future__ import annotations

import ast

from benchmarks.tabular.contenders import parse_variant as parse_json_variant

# The classification recipe's ablation axes (benchmarks/tabular_ablation.py), for
# the regression recipe (make_tabular_regressor takes the same settings), then the
# regression-specific choices. A setting the regressor does not have makes the
# variant fail with a TypeError, reported as an error on each table.
REGISTRY = {
    "no_ple": {"n_bins": 0},
    "no_missing_flags": {"missing_indicators": False},
    "one_network": {"n_estimators": 1},
    "wide": {"hidden_layer_sizes": (256, 256)},
    "longer": {"max_iter": 100, "n_iter_no_change": 10},
    "no_clip": {"clip": None},
    # The regression-specific choices of make_tabular_regressor.
    "huber": {"loss": "huber"},
    "r2_stop": {"scoring": "r2"},
    "raw_target": {"normalize_y": False},
}
"""Named variants: ``--variant no_ple`` is ``--variant no_ple=n_bins=0``."""


def _split_top_level(text):
    """Split on commas outside brackets and quotes: ``a=(1, 2),b=3`` -> two items."""
    items, depth, quote, current = [], 0, None, []
    for ch in text:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        current.append(ch)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_variant(text):
    """The name and the overrides of one ``--variant`` (its three spellings above).

    Parameters
    ----------
    text : str

    Returns
    -------
    tuple of (str, dict)

    Raises
    ------
    ValueError
        On an unregistered bare name, a malformed pair or JSON, or a
        ``random_state`` override (each fold sets it).
    """
    name, sep, payload = text.partition("=")
    name = name.strip()
    if not sep:
        if name not in REGISTRY:
            known = ", ".join(REGISTRY)
            raise ValueError(f"unknown variant {name!r}; registered: {known} (or NAME=k=v,...)")
        return name, dict(REGISTRY[name])
    if payload.lstrip().startswith("{"):
        return parse_json_variant(text)
    overrides = {}
    for pair in _split_top_level(payload):
        key, eq, value = pair.partition("=")
        if not eq or not key.strip() or not name:
            raise ValueError(f"variant {text!r}: expected NAME=key=value[,key=value...]")
        overrides[key.strip()] = _literal(value.strip())
    if not overrides:
        raise ValueError(f"variant {text!r}: no key=value")
    if "random_state" in overrides:
        raise ValueError(f"variant {name!r}: random_state is set by the protocol (fold seed)")
    return name, overrides
