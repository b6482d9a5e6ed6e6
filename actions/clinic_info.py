"""Answers about the clinic itself: where it is, when it is open, how to reach it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.common import now_utc
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
            "utter_clinic_open_now"
            if clinic.is_open(now_utc())
            else ("utter_clinic_closed_now")
        )
        parking = (
            texts.text("utter_clinic_parking_line", parking=clinic.parking)
            if clinic.parking
            else ""
        )
        buttons = []
        if tracker.active_loop_name is None:
            buttons.append(texts.book_button())
        dispatcher.utter_message(
            response="utter_clinic_details",
            buttons=buttons,
            clinic_name=clinic.name,
            clinic_address=clinic.address,
            clinic_phone=clinic.phone,
            clinic_email=clinic.email,
            parking_line=parking,
            open_status=texts.text(status),
            opening_hours=clinic.opening_hours_text(),
        )
        return []
