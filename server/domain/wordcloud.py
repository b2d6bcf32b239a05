"""Word counts for open-text answers (the live word cloud).

Words are casefolded, stripped of punctuation, and dropped when shorter than 3
characters, made of no letter, or a common stopword of Portuguese, Polish,
English or Spanish. Each answer counts a word once: the cloud shows how many
participants mentioned a word, so one answer repeating a word cannot inflate it.
"""

from __future__ import annotations

import heapq
import unicodedata
from collections import Counter
from collections.abc import Iterable

MIN_WORD_LENGTH = 3


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS_PT = _wordset(
    """
    que não nao uma umas uns para com por mais como mas foi ele ela eles elas das dos nas nos aos
    seu sua seus suas quando muito muita muitos muitas também tambem isso esse essa esses essas este
    esta estes estas isto aquele aquela aquilo pelo pela pelos pelas entre sobre sem até ate são sao
    ser ter tem têm está estão estao está era eram mesmo mesma todos todas todo toda cada onde
    porque pois então entao assim nem nosso nossa nossos nossas você voce vocês voces meu minha
    num numa qual quais quem seja sejam ainda depois antes sim lhe lhes também já
    """
)
_STOPWORDS_PL = _wordset(
    """
    nie się sie jest jak ale czy dla tak już juz jego jej ich oraz który która które którzy ktory
    ktora ktore tym ten tej też tez przez przy pod nad bez lub albo aby żeby zeby być byc był była
    było byli są sa mnie tylko bardzo jeszcze może moze można mozna wszystko gdy kiedy gdzie tego
    temu tych tam oni ona ono nas was jestem mamy więc wiec dlatego jako także takze również
    rowniez przed między miedzy będzie bedzie
    """
)
_STOPWORDS_EN = _wordset(
    """
    the and for are but not you all any can had her was one our out has have this that with from
    they them their there then than these those what which who whom will would should could about
    into more most some such only own same very just also been being were his she its your yours
    when where why how each other over under again does did doing because while both nor too off
    """
)
_STOPWORDS_ES = _wordset(
    """
    que los las del por con una uno unos unas para como más mas pero sus les este esta esto estos
    estas ese esa eso esos esas entre cuando muy sin sobre también tambien hasta hay donde quien
    desde todo toda todos todas nos durante contra otro otra otros otras ante ellos ellas porque
    qué son ser está están estan fue han hace nuestro nuestra usted ustedes cual cuál mucho
    mucha poco algo nada tiene tienen puede así asi
    """
)
STOPWORDS: frozenset[str] = _STOPWORDS_PT | _STOPWORDS_PL | _STOPWORDS_EN | _STOPWORDS_ES

# Apostrophe look-alikes folded to "'" so "d’água" and "d'água" are the same word.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def _is_word_char(char: str) -> bool:
    # Letters, digits and combining marks (so decomposed accents do not split words);
    # inner hyphens and apostrophes keep "bem-estar" and "d'água" whole.
    return unicodedata.category(char)[0] in "LNM" or char in "-'"


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFC", text.casefold().translate(_APOSTROPHES))
    spaced = "".join(char if _is_word_char(char) else " " for char in folded)
    return [word for word in (raw.strip("-'") for raw in spaced.split()) if word]


def tokens(text: str) -> set[str]:
    """The distinct countable words of one answer."""
    return {
        word for word in _words(text)
        if len(word) >= MIN_WORD_LENGTH and word not in STOPWORDS and any(c.isalpha() for c in word)
    }


def word_key(word: str) -> str:
    """A word as the cloud counts it ("Saúde!" -> "saúde"): how a hidden word is named."""
    return " ".join(_words(word))


def answer_key(text: str) -> str:
    """An answer as the cloud reads it: its words in order, casefolded, without punctuation
    ("Mais SAÚDE!" and "mais saúde" are one answer). A moderator's decision on an answer holds
    for every way of writing it."""
    return " ".join(_words(text))


class WordCounter:
    """Incremental word counts: `add`/`remove` one answer in O(words of the answer)."""

    __slots__ = ("_counts",)

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def add(self, text: str) -> None:
        self._counts.update(tokens(text))

    def remove(self, text: str) -> None:
        """Undo `add(text)`; raises ValueError, changing nothing, if it was never added."""
        found = tokens(text)
        if any(self._counts[word] < 1 for word in found):
            raise ValueError("remove() of a text that was not added")
        for word in found:
            self._counts[word] -= 1
            if not self._counts[word]:
                del self._counts[word]

    def top(self, limit: int = 60) -> list[tuple[str, int]]:
        """Up to `limit` (word, count) pairs, by count descending then word."""
        # nsmallest keeps this O(vocabulary x log limit) for large rooms.
        return heapq.nsmallest(max(0, limit), self._counts.items(), key=lambda item: (-item[1], item[0]))


def words(texts: Iterable[str], *, limit: int = 60) -> list[tuple[str, int]]:
    """Count the words of `texts` (each answer counts a word once); see the module docstring."""
    counter = WordCounter()
    for text in texts:
        counter.add(text)
    return counter.top(limit)
