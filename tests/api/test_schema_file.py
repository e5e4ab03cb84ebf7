"""schema.graphql is what the code defines: clients build against the file, so it must not drift."""

from __future__ import annotations

from pathlib import Path

from api.schema import sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_file_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == sdl(), "schema.graphql is stale: run `lokos export-schema`"


def test_contract_fields_are_present() -> None:
    text = sdl()
    for field in [
        "me:",
        "node(",
        "geoUnit(",
        "states(",
        "clfs(",
        "vos(",
        "shgs(",
        "shg(",
        "members(",
        "member(",
        "createClf(",
        "createVo(",
        "createShg(",
        "approveCbo(",
        "closeCbo(",
        "enrollMember(",
        "transferMember(",
        "exitMember(",
        "updateMemberProfile(",
        "idCard(",
        "totalCount",
        "pageInfo",
        "_entities(",
        "_service",
    ]:
        assert field in text, field
