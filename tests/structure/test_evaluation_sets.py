"""The evaluation sets stay apart from the training data and cover every topic."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import pytest

from smp.evaluation import (
    OUT_OF_SCOPE,
    load_examples,
    load_nlu_examples,
    load_real_questions,
    normalised,
)
from smp.settings import PROJECT_ROOT
from smp.topics import ALL_INTENTS, FAQ_INTENTS

REAL = PROJECT_ROOT / "tests" / "nlu" / "real_questions.yml"
HOLDOUT = PROJECT_ROOT / "tests" / "nlu" / "holdout.yml"
TRAINING_FILES = sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml"))


def training_texts() -> set[str]:
    return {
        normalised(example.text)
        for path in TRAINING_FILES
        for example in load_nlu_examples(path)
    }


def test_the_training_data_is_read():
    assert len(training_texts()) > 1500


@pytest.mark.parametrize("evaluation", [REAL, HOLDOUT], ids=["real", "holdout"])
def test_no_evaluation_message_is_in_the_training_data(evaluation):
    training = training_texts()
    shared = [
        example.text
        for example in load_examples(evaluation)
        if normalised(example.text) in training
    ]
    assert shared == []


# Word overlap (Jaccard) at or above which a training line counts as a copy of
# an evaluation question with a word or two changed.
NEAR_COPY = 0.8


def words(text: str) -> frozenset[str]:
    return frozenset(normalised(text).split())


def word_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


@pytest.mark.parametrize("evaluation", [REAL, HOLDOUT], ids=["real", "holdout"])
def test_no_training_line_is_a_near_copy_of_an_evaluation_message(evaluation):
    questions = {
        words(example.text): example.text for example in load_examples(evaluation)
    }
    training = {
        words(example.text): example.text
        for path in TRAINING_FILES
        for example in load_nlu_examples(path)
    }
    near = [
        (line, question)
        for line_words, line in training.items()
        for question_words, question in questions.items()
        if word_overlap(line_words, question_words) >= NEAR_COPY
    ]
    assert near == []


def test_near_copies_are_measured_on_words_not_their_order_or_case():
    near = words("How Many SMP Sessions Will I Need?")
    assert word_overlap(near, words("how many sessions will i need")) > NEAR_COPY
    assert word_overlap(words("does smp hurt"), words("what does smp cost")) < NEAR_COPY


def test_the_real_questions_cover_every_topic_with_a_source():
    questions = load_real_questions(REAL)
    counts = Counter(question.intent for question in questions)
    assert sum(n for i, n in counts.items() if i != OUT_OF_SCOPE) >= 300
    assert counts[OUT_OF_SCOPE] >= 60
    for intent in FAQ_INTENTS:
        assert counts[intent] >= 18, intent
    for question in questions:
        assert question.intent in ALL_INTENTS, question.text
        assert not question.also or question.also in FAQ_INTENTS, question.text
        address = urlsplit(question.source)
        assert address.scheme in {"http", "https"} and address.netloc, question.text


def test_the_real_questions_have_no_duplicates():
    texts = [normalised(q.text) for q in load_real_questions(REAL)]
    repeated = [text for text, n in Counter(texts).items() if n > 1]
    assert repeated == []


def test_overlap_checks_ignore_case_and_punctuation():
    assert normalised("Does SMP hurt?!") == normalised("does smp   hurt")
