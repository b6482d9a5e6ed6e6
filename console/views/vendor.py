"""Front-end libraries installed by `npm ci --prefix console`, served as-is."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

blueprint = Blueprint("vendor", __name__)

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
# Only these files are served, each from its package's distribution folder.
ASSETS = {
    "chart.umd.js": NODE_MODULES / "chart.js" / "dist",
    "chart.umd.js.map": NODE_MODULES / "chart.js" / "dist",
}


@blueprint.route("/vendor/<name>")
def asset(name: str):
    folder = ASSETS.get(name)
    if folder is None or not (folder / name).is_file():
        abort(
            404, description="Front-end assets missing: run `npm ci --prefix console`."
        )
    return send_from_directory(folder, name, max_age=86400)
