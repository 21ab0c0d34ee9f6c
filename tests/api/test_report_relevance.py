"""The API's report list orders and filters by triage relevance, and shows the language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from clients import api_client, bearer, make_users
from fastapi.testclient import TestClient

KILLINGS = "Des miliciens ont tué des civils au Soudan et brûlé des villages du Darfour."
FLOODS = "Las inundaciones en el Chocó destruyeron cosechas; el gobierno envió semillas."


@pytest.fixture
def client(vigil_home: Path) -> Iterator[TestClient]:
    url = f"sqlite:///{vigil_home / 'api.db'}"
    with api_client(vigil_home, url, triage_embeddings=True) as c:  # the default model is light
        yield c


def test_reports_are_listed_by_relevance_with_their_language(
    client: TestClient, vigil_home: Path
) -> None:
    auth = bearer(make_users(f"sqlite:///{vigil_home / 'api.db'}")[("analyst", "public")])
    ids = {}
    for title, text in (("killings", KILLINGS), ("floods", FLOODS)):
        answer = client.post("/api/v1/reports", headers=auth, json={"title": title, "text": text})
        assert answer.status_code == 201, answer.text
        ids[title] = answer.json()["id"]
        assert answer.json()["language"] == answer.json()["triage"]["language"]
    newest = client.get("/api/v1/reports", headers=auth).json()["items"]
    assert [r["title"] for r in newest] == ["floods", "killings"]
    assert {r["title"]: r["language"] for r in newest} == {"floods": "es", "killings": "fr"}
    ranked = client.get("/api/v1/reports?sort=relevance", headers=auth).json()["items"]
    assert [r["id"] for r in ranked] == [ids["killings"], ids["floods"]]
    assert ranked[0]["relevance"] > 0.5 > ranked[1]["relevance"]
    kept = client.get("/api/v1/reports?min_relevance=0.5", headers=auth).json()
    assert ([r["id"] for r in kept["items"]], kept["total"]) == ([ids["killings"]], 1)
    assert client.get("/api/v1/reports?min_relevance=2", headers=auth).status_code == 422
