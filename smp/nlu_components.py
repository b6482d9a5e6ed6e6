"""Rasa NLU components of the project (referenced by module path in config.yml)."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from smp.topics import FALLBACK_INTENT


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class DomainEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Reads the domain terms that the spaCy pipeline's entity ruler marked.

    Unlike Rasa's SpacyEntityExtractor it reuses the document SpacyNLP already
    made (no second pass) and reports the ruler's canonical value (`fut` for
    "strip scar"), so answers can be refined without a synonym table in code.
    """

    @classmethod
    def required_components(cls) -> list[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Entity names to keep; None keeps every label the ruler produces.
        return {"dimensions": None}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DomainEntityExtractor:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the ruler's entities to each message."""
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                continue
            found = [
                {
                    "entity": ent.label_,
                    "value": ent.ent_id_ or ent.text,
                    "start": ent.start_char,
                    "end": ent.end_char,
                    "confidence": 1.0,
                }
                for ent in doc.ents
            ]
            found = self.filter_irrelevant_entities(
                self.add_extractor_name(found), self._config["dimensions"]
            )
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class WordlessMessageGuard(GraphComponent):
    """Marks messages with no letters or digits (😀, "??", "...") as not understood.

    The classifier has to pick some intent for them, and picked `affirm` for a
    lone smiley, which started a booking. Placed after the classifiers, this
    turns such a message into the fallback intent, so the visitor is offered
    the popular topics instead.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> WordlessMessageGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = str(message.get(TEXT) or "")
            if any(character.isalnum() for character in text):
                continue
            message.set(
                INTENT,
                {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0},
                add_to_output=True,
            )
        return messages
