"""The chat widget as tests see it: a page object and shared constants."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from launcher.services import PROJECT_ROOT
from smp.clinic import get_clinic

SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
DOCS = PROJECT_ROOT / "docs"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
CLINIC_NAME = get_clinic().name

# Bot replies can take a few seconds while the model warms up.
expect.set_options(timeout=20_000)


@dataclass
class ChatPage:
    """A demo page with the widget, seen the way a visitor and a test see it."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def launcher(self) -> Locator:
        return self.page.locator(".smp-launcher")

    @property
    def panel(self) -> Locator:
        return self.page.get_by_role("dialog", name=f"Chat with {CLINIC_NAME}")

    @property
    def log(self) -> Locator:
        return self.page.get_by_role("log", name="Conversation")

    @property
    def input(self) -> Locator:
        return self.page.get_by_role("textbox", name="Type your message")

    @property
    def banner(self) -> Locator:
        return self.page.locator(".smp-banner")

    @property
    def bot_messages(self) -> Locator:
        return self.page.locator(".smp-msg--bot .smp-bubble")

    @property
    def user_messages(self) -> Locator:
        return self.page.locator(".smp-msg--user .smp-bubble")

    def reply_button(self, title: str) -> Locator:
        group = self.page.get_by_role("group", name="Suggested replies")
        return group.get_by_role("button", name=title, exact=True)

    def open_chat(self) -> None:
        self.launcher.click()
        expect(self.panel).to_be_visible()
        expect(self.page.locator(".smp-widget.is-online")).to_have_count(1)

    @property
    def send_button(self) -> Locator:
        return self.page.get_by_role("button", name="Send message")

    def say(self, text: str) -> None:
        """Type a message, wait until it can be sent, press Enter."""
        self.input.fill(text)
        expect(self.send_button).to_be_enabled()
        self.input.press("Enter")
        expect(self.user_messages.last).to_have_text(text.strip())

    def session_id(self) -> str | None:
        """The conversation id the widget keeps in localStorage."""
        return self.page.evaluate(
            """() => {
                const stored = JSON.parse(localStorage.getItem('smp-chat:session'));
                return stored && typeof stored === 'object' ? stored.id : stored;
            }"""
        )

    def session_token(self) -> str | None:
        """The conversation token the server issued, kept next to the id."""
        return self.page.evaluate(
            "(JSON.parse(localStorage.getItem('smp-chat:session')) || {}).token || null"
        )

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), animations="disabled")
        return path

    def docs_screenshot(self, name: str) -> Path:
        """A screenshot for test-artifacts/, and for docs/ too when
        `SMP_DOCS_SCREENSHOTS=1` (how the widget's pictures in docs/ are made)."""
        path = self.screenshot(name)
        if os.environ.get("SMP_DOCS_SCREENSHOTS") == "1":
            shutil.copyfile(path, DOCS / path.name)
        return path


def words(text: str, count: int = 8) -> str:
    """The first `count` words of a text's first line, without markdown markers."""
    first_line = text.strip().splitlines()[0]
    plain = re.sub(r"\*+", "", first_line)
    return " ".join(plain.split()[:count])


def eventually(check: Callable[[], bool], timeout: float = 15.0) -> None:
    """Poll a server-side condition until it holds (Rasa saves trackers after replying)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout:.0f}s: {check.__doc__}")
        time.sleep(0.2)
