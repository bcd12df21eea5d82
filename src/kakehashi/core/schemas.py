"""Schemas the apps' API routers share."""

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


class Texts(Schema):
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
