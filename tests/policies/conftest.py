"""Policy engine tests: pure Python, no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from talentport.policies.engine import evaluate, load_policies

# the public contract sits beside the repository (../shared/contracts)
EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "examples"


@pytest.fixture(scope="session")
def policies() -> list[Any]:
    return load_policies()


def result(profile: dict[str, Any], policy: str, **kw: Any) -> dict[str, Any]:
    doc = evaluate(profile, **kw)
    return next(r for r in doc["results"] if r["policy"] == policy)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
