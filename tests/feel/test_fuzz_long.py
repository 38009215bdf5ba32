"""100,000 generated inputs through the parser and interpreter (RUN_LONG=1 to run)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.feel.test_properties import evaluate_safely, feel_like


@pytest.mark.long
@pytest.mark.timeout(3600)
@settings(max_examples=100_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(feel_like(), st.text(max_size=80)))
def test_hundred_thousand_inputs_give_values_or_feel_errors(text: str) -> None:
    evaluate_safely(text, {"x": [1, {"y": 2}], "a b": "c", "item": None})
