"""The input fuzzing of test_input_fuzz.py on 100,000 inputs each (RUN_LONG=1 to run).

Whole jobs, which make a loopback request each, run 10,000 times.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.security.strategies import job_variables, task_headers
from tests.security.test_input_fuzz import (
    LOOPBACK,
    JobRunner,
    any_jobs,
    check_bind_and_prepare,
    check_job_file,
    check_task_headers,
    job_files,
    runner,  # noqa: F401 - the module-scoped fixture
    with_base,
)

LONG = settings(max_examples=100_000, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.long
@pytest.mark.timeout(7200)
@LONG
@given(job_variables(LOOPBACK))
def test_hundred_thousand_inputs_bind_or_fail_clearly(variables: dict[str, Any]) -> None:
    check_bind_and_prepare(variables)


@pytest.mark.long
@pytest.mark.timeout(7200)
@LONG
@given(task_headers)
def test_hundred_thousand_task_headers(headers: dict[str, str]) -> None:
    check_task_headers(headers)


@pytest.mark.long
@pytest.mark.timeout(7200)
@LONG
@given(job_files)
def test_hundred_thousand_job_files(content: bytes) -> None:
    check_job_file(content)


@pytest.mark.long
@pytest.mark.timeout(7200)
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(any_jobs)
def test_ten_thousand_whole_jobs(
    runner: JobRunner,  # noqa: F811
    generated: tuple[dict[str, Any], dict[str, str]],
) -> None:
    variables, headers = generated
    assert runner.run(with_base(variables, runner.base), headers) == []
