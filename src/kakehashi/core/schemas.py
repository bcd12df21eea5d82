"""Schemas the apps' API routers share."""

from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

# The largest values the columns hold on every database we support: a PositiveIntegerField
# is a 32-bit integer on PostgreSQL, a primary key a 64-bit one. Bounding input here turns
# an overflow into a 422 that names the field, instead of a 500 from the database (or, on
# SQLite, a row that cannot be read back).
MAX_INT = 2_147_483_647
MAX_ID = 9_223_372_036_854_775_807

# The id of a record named in a request body or query string.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


class InputSchema(Schema):
    """Base of every request body.

    Unknown fields are refused, so that a misspelt field is reported instead of silently
    changing nothing; and no text may contain a NUL character, which PostgreSQL cannot
    store (SQLite can, so without this check the same request would fail on one database
    and not the other).
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            # Translated here, at validation time, when the request's language is active.
            raise PydanticCustomError("nul_character", _("Text cannot contain NUL characters."))
        return value


class Texts(InputSchema):
    """One text in each language Kakehashi speaks; English is required where it matters."""

    en: str = ""
    ru: str = ""
    ja: str = ""


ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    503: ErrorOut,
}
