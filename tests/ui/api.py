"""What webapp-api/openapi.json documents (the applet is built against the same file)."""
import json
from pathlib import Path

OPENAPI = json.loads((Path(__file__).resolve().parents[2] / "webapp-api" / "openapi.json").read_text())


def has_route(method, path):
    return method.lower() in OPENAPI["paths"].get(path, {})
