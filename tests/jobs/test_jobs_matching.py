"""The vectorised matcher: factor scores, totals and top-k order."""

from __future__ import annotations

import numpy as np

from talentport.jobs import matching


def vectors():
    t = matching.talent_vectors(
        degree=[3, 1],
        field=[2, 0],
        salary=[300_000, None],
        districts=[matching.mask([3]), 0],
        industries=[matching.mask([4]), 0],
    )
    p = matching.position_vectors(
        degree=[3, 2, 0],
        fields=[matching.mask([2, 5]), 0, matching.mask([7])],
        salary_min=[250_000, 100_000, 50_000],
        salary_max=[500_000, 200_000, 100_000],
        district=[3, 0, 3],
        industry=[4, 1, 4],
    )
    return t, p


def test_components_follow_the_rules():
    # given
    t, p = vectors()
    # when
    parts = matching.components(t, p)
    # then: talent 0 fits position 0 on every factor
    assert [float(parts[k][0, 0]) for k in parts] == [30, 25, 20, 15, 10]
    # talent 0 expects 300k, position 1 pays up to 200k: 50 % over → no salary points
    assert float(parts["salary"][0, 1]) == 0
    # talent 1 (bachelor) is below position 1's master requirement
    assert float(parts["degree"][1, 1]) == 0
    # position 2 wants discipline 7 only
    assert float(parts["major"][0, 2]) == 0
    # talent 1 gave no salary, districts or industries: neutral points
    assert float(parts["salary"][1, 0]) == matching.SALARY_UNKNOWN
    assert float(parts["location"][1, 2]) == matching.W_LOCATION
    assert float(parts["industry"][1, 2]) == matching.INDUSTRY_ANY


def test_salary_scales_down_above_the_offer():
    t = matching.talent_vectors(
        degree=[0], field=[0], salary=[110_000], districts=[0], industries=[0]
    )
    p = matching.position_vectors(
        degree=[0],
        fields=[0],
        salary_min=[50_000],
        salary_max=[100_000],
        district=[0],
        industry=[0],
    )
    # 10 % over the top of the offer: 1 - 0.1/0.5 = 0.8 of 20 points
    assert abs(float(matching.components(t, p)["salary"][0, 0]) - 16) < 1e-4


def test_score_matrix_is_the_sum_of_components_and_chunking_changes_nothing():
    t, p = vectors()
    parts = matching.components(t, p)
    total = sum(parts.values())
    assert np.allclose(matching.score_matrix(t, p), total)
    assert np.allclose(matching.score_matrix(t, p, chunk=1), total)


def test_top_k_best_first_both_ways():
    scores = np.array([[10, 90, 50], [70, 20, 70]], dtype=np.float32)
    assert matching.top_k(scores, 2).tolist() == [[1, 2], [0, 2]]
    assert matching.top_k(scores, 1, axis=0).tolist() == [[1, 0, 1]]
    assert matching.top_k(scores, 5).shape == (2, 3)


def test_bench_size_runs_within_budget():
    # a smaller run of the benchmark's generator: sanity, not the timing itself
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "jobs_match.py"
    spec = importlib.util.spec_from_file_location("jobs_match_bench", path)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    t, p = bench.synthetic(500, 100)
    scores, best_positions, best_talents = matching.match_all(t, p, k=10)
    assert scores.shape == (500, 100)
    assert best_positions.shape == (500, 10) and best_talents.shape == (10, 100)
    assert float(scores.max()) <= 100 and float(scores.min()) >= 0
