"""Scoring understanding the way the server answers."""

from __future__ import annotations

from smp.evaluation import (
    CurvePoint,
    Example,
    Gate,
    Parsed,
    gate_failures,
    load_nlu_examples,
    pick_threshold,
    score,
    threshold_curve,
    with_threshold,
)


def parsed(*ranking: tuple[str, float]) -> Parsed:
    return Parsed(ranking[0][0], ranking[0][1], tuple(ranking))


EXAMPLES = [
    Example("does it hurt", "faq_pain"),
    Example("how much", "faq_cost"),
    Example("weather today", "out_of_scope"),
    Example("hmm scars?", "faq_scars"),
]
PARSED = [
    parsed(("faq_pain", 0.9), ("faq_cost", 0.05)),
    parsed(("faq_pain", 0.6), ("faq_cost", 0.3)),
    parsed(("out_of_scope", 0.8), ("faq_pain", 0.1)),
    Parsed("nlu_fallback", 0.5, (("faq_scars", 0.4), ("faq_pain", 0.35))),
]


def test_right_topic_false_rejection_and_rejection_are_counted_as_served():
    result = score("set", EXAMPLES, PARSED)
    assert (result.in_scope, result.right_topic, result.falsely_rejected) == (3, 1, 1)
    assert (result.out_of_scope, result.rejected) == (1, 1)
    assert result.confusions[("faq_cost", "faq_pain")] == 1


def test_a_lower_threshold_answers_what_a_higher_one_sends_to_the_fallback():
    unsure = parsed(("faq_scars", 0.4), ("faq_pain", 0.1))
    assert with_threshold(unsure, 0.5, 0.05) == "nlu_fallback"
    assert with_threshold(unsure, 0.3, 0.05) == "faq_scars"
    close = parsed(("faq_scars", 0.45), ("faq_pain", 0.42))
    assert with_threshold(close, 0.3, 0.08) == "nlu_fallback"


def test_the_curve_moves_the_fallback_and_the_best_point_meets_the_targets():
    points = threshold_curve(EXAMPLES, PARSED, [0.3, 0.5, 0.7], ambiguity=0.01)
    assert [p.threshold for p in points] == [0.3, 0.5, 0.7]
    assert points[0].right_topic > points[2].right_topic
    best = pick_threshold(
        [
            CurvePoint(0.3, 0.90, 0.05, 0.80),
            CurvePoint(0.5, 0.88, 0.02, 0.96),
            CurvePoint(0.7, 0.80, 0.01, 0.99),
        ],
        max_false_rejection=0.03,
        min_rejection=0.95,
    )
    assert best.threshold == 0.5


def test_the_gate_names_every_target_that_is_missed():
    real = score("real", EXAMPLES, PARSED)
    holdout = score("holdout", EXAMPLES[:1], PARSED[:1])
    failures = gate_failures(real, holdout, Gate(0.95, 0.98, 0.95, 0.03))
    assert any("real questions" in failure for failure in failures)
    assert any("falsely rejected" in failure for failure in failures)
    assert gate_failures(real, holdout, Gate(0.3, 0.9, 0.5, 0.5)) == []


def test_entity_annotations_are_removed_from_nlu_examples(tmp_path):
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: faq_scars\n  examples: |\n'
        "    - can it hide my [FUE](scar_type) scar\n"
        '    - and a [strip scar]{"entity": "scar_type", "value": "fut"}\n'
    )
    texts = [example.text for example in load_nlu_examples(path)]
    assert texts == ["can it hide my FUE scar", "and a strip scar"]
