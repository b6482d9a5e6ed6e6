"""The topic registry is the one list of intents and entities."""

from __future__ import annotations

import yaml

from launcher import generate
from smp import topics
from smp.content import load_content
from smp.settings import PROJECT_ROOT, get_settings


def test_generated_files_match_the_registry():
    assert generate.stale_files() == []


def test_a_changed_registry_makes_the_generated_files_stale(monkeypatch):
    monkeypatch.setattr(generate, "FAQ_INTENTS", topics.FAQ_INTENTS + ("faq_new",))
    monkeypatch.setattr(generate, "ALL_INTENTS", topics.ALL_INTENTS + ("faq_new",))
    assert set(generate.stale_files()) == {
        generate.DOMAIN_FILE,
        generate.FAQ_RULES_FILE,
    }
    assert "faq_new" in generate.render_faq_rules()


def test_the_domain_lists_exactly_the_registered_intents_and_entities():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    assert tuple(domain["intents"]) == topics.ALL_INTENTS
    assert tuple(domain["entities"]) == topics.ENTITIES + topics.BUTTON_ENTITIES
    for entity in topics.ENTITIES:
        assert domain["slots"][entity]["mappings"] == [
            {"type": "from_entity", "entity": entity}
        ]


def test_every_faq_rule_lists_every_faq_intent_once_per_form_and_outside():
    rules = yaml.safe_load(generate.FAQ_RULES_FILE.read_text())["rules"]
    assert len(rules) == 1 + len(topics.FORMS)
    for rule in rules:
        listed = [step["intent"] for step in rule["steps"][0]["or"]]
        assert tuple(listed) == topics.FAQ_INTENTS
    conditions = [rule.get("condition", [{}])[0].get("active_loop") for rule in rules]
    assert conditions == [None, *topics.FORMS]


def test_no_other_rule_or_story_lists_faq_intents_by_hand():
    for path in (PROJECT_ROOT / "data").glob("*.yml"):
        if path == generate.FAQ_RULES_FILE:
            continue
        data = yaml.safe_load(path.read_text()) or {}
        for block in data.get("rules", []):
            for step in block.get("steps", []):
                listed = {choice.get("intent") for choice in step.get("or", [])}
                assert not listed & set(topics.FAQ_INTENTS), block["rule"]


def test_the_answers_file_answers_every_faq_topic_and_nothing_else():
    answered = {answer.intent for answer in load_content(get_settings().answers_file)}
    assert answered == set(topics.FAQ_INTENTS)


def test_the_intent_contract_names_are_all_registered():
    contract = (PROJECT_ROOT.parent / "shared" / "product" / "INTENTS.md").read_text()
    for intent in topics.FAQ_INTENTS:
        assert f"| {intent} |" in contract
