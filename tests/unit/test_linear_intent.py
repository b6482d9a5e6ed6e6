"""The linear intent classifier: trains, persists, ranks and blends."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.base import clone

from smp.nlp import build_pipeline
from smp.nlu_components import LinearIntentClassifier

EXAMPLES = {
    "faq_pain": [
        "does it hurt",
        "is smp painful",
        "how much pain is there",
        "will the needles hurt my scalp",
        "is there numbing cream",
    ],
    "faq_cost": [
        "how much does it cost",
        "what is the price",
        "is smp expensive",
        "do you offer payment plans",
        "what do you charge for a hairline",
    ],
    "faq_longevity": [
        "how long does it last",
        "will it fade",
        "is it permanent",
        "when do I need a touch up",
        "does the pigment go blue over time",
    ],
}


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


def message(nlp, text: str, intent: str | None = None) -> Message:
    data = {TEXT: text}
    if intent:
        data[INTENT] = intent
    built = Message(data=data)
    built.set(SPACY_DOCS[TEXT], nlp(text.lower()))
    return built


def trained(nlp, tmp_path, **config) -> tuple[LinearIntentClassifier, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear_intent")
    context = ExecutionContext(GraphSchema({}), "test")
    settings = {**LinearIntentClassifier.get_default_config(), **config}
    classifier = LinearIntentClassifier.create(settings, storage, resource, context)
    data = TrainingData(
        [
            message(nlp, text, intent)
            for intent, texts in EXAMPLES.items()
            for text in texts
        ]
    )
    classifier.train(data)
    return classifier, resource


def test_unseen_wording_gets_its_topic_with_a_full_ranking(nlp, tmp_path):
    classifier, _ = trained(nlp, tmp_path)
    [parsed] = classifier.process([message(nlp, "Is it painful for most people?")])
    assert parsed.get(INTENT)["name"] == "faq_pain"
    ranking = parsed.get(INTENT_RANKING_KEY)
    assert [item["name"] for item in ranking][0] == "faq_pain"
    assert {item["name"] for item in ranking} == set(EXAMPLES)
    assert sum(item["confidence"] for item in ranking) == pytest.approx(1.0)
    confidences = [item["confidence"] for item in ranking]
    assert confidences == sorted(confidences, reverse=True)


def test_a_loaded_model_predicts_as_the_trained_one(nlp, tmp_path):
    classifier, resource = trained(nlp, tmp_path)
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), storage, resource, context
    )
    text = "will the colour fade after a few years"
    [before] = classifier.process([message(nlp, text)])
    [after] = loaded.process([message(nlp, text)])
    assert after.get(INTENT) == before.get(INTENT)
    assert after.get(INTENT)["name"] == "faq_longevity"


def test_blending_weighs_the_previous_classifiers_ranking(nlp, tmp_path):
    classifier, _ = trained(nlp, tmp_path, blend=0.9)
    text = "how much is the treatment"
    (tmp_path / "alone").mkdir()
    alone, _ = trained(nlp, tmp_path / "alone")
    [own] = alone.process([message(nlp, text)])
    assert own.get(INTENT)["name"] == "faq_cost"
    # A previous classifier sure of another topic outweighs it at 0.9.
    incoming = message(nlp, text)
    incoming.set(
        INTENT_RANKING_KEY,
        [{"name": "faq_longevity", "confidence": 1.0}],
    )
    [blended] = classifier.process([incoming])
    assert blended.get(INTENT)["name"] == "faq_longevity"
    assert blended.get(INTENT)["confidence"] > 0.9


def test_an_untrained_classifier_gives_no_intent(nlp, tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(),
        storage,
        Resource("never_trained"),
        context,
    )
    [parsed] = loaded.process([message(nlp, "does it hurt")])
    assert parsed.get(INTENT) == {"name": None, "confidence": 0.0}
    assert parsed.get(INTENT_RANKING_KEY) == []


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_message_gets_no_intent_for_the_fallback_to_read(nlp, tmp_path, text):
    classifier, _ = trained(nlp, tmp_path)
    [parsed] = classifier.process([message(nlp, text)])
    assert parsed.get(INTENT) == {"name": None, "confidence": 0.0}
    fallback = FallbackClassifier.create(
        {**FallbackClassifier.get_default_config(), "threshold": 0.2},
        LocalModelStorage(tmp_path),
        Resource("fallback"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    [checked] = fallback.process([parsed])
    assert checked.get(INTENT)["name"] == "nlu_fallback"


def test_domain_terms_become_words_of_their_own(nlp, tmp_path):
    with_terms, _ = trained(nlp, tmp_path)
    (tmp_path / "plain").mkdir()
    without, _ = trained(nlp, tmp_path / "plain", entity_features=False)
    text = "can smp cover a strip scar"
    assert "ENTITY_scar_type" in with_terms._lemmas(message(nlp, text)).split()
    assert "ENTITY_" not in without._lemmas(message(nlp, text))


@pytest.mark.parametrize(
    "text",
    [
        "how long does scalp micropigmentation last",
        "how long does a hair tattoo last",
        "how long does micro-pigmentation last",
        "how long does scalp micro pigmentation last",
        "how long does SMP last",
    ],
)
def test_every_name_of_the_treatment_reads_as_one_word(nlp, tmp_path, text):
    classifier, _ = trained(nlp, tmp_path)
    words = classifier._lemmas(message(nlp, text)).split()
    assert words.count("smp") == 1
    assert not {"micropigmentation", "pigmentation", "tattoo"} & set(words)


def test_an_ordinary_tattoo_keeps_its_word(nlp, tmp_path):
    classifier, _ = trained(nlp, tmp_path)
    words = classifier._lemmas(message(nlp, "is it deeper than a tattoo")).split()
    assert "tattoo" in words and "smp" not in words


def test_names_are_kept_when_the_option_is_off(nlp, tmp_path):
    classifier, _ = trained(nlp, tmp_path, treatment_names=False)
    words = classifier._lemmas(message(nlp, "is a hair tattoo permanent")).split()
    assert "tattoo" in words and "smp" not in words


def test_training_stops_at_the_optimum_a_tight_lbfgs_reaches(nlp, tmp_path):
    """The fast solver's early stop costs nothing a visitor would notice."""
    classifier, _ = trained(nlp, tmp_path)
    texts = [
        classifier._lemmas(message(nlp, text))
        for texts in EXAMPLES.values()
        for text in texts
    ]
    labels = [intent for intent, texts in EXAMPLES.items() for _ in texts]
    reference = clone(classifier._model).set_params(
        classifier__solver="lbfgs", classifier__tol=1e-10, classifier__max_iter=10000
    )
    reference.fit(texts, labels)
    unseen = [
        classifier._lemmas(message(nlp, text))
        for text in [
            "is it sore afterwards",
            "what does a session cost",
            "does it fade",
        ]
    ]
    assert list(reference.classes_) == classifier._labels
    assert (
        np.abs(
            reference.predict_proba(unseen) - classifier._model.predict_proba(unseen)
        ).max()
        < 0.01
    )
