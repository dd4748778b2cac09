"""The catalogue of every word hall staff and citizens see: one TOML file per language.

``zh.toml`` (Simplified Chinese, the default) and ``en.toml`` ship beside this module. A hall
adds a language, or changes a word, by putting ``<code>.toml`` in the folder that
``HALLKEEPER_WORDS_DIR`` names: no code changes. Keys are namespaced by area (``queue.call``,
``pages.title.kiosk``, ``alerts.off_post``); in a file, a ``[queue]`` table holds the
``queue.*`` words. A word missing from a language falls back to Chinese, then English, and the
gap is logged once; a key missing everywhere shows as itself so that it is visible, not fatal.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
DEFAULT = "zh"  # what the hall shows unless asked otherwise
SECOND = "en"
FALLBACK = (DEFAULT, SECOND)

_dirs: list[Path] = []  # the hall's own folders, after the shipped one
_words: dict[str, dict[str, str]] | None = None  # language -> key -> text, loaded on first use
_languages: tuple[str, ...] = ()  # the codes of `_words`, in `languages` order
_reported: set[str] = set()  # keys no language has, already logged


def _flatten(table: Mapping[str, Any], prefix: str, into: dict[str, str], source: Path) -> None:
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            _flatten(value, f"{key}.", into, source)
        elif isinstance(value, str):
            into[key] = value
        else:
            raise ValueError(f"{source}: {key}: a word must be text, not {value!r}")


def _load() -> dict[str, dict[str, str]]:
    words: dict[str, dict[str, str]] = {}
    files: dict[str, list[str]] = {}
    for folder in (HERE, *_dirs):
        for path in sorted(folder.glob("*.toml")):
            with path.open("rb") as file:
                table = tomllib.load(file)
            _flatten(table, "", words.setdefault(path.stem, {}), path)
            files.setdefault(path.stem, []).append(str(path))
    base = words.get(DEFAULT, {})
    for lang, have in words.items():
        missing = [key for key in base if key not in have]
        if missing:  # logged once per load, not per word shown
            log.warning(
                "%s lacks %d words, shown in %s instead (first: %s)",
                " + ".join(files[lang]),
                len(missing),
                DEFAULT if lang != DEFAULT else SECOND,
                ", ".join(missing[:5]),
            )
    return words


def _catalogue() -> dict[str, dict[str, str]]:
    global _words, _languages
    if _words is None:
        words = _load()
        # The codes first: a thread that finds the words loaded finds their codes too.
        _languages = (*(c for c in FALLBACK if c in words), *sorted(set(words) - set(FALLBACK)))
        _words = words
    return _words


def use_dir(folder: Path | None) -> None:
    """Add the hall's language files in ``folder`` (None: only the shipped ones) and reload."""
    global _words
    _dirs[:] = [] if folder is None else [folder]
    if folder is not None and not folder.is_dir():
        raise ValueError(f"words folder {folder} does not exist")
    _words = None
    _reported.clear()
    _catalogue()


def languages() -> tuple[str, ...]:
    """The language codes present: Chinese, English, then the hall's others by code."""
    _catalogue()
    return _languages


def keys(lang: str = DEFAULT) -> frozenset[str]:
    """Every key ``lang`` has words for."""
    return frozenset(_catalogue().get(lang, {}))


def has(key: str) -> bool:
    """Whether any language has a word for ``key``."""
    return any(key in words for words in _catalogue().values())


def known(lang: str) -> str:
    """``lang`` itself when the catalogue has it; a ValueError names the languages present."""
    if lang not in _catalogue():
        raise ValueError(f"unknown language {lang!r}; present: {', '.join(languages())}")
    return lang


class _Codes:
    """The JSON schema of a language code: the languages present when the schema is built."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "enum": list(languages())}


# A language code of the catalogue (zh, en, or one the hall added); routes validate it.
Lang = Annotated[str, AfterValidator(known), _Codes]


def text(key: str, lang: str = DEFAULT) -> str:
    """The raw word for ``key`` in ``lang``, falling back to Chinese then English."""
    words = _catalogue()
    found = words.get(lang, {}).get(key)
    if found is not None:
        return found
    for other in FALLBACK:
        found = words.get(other, {}).get(key)
        if found is not None:
            return found  # the language's gaps were logged when its file was loaded
    if key not in _reported:
        _reported.add(key)
        log.warning("no word for %r in any language", key)
    return key


def t(key: str, lang: str = DEFAULT, **fields: object) -> str:
    """The word for ``key`` in ``lang``, its ``{fields}`` filled in."""
    word = text(key, lang)
    return word.format(**fields) if fields else word


def each(key: str, **fields: object) -> dict[str, str]:
    """The word for ``key`` in every language present (API bodies carry them all)."""
    return {lang: t(key, lang, **fields) for lang in languages()}


def under(prefix: str, lang: str) -> dict[str, str]:
    """Every word whose key starts with ``prefix.``, by the rest of its key, in ``lang``
    (in the order of the Chinese file)."""
    start = f"{prefix}."
    words = _catalogue()
    names = dict.fromkeys(k for c in languages() for k in words[c] if k.startswith(start))
    return {k[len(start) :]: text(k, lang) for k in names}


def pick_lang(value: str | None, default: str = DEFAULT) -> str:
    """The language asked for (``?lang=en``) when present, else the hall's default."""
    present = _catalogue()
    if value is not None and value in present:
        return value
    return default if default in present else DEFAULT


def label(table: str, code: str, lang: str = DEFAULT) -> str:
    """The name of ``code`` in a table of labels (status, slot, grade, ...); unknown: as is."""
    key = f"labels.{table}.{code}"
    if has(key):
        return text(key, lang)
    if not under(f"labels.{table}", DEFAULT):
        raise KeyError(f"no label table {table!r}")
    return str(code)
