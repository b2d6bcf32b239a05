"""Loading and parsing the context lexicons: the slots and patterns of the threat and
dehumanisation rules.

A word list can say that "filho da puta" is an insult; it cannot say that
"esses vereadores deviam ser mortos" is a threat, because every word of it is
ordinary. These rules look for *combinations* instead: a violent verb in a
first-person future, an obligation or a command, aimed at a person; an animal
aimed at a person next to a reference to race or slavery. Each language has
``lexicons/<lang>.txt`` (package data) holding, one per line:

* ``<slot>TAB<term>``: a term that fills a slot (``harm	matar``,
  ``person	vereador*``). Terms are normalised like messages; a trailing ``*``
  is a prefix family, phrases have single spaces.
* ``pattern TAB <form> TAB <elements>``: a sequence of slots that fires the
  rule named by the form (see `FORMS`). Elements are slot names (alternatives
  joined by ``|``) and gaps: ``.``, ``..`` and ``...`` allow at most one,
  two and three words between their neighbours; slots written side by side
  are adjacent.
* ``needs TAB <form> TAB <slot>``: the form fires only in a message that also
  holds a term of that slot, anywhere (the race, slavery or skin-colour
  context of a dehumanising comparison); ``unless TAB <form> TAB <slot>``: it
  never fires in one that does (waiting at the exit "for a coffee").

Every pattern holds an *anchor* slot (`ANCHORS`: the violent verbs, animals).
Anchors are compiled into the moderator's one term pattern, so a message with
none of them costs nothing more; only a message with an anchor is matched
against the patterns.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources

TARGETS = frozenset({"you", "them", "person"})
"""Who a threat or a comparison is aimed at: the second person, third-person pronouns and
descriptions ("esse cara"), and officials or people in the room ("vereadores", "radnych")."""

ANCHORS = frozenset({"harm", "harm_self", "harm_target", "harm_passive", "die", "command", "ambush", "animal"})
CONTEXT = frozenset(
    {"intent", "obligation", "be", "wish", "wish_you", "place", "aim", "race", "sports", "friendly"}
)
SLOTS = TARGETS | ANCHORS | CONTEXT

FORMS: Mapping[str, str] = {
    "future": "threat",  # first-person future or intent: "vou matar o prefeito", "zabiję tego radnego"
    "obligation": "threat",  # should, must, deserve: "these councillors should be killed"
    "wish": "threat",  # "tomara que o prefeito morra", "obyś zdechł"
    "command": "threat",  # imperatives and slogans: "matem o prefeito", "śmierć radnym"
    "ambush": "threat",  # "I will get you at the exit", "te pego na saída"
    "race": "dehumanisation",  # an animal aimed at a person, with race, slavery or skin colour
}
"""Pattern forms and the rule each one reports (a Reason's `rule`; its detail is "form:lang")."""

GAPS = {".": 1, "..": 2, "...": 3}


@dataclass(frozen=True, slots=True)
class Element:
    """One step of a pattern: a term of one of `slots`, at most `gap` words after the previous step."""

    slots: frozenset[str]
    gap: int = 0


@dataclass(frozen=True, slots=True)
class Pattern:
    form: str
    elements: tuple[Element, ...]

    @property
    def rule(self) -> str:
        return FORMS[self.form]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """One language's slot terms and patterns."""

    language: str
    terms: tuple[tuple[str, str], ...] = ()  # (slot, term)
    patterns: tuple[Pattern, ...] = ()
    needs: Mapping[str, frozenset[str]] = field(default_factory=dict)  # form -> slots, one of which must occur
    unless: Mapping[str, frozenset[str]] = field(default_factory=dict)  # form -> slots, none of which may occur


def _pattern(fields: list[str], where: str) -> Pattern:
    form, body = fields
    if form not in FORMS:
        raise ValueError(f"{where}: unknown form {form!r} (known: {', '.join(sorted(FORMS))})")
    elements: list[Element] = []
    gap = 0
    tokens = body.split()
    for token in tokens:
        if token in GAPS:
            if not elements or gap:
                raise ValueError(f"{where}: a gap must stand between two slots")
            gap = GAPS[token]
            continue
        slots = frozenset(token.split("|"))
        unknown = sorted(slots - SLOTS)
        if unknown:
            raise ValueError(f"{where}: unknown slot {unknown[0]!r}")
        elements.append(Element(slots, gap))
        gap = 0
    if not elements or tokens[-1] in GAPS:
        raise ValueError(f"{where}: a pattern starts and ends with a slot")
    if not any(element.slots & ANCHORS for element in elements):
        raise ValueError(f"{where}: a pattern needs an anchor slot ({', '.join(sorted(ANCHORS))})")
    return Pattern(form, tuple(elements))


def parse_lexicon(text: str, language: str, source: str = "<lexicon>") -> Lexicon:
    """Parse a lexicon file; raises ValueError naming `source` and the line for any mistake."""
    terms: list[tuple[str, str]] = []
    patterns: list[Pattern] = []
    needs: dict[str, set[str]] = {}
    unless: dict[str, set[str]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{number}"
        fields = [part.strip() for part in raw.rstrip("\r\n").split("\t")]
        if fields[0] == "pattern" and len(fields) == 3:
            patterns.append(_pattern(fields[1:], where))
        elif fields[0] in ("needs", "unless") and len(fields) == 3:
            form, slot = fields[1:]
            if form not in FORMS or slot not in SLOTS:
                raise ValueError(f"{where}: {fields[0]} <form> <slot>, got {form!r} {slot!r}")
            (needs if fields[0] == "needs" else unless).setdefault(form, set()).add(slot)
        elif len(fields) == 2 and fields[0] in SLOTS:
            if not fields[1].strip("* "):
                raise ValueError(f"{where}: empty term")
            terms.append((fields[0], fields[1]))
        else:
            raise ValueError(f"{where}: expected '<slot>\\t<term>', 'pattern\\t<form>\\t<elements>', "
                             f"'needs\\t<form>\\t<slot>' or 'unless\\t<form>\\t<slot>', got {raw!r}")
    return Lexicon(
        language, tuple(terms), tuple(patterns),
        {form: frozenset(s) for form, s in needs.items()}, {form: frozenset(s) for form, s in unless.items()},
    )


@functools.cache
def load_lexicon(language: str) -> Lexicon:
    """The bundled lexicon of `language`, or an empty one when it has none (memoised)."""
    resource = resources.files(__package__ or "moderation").joinpath("lexicons", f"{language}.txt")
    if not resource.is_file():
        return Lexicon(language)
    return parse_lexicon(resource.read_text(encoding="utf-8"), language, f"lexicons/{language}.txt")
