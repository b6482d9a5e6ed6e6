"""The answers' minimal markdown: one reading of it, rendered for each channel.

Answers and bot messages use a small markdown: `**bold**`, `*italic*`, line
breaks, `- ` and `1. ` lists, `[label](url)`, and bare links, e-mail addresses
and phone numbers, which become links. `parse()` reads it into blocks the
same way the chat widget's renderer (web/widget/render.js) does; one set of
cases, `tests/markup_cases.json`, is checked against both, so the widget, the
console's preview (`to_html`), the messaging apps (`to_whatsapp`) and the
plain-text channels (`to_plain`) all read a message alike.

Blank lines separate chat bubbles (`bubbles`): the widget, REST and Telegram
show each paragraph as its own message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import TypeAlias
from urllib.parse import urlsplit

LINK_SCHEMES = frozenset({"http", "https", "mailto"})

# A phone number, as in render.js: digits in groups, not touching a word, a
# URL or an e-mail address; `phone_href` decides whether it reads as one.
_PHONE = (
    r"(?<![\w+/@.:#=&%-])(\+?(?:\(\d{1,5}\)|\d{1,14})"
    r"(?:[ .-]?(?:\(\d{1,5}\)|\d{1,14})){0,7})(?![\w@])"
)
_INLINE = re.compile(
    "|".join(
        [
            r"\*\*(?=\S)([\s\S]*?\S)\*\*",  # 1: bold
            r"\*(?=[^\s*])([^*]*?[^\s*])\*",  # 2: italic
            r"\[([^\]\n]+)\]\(\s*([^()\s]+)\s*\)",  # 3, 4: [label](url)
            r"((?:https?://|mailto:)[^\s<>\"]+)",  # 5: bare link
            r"([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})",  # 6
            _PHONE,  # 7: phone number
        ]
    ),
    re.ASCII,
)
_TRAILING_PUNCTUATION = re.compile(r"[.,;:!?'\")\]]+$")
_DATE_SHAPE = re.compile(r"^\d{1,4}([./-])\d{1,2}\1\d{1,4}$")
_NORTH_AMERICAN = re.compile(r"^(?:1[ .-]?)?\(?[2-9]\d{2}\)?[ .-]?\d{3}[ .-]\d{4}$")
_BULLET = re.compile(r"^\s*[-*•]\s+(.+)$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.+)$")
_BUBBLE_BREAK = "\n\n"


@dataclass(frozen=True)
class Styled:
    """Bold (`strong`), italic (`em`) or a link (`a`, with its `href`)."""

    tag: str
    children: tuple[Inline, ...]
    href: str = ""


Inline: TypeAlias = str | Styled


@dataclass
class Block:
    """A paragraph (`p`, one entry per line) or a list (`ul`/`ol`, one per item)."""

    tag: str
    lines: list[list[Inline]] = field(default_factory=list)
    start: int = 1


def safe_url(href: str) -> str | None:
    """`href` normalised if it is an http(s) or mailto address, else None."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in LINK_SCHEMES:
        return None
    if scheme == "mailto":
        return f"mailto:{parts.path}" if parts.path else None
    if not parts.hostname:
        return None
    host = parts.netloc.lower()
    url = f"{scheme}://{host}{parts.path or '/'}"
    if parts.query:
        url += f"?{parts.query}"
    if parts.fragment:
        url += f"#{parts.fragment}"
    return url


def phone_href(text: str) -> str | None:
    """A `tel:` address for text that reads as a phone number, else None.

    International numbers keep their "+" and lose an optional trunk "(0)";
    national ones start with a trunk "0" or have the North American shape, so
    dates, prices and years stay text. Between 8 and 15 digits (E.164).
    """
    value = text.strip()
    international = value.startswith("+")
    digits = re.sub(r"\D", "", value.replace("(0)", "", 1) if international else value)
    if not 8 <= len(digits) <= 15:
        return None
    if not international:
        if _DATE_SHAPE.match(value):
            return None
        if not re.match(r"^\(?0", value) and not _NORTH_AMERICAN.match(value):
            return None
    return f"tel:{'+' if international else ''}{digits}"


def _markdown_target(target: str) -> str | None:
    if target[:4].lower() == "tel:":
        return phone_href(target[4:])
    return safe_url(target)


def _append(nodes: list[Inline], node: Inline) -> None:
    """Add `node`, merging neighbouring text as a browser's DOM reads it."""
    if isinstance(node, str):
        if not node:
            return
        if nodes and isinstance(nodes[-1], str):
            nodes[-1] += node
            return
    nodes.append(node)


def parse_inline(text: str, links: bool = True) -> list[Inline]:
    """Text with bold, italic and links as `Styled` nodes."""
    nodes: list[Inline] = []
    last = 0
    position = 0
    while (match := _INLINE.search(text, position)) is not None:
        whole = match.group(0)
        node: Inline
        if match.group(1) is not None:
            node = Styled("strong", tuple(parse_inline(match.group(1), links)))
        elif match.group(2) is not None:
            node = Styled("em", tuple(parse_inline(match.group(2), links)))
        elif match.group(3) is not None:
            href = _markdown_target(match.group(4)) if links else None
            label = match.group(3)
            node = (
                Styled("a", tuple(parse_inline(label, False)), href) if href else label
            )
        elif match.group(5) is not None or match.group(6) is not None:
            trailing = _TRAILING_PUNCTUATION.search(whole)
            if trailing:
                whole = whole[: trailing.start()]
            address = whole if match.group(5) is not None else f"mailto:{whole}"
            href = safe_url(address) if links else None
            node = Styled("a", (whole,), href) if href else whole
        else:
            href = phone_href(whole) if links else None
            node = Styled("a", (whole,), href) if href else whole
        _append(nodes, text[last : match.start()])
        _append(nodes, node)
        last = position = match.start() + len(whole)
    _append(nodes, text[last:])
    return nodes


def parse(text: str) -> list[Block]:
    """Paragraphs and lists, line by line as the widget reads them."""
    blocks: list[Block] = []
    paragraph: Block | None = None
    current_list: Block | None = None
    for raw_line in re.sub(r"\r\n?", "\n", text).split("\n"):
        line = raw_line.rstrip()
        bullet = _BULLET.match(line)
        numbered = None if bullet else _NUMBERED.match(line)
        if bullet or numbered:
            tag = "ul" if bullet else "ol"
            if current_list is None or current_list.tag != tag:
                start = int(numbered.group(1)) if numbered else 1
                current_list = Block(tag, start=start)
                blocks.append(current_list)
            item = bullet.group(1) if bullet else numbered.group(2) if numbered else ""
            current_list.lines.append(parse_inline(item))
            paragraph = None
            continue
        current_list = None
        if not line.strip():
            paragraph = None
            continue
        if paragraph is None:
            paragraph = Block("p")
            blocks.append(paragraph)
        paragraph.lines.append(parse_inline(line))
    return blocks


def tree(blocks: Sequence[Block]) -> list[dict[str, object]]:
    """The blocks as plain data (the shape of `tests/markup_cases.json`)."""

    def inline(nodes: Sequence[Inline]) -> list[object]:
        out: list[object] = []
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif node.tag == "a":
                out.append({"a": inline(node.children), "href": node.href})
            else:
                out.append({node.tag: inline(node.children)})
        return out

    shaped: list[dict[str, object]] = []
    for block in blocks:
        entry: dict[str, object] = {block.tag: [inline(line) for line in block.lines]}
        if block.tag == "ol" and block.start != 1:
            entry["start"] = block.start
        shaped.append(entry)
    return shaped


# -- Renderings ----------------------------------------------------------------


def _html_inline(nodes: Sequence[Inline]) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(escape(node, quote=False))
            continue
        inner = _html_inline(node.children)
        if node.tag != "a":
            out.append(f"<{node.tag}>{inner}</{node.tag}>")
        elif node.href.startswith("tel:"):
            out.append(f'<a href="{escape(node.href)}">{inner}</a>')
        else:
            out.append(
                f'<a href="{escape(node.href)}" target="_blank" '
                f'rel="noopener noreferrer">{inner}</a>'
            )
    return "".join(out)


def to_html(text: str) -> str:
    """One bubble's text as HTML, every piece of text escaped (the widget's DOM)."""
    out: list[str] = []
    for block in parse(text):
        if block.tag == "p":
            out.append("<p>" + "<br>".join(map(_html_inline, block.lines)) + "</p>")
            continue
        start = (
            f' start="{block.start}"' if block.tag == "ol" and block.start != 1 else ""
        )
        items = "".join(f"<li>{_html_inline(line)}</li>" for line in block.lines)
        out.append(f"<{block.tag}{start}>{items}</{block.tag}>")
    return "".join(out)


def _text_inline(nodes: Sequence[Inline], bold: str, italic: str) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        inner = _text_inline(node.children, bold, italic)
        if node.tag == "strong":
            out.append(f"{bold}{inner}{bold}")
        elif node.tag == "em":
            out.append(f"{italic}{inner}{italic}")
        else:
            address = node.href.removeprefix("tel:").removeprefix("mailto:")
            shown = _shows_its_address(inner, node.href)
            out.append(inner if shown else f"{inner} ({address})")
    return "".join(out)


def _shows_its_address(label: str, href: str) -> bool:
    """Whether a link's label already says where it goes (a bare address)."""
    if href.startswith("tel:"):
        return any(character.isdigit() for character in label)
    address = href.removeprefix("mailto:")
    return label.rstrip("/").lower() == address.rstrip("/").lower()


def _render_lines(text: str, line: Callable[[list[Inline]], str]) -> str:
    """`text` line by line, paragraph breaks kept, lists as "- " or "3. " lines."""
    out: list[str] = []
    for raw_line in re.sub(r"\r\n?", "\n", text.strip()).split("\n"):
        stripped = raw_line.rstrip()
        bullet = _BULLET.match(stripped)
        numbered = None if bullet else _NUMBERED.match(stripped)
        if bullet:
            out.append("- " + line(parse_inline(bullet.group(1))))
        elif numbered:
            out.append(f"{numbered.group(1)}. " + line(parse_inline(numbered.group(2))))
        else:
            out.append(line(parse_inline(stripped.strip())) if stripped.strip() else "")
    return "\n".join(out)


def to_plain(text: str) -> str:
    """Plain text, no markdown markers (REST, Telegram, SMS-like channels).

    Links keep their address in brackets after the label when the label does
    not already show it.
    """
    return _render_lines(text, lambda nodes: _text_inline(nodes, "", ""))


def to_whatsapp(text: str) -> str:
    """WhatsApp's own formatting: `*bold*`, `_italic_`, links written out."""
    return _render_lines(text, lambda nodes: _text_inline(nodes, "*", "_"))


def bubbles(text: str) -> list[str]:
    """The chat bubbles a message is shown as: one per paragraph."""
    return [part.strip() for part in text.strip().split(_BUBBLE_BREAK) if part.strip()]
