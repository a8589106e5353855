"""Boilerplate in extracted text: prompts, credits, bylines, bios, related lists, comment forms."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from tasks.article.metadata import BYLINE_PREFIX, ROLE, clean_authors

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Line:
    """One line (paragraph) of extracted text and what it was in the page."""

    text: str
    kind: str = "p"  # p | head | item | quote | table | code
    linked: bool = False  # the whole line is the text of one link of the page
    key: str = field(default="", compare=False)  # what the rules match: see _key

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", _key(self.text))


@dataclass(slots=True)
class Cleaned:
    """The article lines that survived, the byline authors found, and what was seen."""

    lines: list[Line]
    authors: tuple[str, ...] = ()
    signals: set[str] = field(default_factory=set)  # paywall, consent, comment_form, related


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# Each pattern is matched at the start of a short line (PROMPT_MAX_CHARS) unless noted.
COMMENT_FORM = _rx(
    r"(leave|post|write|add|submit) (a|an|your) (reply|comment|response)",
    r"your e-?mail address will not be published", r"required fields are (marked|indicated)",
    r"save my name, e-?mail", r"notify me of (follow-up|new)", r"cancel reply",
    r"you must be (logged|signed) in to (post|leave)", r"(\d+ |no )?comments?( \(\d+\))?$",
    r"no comments yet", r"be the first to comment", r"(view|show|load|hide) (all )?comments",
    r"(hinterlasse|schreibe?|verfasse) (einen|eine|deinen) (kommentar|antwort)",
    r"kommentar (verfassen|schreiben|hinterlassen|abgeben)",
    r"(keine |\d+ )?kommentare?( \(\d+\))?$",
    r"(deine|ihre) e-?mail-?adresse wird nicht veröffentlicht",
    r"(erforderliche felder|pflichtfelder) sind mit \* (markiert|gekennzeichnet)",
    r"(du|sie) (musst|müssen) (eingeloggt|angemeldet) sein", r"kommentare insgesamt",
    r"um einen kommentar zu (hinterlassen|schreiben)", r"laisser un commentaire",
    r"laisser une réponse", r"votre (adresse (e-?mail|de messagerie)|e-?mail) ne sera pas publiée",
    r"les champs obligatoires sont indiqués", r"\d+ commentaires?$", r"ajouter un commentaire",
    r"deja (un|tu|una) (comentario|respuesta)", r"dejar un comentario",
    r"tu (dirección de )?correo( electrónico)? no será publicad", r"los campos obligatorios están",
    r"\d+ comentarios?$", r"lascia (un commento|una risposta)",
    r"il tuo indirizzo (e-?mail )?non sarà pubblicato", r"i campi obbligatori sono",
    r"deixe (um|uma|o seu|seu) (comentário|resposta)", r"(o )?seu (endereço de )?e-?mail não será",
    r"campos obrigatórios são marcados", r"geef een reactie", r"laat een reactie achter",
    r"(je|uw) e-?mailadres wordt niet gepubliceerd", r"vereiste velden zijn gemarkeerd",
    r"(dodaj|zostaw|napisz) komentarz", r"twój adres e-?mail nie zostanie opublikowany",
    r"wymagane pola są oznaczone",
)  # fmt: skip
RELATED = _rx(
    r"(read|see|watch) (more|also|next)\s*[:|»>]", r"also read\b", r"related\s*[:|»>]",
    r"related (articles?|posts?|stories|news|content|coverage|reading|links)",
    r"more (stories|articles|news|on this|from|about|in)\b.{0,40}$",
    r"you (may|might) also (like|enjoy)",
    r"recommended( for you| reading| articles| stories)?$", r"don'?t miss\s*[:|»>]",
    r"(most (read|popular|viewed|shared)|trending( now)?|popular posts|top stories)$",
    r"further reading", r"lea (también|además|más)", r"lee (también|además|más)", r"leer más\s*:",
    r"(ver|vea|mira|mire|puedes ver|lea)\s*:", r"vea también", r"(también )?te puede interesar",
    r"le puede interesar", r"no te pierdas", r"(notas|noticias|artículos|contenidos?) relacionad",
    r"contenido relacionado", r"más (noticias|sobre)\b", r"lo más (leído|visto)",
    r"lesen sie (auch|mehr|hier)", r"lies auch", r"auch (lesen|interessant)",
    r"(das|diese \w+) könnten? (sie|dich|euch) (auch |ebenfalls )?interessieren",
    r"das thema könnte", r"mehr (zum thema|dazu|themen)",
    r"weitere (\w+ )?(artikel|beiträge|themen|nachrichten|meldungen)",
    r"(weitere|mehr) (infos?|informationen) (unter|auf|bei|gibt es|finden sie)", r"schon gelesen",
    r"(zum )?weiterlesen\s*:", r"empfohlene (artikel|beiträge)",
    r"(ähnliche|verwandte) (artikel|beiträge|themen)",
    r"siehe auch", r"passend (dazu|zum thema)", r"meist(gelesen|-diskutiert|diskutiert)",
    r"top-themen", r"à lire (aussi|également)", r"lire aussi", r"(à )?voir aussi",
    r"sur le même (sujet|thème)", r"articles (similaires|liés)", r"dans la même rubrique",
    r"à découvrir (aussi|également)", r"leggi anche", r"potrebbe interessarti",
    r"articoli correlati", r"leia (também|mais)\b", r"veja (também|mais)\b",
    r"(notícias|matérias) relacionadas", r"lees (ook|meer)\b", r"bekijk ook",
    r"gerelateerde artikelen", r"czytaj (też|także|również|więcej)", r"zobacz (też|także|również)",
    r"przeczytaj (też|także|również)", r"dowiedz się więcej", r"polecamy\s*[:|»>]",
    r"powiązane artykuły", r"auch auf \S+\.\w{2,3}$",
)  # fmt: skip
NEWSLETTER = _rx(
    r"([\w-]+ ){0,3}(newsletter|nieuwsbrief|boletín)$", r"(zum )?newsletter anmelden",
    r"sign up (here|now|to get|to receive|for (our|the))",
    r"(get|receive) .{0,60} (daily|weekly) (edition|digest|briefing) by e-?mail",
    r"never miss .{0,40} (by signing|sign up)",
)  # fmt: skip
PAYWALL = _rx(
    r"(subscribe|sign in|log in|register) (now )?to (continue|read|keep reading|unlock|access|"
    r"view)",
    r"(to )?(continue reading|read the full (story|article)|view the full story)",
    r"(this|the) (article|content|story|post) is (only )?(available|reserved|exclusive)",
    r"already (a subscriber|subscribed|have an account)", r"subscribe now .{0,40}full story",
    r"you('ve| have) reached (your|the) (free )?(article )?limit",
    r"(dieser|der) (artikel|beitrag|inhalt) ist (nur |exklusiv )?(für|nur für) (abonnent|plus|"
    r"premium)",
    r"jetzt (weiterlesen|abonnieren|abo abschließen)", r"bereits abonnent",
    r"(mit|weiterlesen mit) \w*\+", r"um (diesen|den) (artikel|beitrag) (vollständig )?zu lesen",
    r"pour (lire|accéder à) la suite", r"la suite est réservée", r"(cet|l')article est réservé",
    r"déjà abonné", r"pour accéder en illimité", r"abonnez-vous pour",
    r"para (seguir|continuar) leyendo", r"contenido exclusivo para", r"ya eres (suscriptor|socio)",
    r"per continuare a leggere", r"contenuto riservato agli abbonati", r"sei già abbonato",
    r"para continuar lendo", r"conteúdo exclusivo para assinantes", r"já é assinante",
    r"lees verder met", r"alleen voor abonnees", r"al abonnee",
    r"(treść|artykuł) (dostępn|tylko dla)", r"masz już (konto|subskrypcję)",
)  # fmt: skip
SOCIAL = _rx(
    r"(share|teilen|partager|compartir|condividi|compartilhe|partilhe|deel|udostępnij)"
    r"( (this|on|via|mit|sur|en|dit|artikel|article|story|post|beitrag|auf|nota|noticia))*\s*:?$",
)  # fmt: skip
CONSENT = _rx(
    r"we use cookies", r"this (web)?site uses cookies",
    r"by (continuing|using) (to use )?(this|our)",
    r"accept (all )?cookies", r"cookie (settings|policy|preferences|consent)",
    r"wir (verwenden|nutzen|setzen) cookies", r"diese (web)?seite (verwendet|nutzt) cookies",
    r"cookies (akzeptieren|zulassen)", r"nous utilisons (des )?cookies",
    r"ce site utilise des cookies",
    r"utilizamos cookies", r"este (sitio|site)( web)? utiliza cookies", r"utilizziamo (i )?cookie",
    r"questo sito utilizza", r"usamos cookies", r"wij gebruiken cookies",
    r"deze (web)?site gebruikt",
    r"używamy (plików )?cookies", r"klicken sie auf den (unteren )?button, um den inhalt",
    r"mit dem laden des (inhalts|videos|beitrags) akzeptieren sie",
    r"(click|tap) (here |the button )?to load (the )?(content|video)",
    r"(please )?(enable|activate) (javascript|cookies)",
)  # fmt: skip
SUPPORT = _rx(
    r"support (our|independent|quality) (journalism|work|reporting)",
    r"would you consider supporting",
    r"(make a )?donat(e|ion) (now|today|to us)", r"unterstütze(n sie)? (uns|unsere arbeit|\w+mag)",
    r"jetzt spenden", r"soutenez(-nous| notre)", r"apoya (nuestro|el) periodismo",
    r"hazte (miembro|socio)", r"tú también puedes hacer periodismo", r"wesprzyj nas", r"sostienici",
    r"steun ons", r"become a (member|patron|supporter)", r"we need your help",
)  # fmt: skip
APP_PROMPT = _rx(
    r"download (the|our) .{0,40}apps?\b", r"apps? (for|für) (ios|android|iphone)",
    r"get the .{0,30}app\b", r"lade dir (die|unsere) app", r"descarga (la|nuestra) app",
)  # fmt: skip
LETTERS = _rx(
    r"submit (a|your) letter to the editor", r"we want to hear what you think",
    r"(write|send) (to us at|us a letter)",
)  # fmt: skip
LEGAL = _rx(
    # the footer WordPress and others append to feed items
    r"the post .{1,200} appeared first on", r"der beitrag .{1,200} erschien zuerst auf",
    r"l[’']article .{1,200} est apparu en premier sur", r"la entrada .{1,200} se publicó primero en",
    r"(©|\(c\)|copyright)\s*(\d{4}|[^.]{0,60}$)", r"all rights reserved",
    r"alle rechte vorbehalten",
    r"tous droits réservés", r"todos los derechos reservados", r"tutti i diritti riservati",
    r"todos os direitos reservados", r"alle rechten voorbehouden", r"wszelkie prawa zastrzeżone",
    r"materiał chroniony prawem",
    r"this (article|content|material) (is the copyrighted|may not be)",
    r"written permission must be obtained", r"may not be (reproduced|republished|redistributed)",
)  # fmt: skip
DISCLOSURE = _rx(
    r"\*?(anzeige|werbung|advertisement|sponsored|publicidad|publicité|pubblicità|reklama)"
    r"\s*[:.,|*-]",
    r"(anzeige|werbung|advertisement|sponsored( content)?|publicidad|publicité|reklama)$",
    r"(this|the) (post|article|page) (contains|may contain|includes) (affiliate|"
    r"references to products)",
    r"we (may )?(receive|earn) (a )?(compensation|commission)", r"(enthält|mit) affiliate",
    r"bei den verlinkungen handelt es sich",
    r"dieser (beitrag|artikel) enthält (werbung|affiliate)",
    r"as an amazon associate", r"als amazon-partner", r"we recommend the best products",
)  # fmt: skip
PHOTO_CREDIT = _rx(
    r"(photos?|fotos?|fot|bild(er)?|images?|pictures?|credits?|crédits?( photos?)?|crédito|"
    r"créditos|bildquelle|fotoquelle|titelbild|beitragsbild|headerbild|vorschaubild|"
    r"(header|featured|cover) image|imagen|imagem|immagine|zdjęcie|afbeelding|"
    r"image illustrative)\s*(credit|courtesy|by|von|de|:|\.|©)\s*\S.{0,120}$",
    r"(getty images|afp|reuters|ap photo|dpa|imago|epa|shutterstock|istock|unsplash|pexels|"
    r"pixabay|keystone|picture alliance)\b[^.!?]{0,60}$",
    r"\((photo|foto|credit|bild|image)s?\s*:[^()]{2,80}\)$", r"©\s*\S.{0,80}$",
)  # fmt: skip
# A caption ending in its credit: "Putin in Moscow. © Vitaliy Belousov / Imago Pictures"
TRAILING_CREDIT = re.compile(
    r"(?:©|\(c\)|\b(?:photo|foto|fot\.|bild|credit|crédit|crédito|"
    r"image)s?\s*:)\s*[^.!?]{2,80}\)?\.?$",
    re.IGNORECASE,
)
# Source lines, figure captions and bare "More information:" labels.
LABEL_START = _rx(
    r"(quelle|source|fuente|fonte|źródło|bron)\s*:\s*[^.!?]{2,80}$",
    r"(abbildung|abb\.|figure|fig\.|grafik|tabelle|table)\s*\d+\s*:",
    r"(weitere informationen|more information|further information|plus d'informations|"
    r"más información)\s*:?$",
)
UI_TEXT = _rx(
    r"\(?[a-z]{2,5}(/[a-z]{2,6})+\)?\.?",  # agency and initials credit: "aja/PAP", "(dpa/AFP)"
    r"bild (anzeigen|schließen|vergrößern)", r"(wird|werden) geladen\W*", r"loading\W*",
    r"(play|watch) video", r"video (abspielen|verfügbar bis.*)", r"click to (enlarge|expand)",
    r"skip (ad|advertisement)", r"(print|drucken|druckansicht|imprimir|imprimer)",
    r"(back to top|nach oben|zurück nach oben)", r"(previous|next) (post|article)",
    r"(vorheriger|nächster) (artikel|beitrag)", r"(open|otwórz) (gallery|galerię).*",
    r"galerie öffnen", r"ten tekst przeczytasz w .{0,30}", r"\d+ min(ute)?s? read",
    r"(lesezeit|reading time|temps de lecture|tiempo de lectura|czas czytania)\s*:?\s*\d.*",
    r"gemerkt auf .*", r"merken", r"zoom",
)  # fmt: skip
LABEL_LINE = re.compile(
    r"^(made|created|published|posted|updated|last (updated|modified)|modified|release date|"
    r"news date|date|datum|stand|veröffentlicht( am)?|veröffentlichung|erstellt( am)?|"
    r"aktualisiert( am)?|"
    r"zuletzt aktualisiert|letzte (änderung|aktualisierung)( am)?|publié( le)?|mis à jour( le)?|"
    r"publicado( el)?|actualizado( el)?|pubblicato( il)?|aggiornato( il)?|atualizado( em)?|"
    r"gepubliceerd( op)?|bijgewerkt( op)?|opublikowano|zaktualizowano)\s*[:|"
    r"]?\s*(?P<value>.{0,60})$",
    re.IGNORECASE,
)
TAXONOMY_LINE = re.compile(
    r"^(tags|temas|etiquetas|schlagwörter|stichwörter|themen)$|"
    r"^(kategorie|category|categories|catégorie|categoría|categoria|rubrik|ressort|tags?|"
    r"schlagwörter|schlagworte|stichwörter|filed under|posted in|etiquetas|temas)\s*[:|"
    r"]\s*[^.!?]{0,80}$",
    re.IGNORECASE,
)
MONTHS = (
    r"jan(uary|uar|vier|eiro)?|feb(ruary|ruar)?|févr(ier)?|mar(ch|s|zo|ço)?|märz|apr(il|ile)?|"
    r"avr(il)?|"
    r"may|mai|mayo|maggio|maio|jun(e|i|io|ho)?|juin|jul(y|i|io|ho)?|juil(let)?|aug(ust)?|août|"
    r"agosto|"
    r"sep(t|tember|tembre|tiembre)?|set(embro|tembre)?|oct(ober|obre|ubre)?|okt(ober)?|ott(obre)?|"
    r"out(ubro)?|nov(ember|embre|iembre)?|dec(ember)?|dez(ember)?|déc(embre)?|dic(iembre|embre)?"
)
DATE_ANCHOR = re.compile(
    rf"\b(\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}:\d{{2}}|"
    rf"{MONTHS})\b",
    re.IGNORECASE,
)
# Everything a line that is only a date or time may contain besides the date itself.
DATE_TOKENS = re.compile(
    rf"\b({MONTHS}|uhr|am|pm|um|at|le|el|de|del|di|du|der|den|gmt|utc|cet|cest|mez|mesz|edt|est|"
    r"pst|h|mon(day)?|tue(sday)?|wed(nesday)?|thu(rsday)?|fri(day)?|sat(urday)?|sun(day)?|montag|"
    r"dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|"
    r"samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo)\b|\d+|[^\w]",
    re.IGNORECASE,
)
HOME_CRUMB = re.compile(
    r"^(home( ?page)?|start(seite)?|inicio|accueil|portada|início|strona główna|hem|etusivu|"
    r"news|nachrichten|noticias|actualités)$",
    re.IGNORECASE,
)
CRUMB_SEPARATOR = re.compile(r"\s[»›>/|]\s|\s»|»\s")
SECTION_HEAD = _rx(
    r"(kontakt|pressekontakt|ansprechpartner(in)?( zum thema)?|(media|press) contact|contact)\s*:$",
    r"(quellen(angaben)?|sources|fuentes)\s*:$",
    r"about the author", r"über (den|die) autor(in)?", r"zur person", r"à propos de l'auteur",
    r"sobre (el|la|o|a) autora?", r"sull'autore", r"over de auteur", r"o autorze",
)  # fmt: skip
BIO_SENTENCE = re.compile(
    r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3} (?:is|was|ist|war|est|es|è|é)\s+(?:a|an|the|ein|eine|"
    r"un|une|una|um|uma|een|der|die|le|la|el|il)\b.{0,300}\b(?i:writer|journalist|author|editor|"
    r"reporter|founder|consultant|professor|student|blogger|expert|correspondent|columnist|"
    r"autor(?:in)?|journalistin|redakteur(?:in)?|gründer(?:in)?|auteur|journaliste|fondat|"
    r"periodista|escritor|giornalista|scrittore)",
)  # fmt: skip
PIPE = re.compile(r"\s+\|\s+")
DIGIT = re.compile(r"\d")
QUOTES = "\"“”„«»'‘’"
SENTENCE_END = re.compile(r"[.!?:;…\"”»)]$")
SPACE = re.compile(r"\s+")
LIST_MARKER = re.compile(r"^(?:[-•*·▪►>]+|\d+[.)])\s+")

# Prompts told by two words together anywhere in a short line: a cheap substring test for the
# first, the pattern for the second only when it passes.
NEWSLETTER_WORDS = (
    "newsletter",
    "nieuwsbrief",
    "boletín",
    "bulletin",
    "e-mail updates",
    "email updates",
)
NEWSLETTER_ASK = re.compile(
    r"\b(sign|subscribe|abonn|anmeld|melde|trag dich|registrier|inscri|suscr|iscriv|assin|zapisz|"
    r"receive|erhalt|bestell|deliver|posteingang|inbox|get|join|never miss|lust auf)",
    re.IGNORECASE,
)
SOCIAL_WORDS = ("twitter", "facebook", "instagram", "linkedin", "telegram", "whatsapp", "youtube",
                "tiktok", "pinterest", "mastodon", "google news")  # fmt: skip
SOCIAL_ASK = re.compile(
    r"\b((follow|like|join|find|connect with) us\b|folgen sie uns|folg(e|t) uns|liken sie uns|"
    r"síguenos|siguenos|sígannos|suivez-nous|rejoignez-nous|seguici|siga-nos|sigam-nos|volg ons|"
    r"obserwuj nas|dołącz do nas|únete|nuestro canal|unser(em|en)? (kanal|channel)|our (channel|"
    r"page)|"
    r"notre (chaîne|page))|^follow \S.{0,40} on\b",
    re.IGNORECASE,
)
# Phrases distinctive enough to mark a short line wherever they stand in it.
PHRASE_SOURCES: dict[str, tuple[str, ...]] = {
    "comment_form": (
        r"your e-?mail address will not be published", r"required fields are marked",
        r"(deine|ihre) e-?mail-?adresse wird nicht veröffentlicht",
        r"ne sera pas publiée", r"no será publicad", r"non sarà pubblicato", r"não será publicado",
        r"wordt niet gepubliceerd", r"nie zostanie opublikowany",
    ),
    "paywall": (
        r"already (a subscriber|subscribed)", r"subscribe (now )?to (continue|read|unlock)",
        r"to (continue reading|read the full (story|article)|view the full story)",
        r"(nur|exklusiv) für abonnent", r"réservée? aux abonnés", r"exclusivo para suscriptores",
    ),
    "app": (r"download (the|our) .{0,40}apps?\b", r"apps? (for|für) (ios|android)"),
    "support": (r"would you consider supporting", r"support (our|independent) journalism",
                r"wesprzyj nas", r"unterstütze (uns|unsere arbeit)"),
    "newsletter": (
        r"sign up here", r"newsletter (abonnieren|bestellen)", r"zapraszamy (też )?do subskrypcji",
        (r"(by (registering|signing up|subscribing)|mit der (registrierung|anmeldung)).{0,40}"
        r"(accept|agree|akzeptier)"),
    ),
    "legal": (r"all rights reserved", r"alle rechte vorbehalten", r"tous droits réservés",
              r"todos los derechos reservados", r"written permission must be obtained"),
    "disclosure": (r"bei den verlinkungen handelt es sich um affiliate", r"affiliate links?\b",
                   r"we (may )?(receive|earn) (a )?(compensation|commission)"),
}  # fmt: skip
# Every phrase above contains one of these (tests/test_boilerplate.py checks it): a line with
# none of them is not searched at all, which keeps the per-line cost low.
PHRASE_HINTS = (
    "publi", "pubbl", "veröffentlicht", "required fields", "subscri", "abonn", "suscript",
    "continue reading", "full story", "full article", "app ", "apps", "supporting", "journalism",
    "wesprzyj", "unterstütze", "sign up", "signing up", "newsletter", "subskrypcji", "registr",
    "anmeld", "reserv", "réserv", "vorbehalten", "permission", "affiliate", "compensation",
    "commission",
)  # fmt: skip
PROMPT_MAX_CHARS = 300  # a prompt or credit is a short line; longer lines are article text
LABEL_MAX_CHARS = 100
TOP_LINES = 6  # bylines, breadcrumbs and date lines sit in the first lines
BODY_LINE_CHARS = 150  # a line this long is article text: what follows is no longer top matter
TAIL_LINES = 4  # author bios sit in the last lines
TEASER_MAX_CHARS = 160

LINE_RULES: dict[str, re.Pattern[str]] = {
    "comment_form": COMMENT_FORM,
    "paywall": PAYWALL,
    "consent": CONSENT,
    "related": RELATED,
    "newsletter": NEWSLETTER,
    "social": SOCIAL,
    "support": SUPPORT,
    "app": APP_PROMPT,
    "letters": LETTERS,
    "legal": LEGAL,
    "disclosure": DISCLOSURE,
    "photo_credit": PHOTO_CREDIT,
    "label": LABEL_START,
}


# All rules of a kind in one pattern, one named group per category: one scan per line.
LINE_START = re.compile(
    "|".join(f"(?P<{name}>{rx.pattern})" for name, rx in LINE_RULES.items()), re.IGNORECASE
)
# \b first: the scan then tries the alternatives at word starts only, not at every character.
PHRASE = re.compile(
    r"\b(?:"
    + "|".join(f"(?P<{name}>{'|'.join(srcs)})" for name, srcs in PHRASE_SOURCES.items())
    + ")",
    re.IGNORECASE,
)


def clean_lines(lines: Sequence[Line], site_names: Sequence[str | None] = ()) -> Cleaned:
    """Remove boilerplate lines from extracted article text.

    Args:
        lines: the extracted text, one Line per paragraph, in page order.
        site_names: the site's and publisher's names (never taken as byline authors).

    Returns:
        A Cleaned with the kept lines, the authors of a byline found at the top and the
        signals seen (paywall, consent, comment_form...); never raises.

    """
    cleaned = Cleaned(lines=[])
    kept = _drop_sections(lines, cleaned.signals)
    kept = _drop_prompt_lines(kept, cleaned.signals)
    kept = _drop_link_runs(kept)
    kept = _drop_top_matter(kept, site_names, cleaned)
    cleaned.lines = _drop_tail_bio(kept)
    logger.debug(
        "boilerplate: kept %s of %s lines, signals=%s",
        len(cleaned.lines),
        len(lines),
        cleaned.signals,
    )
    return cleaned


def _key(text: str) -> str:
    """The line as matched by the rules: list markers removed, spaces normalised."""
    return LIST_MARKER.sub("", SPACE.sub(" ", text).strip())


def _rule_key(line: Line) -> str | None:
    """The key the line rules look at; a table row only when it has a single cell."""
    if line.kind == "code":
        return None
    if line.kind == "table":
        cells = [cell for cell in (c.strip() for c in line.text.split("|")) if cell]
        return _key(cells[0]) if len(cells) == 1 else None
    return line.key


def _category(key: str) -> str | None:
    """The boilerplate category of a line (its key) that is boilerplate on its own, else None."""
    if len(key) > PROMPT_MAX_CHARS or not key:
        return None
    lowered = key.lower()
    match = LINE_START.match(key) or (
        any(hint in lowered for hint in PHRASE_HINTS) and PHRASE.search(key)
    )
    if match:
        return match.lastgroup
    if any(word in lowered for word in NEWSLETTER_WORDS) and NEWSLETTER_ASK.search(key):
        return "newsletter"
    if any(word in lowered for word in SOCIAL_WORDS) and SOCIAL_ASK.search(key):
        return "social"
    if ("©" in key or ":" in key or "(c)" in lowered) and TRAILING_CREDIT.search(key):
        return "photo_credit"
    if len(key) <= LABEL_MAX_CHARS and (_is_label_line(key) or UI_TEXT.fullmatch(key)):
        return "label"
    return None


def _is_label_line(key: str) -> bool:
    """A date, a "Published: <date>" or "Category: News" line: page furniture, no content."""
    if " | " in key:
        return all(
            _is_label_line(part) or UI_TEXT.fullmatch(part) or COMMENT_FORM.match(part)
            for part in PIPE.split(key)
            if part
        )
    if TAXONOMY_LINE.match(key):
        return True
    label = LABEL_LINE.match(key)
    if label and (not label["value"] or DIGIT.search(label["value"])):
        return True
    return bool(DIGIT.search(key) and DATE_ANCHOR.search(key)) and not DATE_TOKENS.sub("", key)


def _drop_prompt_lines(lines: Sequence[Line], signals: set[str]) -> list[Line]:
    """Drop lines that are boilerplate on their own; a comment form ends the article."""
    kept: list[Line] = []
    for index, line in enumerate(lines):
        key = _rule_key(line)
        category = _category(key) if key else None
        if category is None:
            kept.append(line)
            continue
        signals.add(category)
        # Everything after a comment-form heading in the second half is the form or comments.
        if category == "comment_form" and index >= len(lines) / 2:
            break
    return kept


def _drop_link_runs(lines: list[Line]) -> list[Line]:
    """Drop runs of consecutive lines that are each a whole link: teaser and navigation lists."""
    kept: list[Line] = []
    for index, line in enumerate(lines):
        in_run = line.linked and (
            (index > 0 and lines[index - 1].linked)
            or (index + 1 < len(lines) and lines[index + 1].linked)
        )
        if not in_run:
            kept.append(line)
    return kept


def _drop_top_matter(
    lines: list[Line], site_names: Sequence[str | None], cleaned: Cleaned
) -> list[Line]:
    """Move a byline above the body into the authors; drop breadcrumbs above the body."""
    authors: list[str] = []
    kept: list[Line] = []
    in_body = False  # bylines and breadcrumbs come before the first paragraph of text
    for index, line in enumerate(lines):
        key = line.key
        in_body = (
            in_body or index >= TOP_LINES or len(key) > BODY_LINE_CHARS or line.kind == "table"
        )
        if not in_body and len(key) <= LABEL_MAX_CHARS:
            if BYLINE_PREFIX.match(key) and (names := clean_authors([key], site_names)):
                authors.extend(names)
                continue
            if _is_breadcrumb(lines, index):
                continue
        kept.append(line)
    cleaned.authors = tuple(dict.fromkeys(authors))
    return kept


def _is_breadcrumb(lines: Sequence[Line], index: int) -> bool:
    """A "Home > Politics" line, or a run of short list items starting with a home link."""
    key = lines[index].key
    if len(CRUMB_SEPARATOR.findall(key)) >= 2 and all(
        len(part.split()) <= 4 for part in CRUMB_SEPARATOR.split(key)
    ):
        return True
    start = index
    while start > 0 and lines[start - 1].kind == "item" and len(lines[start - 1].key.split()) <= 3:
        start -= 1
    return (
        lines[index].kind == "item"
        and len(key.split()) <= 3
        and start < TOP_LINES
        and bool(HOME_CRUMB.match(lines[start].key))
    )


def _is_teaser(line: Line) -> bool:
    """A line of a link list: a link, a short list item or a short unpunctuated title."""
    key = line.key
    if line.linked:
        return True
    if len(key) > TEASER_MAX_CHARS:
        return False
    return line.kind == "item" or not SENTENCE_END.search(key)


def _drop_sections(lines: Sequence[Line], signals: set[str]) -> list[Line]:
    """Drop "Related"/"About the author" headings with the link list or bio that follows."""
    kept: list[Line] = []
    skipping = False
    for line in lines:
        key = line.key
        is_head = len(key) <= 60 and not SENTENCE_END.search(key.rstrip(":"))
        if is_head and (RELATED.match(key) or SECTION_HEAD.match(key)):
            signals.add("related")
            skipping = True
            continue
        if skipping and _is_teaser(line):
            continue
        skipping = False
        kept.append(line)
    return kept


def _is_person_line(key: str) -> bool:
    words = key.split()
    return 2 <= len(words) <= 4 and clean_authors([key]) == (key,)


def _is_bio(line: Line, name: str) -> bool:
    """A line under an author's name that describes them: a quoted tagline, or about them."""
    key = line.key
    return key[:1] in QUOTES or key.startswith(name) or bool(ROLE.search(key[:80]))


def _drop_tail_bio(lines: list[Line]) -> list[Line]:
    """Drop an author box at the end: a name line over a short bio, or a bio sentence."""
    for index in range(max(1, len(lines) - TAIL_LINES), len(lines)):
        key = lines[index].key
        rest = lines[index + 1 :]
        if (
            _is_person_line(key)
            and 1 <= len(rest) <= 2
            and _is_bio(rest[0], key)
            and all(len(line.text) <= 2 * PROMPT_MAX_CHARS for line in rest)
        ):
            return lines[:index]
        if BIO_SENTENCE.match(key) and len(key) <= 2 * PROMPT_MAX_CHARS and len(rest) <= 1:
            return lines[:index]
    return lines
