"""Vigil's REST API (FastAPI): one router per resource under ``/api/v1``, one error shape."""

from vigil.api.app import create_app

__all__ = ["create_app"]
