"""The project's spaCy pipeline and the Rasa component that reads its entities."""

from __future__ import annotations

from collections import Counter

import pytest
import spacy
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from smp.nlp import SpellingCorrector, build_pipeline, entity_terms
from smp.nlu_components import DomainEntityExtractor, WordlessMessageGuard


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


def lemmas(nlp, text: str) -> list[str]:
    return [token.lemma_ for token in nlp(text.lower())]


def entities(nlp, text: str) -> list[tuple[str, str]]:
    return [(ent.label_, ent.ent_id_) for ent in nlp(text.lower()).ents]


def test_inflections_are_reduced_to_lemmas(nlp):
    assert lemmas(nlp, "scars hurts transplants") == ["scar", "hurt", "transplant"]


def test_the_lookup_table_quirk_for_does_is_corrected(nlp):
    assert lemmas(nlp, "does")[0] == "do"


def test_uk_and_us_spellings_share_a_lemma(nlp):
    assert lemmas(nlp, "colour") == lemmas(nlp, "color")


def test_misspelt_domain_words_are_corrected():
    corrector = SpellingCorrector(
        known={"the", "scalp"}, targets=Counter({"pigmentation": 5, "hairline": 3})
    )
    assert corrector.correct("pigmentaiton") == "pigmentation"
    assert corrector.correct("hairlin") == "hairline"
    assert corrector.correct("scalp") is None  # known words stay
    assert corrector.correct("xylophone") is None  # nothing close


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can it hide my strip scar", ("scar_type", "fut")),
        ("I had FUE done", ("scar_type", "fue")),
        ("is it better than rogaine", ("alternative", "minoxidil")),
        ("compared with hair transplants", ("alternative", "hair transplant")),
        ("does it work for women", ("gender", "female")),
        ("I'm a norwood 7", ("hair_loss", "norwood")),
        ("what about dark skin", ("skin_tone", "dark")),
    ],
)
def test_domain_terms_are_found_with_their_canonical_value(nlp, text, expected):
    assert expected in entities(nlp, text)


def test_every_lookup_table_entry_has_an_entity_name():
    terms = entity_terms()
    assert {entity for entity, _, _ in terms} == {
        "scar_type",
        "alternative",
        "gender",
        "hair_loss",
        "skin_tone",
        "body_area",
    }


def test_the_saved_pipeline_loads_with_spacy(tmp_path):
    path = build_pipeline(tmp_path / "smp_en")
    loaded = spacy.load(path)
    assert loaded.pipe_names == ["smp_normalizer", "entity_ruler"]
    assert ("scar_type", "fut") in [
        (e.label_, e.ent_id_) for e in loaded("strip scar").ents
    ]


def test_the_rasa_extractor_reports_canonical_values(nlp):
    message = Message(data={TEXT: "Can it cover a strip scar?"})
    message.set(SPACY_DOCS[TEXT], nlp("can it cover a strip scar?"))
    extractor = DomainEntityExtractor({"dimensions": None})
    [processed] = extractor.process([message])
    found = processed.get("entities")
    assert found[0]["entity"] == "scar_type"
    assert found[0]["value"] == "fut"
    assert found[0]["extractor"] == "DomainEntityExtractor"


@pytest.mark.parametrize("text", ["😀", "??", "...", "👍👍", "   "])
def test_a_message_without_words_is_marked_not_understood(text):
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": "affirm", "confidence": 0.63})
    (guarded,) = WordlessMessageGuard().process([message])
    assert guarded.get(INTENT)["name"] == "nlu_fallback"


@pytest.mark.parametrize("text", ["yes 😀", "ok", "2", "sí"])
def test_a_message_with_words_keeps_its_intent(text):
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": "affirm", "confidence": 0.9})
    (kept,) = WordlessMessageGuard().process([message])
    assert kept.get(INTENT)["name"] == "affirm"
