"""Author names: bylines split and cleaned, roles, newsrooms and the site's own name dropped."""

from __future__ import annotations

import pytest

from tasks.article.authors import clean_authors

SITE = "The Daily Planet"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe and John Roe"], ("Jane Doe", "John Roe")),
        (["By Jane Doe, Staff Writer"], ("Jane Doe",)),
        (["Jane Doe and John Roe, Staff Writers"], ("Jane Doe", "John Roe")),
        (["From: Tobias Utz"], ("Tobias Utz",)),
        (["Von Max Mustermann und Erika Musterfrau"], ("Max Mustermann", "Erika Musterfrau")),
        (["Par Jean Dupont et Marie Curie"], ("Jean Dupont", "Marie Curie")),
        (["Por Ana Pérez y Juan Gómez"], ("Ana Pérez", "Juan Gómez")),
        (["Maria Rossi, inviata a Roma"], ("Maria Rossi",)),
        (["By JANE DOE | March 3, 2022"], ("Jane Doe",)),
        (["Jane Doe", "jane doe", "JANE DOE"], ("Jane Doe",)),
        (["Jean de la Fontaine"], ("Jean de la Fontaine",)),
        (["Verfasst von Jonas Weber"], ("Jonas Weber",)),
        ([SITE], ()),  # the site's own name
        (["By The Daily Planet Staff"], ()),
        (["Redacción Daily Planet"], ()),
        (["03.05.2022"], ()),  # a date
        (["Updated 3 hours ago"], ()),
        (["admin"], ()),
        (["Verfasst von"], ()),
        (["jane@example.com", "https://example.com/author/jane"], ()),
        (["By the end of the year"], ()),
        (["ACME GmbH, Frankfurt a. M., Germany"], ()),  # company and places, not people
        (["Cornel"], ("Cornel",)),  # a one-word pen name on its own is kept
        (["Photo: Sam Carter"], ()),
    ],
)
def test_clean_authors(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw, [SITE]) == expected
