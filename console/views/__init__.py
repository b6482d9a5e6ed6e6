"""The console's pages, one blueprint per area."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from console.views import (
        analytics,
        answers,
        auth,
        chat,
        conversations,
        home,
        privacy,
        requests,
        unanswered,
        vendor,
    )

    for module in (
        auth,
        home,
        vendor,
        chat,
        conversations,
        unanswered,
        answers,
        requests,
        analytics,
        privacy,
    ):
        app.register_blueprint(module.blueprint)
