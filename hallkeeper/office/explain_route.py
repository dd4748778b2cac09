"""The office pages' script sends the API's refusal here to show it in the page's words."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from hallbase.words import pick_lang
from hallkeeper.office.common import OFFICE_PAGE, ROOT
from hallkeeper.office.problems import explain

router = APIRouter(include_in_schema=False)


class Refusal(BaseModel):
    """An API answer that was not a success: its status and its JSON body."""

    model_config = ConfigDict(extra="forbid")
    status: int = Field(ge=100, le=599)
    body: Any = None


@router.post(f"{ROOT}/explain", dependencies=[OFFICE_PAGE])
def explain_refusal(refusal: Refusal, lang: str | None = None) -> dict[str, Any]:
    """Each problem of a refusal: ``field`` (its name; empty: the whole form), ``problem``,
    and both as one ``line``."""
    language = pick_lang(lang)
    problems = explain(refusal.status, refusal.body, language)
    return {
        "problems": [
            {"field": p.field, "key": p.key, "problem": p.problem, "line": p.line(language)}
            for p in problems
        ]
    }
