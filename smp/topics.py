"""The assistant's vocabulary, declared once.

Every list of intents, entities and forms in the project comes from here:
`domain.yml`'s intent, entity and slot lists and the FAQ rules in
`data/faq_rules.yml` are generated from it (`make topics`), the answers file is
checked against it, and the actions and the console read it. A test fails when
a generated file drifts from this module.

Intent names are an interface (shared/product/INTENTS.md): add, never rename.
"""

from __future__ import annotations

# Topics answered with the clinic's approved text from the database.
FAQ_INTENTS: tuple[str, ...] = (
    "faq_what_is_smp",
    "faq_pain",
    "faq_scars",
    "faq_suitability",
    "faq_alternatives",
    "faq_vs_tattoo",
    "faq_procedure",
    "faq_results",
    "faq_longevity",
    "faq_aftercare",
    "faq_risks",
    "faq_removal",
    "faq_cost",
    "faq_practitioner",
)

# Everything else the visitor can say.
CONVERSATION_INTENTS: tuple[str, ...] = (
    "book_consultation",
    "request_human",
    "clinic_info",
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "out_of_scope",
    "cancel",
)

ALL_INTENTS: tuple[str, ...] = FAQ_INTENTS + CONVERSATION_INTENTS

# The classifier's "not understood" intent (Rasa's FallbackClassifier).
FALLBACK_INTENT = "nlu_fallback"
# Messages the assistant could not answer with a topic.
UNCLEAR_INTENTS: frozenset[str] = frozenset({FALLBACK_INTENT, "out_of_scope"})

# Entities that refine an answer; each also fills a slot of the same name so a
# detail mentioned once ("I had FUE") refines later answers too.
ENTITIES: tuple[str, ...] = (
    "scar_type",
    "alternative",
    "gender",
    "hair_loss",
    "skin_tone",
    "body_area",
)

# Entities that only buttons send, never read from typed text, and that fill no
# slot: "Tell me more" names the answer whose detail it asks for, on the FAQ
# intent of that answer (`/faq_scars{"answer_detail": "17"}`).
DETAIL_ENTITY = "answer_detail"
BUTTON_ENTITIES: tuple[str, ...] = (DETAIL_ENTITY,)

# Forms during which a question is answered and the form then resumes.
FORMS: tuple[str, ...] = ("booking_form", "handoff_form")

# Non-FAQ intents worth offering by name when the assistant asks "Did you mean…?".
NAMED_CONVERSATION_INTENTS: tuple[str, ...] = (
    "book_consultation",
    "clinic_info",
    "request_human",
)


def is_faq(intent: str | None) -> bool:
    """Whether `intent` is answered from the clinic's answers."""
    return intent in FAQ_INTENTS
