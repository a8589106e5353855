"""Boilerplate filter: prompts, credits, bylines, bios, related lists and forms go; text stays."""

from __future__ import annotations

import re

import pytest

from tasks.article.boilerplate import PHRASE_HINTS, PHRASE_SOURCES, Line, clean_lines

BODY = [
    (
        "The city council voted on Monday to build a tram line between the main station and the "
        "university hospital, ending a decade of debate about the route and its cost."
    ),
    (
        "Construction is to begin next spring and take four years; the line will have fourteen stops "
        "and replace two of the busiest bus routes in the city, the transport department said."
    ),
    (
        "Opponents had argued for an underground route. The council rejected that option as three "
        "times more expensive and slower to build, and a referendum is not planned."
    ),
]


def kept_text(lines: list[Line]) -> list[str]:
    return [line.text for line in clean_lines(lines).lines]


def surrounded(text: str) -> list[Line]:
    """The line between article paragraphs, where boilerplate usually hides."""
    return [Line(BODY[0]), Line(BODY[1]), Line(text), Line(BODY[2])]


COMMENT_FORMS = [
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "Save my name, email, and website in this browser for the next time I comment.",
    "Schreibe einen Kommentar",
    "Deine E-Mail-Adresse wird nicht veröffentlicht.",
    "Erforderliche Felder sind mit * markiert",
    "Laisser un commentaire",
    "Votre adresse e-mail ne sera pas publiée.",
    "Deja una respuesta",
    "Tu dirección de correo electrónico no será publicada.",
    "Lascia un commento",
    "Il tuo indirizzo email non sarà pubblicato.",
    "Deixe um comentário",
    "O seu endereço de e-mail não será publicado.",
    "Geef een reactie",
    "Je e-mailadres wordt niet gepubliceerd.",
    "Dodaj komentarz",
    "Twój adres e-mail nie zostanie opublikowany.",
    "12 Kommentare",
    "No comments yet",
]


@pytest.mark.parametrize("text", COMMENT_FORMS)
def test_comment_form_line_is_removed_with_what_follows(text: str) -> None:
    assert kept_text([*map(Line, BODY), Line(text), Line("Name *"), Line("Post Comment")]) == BODY


def test_comment_prompt_in_the_first_half_takes_only_its_line() -> None:
    lines = [Line(BODY[0]), Line("Leave a comment"), Line(BODY[1]), Line(BODY[2])]
    assert kept_text(lines) == BODY


BOILERPLATE = [
    # related and read-more prompts
    "Read more: Shipping backlog grows as strike enters second week",
    "Lea también: Impiden ingreso a Nicaragua a reportero y camarógrafo",
    "LE PUEDE INTERESAR: La ficha de Juan Orlando Hernández",
    "À lire aussi : Les trams de Lyon",
    "Lesen Sie auch: Sanierung der Hafenbrücke dauert länger",
    "Czytaj też: Wyścig zbrojeń ruszył",
    "Leggi anche: Il tram di Firenze",
    "Leia também: O metrô de Lisboa",
    "Lees ook: De tram van Utrecht",
    # newsletters, subscriptions, support, apps
    "Sign up for our daily business newsletter and get the day's top stories in your inbox.",
    "Melde dich für unseren Newsletter an und erhalte jeden Freitag die wichtigsten Nachrichten.",
    "Abonnez-vous à notre newsletter pour recevoir l'essentiel de l'actualité.",
    "Suscríbete a nuestro boletín y recibe las noticias cada mañana.",
    "Subscribe to continue reading. Already a subscriber? Log in.",
    "Pour lire la suite de cet article, abonnez-vous.",
    "If you enjoyed reading this post – would you consider supporting our work? Just click here.",
    "For the latest stories download the Herald apps for iOS and Android.",
    # share, follow, cookie notices
    "Share this article:",
    "Teilen mit:",
    "Teilen Sie dies mit:",
    "Follow us on Twitter and Facebook for the latest updates.",
    "Síguenos en Telegram, Instagram, Facebook y Twitter",
    "We use cookies to improve your experience. By continuing to use this site you agree.",
    "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten.",
    "Klicken Sie auf den unteren Button, um den Inhalt von www.komoot.de zu laden.",
    # photo credits and captions with their credit, copyright and disclosure lines
    "Photo: Reuters/Mark Blinch",
    "Foto: Stadtblatt Nord/Lena Brandt",
    "Fot. Lukasz Nowaczyk / Agencja Gazeta",
    "Getty Images",
    "(Credit: Clayton Aldern / Grist)",
    "Crédits photos : Bestimage",
    "A graffiti showing Vladimir Putin in Kolomna. © Vitaliy Belousov / Imago Pictures",
    "© 2024 The Harbour Herald. All rights reserved.",
    "Anzeige, enthält Affiliate Links",
    # dates and labels standing alone
    "23.10.2018",
    "January 13, 2020 at 08:45 AM | categories: Python, Mercurial | View Comments",
    "Made:",
    "Last Modified: 03-10-2004",
    "Quelle: Landesregierung",
    "Abbildung 4: klassische Schwachschicht.",
    "More information:",
    "Kategorie: News",
    "Tags: climate, energy",
    "Wird geladen …",
    "Kategorien",
    "(Alle Angaben ohne Gewähr)",
    # prompts to comment that do not end the article
    "Verraten Sie gerne in den Kommentaren: Was war Ihr schönstes Projekt?",
    "Let us know what you think in the comments below.",
    "Join our commenting forum",
    # the caption of a video player: its description, date and duration
    "Der Politologe hält neue Sanktionen für begrenzt wirksam. 17.04.2024 | 6:00 min",
    "05.09.2024 | 2:03 min",
    "02:57 Min.",
]


@pytest.mark.parametrize("text", BOILERPLATE)
def test_boilerplate_line_is_removed(text: str) -> None:
    assert kept_text(surrounded(text)) == BODY


ARTICLE_TEXT = [
    "He said he would read more about the case before the vote on Thursday.",
    "The newsletter of the tenants' association first reported the rent increase in March.",
    "Police said the photo was taken on Monday near the station.",
    "The minister wrote on Telegram that talks would continue next week.",
    "Comments from residents were overwhelmingly positive, the mayor said.",
    "By the end of the year, the company expects to hire 300 people.",
    "Subscribers to the city's bike-share scheme rose by a third, to 48,000.",
    "Share prices fell 4 percent after the announcement.",
    "286,35 €",
    "+81 158-23-2012",
    "(do it with dpa/AFP)",
    "Editor’s Note",
    "Jane Doe, a nurse at the hospital, said the tram would save her an hour a day.",
    "The ferry leaves at 6:45 and the crossing takes about 50 min.",
    "Sie lief die zehn Kilometer in 31:12 min.",
    "Angaben zum Unfallhergang machte die Polizei zunächst nicht.",
]


@pytest.mark.parametrize("text", ARTICLE_TEXT)
def test_article_line_is_kept(text: str) -> None:
    assert kept_text(surrounded(text)) == [BODY[0], BODY[1], text, BODY[2]]


def test_byline_at_the_top_moves_to_authors() -> None:
    cleaned = clean_lines([Line("Von: Max Mustermann und Erika Musterfrau"), *map(Line, BODY)])
    assert cleaned.authors == ("Max Mustermann", "Erika Musterfrau")
    assert [line.text for line in cleaned.lines] == BODY


def test_byline_lookalike_in_the_body_is_text() -> None:
    lines = [*map(Line, BODY), Line("By Jane Doe"), Line(BODY[0])]
    cleaned = clean_lines(lines)
    assert cleaned.authors == ()
    assert "By Jane Doe" in [line.text for line in cleaned.lines]


def test_site_name_byline_gives_no_author() -> None:
    cleaned = clean_lines([Line("By The Harbour Herald"), *map(Line, BODY)], ["The Harbour Herald"])
    assert cleaned.authors == ()


def test_breadcrumb_at_the_top_is_removed() -> None:
    crumbs = [Line("1. Home page", "item"), Line("2. political", "item")]
    assert kept_text([*crumbs, *map(Line, BODY)]) == BODY
    assert kept_text([Line("Home » Politics » World"), *map(Line, BODY)]) == BODY


def test_related_heading_takes_its_link_list_but_not_the_next_paragraph() -> None:
    lines = [
        Line(BODY[0]),
        Line(BODY[1]),
        Line("Related articles", "head"),
        Line("- Port talks resume with federal mediator", "item", linked=True),
        Line("- Retailers reroute shipments as port strike drags on", "item", linked=True),
        Line(BODY[2]),
    ]
    cleaned = clean_lines(lines)
    assert [line.text for line in cleaned.lines] == BODY
    assert "related" in cleaned.signals


@pytest.mark.parametrize("heading", ["Inhaltsverzeichnis", "Table of contents", "Ähnliche:"])
def test_contents_or_similar_heading_takes_its_list_but_not_the_next_paragraph(
    heading: str,
) -> None:
    lines = [
        Line(BODY[0]),
        Line(heading, "head"),
        Line("- Why decant wine at all", "item"),
        Line("- How long to let it breathe", "item"),
        Line(BODY[1]),
        Line(BODY[2]),
    ]
    assert kept_text(lines) == BODY


def test_run_of_link_lines_is_removed_but_a_single_link_line_stays() -> None:
    links = [
        Line("Heat pump sales doubled in the first quarter", linked=True),
        Line("Last coal plant in the region closes two years early", linked=True),
    ]
    assert kept_text([*map(Line, BODY), *links]) == BODY
    assert kept_text([*map(Line, BODY), links[0]]) == [*BODY, links[0].text]


def test_comment_form_in_the_second_half_ends_the_article() -> None:
    lines = [
        *map(Line, BODY),
        Line("Leave a Reply"),
        Line("Comment"),
        Line("Name *"),
        Line("Post Comment"),
    ]
    cleaned = clean_lines(lines)
    assert [line.text for line in cleaned.lines] == BODY
    assert "comment_form" in cleaned.signals


def test_author_box_at_the_end_is_removed() -> None:
    bio = [
        Line("Ambrose Fernandez"),
        Line('"Subtly charming web junkie. Unapologetic bacon lover."'),
    ]
    assert kept_text([*map(Line, BODY), *bio]) == BODY
    sentence = Line(
        "Candice Sealey is the Founder & Principal Consultant at Ignite!, a PR consultancy."
    )
    assert kept_text([*map(Line, BODY), sentence]) == BODY


def test_name_like_lines_at_the_end_without_a_bio_stay() -> None:
    lines = [*map(Line, BODY), Line("Base Flying"), Line("Our work spans a variety of areas.")]
    assert kept_text(lines) == [line.text for line in lines]


def test_tables_and_code_are_not_filtered_line_by_line() -> None:
    table = Line("| Share | 2023 | 2024 |", "table")
    code = Line("print('Leave a Reply')", "code")
    assert kept_text([*map(Line, BODY), table, code]) == [*BODY, table.text, code.text]


def test_paywall_and_consent_prompts_are_reported() -> None:
    cleaned = clean_lines(surrounded("Subscribe to continue reading."))
    assert "paywall" in cleaned.signals
    cleaned = clean_lines(surrounded("We use cookies to improve your experience."))
    assert "consent" in cleaned.signals


@pytest.mark.parametrize("category", sorted(PHRASE_SOURCES))
def test_every_phrase_contains_a_hint(category: str) -> None:
    """Lines without any hint skip the phrase search: a phrase without a hint would never match."""
    for source in PHRASE_SOURCES[category]:
        literal = re.sub(r"\\[a-z]|[?*+(){}\[\]|^$\\]", "", source.lower())
        assert any(hint in literal for hint in PHRASE_HINTS), source
