"""Answers about the clinic itself: where it is, when it is open, how to reach it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import BOOK_BUTTON, now_utc
from smp.clinic import get_clinic


class ActionClinicInfo(Action):
    """Address, opening hours, phone, email and parking from the clinic config."""

    def name(self) -> str:
        return "action_clinic_info"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        clinic = get_clinic()
        status = (
            "We're open now."
            if clinic.is_open(now_utc())
            else "We're closed right now."
        )
        lines = [
            f"**{clinic.name}**",
            f"📍 {clinic.address}",
            f"📞 {clinic.phone}",
            f"✉️ {clinic.email}",
        ]
        if clinic.parking:
            lines.append(f"🅿️ {clinic.parking}")
        lines.append(f"\n**Opening hours** ({status})\n{clinic.opening_hours_text()}")
        buttons = []
        if tracker.active_loop_name is None:
            buttons.append(dict(BOOK_BUTTON))
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        return []
