"""How topics are named to staff: the clinic's own topic words from the answers.

Each FAQ topic is written once, in `content/answers.yml` (in lower case where
it reads mid-sentence: "Did you mean: what SMP is?"). As a label it only gets a
capital first letter; the rest stays as written, so "SMP" stays "SMP".
"""

from __future__ import annotations


def topic_label(topic: str) -> str:
    """`what SMP is` → `What SMP is`."""
    return topic[:1].upper() + topic[1:]
