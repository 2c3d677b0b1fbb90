"""Fuzzing every reader: mutated inputs of every kind give a report or a clean Chinese refusal,
never an exception and never a run past the time bound. Brief here (NB_FUZZ_EXAMPLES, default
25 a kind); `scripts/fuzz.py` runs the same target for longer, with hypothesis or atheris."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import KIND_FORMAT, KINDS, NOT_FUZZED, mutate, run_target, seeds
from nianbao.read.formats import FORMATS

EXAMPLES = int(os.environ.get("NB_FUZZ_EXAMPLES", "25"))


def test_every_format_is_fuzzed() -> None:
    """A format added to read.formats gets a seed here (or a reason in NOT_FUZZED)."""
    assert sorted(KIND_FORMAT) == sorted(KINDS)
    assert sorted({*KIND_FORMAT.values(), *NOT_FUZZED}) == sorted(f.id for f in FORMATS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_seed_reads(kind: str) -> None:
    """The unmutated seed of each kind reads (the harness starts from valid inputs)."""
    data = seeds()[kind]
    outcome = run_target(data, kind)
    assert outcome == ("refused" if kind == "png" else "ok")


@pytest.mark.parametrize("kind", KINDS)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1))
def test_mutated_inputs_never_crash(kind: str, seed: int) -> None:
    data = mutate(seeds()[kind], random.Random(seed))
    run_target(data, kind)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(data=st.binary(max_size=4096), kind=st.sampled_from(KINDS))
def test_random_bytes_never_crash(data: bytes, kind: str) -> None:
    run_target(data, kind)
