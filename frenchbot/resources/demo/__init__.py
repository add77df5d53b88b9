"""Demo resources, written for this project: guides and templates (`guides/*.md`, Markdown with a front matter),
the prompt library (`library.toml` for its use cases and tools, `prompts/*.toml` for the prompts, one file per
use case) and the glossary (`glossary.toml`). `frenchbot demo` loads them once: a row that already exists (same
slug) is left as the team edited it. Guides are dated from the day of loading; everything is published.

The text is written with ordinary spaces; French typography is applied when it is stored. Every file is read and
checked before anything is written: a mistake raises `DataFileError` naming the file and the place in it.

Related articles and trainings are named by slug; one that does not exist (not loaded, or removed by the team) is
skipped. This app imports neither blog nor courses: their models are reached through the relations."""

import datetime
import re
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from frenchbot.core.datafiles import (
    DataFileError,
    datafile_name,
    keys_only,
    model_checked,
    tables_get,
    texts_get,
    toml_read,
    value_get,
)
from frenchbot.core.text import french_typography, parse_front_matter

from ..models import AiTool, GlossaryTerm, Guide, Prompt, UseCase

DEMO_DIR = Path(__file__).resolve().parent
LIBRARY_FILE = DEMO_DIR / "library.toml"
GLOSSARY_FILE = DEMO_DIR / "glossary.toml"
GUIDES_DIR = DEMO_DIR / "guides"
PROMPTS_DIR = DEMO_DIR / "prompts"

# A variable is a short label in square brackets: « [secteur] », « [texte à résumer] ». The same pattern as the
# prompt page's highlighting, kept narrow so that a Markdown link or a list in brackets is not taken for one.
VARIABLE = re.compile(r"\[([^\[\]\n]{1,40})\]")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_GUIDE_KEYS = {
    "title",
    "slug",
    "kind",
    "summary",
    "gated",
    "articles",
    "trainings",
    "seo_description",
    "days_ago",
}
_PROMPT_TEXTS = ("slug", "title", "goal", "body", "example_output", "tips")
_PROMPT_KEYS = {*_PROMPT_TEXTS, "tools", "articles", "trainings"}
_TERM_KEYS = {"term", "slug", "aliases", "definition", "body", "related", "autolink"}


def _slug_checked(value: str, *, where: str, key: str = "slug") -> str:
    if not _SLUG.match(value):
        raise DataFileError(f"{where}: '{key}' should be lowercase words joined by hyphens, not {value!r}.")
    return value


def _slugs_listed(text: str, *, where: str, key: str) -> list[str]:
    """A front matter list: slugs separated by commas ("" for none)."""
    return [_slug_checked(item.strip(), where=where, key=key) for item in text.split(",") if item.strip()]


def _markdown(text: str) -> str:
    return text.strip() + "\n"


# --- Reading ---------------------------------------------------------------------------------------------------


def guides_demo_read() -> list[dict[str, Any]]:
    """The demo guides as written (front matter and Markdown body), checked; raises DataFileError naming the
    file."""
    guides = []
    for path in sorted(GUIDES_DIR.glob("*.md")):
        where = datafile_name(path)
        try:
            meta, body = parse_front_matter(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise DataFileError(f"{where}: {error}") from error
        if not meta:
            raise DataFileError(f"{where}: the file should start with its front matter: ---, title: …, ---.")
        keys_only(meta, _GUIDE_KEYS, where=where)
        guide = {key: value_get(meta, key, str, where=where) for key in ("title", "slug", "kind", "summary")}
        _slug_checked(guide["slug"], where=where)
        gated = value_get(meta, "gated", str, where=where, default="false")
        if gated not in {"true", "false"}:
            raise DataFileError(f"{where}: 'gated' should be true or false, not {gated!r}.")
        days_ago = value_get(meta, "days_ago", str, where=where, default="0")
        if not days_ago.isdigit():
            raise DataFileError(f"{where}: 'days_ago' should be a whole number of days, not {days_ago!r}.")
        if not body.strip():
            raise DataFileError(f"{where}: the guide has no text after its front matter.")
        guide.update(
            file=path.name,
            is_gated=gated == "true",
            days_ago=int(days_ago),
            seo_description=value_get(meta, "seo_description", str, where=where, default=""),
            articles=_slugs_listed(meta.get("articles", ""), where=where, key="articles"),
            trainings=_slugs_listed(meta.get("trainings", ""), where=where, key="trainings"),
            body=_markdown(body),
        )
        guides.append(guide)
    if not guides:
        raise DataFileError(f"{datafile_name(GUIDES_DIR)}: no guide (*.md) in this folder.")
    _unique([guide["slug"] for guide in guides], where=datafile_name(GUIDES_DIR), what="guide")
    return guides


def library_demo_read() -> dict[str, list[dict[str, Any]]]:
    """The use cases and tools of the prompt library (`library.toml`), checked."""
    data = toml_read(LIBRARY_FILE)
    where = datafile_name(LIBRARY_FILE)
    keys_only(data, {"use_cases", "tools"}, where=where)
    use_cases = []
    for number, table in enumerate(tables_get(data, "use_cases", where=where), start=1):
        place = f"{where}, use case {number}"
        keys_only(table, {"slug", "name", "description"}, where=place)
        use_cases.append(
            {
                "slug": _slug_checked(value_get(table, "slug", str, where=place), where=place),
                "name": value_get(table, "name", str, where=place),
                "description": value_get(table, "description", str, where=place),
                "order": number * 10,
            }
        )
    tools = []
    for number, table in enumerate(tables_get(data, "tools", where=where), start=1):
        place = f"{where}, tool {number}"
        keys_only(table, {"slug", "name"}, where=place)
        tools.append(
            {
                "slug": _slug_checked(value_get(table, "slug", str, where=place), where=place),
                "name": value_get(table, "name", str, where=place),
                "order": number * 10,
            }
        )
    _unique([item["slug"] for item in use_cases], where=where, what="use case")
    _unique([item["slug"] for item in tools], where=where, what="tool")
    return {"use_cases": use_cases, "tools": tools}


def prompt_variables(body: str) -> list[str]:
    """The variables of a prompt, in order of first appearance: « [secteur] » → "secteur"."""
    return list(dict.fromkeys(VARIABLE.findall(body)))


def prompts_demo_read(*, library: dict | None = None) -> list[dict[str, Any]]:
    """The demo prompts (`prompts/*.toml`, one file per use case, prompts in the order shown), checked against
    the use cases and tools of `library.toml`."""
    library = library or library_demo_read()
    use_cases = {item["slug"] for item in library["use_cases"]}
    tools = {item["slug"] for item in library["tools"]}
    prompts = []
    for path in sorted(PROMPTS_DIR.glob("*.toml")):
        data = toml_read(path)
        where = datafile_name(path)
        keys_only(data, {"use_case", "prompts"}, where=where)
        use_case = value_get(data, "use_case", str, where=where)
        if use_case not in use_cases:
            raise DataFileError(
                f"{where}: no use case '{use_case}' in library.toml (use cases: {', '.join(sorted(use_cases))})."
            )
        for number, table in enumerate(tables_get(data, "prompts", where=where), start=1):
            place = f"{where}, prompt {number}"
            keys_only(table, _PROMPT_KEYS, where=place)
            prompt = {key: value_get(table, key, str, where=place) for key in _PROMPT_TEXTS}
            _slug_checked(prompt["slug"], where=place)
            prompt["variables"] = prompt_variables(prompt["body"])
            if not prompt["variables"]:
                raise DataFileError(
                    f"{place}: the prompt has no variable in square brackets, such as [secteur]."
                )
            left = VARIABLE.findall(prompt["example_output"])
            if left:
                raise DataFileError(
                    f"{place}: the example output should show the variables filled in, not [{left[0]}]."
                )
            prompt["tools"] = texts_get(table, "tools", where=place)
            unknown = sorted(set(prompt["tools"]) - tools)
            if unknown or not prompt["tools"]:
                raise DataFileError(
                    f"{place}: 'tools' should name tools of library.toml ({', '.join(sorted(tools))}), "
                    f"not {unknown or 'none'}."
                )
            for key in ("articles", "trainings"):
                prompt[key] = [
                    _slug_checked(slug, where=place, key=key)
                    for slug in (texts_get(table, key, where=place) if key in table else [])
                ]
            prompt.update(use_case=use_case, order=number * 10, file=path.name)
            prompts.append(prompt)
    if not prompts:
        raise DataFileError(f"{datafile_name(PROMPTS_DIR)}: no prompt file (*.toml) in this folder.")
    _unique([prompt["slug"] for prompt in prompts], where=datafile_name(PROMPTS_DIR), what="prompt")
    return prompts


def glossary_demo_read() -> list[dict[str, Any]]:
    """The demo glossary terms (`glossary.toml`), checked: related terms exist, and no alias belongs to two
    terms (the article links would not know which definition to point at)."""
    data = toml_read(GLOSSARY_FILE)
    where = datafile_name(GLOSSARY_FILE)
    keys_only(data, {"terms"}, where=where)
    terms = []
    for number, table in enumerate(tables_get(data, "terms", where=where), start=1):
        place = f"{where}, term {number}"
        keys_only(table, _TERM_KEYS, where=place)
        term = {
            key: value_get(table, key, str, where=place) for key in ("term", "slug", "definition", "body")
        }
        _slug_checked(term["slug"], where=place)
        term["aliases"] = [
            alias.strip()
            for alias in value_get(table, "aliases", str, where=place).split(",")
            if alias.strip()
        ]
        term["related"] = texts_get(table, "related", where=place) if "related" in table else []
        term["autolink"] = value_get(table, "autolink", bool, where=place, default=True)
        term["place"] = place
        terms.append(term)
    _unique([term["slug"] for term in terms], where=where, what="term")
    slugs = {term["slug"] for term in terms}
    owners: dict[str, str] = {}
    for term in terms:
        unknown = sorted(set(term["related"]) - slugs)
        if unknown:
            raise DataFileError(f"{term['place']}: 'related' names no term of this file: '{unknown[0]}'.")
        if term["slug"] in term["related"]:
            raise DataFileError(f"{term['place']}: a term is not related to itself.")
        for form in {term["term"].casefold(), *(alias.casefold() for alias in term["aliases"])}:
            if form in owners and owners[form] != term["slug"]:
                raise DataFileError(
                    f"{term['place']}: '{form}' is also a form of the term '{owners[form]}'; give it to one only."
                )
            owners[form] = term["slug"]
    return terms


def _unique(slugs: list[str], *, where: str, what: str) -> None:
    seen = set()
    for slug in slugs:
        if slug in seen:
            raise DataFileError(f"{where}: two of the {what}s have the slug '{slug}'.")
        seen.add(slug)


def resources_demo_read() -> dict[str, Any]:
    """Every demo data file of the app, read and checked: guides, library (use cases, tools), prompts, terms."""
    library = library_demo_read()
    return {
        "guides": guides_demo_read(),
        "library": library,
        "prompts": prompts_demo_read(library=library),
        "terms": glossary_demo_read(),
    }


# --- Loading ---------------------------------------------------------------------------------------------------


def _related(field, slugs: list[str]) -> list:
    """The rows of the model that `field` (a many-to-many) points at, for the slugs that exist, in their order."""
    found = {row.slug: row for row in field.related_model.objects.filter(slug__in=slugs)}
    return [found[slug] for slug in slugs if slug in found]


def _guides_create(guides: list[dict], *, now: datetime.datetime) -> int:
    created = 0
    for data in guides:
        if Guide.objects.filter(slug=data["slug"]).exists():
            continue
        body = french_typography(data["body"])
        guide = model_checked(
            Guide(
                title=french_typography(data["title"]),
                slug=data["slug"],
                kind=data["kind"],
                summary=french_typography(data["summary"]),
                body=body,
                is_gated=data["is_gated"],
                is_published=True,
                published_at=now - datetime.timedelta(days=data["days_ago"]),
                seo_description=french_typography(data["seo_description"]),
            ),
            where=datafile_name(GUIDES_DIR / data["file"]),
        )
        guide.save()
        guide.articles.set(_related(Guide.articles.field, data["articles"]))
        guide.trainings.set(_related(Guide.trainings.field, data["trainings"]))
        created += 1
    return created


def _library_create(library: dict) -> tuple[dict[str, UseCase], dict[str, AiTool], int]:
    """The use cases and tools, by slug (created when missing, matched by slug or by name)."""
    where = datafile_name(LIBRARY_FILE)
    created = 0
    use_cases = {}
    for data in library["use_cases"]:
        use_case = UseCase.objects.filter(Q(slug=data["slug"]) | Q(name=data["name"])).first()
        if use_case is None:
            use_case = model_checked(
                UseCase(
                    slug=data["slug"],
                    name=data["name"],
                    description=french_typography(data["description"]),
                    order=data["order"],
                ),
                where=f"{where}, use case {data['slug']}",
            )
            use_case.save()
            created += 1
        use_cases[data["slug"]] = use_case
    tools = {}
    for data in library["tools"]:
        tool = AiTool.objects.filter(Q(slug=data["slug"]) | Q(name=data["name"])).first()
        if tool is None:
            tool = model_checked(
                AiTool(slug=data["slug"], name=data["name"], order=data["order"]),
                where=f"{where}, tool {data['slug']}",
            )
            tool.save()
        tools[data["slug"]] = tool
    return use_cases, tools, created


def _prompts_create(prompts: list[dict], *, use_cases: dict, tools: dict) -> int:
    created = 0
    for data in prompts:
        if Prompt.objects.filter(slug=data["slug"]).exists():
            continue
        prompt = model_checked(
            Prompt(
                title=french_typography(data["title"]),
                slug=data["slug"],
                use_case=use_cases[data["use_case"]],
                goal=french_typography(data["goal"].strip()),
                body=french_typography(data["body"].strip()),
                example_output=french_typography(data["example_output"].strip()),
                tips=french_typography(data["tips"].strip()),
                is_published=True,
                order=data["order"],
            ),
            where=f"{datafile_name(PROMPTS_DIR / data['file'])}, prompt {data['slug']}",
        )
        prompt.save()
        prompt.tools.set([tools[slug] for slug in data["tools"]])
        prompt.articles.set(_related(Prompt.articles.field, data["articles"]))
        prompt.trainings.set(_related(Prompt.trainings.field, data["trainings"]))
        created += 1
    return created


def _terms_create(terms: list[dict]) -> int:
    created = {}
    for data in terms:
        if GlossaryTerm.objects.filter(Q(slug=data["slug"]) | Q(term=data["term"])).exists():
            continue
        body = french_typography(_markdown(data["body"]))
        term = model_checked(
            GlossaryTerm(
                term=data["term"],
                slug=data["slug"],
                aliases=", ".join(data["aliases"]),
                short_definition=french_typography(data["definition"].strip()),
                body=body,
                autolink=data["autolink"],
                is_published=True,
            ),
            where=data["place"],
        )
        term.save()
        created[term.slug] = (term, data["related"])
    # Links are set once every term exists; the relation is symmetrical, so a term already there gets the link
    # back to a new one as well.
    for term, related in created.values():
        term.related.add(*GlossaryTerm.objects.filter(slug__in=related))
    return len(created)


def resources_demo_load(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Create the demo guides, use cases, tools, prompts and glossary terms that do not exist yet (matched on
    slug), published; returns the counts created. Every data file is read and checked first: a malformed one
    raises `DataFileError` and creates nothing."""
    now = now or timezone.now()
    data = resources_demo_read()
    with transaction.atomic():
        use_cases, tools, use_cases_created = _library_create(data["library"])
        return {
            "guides": _guides_create(data["guides"], now=now),
            "use_cases": use_cases_created,
            "prompts": _prompts_create(data["prompts"], use_cases=use_cases, tools=tools),
            "terms": _terms_create(data["terms"]),
        }


def demo_report() -> str:
    """Load the demo resources for `frenchbot demo` and say what was created ("" when they were all there)."""
    created = resources_demo_load()
    if not any(created.values()):
        return ""
    return (
        f"Ressources : {created['guides']} guides, {created['prompts']} prompts "
        f"({created['use_cases']} cas d'usage), {created['terms']} termes du glossaire."
    )


@transaction.atomic
def demo_remove() -> str:
    """Delete the demo guides, prompts and glossary terms, then the demo use cases and tools that no prompt of
    the team uses; what the team wrote stays. A demo guide that visitors have requested is kept, unpublished:
    their requests hold the consent they gave, which must be kept as proof. Says what was done."""
    data = resources_demo_read()
    guides = Guide.objects.filter(slug__in=[guide["slug"] for guide in data["guides"]])
    requested = list(guides.filter(requests__isnull=False).distinct())
    Guide.objects.filter(pk__in=[guide.pk for guide in requested]).update(is_published=False)
    kept = [guide.title for guide in requested]
    guides = guides.exclude(pk__in=[guide.pk for guide in requested])
    prompts = Prompt.objects.filter(slug__in=[prompt["slug"] for prompt in data["prompts"]])
    terms = GlossaryTerm.objects.filter(slug__in=[term["slug"] for term in data["terms"]])
    counts = {"guides": guides.count(), "prompts": prompts.count(), "terms": terms.count()}
    guides.delete()
    prompts.delete()
    terms.delete()
    library = data["library"]
    UseCase.objects.filter(
        slug__in=[item["slug"] for item in library["use_cases"]], prompts__isnull=True
    ).delete()
    AiTool.objects.filter(slug__in=[item["slug"] for item in library["tools"]], prompts__isnull=True).delete()
    lines = []
    if any(counts.values()):
        lines.append(
            f"Ressources : {counts['guides']} guides, {counts['prompts']} prompts et {counts['terms']} termes "
            "de démonstration retirés."
        )
    if kept:
        lines.append(f"Guides gardés mais dépubliés (des visiteurs les ont demandés) : {', '.join(kept)}.")
    return " ".join(lines)
