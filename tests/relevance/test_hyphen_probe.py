"""The probe that writes a dev query's compound with a hyphen at the dictionary's cut
(``benchmarks/perturbed.py --change hyphen``), word by word."""

from __future__ import annotations

import random

from tests.conftest import load_benchmark


def test_a_compound_is_hyphenated_at_its_first_cut_and_no_other_word_is() -> None:
    probe = load_benchmark("perturbed.py", "perturbed_benchmark")
    rng = random.Random(1)
    assert probe.hyphenated("vindmølleparken", rng) == "vindmølle-parken"
    assert probe.hyphenated("lokalplan", rng) == "lokal-plan"
    assert probe.hyphenated("budget", rng) is None
