"""The moderation pipeline: one `Moderator` per policy, `check` per message."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from .activity import author_reasons, repeat_reason
from .context import Context
from .grammar import ANCHOR_RULE, Finding, Grammar, anchor_entries
from .lexicon import Lexicon, load_lexicon
from .links import find_links, host_allowed
from .matcher import Hit, TermMatcher
from .normalise import fast_normalise, normalise
from .personal_data import find_personal_data
from .policy import Policy
from .shouting import is_shouting
from .verdict import Decision, Reason, Verdict
from .wordlist import Entry, load_wordlist

DEFAULT_POLICY = Policy()
DEFAULT_CONTEXT = Context()
_LINK_VERDICTS = {"review": Verdict.REVIEW, "block": Verdict.BLOCK}
_TERM_RULES = ("wordlist", "custom_term")


def _term_entries(
    languages: tuple[str, ...], blocked_terms: tuple[str, ...], review_terms: tuple[str, ...]
) -> list[Entry]:
    entries: list[Entry] = []
    for language in languages:
        entries.extend(load_wordlist(language))
    entries.extend(Entry(term, Verdict.BLOCK, term, "", "custom_term") for term in blocked_terms)
    entries.extend(Entry(term, Verdict.REVIEW, term, "", "custom_term") for term in review_terms)
    return entries


class _Compiled:
    """A policy's compiled terms, shared by moderators of equal policies (all immutable).

    `screen` holds the bundled and organiser terms and the grammar's anchors: every message is
    scanned once with it. Only when an anchor shows up is the message scanned again with
    `terms` alone (an anchor phrase may hide a term it overlaps) and matched against `grammar`,
    so ordinary messages pay nothing for the threat rules. `terms` is compiled on that first
    need, since compiling patterns is what building a moderator costs.
    """

    __slots__ = ("_entries", "_terms", "grammar", "screen")

    def __init__(self, entries: list[Entry], lexicons: list[Lexicon]) -> None:
        self._entries = entries
        self._terms: TermMatcher | None = None
        self.screen = TermMatcher([*entries, *anchor_entries(lexicons)])
        self.grammar = Grammar(lexicons)

    @property
    def terms(self) -> TermMatcher:
        if self._terms is None:
            self._terms = TermMatcher(self._entries)  # two threads may both build it: equal results
        return self._terms


@functools.lru_cache(maxsize=32)
def _compiled(languages: tuple[str, ...], blocked_terms: tuple[str, ...], review_terms: tuple[str, ...]) -> _Compiled:
    return _Compiled(_term_entries(languages, blocked_terms, review_terms), [load_lexicon(lang) for lang in languages])


class Moderator:
    """Checks messages against one `Policy`.

    Everything costly (word lists, the term pattern, custom and allowed terms)
    is compiled once here; `check` is then a pure function of its arguments
    and safe to call from several threads.
    """

    __slots__ = ("_allowed", "_allowed_domains", "_compiled", "_link_verdict", "_policy", "_prefer_pesel")

    def __init__(self, policy: Policy = DEFAULT_POLICY) -> None:
        self._policy = policy
        self._compiled = _compiled(policy.languages, policy.blocked_terms, policy.review_terms)
        self._allowed = TermMatcher(Entry(t, Verdict.ALLOW, t, "", "allowed") for t in policy.allowed_terms)
        self._allowed_domains = tuple(
            domain.strip().lower().strip(".").removeprefix("www.") for domain in policy.allowed_domains
        )
        self._link_verdict = _LINK_VERDICTS.get(policy.links)
        languages = policy.languages
        # An 11-digit number valid both as CPF and PESEL is named after the
        # event's first-listed language of the two.
        self._prefer_pesel = "pl" in languages and (
            "pt" not in languages or languages.index("pl") < languages.index("pt")
        )

    @property
    def policy(self) -> Policy:
        """The policy this moderator was compiled for."""
        return self._policy

    def check(self, text: str, context: Context = DEFAULT_CONTEXT) -> Decision:
        """Moderate one message written by the author described by `context`.

        Never raises for any string. Every span-based reason points into
        `text` (``0 <= start <= end <= len(text)``).
        """
        policy = self._policy
        reasons = list(author_reasons(policy, context))
        normalised = fast_normalise(text)
        if not normalised.strip():
            reasons.append(Reason("empty", Verdict.BLOCK, "empty"))
            return Decision.of(reasons)
        if len(text) > policy.max_length:
            reasons.append(Reason("length", Verdict.BLOCK, f"chars:{len(text)}", policy.max_length, len(text)))
        repeated = repeat_reason(policy, context, text, normalised)
        if repeated is not None:
            reasons.append(repeated)
        compiled = self._compiled
        hits = compiled.screen.find(normalised)
        findings: list[Finding] = []
        if any(entry.rule == ANCHOR_RULE for hit in hits for entry in hit.entries):
            hits = compiled.terms.find(normalised)
            findings = compiled.grammar.find(normalised)
        if hits or findings:
            reasons.extend(self._term_reasons(text, normalised, hits, findings))
        if self._link_verdict is not None:
            for link in find_links(text):
                if not host_allowed(link.host, self._allowed_domains):
                    reasons.append(Reason("link", self._link_verdict, f"domain:{link.host}", link.start, link.end))
        for finding in find_personal_data(text, self._prefer_pesel):
            reasons.append(Reason("personal_data", Verdict.REVIEW, finding.kind, finding.start, finding.end))
        if is_shouting(text, policy.caps_min_letters, policy.caps_ratio):
            reasons.append(Reason("caps", Verdict.REVIEW, "uppercase"))
        return Decision.of(reasons)

    def _term_reasons(
        self, text: str, normalised: str, hits: Sequence[Hit], findings: Sequence[Finding]
    ) -> list[Reason]:
        """Reasons for listed terms, then for grammar findings that no allowed term covers and no
        blocking term already reported (one reason per offending phrase)."""
        allowed = [(a.start, a.end) for a in self._allowed.find(normalised)]
        # Offsets are only computed when something matched: the common clean
        # message never pays for them.
        mapped = normalise(text)
        reasons: list[Reason] = []
        blocked: list[tuple[int, int]] = []
        for hit in hits:
            if any(a <= hit.start and hit.end <= b for a, b in allowed):
                continue
            start, end = mapped.span(hit.start, hit.end)
            for rule in _TERM_RULES:
                best: Entry | None = None
                for entry in hit.entries:
                    if entry.rule == rule and (best is None or entry.severity > best.severity):
                        best = entry
                if best is not None:
                    reasons.append(Reason(rule, best.severity, best.detail, start, end))
                    if best.severity is Verdict.BLOCK:
                        blocked.append((hit.start, hit.end))
        for finding in findings:
            if any(a <= finding.start and finding.end <= b for a, b in allowed):
                continue
            if any(finding.start < b and a < finding.end for a, b in blocked):
                continue
            start, end = mapped.span(finding.start, finding.end)
            reasons.append(Reason(finding.rule, Verdict.REVIEW, finding.detail, start, end))
        return reasons
