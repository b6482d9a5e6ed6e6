"""The project's own spaCy pipeline, built in code (no pretrained model needed).

`build_pipeline()` writes a pipeline that Rasa's `SpacyNLP` loads from disk:

1. spaCy's English tokenizer.
2. `smp_normalizer`: turns every token into a normalised lemma that the intent
   classifier sees: spelling variants (UK/US, chat slang) from spaCy's lexeme
   norms, common misspellings of the domain's own words corrected against the
   training vocabulary, then a lookup lemma (scars → scar, hurts → hurt).
3. `entity_ruler`: the domain's terms (scar types, alternatives, hair-loss
   patterns...) from the lookup tables and synonyms in `data/nlu/entities.yml`,
   matched on lemmas so plurals and misspellings match too. Each match carries
   its canonical value as the entity id.

Ablation switches (`normalise`, `spelling`) exist so `make bench` can measure
what each stage is worth.
"""

# No `from __future__ import annotations`: spaCy validates factory signatures
# at run time and cannot resolve postponed annotations.
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import spacy
import yaml
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc

from smp.settings import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "data" / "nlu"

# Words of the domain that general English word lists lack; they anchor spelling
# correction even when the training data spells them only once.
DOMAIN_WORDS = (
    "micropigmentation pigmentation pigment pigments scalp tattoo tattoos tattooed "
    "hairline hairlines transplant transplants follicle follicles alopecia norwood "
    "finasteride minoxidil rogaine regaine propecia toupee wig wigs fibres fibers "
    "toppik concealer prp keloid keloids dermatologist anaesthetic anesthetic "
    "numbing cream touchup touch-up fading fade faded session sessions consultation "
    "practitioner practitioners artist artists certified qualification removal "
    "laser aftercare shampoo sweating gym swimming sunscreen density thinning "
    "receding bald baldness crown temples donor scar scars scarring birthmark "
    "tricopigmentation smp price cost expensive cheaper payment deposit"
).split()

# The lookup table's quirks that would mislead the classifier ("does" → "doe").
LEMMA_OVERRIDES = {"does": "do", "doe": "do", "hair": "hair", "hairs": "hair"}

_WORD = re.compile(r"^[a-z][a-z'-]*[a-z]$")


def _lookups_file(name: str) -> dict[str, str]:
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / f"en_{name}.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        table: dict[str, str] = json.load(handle)
    return table


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost
            )
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class SpellingCorrector:
    """Maps an unknown word to the closest frequent word of the domain vocabulary."""

    def __init__(self, known: Iterable[str], targets: Counter[str]) -> None:
        self.known = set(known)
        self.targets = targets
        self._by_length: dict[int, list[str]] = {}
        for word in targets:
            self._by_length.setdefault(len(word), []).append(word)
        self._cache: dict[str, str | None] = {}

    def correct(self, word: str) -> str | None:
        """The corrected word, or None when `word` is known or nothing is close."""
        if len(word) < 4 or word in self.known or not _WORD.match(word):
            return None
        if word in self._cache:
            return self._cache[word]
        limit = 1 if len(word) < 7 else 2
        best: tuple[int, int, str] | None = None
        for length in range(len(word) - limit, len(word) + limit + 1):
            for candidate in self._by_length.get(length, ()):
                distance = _edit_distance(word, candidate, limit)
                if distance <= limit:
                    rank = (distance, -self.targets[candidate], candidate)
                    if best is None or rank < best:
                        best = rank
        result = best[2] if best else None
        self._cache[word] = result
        return result


class Normalizer:
    """Sets `token.lemma_` (and `token.norm_` for corrected words) on every token."""

    def __init__(
        self, nlp: Language, name: str, *, normalise: bool, spelling: bool
    ) -> None:
        self.name = name
        self.normalise = normalise
        self.spelling = spelling
        self.lemmas: dict[str, str] = {}
        self.norms: dict[str, str] = {}
        self.known: list[str] = []
        self.targets: dict[str, int] = {}
        self._corrector: SpellingCorrector | None = None

    def initialize(
        self,
        get_examples: object = None,
        *,
        nlp: object = None,
        vocabulary: Counter[str] | None = None,
    ) -> None:
        """Load spaCy's lookup tables and learn the domain vocabulary."""
        self.lemmas = {**_lookups_file("lemma_lookup"), **LEMMA_OVERRIDES}
        self.norms = {k.lower(): v for k, v in _lookups_file("lexeme_norm").items()}
        english = set(self.lemmas) | set(self.lemmas.values())
        vocabulary = vocabulary or Counter()
        targets = Counter({w: c for w, c in vocabulary.items() if len(w) >= 4})
        for word in DOMAIN_WORDS:
            targets[word] += 2
        self.known = sorted(english | set(vocabulary) | set(DOMAIN_WORDS))
        self.targets = dict(targets)
        self._corrector = None

    @property
    def corrector(self) -> SpellingCorrector:
        if self._corrector is None:
            self._corrector = SpellingCorrector(self.known, Counter(self.targets))
        return self._corrector

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            word = token.lower_
            if self.normalise:
                word = self.norms.get(word, word)
            if self.spelling:
                corrected = self.corrector.correct(word)
                if corrected:
                    word = corrected
            if self.normalise or self.spelling:
                token.norm_ = word
            token.lemma_ = self.lemmas.get(word, word)
        return doc

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        data = {
            "lemmas": self.lemmas,
            "norms": self.norms,
            "known": self.known,
            "targets": self.targets,
        }
        with gzip.open(path / "tables.json.gz", "wt", encoding="utf-8") as handle:
            json.dump(data, handle)

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "Normalizer":
        with gzip.open(Path(path) / "tables.json.gz", "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        self.lemmas = data["lemmas"]
        self.norms = data["norms"]
        self.known = data["known"]
        self.targets = data["targets"]
        self._corrector = None
        return self


@Language.factory(
    "smp_normalizer",
    default_config={"normalise": True, "spelling": True},
)
def make_normalizer(
    nlp: Language, name: str, normalise: bool, spelling: bool
) -> "Normalizer":
    return Normalizer(nlp, name, normalise=normalise, spelling=spelling)


_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def training_vocabulary(nlu_dir: Path = NLU_DIR) -> Counter[str]:
    """Word counts over the NLU training examples (annotations stripped)."""
    counts: Counter[str] = Counter()
    tokenizer = spacy.blank("en").tokenizer
    for path in sorted(nlu_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            examples = block.get("examples") or ""
            for line in examples.splitlines():
                text = _ANNOTATION.sub(r"\1", line.strip().lstrip("- "))
                counts.update(
                    token.lower_ for token in tokenizer(text) if token.is_alpha
                )
    return counts


def entity_terms(nlu_dir: Path = NLU_DIR) -> list[tuple[str, str, str]]:
    """(entity, surface form, canonical value) for every domain term.

    Lookup tables name the entity; synonym blocks give each surface form its
    canonical value (a form without a synonym is its own canonical value).
    """
    lookups: dict[str, list[str]] = {}
    canonical: dict[str, str] = {}
    for path in sorted(nlu_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            items = [
                line.strip()[2:].strip()
                for line in (block.get("examples") or "").splitlines()
                if line.strip().startswith("- ")
            ]
            if "lookup" in block:
                lookups.setdefault(block["lookup"], []).extend(items)
            elif "synonym" in block:
                for item in items:
                    canonical[item.lower()] = str(block["synonym"])
    terms = []
    for entity, forms in lookups.items():
        for form in forms:
            value = canonical.get(form.lower(), form.lower())
            terms.append((entity, form.lower(), value))
    return terms


def build_pipeline(
    output: str | Path | None = None,
    *,
    normalise: bool = True,
    spelling: bool = True,
    entities: bool = True,
    nlu_dir: Path = NLU_DIR,
) -> Language | Path:
    """Build the pipeline; write it to `output` if given, else return it."""
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "smp_normalizer", config={"normalise": normalise, "spelling": spelling}
    )
    normalizer: Normalizer = nlp.get_pipe("smp_normalizer")  # type: ignore[assignment]
    normalizer.initialize(vocabulary=training_vocabulary(nlu_dir))
    if entities:
        ruler: EntityRuler = nlp.add_pipe(  # type: ignore[assignment]
            "entity_ruler", config={"overwrite_ents": True, "validate": True}
        )
        patterns: list[dict[str, Any]] = []
        seen = set()
        for entity, form, value in entity_terms(nlu_dir):
            doc = normalizer(nlp.make_doc(form))
            lemmas = [token.lemma_ for token in doc]
            key = (entity, tuple(lemmas))
            if key in seen:
                continue
            seen.add(key)
            patterns.append(
                {
                    "label": entity,
                    "id": value,
                    "pattern": [{"LEMMA": lemma} for lemma in lemmas],
                }
            )
        ruler.add_patterns(patterns)
    if output is None:
        return nlp
    output = Path(output)
    if not output.is_absolute():
        output = PROJECT_ROOT / output
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.meta["name"] = "smp_en"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "SMP clinic pipeline: normaliser, lemmas, domain ruler"
    nlp.to_disk(output)
    return output
