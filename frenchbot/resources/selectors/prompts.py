"""Reads of the prompt library: the list with its filters, a prompt's page (its variables parsed), favourites."""

import re
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from frenchbot.core.text import fold
from frenchbot.resources.models import AiTool, Prompt, PromptFavourite, UseCase

# A variable is any short text in square brackets on one line: « [secteur] », « [ton de la réponse] ».
# Longer bracketed text is prose (an example, a list), not something to fill in.
VARIABLE_RE = re.compile(r"\[([^\[\]\n]{1,60})\]")
# What a visitor may type into one variable (a query string stays short; a longer value is cut).
VARIABLE_VALUE_MAX = 200
# What a slug can be; anything else names nothing and is not sent to the database (PostgreSQL refuses NUL).
_SLUG_RE = re.compile(r"[-a-zA-Z0-9_]{1,80}")


@dataclass(frozen=True)
class Segment:
    """A piece of a prompt's text: plain text (`variable` is None) or a variable with its filled `text`."""

    text: str
    variable: int | None = None
    name: str = ""
    filled: bool = False

    @property
    def placeholder(self) -> str:
        """How the variable reads while empty: « [secteur] »."""
        return f"[{self.name}]"


@dataclass(frozen=True)
class Variable:
    index: int
    name: str
    value: str = ""

    @property
    def param(self) -> str:
        """The name of its field in the fill-in form (GET): by position, so any variable text makes a safe name."""
        return f"v{self.index}"


@dataclass
class PromptText:
    """A prompt's body split into segments, its distinct variables, and the text as it is to be copied."""

    segments: list[Segment] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)

    @property
    def is_filled(self) -> bool:
        return any(variable.value for variable in self.variables)


def prompt_variables(*, body: str) -> list[str]:
    """The distinct variable names of `body`, in order of first appearance (« [secteur] » → « secteur »)."""
    names: list[str] = []
    for match in VARIABLE_RE.finditer(body or ""):
        name = match.group(1).strip()
        if name and name not in names:
            names.append(name)
    return names


def prompt_text(*, body: str, values: dict[str, str] | None = None) -> PromptText:
    """`body` parsed into text and variables; `values` (form field name → typed text, as in a query string)
    fills the variables. Nothing here is HTML: templates escape every segment."""
    values = values or {}
    names = prompt_variables(body=body)
    variables = [
        Variable(
            index=index,
            name=name,
            value=(values.get(f"v{index}") or "").replace("\x00", "").strip()[:VARIABLE_VALUE_MAX],
        )
        for index, name in enumerate(names)
    ]
    by_name = {variable.name: variable for variable in variables}
    segments: list[Segment] = []
    position = 0
    body = body or ""
    for match in VARIABLE_RE.finditer(body):
        name = match.group(1).strip()
        if not name:
            continue
        if match.start() > position:
            segments.append(Segment(text=body[position : match.start()]))
        variable = by_name[name]
        segments.append(
            Segment(
                text=variable.value or f"[{name}]",
                variable=variable.index,
                name=name,
                filled=bool(variable.value),
            )
        )
        position = match.end()
    if position < len(body):
        segments.append(Segment(text=body[position:]))
    return PromptText(segments=segments, variables=variables)


def _published() -> QuerySet[Prompt]:
    return Prompt.objects.filter(is_published=True)


@dataclass
class PromptFilters:
    """The list's filters as the visitor chose them (slugs from the query string), and what they resolve to."""

    use_case: UseCase | None = None
    tool: AiTool | None = None
    unknown: bool = False

    @property
    def active(self) -> bool:
        return bool(self.use_case or self.tool or self.unknown)


def prompt_filters(*, use_case_slug: str = "", tool_slug: str = "") -> PromptFilters:
    """Resolve the slugs of the query string; a slug that names nothing makes `unknown` (an empty list, not an
    error: old links and typed addresses must not break the page)."""
    filters = PromptFilters()
    if use_case_slug:
        if _SLUG_RE.fullmatch(use_case_slug):
            filters.use_case = UseCase.objects.filter(slug=use_case_slug).first()
        filters.unknown |= filters.use_case is None
    if tool_slug:
        if _SLUG_RE.fullmatch(tool_slug):
            filters.tool = AiTool.objects.filter(slug=tool_slug).first()
        filters.unknown |= filters.tool is None
    return filters


def prompt_list(*, filters: PromptFilters | None = None) -> QuerySet[Prompt]:
    """Published prompts matching `filters`, with their use case and tools loaded for the cards."""
    filters = filters or PromptFilters()
    if filters.unknown:
        return Prompt.objects.none()
    qs = _published().select_related("use_case").prefetch_related(Prefetch("tools", AiTool.objects.all()))
    if filters.use_case:
        qs = qs.filter(use_case=filters.use_case)
    if filters.tool:
        qs = qs.filter(tools=filters.tool)
    # Each use case's prompts together (the page groups them), even when two use cases share an order.
    return qs.order_by("use_case__order", "use_case__name", "use_case_id", "order", "title")


@dataclass
class PromptGroup:
    use_case: UseCase
    prompts: list[Prompt]


def prompt_groups(*, prompts) -> list[PromptGroup]:
    """`prompts` (ordered by use case) grouped under their use case, in the library's order."""
    groups: list[PromptGroup] = []
    for prompt in prompts:
        if not groups or groups[-1].use_case.pk != prompt.use_case_id:
            groups.append(PromptGroup(use_case=prompt.use_case, prompts=[]))
        groups[-1].prompts.append(prompt)
    return groups


def use_cases_with_counts(*, tool: AiTool | None = None) -> list[UseCase]:
    """Use cases having published prompts (for `tool` when given), each with `prompt_count`."""
    condition = Q(prompts__is_published=True)
    if tool is not None:
        condition &= Q(prompts__tools=tool)
    return list(
        UseCase.objects.annotate(prompt_count=Count("prompts", filter=condition, distinct=True)).filter(
            prompt_count__gt=0
        )
    )


def tools_with_counts(*, use_case: UseCase | None = None) -> list[AiTool]:
    """Tools named by published prompts (of `use_case` when given), each with `prompt_count`."""
    condition = Q(prompts__is_published=True)
    if use_case is not None:
        condition &= Q(prompts__use_case=use_case)
    return list(
        AiTool.objects.annotate(prompt_count=Count("prompts", filter=condition, distinct=True)).filter(
            prompt_count__gt=0
        )
    )


def prompt_get_public(*, slug: str) -> Prompt | None:
    """The published prompt at `slug` with its use case; its tools are read when shown (the page keeps the part
    that lists them as a fragment)."""
    return _published().select_related("use_case").filter(slug=slug).first()


def prompt_related(*, prompt: Prompt, limit: int = 4) -> list[Prompt]:
    """Other published prompts of the same use case, with the tools their cards name."""
    return list(
        _published()
        .filter(use_case_id=prompt.use_case_id)
        .exclude(pk=prompt.pk)
        .prefetch_related(Prefetch("tools", AiTool.objects.all()))[:limit]
    )


def prompt_is_favourite(*, user, prompt: Prompt) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return PromptFavourite.objects.filter(user=user, prompt=prompt).exists()


def prompt_favourites(*, user) -> QuerySet[Prompt]:
    """The published prompts `user` starred, most recently starred first."""
    return (
        _published()
        .filter(favourites__user=user)
        .select_related("use_case")
        .prefetch_related(Prefetch("tools", AiTool.objects.all()))
        .order_by("-favourites__created_at")
    )


_WORD_RE = re.compile(r"[a-z0-9]+")


def _name_words(name: str) -> list[str]:
    # « E-mails » → ["mail"]: singular, and without the letters too short to name anything.
    return [
        word.removesuffix("s") for word in _WORD_RE.findall(fold(name)) if len(word.removesuffix("s")) >= 3
    ]


def use_case_named(*, text: str) -> UseCase | None:
    """The use case having published prompts that `text` names: every word of its name or slug begins a word of
    the text (« répondre à un e-mail » names « E-mails »), or the initials of a name of several words stand as
    one (« RH »). None when the text names none."""
    words = _WORD_RE.findall(fold(text))
    for use_case in use_cases_with_counts():
        for name in (use_case.name, use_case.slug.replace("-", " ")):
            wanted = _name_words(name)
            if wanted and all(any(word.startswith(part) for word in words) for part in wanted):
                return use_case
        initials = "".join(word[0] for word in _WORD_RE.findall(fold(use_case.name)))
        if len(initials) >= 2 and initials in words:
            return use_case
    return None


def prompts_of_use_case(*, use_case: UseCase, limit: int = 3) -> list[Prompt]:
    """The first published prompts of `use_case`, in the library's order."""
    return list(_published().filter(use_case=use_case).order_by("order", "title")[:limit])
