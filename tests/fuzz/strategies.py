"""Hypothesis strategies for form fields.

Each field has plausible values (so that examples get past the form and reach the services and the database) and
bad ones: huge strings, NUL bytes and unusual unicode, empty values, wrong types, out-of-range and huge numbers,
malformed dates, unknown ids and ids of another body, duplicated values, the field left out or sent twice. A
submission takes a few fields (sometimes none, sometimes all) from the bad side and the rest from the plausible
side, and sometimes adds fields the form does not know.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

MISSING = object()  # a field left out of the submission

# Any character a browser can send: surrogates cannot be encoded in UTF-8, so they never reach the server.
ANY_CHAR = st.characters(exclude_categories=("Cs",))
ODD_CHARS = ["\x00", "\u202e", "\u200b", "\ufeff", "\ufffd", "😀", "𠀀", "中", "é", "\r\n", "\t", "'", '"', "<", "&",
             "%", "\\", "\u0301", "\U0010ffff"]
UNKNOWN_ID = 999999

text = st.text(ANY_CHAR, max_size=40)
# text a person could type: no NUL, not blank
typed = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=30).filter(
    lambda t: t.strip())
odd_text = st.lists(st.one_of(st.sampled_from(ODD_CHARS), text), min_size=1, max_size=4).map("".join)
# 100,000 characters (up to 400 KB of UTF-8) built by repetition: hypothesis cannot draw that many one by one
huge_text = st.tuples(st.sampled_from(["x", "中", "\x00", "😀", "a\u0301", "9"]), st.sampled_from([100_000, 3001, 256])
                      ).map(lambda t: t[0] * t[1])
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, 1, 100, 101, 2**31, 2**63, -(2**63) - 1, 10**30, 32767, 32768, 65536]),
).map(str) | st.just("9" * 5000)  # more digits than int() converts
odd_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1.5", "1e5", "1e309", "NaN", "inf", "-0", "0x10", "١٢", "１２", " 7 ", "+5", "5,000", "True", "null",
                     "[]", "{}", "1;2", "--1"]),
)
odd_dates = st.one_of(
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["2024-02-30", "2024-13-01", "0000-00-00", "0001-01-01", "9999-12-31", "10000-01-01", "2024/01/01",
                     "01/02/2024", "yesterday", "2024-01-01T25:00", "2024-1-1", "1e10", "-2024-01-01"]),
)
junk = st.one_of(st.just(""), text, odd_text, huge_text, numbers, odd_numbers, odd_dates)


@dataclass
class Field:
    good: SearchStrategy  # plausible values (the form may still refuse them: the world decides)
    bad: SearchStrategy
    multi: bool = False


def as_field(f) -> Field:
    return f if isinstance(f, Field) else Field(good=f, bad=f)


def ids(own, other=(), extra=()):
    """An id: ids in scope; or ids of the other body, unknown, negative and huge ids, and junk."""
    outside = [str(i) for i in (*other, *extra)] + [str(UNKNOWN_ID), "0", "-1", str(10**30), str(2**63)]
    return Field(good=st.sampled_from([str(i) for i in own]), bad=st.one_of(st.sampled_from(outside), junk))


def choice(values, bad=()):
    return Field(good=st.sampled_from([str(v) for v in values]),
                 bad=st.one_of(st.sampled_from(list(bad) or ["", "x"]), junk))


def plain(*good):
    """A text field."""
    return Field(good=st.one_of(st.sampled_from(list(good) or ["合理的内容"]), typed), bad=st.one_of(text, junk))


def date(*good):
    today = timezone.localdate()
    plausible = [today, today + datetime.timedelta(days=30), today - datetime.timedelta(days=3), *good]
    return Field(good=st.sampled_from([d.isoformat() for d in plausible]), bad=st.one_of(odd_dates, junk))


def integer(lo, hi):
    """A number field: plausible values from lo to hi; the values just outside, and every other kind of number."""
    return Field(good=st.integers(min_value=lo, max_value=hi).map(str),
                 bad=st.one_of(st.sampled_from([str(lo - 1), str(hi + 1)]), numbers, odd_numbers, junk))


def boolean():
    return Field(good=st.sampled_from(["on", "1", "true"]), bad=junk)


def field(f):
    """A single-valued field (when bad: a bad value, left out, or sent several times)."""
    return as_field(f)


def many(f):
    """A multi-valued field (checkboxes, multiple select)."""
    f = as_field(f)
    return Field(good=st.lists(f.good, max_size=3, unique=True),
                 bad=st.one_of(st.lists(st.one_of(f.good, f.bad), min_size=1, max_size=5),
                               st.lists(f.good, min_size=1, max_size=2).map(lambda v: v * 2)),  # duplicates
                 multi=True)


EXTRA_KEYS = st.text(st.characters(categories=("L", "N"), include_characters="_-"), min_size=1, max_size=12)


def form(fields: dict, extra=True):
    """A whole submission: some fields (none, a few, or all) go wrong — a bad value, left out, or sent twice — and
    the others carry plausible values; sometimes fields the form does not know are added."""
    fields = {k: as_field(v) for k, v in fields.items()}
    names = sorted(fields)

    @st.composite
    def build(draw):
        order = draw(st.permutations(names))
        wrong = set(order[: draw(st.sampled_from([0, 0, 1, 1, 1, 2, len(names)]))])
        data = {}
        for name in names:
            f = fields[name]
            if name not in wrong:
                value = draw(f.good)
            elif f.multi:
                value = draw(st.one_of(f.bad, st.just(MISSING)))
            else:
                value = draw(st.one_of(f.bad, f.bad, st.just(MISSING), st.lists(st.one_of(f.good, f.bad), min_size=2,
                                                                              max_size=3)))
            if value is not MISSING:
                data[name] = value
        if extra and draw(st.integers(0, 4)) == 0:
            for key, value in draw(st.dictionaries(EXTRA_KEYS, junk, min_size=1, max_size=2)).items():
                data.setdefault(key, value)
        return data

    return build()
