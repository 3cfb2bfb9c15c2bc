"""BLT reading and writing: accepted layouts, round trips, and errors that name the line."""

from __future__ import annotations

import pytest

from deliberation.tally import BltError, Election

GOOD = """4 2
-4
3 1 2 0
2 3 0
1 1 2 0
4 0
0
"Ann Jones"
"Bo"
"Cy de Wynter"
"Dee"
"A small election"
"""


def test_blt_parse_reads_header_withdrawn_ballots_names_and_title():
    """A well-formed file gives seats, 0-based withdrawn indices, aggregated ballots, names and title."""
    e = Election.from_blt(GOOD)
    assert e.candidates == ("Ann Jones", "Bo", "Cy de Wynter", "Dee")
    assert e.seats == 2
    assert e.withdrawn == frozenset({3})
    assert e.title == "A small election"
    assert e.ballots == ((4, (0, 1)), (2, (2,)), (4, ()))  # repeated ranking weights are added
    assert e.total_weight == 10


def test_blt_parse_accepts_crlf_blank_lines_comments_and_names_on_one_line():
    """Windows line ends, blank lines, # comments and several quoted names on a line are fine."""
    text = '# exported\r\n3 1\r\n\r\n2 1 3 0\r\n1 2 0\r\n0\r\n"A" "B" "C"\r\n"T"\r\n\r\n'
    e = Election.from_blt(text)
    assert e.candidates == ("A", "B", "C") and e.title == "T"
    assert e.ballots == ((2, (0, 2)), (1, (1,)))


def test_blt_parse_accepts_terminator_with_stray_spaces():
    """An end-of-ballots line written as "0 " still ends the ballots."""
    e = Election.from_blt('2 1\n3 1 0\n 0 \n"A"\n"B"\n"T"\n')
    assert e.ballots == ((3, (0,)),) and e.title == "T"


def test_blt_parse_accepts_bytes_and_utf8_names():
    """from_blt takes UTF-8 bytes too (with or without a BOM), names in any script."""
    text = '2 1\n1 2 1 0\n0\n"Siân Gwenllïan"\n"Llŷr"\n"Etholiad"\n'
    assert Election.from_blt(b"\xef\xbb\xbf" + text.encode()) == Election.from_blt(text)
    assert Election.from_blt(text).candidates == ("Siân Gwenllïan", "Llŷr")


def test_blt_parse_title_is_optional():
    """A file that ends after the names has an empty title."""
    assert Election.from_blt('2 1\n1 1 0\n0\n"A"\n"B"\n').title == ""


def test_blt_round_trip_keeps_the_election():
    """from_blt(to_blt(e)) == e, withdrawn candidates and empty ballots included."""
    e = Election.from_blt(GOOD)
    assert Election.from_blt(e.to_blt()) == e


def test_blt_canonical_text_ignores_ballot_order():
    """The canonical BLT (and so the default lot seed) does not depend on ballot order."""
    a = Election.build(["A", "B", "C"], [(1, (0, 1)), (2, (2,)), (1, ())])
    b = Election.build(["A", "B", "C"], [(2, (2,)), (1, ()), (1, (0, 1))])
    assert a.to_blt() != b.to_blt()
    assert a.canonical_blt() == b.canonical_blt()
    assert a.default_seed() == b.default_seed()
    parsed = Election.from_blt(b.to_blt())  # the parser's own ranking texts give the same bytes
    assert parsed.canonical_blt() == a.canonical_blt()
    assert a.canonical_blt().splitlines()[1:4] == ["1 0", "1 1 2 0", "2 3 0"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "empty file"),
        ("four 1\n0\n", 1, "number of candidates must be a whole number"),
        ("3\n0\n", 1, "header must be"),
        ("2 3\n0\n", 1, "3 seats but only 2 candidates"),
        ("2 0\n0\n", 1, "seats must be at least 1"),
        ("4000000000 1\n0\n", 1, "cannot all be named"),
        ('2 1\n-3\n1 1 0\n0\n"A"\n"B"\n', 2, "unknown withdrawn candidate 3"),
        ('2 1\n1 1 0\nx 2 0\n0\n"A"\n"B"\n', 3, "ballot weight must be a whole number"),
        ('2 1\n1 1 0\n-2 1 0\n0\n"A"\n"B"\n', 3, "positive whole number, got '-2'"),
        ('2 1\n1 1 0\n0 2 0\n0\n"A"\n"B"\n', 3, "positive"),
        ('3 1\n1 1 0\n\n2 1 4 0\n0\n"A"\n"B"\n"C"\n', 4, "unknown candidate number 4"),
        ('3 1\n2 1 2 1 0\n0\n"A"\n"B"\n"C"\n', 2, "duplicate preference: candidate 1"),
        ('3 1\n2 1 2\n0\n"A"\n"B"\n"C"\n', 2, "must end with 0"),
        ('3 1\n2 1 0 2 0\n0\n"A"\n"B"\n"C"\n', 2, "0 only ends a ballot"),
        ('3 1\n2 1 x 0\n0\n"A"\n"B"\n"C"\n', 2, "candidate number must be a whole number"),
        ('3 1\n2 1=2 0\n0\n"A"\n"B"\n"C"\n', 2, "equal rankings"),
        ('3 1\n2 1 2 0\n"A"\n"B"\n"C"\n', 3, "found a name: is the end-of-ballots line '0' missing?"),
        ("3 1\n2 1 2 0\n1 3 0\n", 3, "missing end-of-ballots line '0'"),
        ('3 1\n2 1 2 0\n0\n"A"\n"B"\n', 5, "expected 3 candidate names"),
        ('3 1\n2 1 2 0\n0\n"A"\nB\n"C"\n', 5, "expected a quoted name"),
        ('2 1\n2 1 2 0\n0\n"A"\n"A"\n', 5, "duplicate candidate name"),
        ('2 1\n2 1 2 0\n0\n"A"\n"B"\n"T"\n"extra"\n', 7, "unexpected text after the title"),
    ],
)
def test_blt_parse_malformed_raises_blt_error_with_line(text, line, words):
    """Every malformed file raises BltError whose message starts with the offending line number."""
    with pytest.raises(BltError) as caught:
        Election.from_blt(text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}: ")
    assert words in str(caught.value)


def test_blt_parse_error_names_first_line_of_a_repeated_bad_ballot():
    """Identical lines are parsed once, but the error still points at the first of them."""
    text = '2 1\n1 1 0\n1 3 0\n1 2 0\n1 3 0\n0\n"A"\n"B"\n'
    with pytest.raises(BltError, match=r"^line 3: unknown candidate number 3"):
        Election.from_blt(text)


def test_blt_write_rejects_names_it_cannot_quote():
    """A name containing a double quote cannot be written as BLT, so writing fails loudly."""
    e = Election.build(['Say "hi"', "B"], [(1, (0,))])
    with pytest.raises(ValueError, match="quote"):
        e.to_blt()
