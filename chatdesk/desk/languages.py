"""The languages chatdesk speaks to customers: which there are, which one a browser wants, how a tag is checked.

The widget's words are catalogues under `static/widget/` (English built in, the others in `i18n/`),
the customer mails' words `desk/mail/strings/`; both hold exactly these languages.
"""

from __future__ import annotations

from typing import Literal, get_args

Language = Literal["en", "de", "fr", "es", "pt", "ar"]
# A widget's `language` setting: "auto" follows the browser, else one of ours.
LanguageSetting = Literal["auto", "en", "de", "fr", "es", "pt", "ar"]
LANGUAGES: tuple[str, ...] = get_args(Language)
RIGHT_TO_LEFT = frozenset({"ar"})
DEFAULT_LANGUAGE = "en"

# A BCP 47 language tag as browsers send them: a 2-3 letter language, then subtags (script, region,
# variant) of 1-8 letters or digits, e.g. "de", "pt-BR", "zh-Hant-TW". At most 35 characters.
TAG_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,5}$"


def served(tag: str | None) -> str:
    """The language of ours that a visitor with `tag` is served: its primary subtag, else English."""
    primary = (tag or "").split("-")[0].lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def negotiate(accept_language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The first of ours in the browser's Accept-Language (its language list, by preference), else `default`."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.split("-")[0].lower()
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, index, primary))
    return min(ranked)[2] if ranked else default


def direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"
