"""Rasa NLU components of the project (referenced by module path in config.yml)."""

from __future__ import annotations

import re
from typing import Any

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

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


LEMMA_PATTERN = r"[^ ]+"
# The treatment's many names, as lemmas joined by spaces ("micro-pigmentation"
# arrives as "micro - pigmentation"). Visitors name it in every kind of
# question, so each name is read as one word, `smp`: no name can then pull a
# question towards the topic whose examples happen to use it most.
TREATMENT_NAMES = re.compile(
    r"\b(?:(?:scalp|hair|head) )?micro(?: - | )?pigment(?:ation)?\b"
    r"|\btricho?pigmentation\b"
    r"|\b(?:scalp|hair|head|hairline) tattoo\b"
    r"|\bs \. m \. p \.?|\bsmp\b"
)
TREATMENT_WORD = "smp"
# Largest gradient entry at which the solver stops.
SOLVER_TOLERANCE = 1e-2
NO_INTENT: dict[str, Any] = {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """A logistic regression over word and character n-grams of the lemmas.

    Deterministic, and trained in about 40 s on 2 cores. Visitors' long, formal and
    title-case questions share many words and word pieces with the training
    examples even when their shape differs, which is what this model weighs.
    With `blend` above 0 it mixes its probabilities with those of the intent
    classifier before it in the pipeline (DIET), whose ranking must then list
    every intent (`ranking_length: 0`).
    """

    @classmethod
    def required_components(cls) -> list[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Inverse regularisation strength of the logistic regression.
            "C": 100.0,
            # Character n-grams seen in fewer examples than this are dropped.
            "char_min_df": 2,
            # Add each domain term the entity ruler marked (scar_type,
            # alternative...) as a word of its own, so that every way of
            # naming a transplant scar or a wig points the same way.
            "entity_features": True,
            # Read every name of the treatment as the one word `smp`.
            "treatment_names": True,
            # Longest word n-gram (runs of lemmas) weighed.
            "word_ngrams": 3,
            # Weight of the previous classifier's probabilities (0: this alone).
            "blend": 0.0,
            # Intents listed in the output ranking.
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Pipeline | None = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._model = model
        self._labels = self._labels_of(model)

    @staticmethod
    def _labels_of(model: Pipeline | None) -> list[str]:
        """The intents in the order of the model's probabilities."""
        return [] if model is None else [str(label) for label in model.classes_]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def _lemmas(self, message: Message) -> str:
        doc = message.get(SPACY_DOCS[TEXT])
        if doc is None:
            return str(message.get(TEXT) or "").lower()
        words = [token.lemma_ for token in doc]
        if self._config["entity_features"]:
            words += [f"ENTITY_{entity.label_}" for entity in doc.ents]
        text = " ".join(words)
        if self._config["treatment_names"]:
            text = TREATMENT_NAMES.sub(TREATMENT_WORD, text)
        return text

    def _pipeline(self) -> Pipeline:
        # The lemmas arrive joined by spaces: each space-free run is a word.
        words = TfidfVectorizer(
            ngram_range=(1, int(self._config["word_ngrams"])),
            sublinear_tf=True,
            token_pattern=LEMMA_PATTERN,
        )
        pieces = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            min_df=self._config["char_min_df"],
        )
        return Pipeline(
            [
                ("features", FeatureUnion([("words", words), ("pieces", pieces)])),
                # Newton's method needs a dozen steps where L-BFGS needs near
                # two hundred on these weakly regularised sixty thousand
                # features: the same model (probabilities within 0.002 on the
                # evaluation sets) in half the training time.
                (
                    "classifier",
                    LogisticRegression(
                        C=self._config["C"],
                        solver="newton-cg",
                        tol=SOLVER_TOLERANCE,
                        max_iter=500,
                    ),
                ),
            ]
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            message
            for message in training_data.intent_examples
            if message.get(TEXT) and message.get(INTENT)
        ]
        if len({message.get(INTENT) for message in examples}) < 2:
            return self._resource
        model = self._pipeline()
        model.fit(
            [self._lemmas(message) for message in examples],
            [str(message.get(INTENT)) for message in examples],
        )
        self._model = model
        self._labels = self._labels_of(model)
        with self._storage.write_to(self._resource) as directory:
            joblib.dump(model, directory / "linear_intent.joblib")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / "linear_intent.joblib")
        except (ValueError, FileNotFoundError):
            model = None
        return cls(config, model_storage, resource, model)

    def _blended(self, message: Message, labels: list[str], own: Any) -> Any:
        weight = float(self._config["blend"])
        if weight <= 0:
            return own
        previous = np.zeros(len(labels))
        index = {label: position for position, label in enumerate(labels)}
        for item in message.get(INTENT_RANKING_KEY) or []:
            position = index.get(str(item.get(INTENT_NAME_KEY)))
            if position is not None:
                previous[position] = float(item.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        return weight * previous + (1.0 - weight) * own

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if self._model is None or not str(message.get(TEXT) or "").strip():
                # Nothing to classify: no intent, which the fallback turns
                # into "not understood".
                message.set(INTENT, NO_INTENT, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            labels = self._labels
            own = self._model.predict_proba([self._lemmas(message)])[0]
            probabilities = self._blended(message, labels, own)
            order = np.argsort(-probabilities)
            ranking = [
                {
                    INTENT_NAME_KEY: labels[position],
                    PREDICTED_CONFIDENCE_KEY: float(probabilities[position]),
                }
                for position in order
            ]
            if self._config["ranking_length"]:
                ranking = ranking[: self._config["ranking_length"]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
