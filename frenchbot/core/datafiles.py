"""Reading the content that ships as data files (each app's `demo/`): TOML read and checked key by key.

A staff member edits these files by hand, so every mistake is refused with a message that names the file and the
place in it ("…/quiz.toml, question 3: 'text' is missing."), before anything is written to the database.
"""

import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

# Paths in messages start at our package, as a person finds them in the repository (wherever it is installed).
PACKAGE = __name__.split(".")[0]

_KIND_NAMES = {str: "text", int: "a whole number", bool: "true or false", list: "a list", dict: "a table"}
_REQUIRED = object()


class DataFileError(ValueError):
    """A data file that cannot be loaded; the message names the file and what is wrong in it."""


def datafile_name(path: Path) -> str:
    """`path` as a person finds it in the repository: from the `frenchbot/` folder on."""
    parts = path.parts
    if PACKAGE not in parts:
        return str(path)
    start = len(parts) - 1 - parts[::-1].index(PACKAGE)
    return str(Path(*parts[start:]))


def toml_read(path: Path) -> dict[str, Any]:
    """The TOML file at `path`, or DataFileError naming it (missing, unreadable, or its syntax error's place)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(f"{datafile_name(path)}: file not found.") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DataFileError(f"{datafile_name(path)}: {error}") from error


def value_get(table: dict, key: str, kind: type, *, where: str, default: Any = _REQUIRED) -> Any:
    """`table[key]`, which must be a `kind` (`default` when absent, if one is given); `where` names the file and
    the place in it for the error."""
    if key not in table:
        if default is _REQUIRED:
            raise DataFileError(f"{where}: '{key}' is missing.")
        return default
    value = table[key]
    # A boolean is an int to Python, not to a reader: `minutes = true` is a mistake.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise DataFileError(f"{where}: '{key}' should be {_KIND_NAMES[kind]}, not {value!r}.")
    return value


def keys_only(table: dict, allowed: set[str], *, where: str) -> None:
    """A misspelt optional key would be ignored without a word: refuse any key the loader does not read."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise DataFileError(f"{where}: unknown key '{unknown[0]}' (expected: {', '.join(sorted(allowed))}).")


def tables_get(table: dict, key: str, *, where: str) -> list[dict]:
    """`table[key]`, a list of one or more tables (`[[key]]` in TOML)."""
    items = value_get(table, key, list, where=where)
    if not items or not all(isinstance(item, dict) for item in items):
        raise DataFileError(f"{where}: '{key}' should be a list of one or more tables.")
    return items


def texts_get(table: dict, key: str, *, where: str) -> list[str]:
    """`table[key]`, a list of texts."""
    items = value_get(table, key, list, where=where)
    if not all(isinstance(item, str) for item in items):
        raise DataFileError(f"{where}: '{key}' should be a list of texts.")
    return items


def model_checked(instance: models.Model, *, where: str) -> models.Model:
    """The instance, its fields validated (choices, lengths, blanks): a bad value names its file, not a column.
    Foreign keys are left out: they point at rows just created, and checking them would cost a query each."""
    try:
        instance.clean_fields(exclude=[field.name for field in instance._meta.fields if field.is_relation])
    except ValidationError as error:
        problems = []
        for name, messages in error.message_dict.items():
            choices = instance._meta.get_field(name).choices
            expected = f" (expected: {', '.join(str(value) for value, _ in choices)})" if choices else ""
            problems.append(f"{name}: {' '.join(messages)}{expected}")
        raise DataFileError(f"{where}: {'; '.join(problems)}") from error
    return instance
