"""`make train`: one process validates the project, then trains it."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from launcher.train import train

CONFIG = """\
recipe: default.v1
language: en
assistant_id: train_test
pipeline:
  - name: WhitespaceTokenizer
  - name: KeywordIntentClassifier
policies:
  - name: RulePolicy
"""

DOMAIN = """\
version: "3.1"
intents: [greet, goodbye]
responses:
  utter_hello: [{text: "Hello."}]
  utter_welcome: [{text: "Welcome."}]
  utter_bye: [{text: "Bye."}]
"""

NLU = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hi there
- intent: goodbye
  examples: |
    - bye
    - see you
"""

STORIES = """\
version: "3.1"
stories:
- story: greeting
  steps:
  - intent: greet
  - action: utter_hello
"""

# A story that runs an action the domain does not list: an error for
# Rasa's validator, not a warning.
BROKEN = (
    STORIES
    + """\
- story: farewell
  steps:
  - intent: goodbye
  - action: action_send_farewell
"""
)


def project(root: Path, stories: str) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "config.yml").write_text(CONFIG)
    (root / "domain.yml").write_text(DOMAIN)
    (root / "data" / "nlu.yml").write_text(NLU)
    (root / "data" / "stories.yml").write_text(stories)
    return root


@pytest.fixture(autouse=True)
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "false")


def test_a_valid_project_is_trained_into_a_model(tmp_path):
    root = project(tmp_path / "project", STORIES)
    model = train(tmp_path / "models", "assistant", build_spacy=False, project=root)
    assert model == tmp_path / "models" / "assistant.tar.gz"
    with tarfile.open(model) as archive:
        names = archive.getnames()
    assert any("KeywordIntentClassifier" in name for name in names)
    assert any("RulePolicy" in name for name in names)


def test_validation_errors_stop_training_and_keep_the_previous_model(tmp_path):
    root = project(tmp_path / "project", BROKEN)
    previous = tmp_path / "models" / "assistant.tar.gz"
    previous.parent.mkdir()
    previous.write_bytes(b"the model in service")
    with pytest.raises(SystemExit) as stopped:
        train(tmp_path / "models", "assistant", build_spacy=False, project=root)
    assert stopped.value.code == 1
    assert previous.read_bytes() == b"the model in service"
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())
