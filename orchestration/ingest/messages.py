"""Reason codes of SPEC §1 with the Dutch message a municipal data officer reads.

Messages name the file, the line and the column (by name or position), never a value: a
value could be a BSN. Every message is capped (a path can be long).
"""

from __future__ import annotations

from collections.abc import Iterable

from orchestration import vocabulary
from orchestration.ingest.limits import MAX_MESSAGE_CHARS


def _dutch_list(items: Iterable[str]) -> str:
    """'a, b en c': the code lists of the seeds as a sentence reads them."""
    *rest, last = items
    return f"{', '.join(rest)} en {last}" if rest else last


# The reason codes of SPEC §1 are the keys of these two tables: one list, with its texts.
_FILE_MESSAGES: dict[str, str] = {
    "invalid_folder": (
        "Bestand '{path}' staat niet in een geldige map <maand>/<gemeentecode>/ (bijvoorbeeld "
        "2024-03/GM0375/): {detail}. Het bestand is niet ingelezen. Zet het in de juiste map "
        "en lever het opnieuw aan."
    ),
    "unknown_gemeente": (
        "Bestand '{path}': gemeentecode {detail} komt niet voor in het gemeenteregister "
        "(CBS-indeling). Het bestand is niet ingelezen. Zet het in de map met de juiste "
        "gemeentecode en lever het opnieuw aan; is de code juist, laat dan het "
        "gemeenteregister bijwerken."
    ),
    "unknown_file": (
        "Bestand '{path}' heeft een onbekende naam. Toegestaan zijn "
        + _dutch_list(f"{s}.csv" for s in vocabulary.monthly_sources())
        + " in een gemeentemap, en "
        + _dutch_list(f"{s}.csv" for s in vocabulary.root_sources())
        + " in de hoofdmap. Geef het bestand de juiste naam en lever het opnieuw aan."
    ),
    "ambiguous_file": (
        "Bestand '{path}' heeft dezelfde naam als '{detail}' (hoofdletters of spaties "
        "verschillen). Beide bestanden zijn niet ingelezen. Verwijder het bestand dat "
        "niet bedoeld is en lever het juiste opnieuw aan."
    ),
    "not_a_file": (
        "Bestand '{path}' is geen gewoon bestand: {detail}. Het is niet geopend en niet "
        "ingelezen. Zet op deze plek het geleverde CSV-bestand zelf (geen snelkoppeling, map, "
        "pipe of apparaat) en lever het opnieuw aan."
    ),
    "file_too_large": (
        "Bestand '{path}' is te groot: {detail}. Het is niet gelezen. Controleer of dit de "
        "bedoelde export is en lever het opnieuw aan; is het bestand echt zo groot, laat de "
        "beheerder dan de grens (INBEELD_MAX_FILE_MB) verhogen."
    ),
    "empty_file": (
        "Bestand '{path}' is leeg of heeft geen kopregel. Het is niet ingelezen. "
        "Maak de export opnieuw, met een kopregel, en lever die opnieuw aan."
    ),
    "not_utf8": (
        "Bestand '{path}' is geen UTF-8-tekstbestand ({detail}). Het is niet ingelezen. "
        "Sla het op als 'CSV UTF-8' (geen Excel-werkmap of ANSI) en lever het opnieuw aan."
    ),
    "duplicate_column": (
        "Bestand '{path}', regel {line}: de kolommen {detail} van de kopregel hebben dezelfde "
        "naam. Het bestand is niet ingelezen. Controleer of het bestand een kopregel heeft, "
        "verwijder de dubbele kolom en lever het opnieuw aan."
    ),
    "missing_column": (
        "Bestand '{path}': de verplichte kolom(men) {detail} ontbreken in de kopregel "
        "(regel {line}). Het bestand is niet ingelezen. Controleer het scheidingsteken "
        "(; of ,) en de kolomnamen en lever het opnieuw aan."
    ),
    "gemeentecode_mismatch": (
        "Bestand '{path}', regel {line}: de kolom gemeentecode noemt een andere gemeente "
        "dan de map {detail}. Het hele bestand is niet ingelezen. Zet de lijst in de map "
        "van de gemeente die erin staat en lever hem opnieuw aan."
    ),
    "no_valid_rows": (
        "Bestand '{path}': geen enkele van de {detail} regels is geldig. Het bestand is "
        "niet ingelezen; de afgekeurde regels staan in de quarantaine met hun reden. "
        "Herstel de export en lever het bestand opnieuw aan."
    ),
}

_ROW_MESSAGES: dict[str, str] = {
    "invalid_bsn": (
        "Bestand '{path}', regel {line}: het BSN is ongeldig (geen 8 of 9 cijfers of "
        "voldoet niet aan de elfproef). De regel is niet ingelezen. Controleer het BSN in "
        "de bronadministratie en lever het bestand opnieuw aan."
    ),
    "invalid_date": (
        "Bestand '{path}', regel {line}: kolom {detail} is geen geldige datum "
        "(JJJJ-MM-DD of DD-MM-JJJJ). De regel is niet ingelezen. Herstel de datum en "
        "lever het bestand opnieuw aan."
    ),
    "age_out_of_range": (
        "Bestand '{path}', regel {line}: de jongere is op de peildatum {detail} niet "
        "23 tot en met 26 jaar. De regel is niet ingelezen. Controleer de geboortedatum "
        "en of de lijst in de juiste maandmap staat."
    ),
    "end_before_begin": (
        "Bestand '{path}', regel {line}: de einddatum ligt voor de begindatum. De regel "
        "is niet ingelezen. Herstel de datums en lever het bestand opnieuw aan."
    ),
    "unknown_event": (
        "Bestand '{path}', regel {line}: de gebeurtenis is onbekend. Toegestaan zijn "
        + _dutch_list(vocabulary.file_events())
        + ". Herstel de regel en lever het bestand opnieuw aan."
    ),
    "invalid_trede": (
        "Bestand '{path}', regel {line}: bij gebeurtenis trede moet de waarde één cijfer "
        "van 1 tot en met 6 zijn (de trede op de participatieladder). De regel is niet "
        "ingelezen. Herstel de waarde en lever het bestand opnieuw aan."
    ),
    "invalid_type": (
        "Bestand '{path}', regel {line}: het type van de organisatie is onbekend. Toegestaan "
        "zijn commercieel, sociale_onderneming, interesse_hobby, leef_probleemgebied en "
        "cultuur_religie. De regel is niet ingelezen. Herstel het type en lever het bestand "
        "opnieuw aan."
    ),
    "invalid_gemeentecode": (
        "Bestand '{path}', regel {line}: de gemeentecode is geen GM met 4 cijfers of komt "
        "niet voor in het gemeenteregister (CBS-indeling). De regel is niet ingelezen. "
        "Herstel de code, of laat het gemeenteregister bijwerken als de gemeente echt "
        "bestaat, en lever het bestand opnieuw aan."
    ),
    "invalid_jaar": (
        "Bestand '{path}', regel {line}: het jaar is geen jaartal van 4 cijfers (bijvoorbeeld "
        "2024 of 2024JJ00). De regel is niet ingelezen. Herstel het jaar en lever het "
        "bestand opnieuw aan."
    ),
    "invalid_inwoners": (
        "Bestand '{path}', regel {line}: inwoners_23_26 is geen geheel aantal van 0 of meer "
        "(alleen cijfers, zonder punt of spatie). De regel is niet ingelezen. Vul het aantal "
        "inwoners van 23 tot en met 26 jaar in en lever het bestand opnieuw aan."
    ),
    "duplicate_gemeente_jaar": (
        "Bestand '{path}', regel {line}: deze gemeente en dit jaar staan al op een eerdere "
        "regel. Deze regel is niet ingelezen; de eerdere telt. Verwijder dubbele regels uit "
        "de export."
    ),
    "duplicate_bsn": (
        "Bestand '{path}', regel {line}: dit BSN staat al op een eerdere regel van deze "
        "lijst. Deze regel is niet ingelezen; de eerdere telt. Verwijder dubbele regels "
        "uit de export."
    ),
}


_PATH_CHARS = 300


def short_path(path: str) -> str:
    """A path as messages quote it: a very long one keeps its head and its tail."""
    if len(path) <= _PATH_CHARS:
        return path
    return path[: _PATH_CHARS // 2 - 1] + "…" + path[-(_PATH_CHARS // 2) :]


def cap(message: str) -> str:
    """Every stored message stays below MAX_MESSAGE_CHARS."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return message[: MAX_MESSAGE_CHARS - 1] + "…"


def file_message(reason: str, path: str, detail: str = "", line: int | None = None) -> str:
    return cap(_FILE_MESSAGES[reason].format(path=short_path(path), detail=detail, line=line))


def row_message(reason: str, path: str, line: int, detail: str = "") -> str:
    return cap(_ROW_MESSAGES[reason].format(path=short_path(path), line=line, detail=detail))


def row_message_parts(reason: str, path: str, detail: str = "") -> tuple[str, str]:
    """A row message split around its line number (head + str(line) + tail), so the
    messages of many rows are built column-wise; capped like row_message."""
    mark = "\x00"  # no path or template holds a NUL
    head, _, tail = (
        _ROW_MESSAGES[reason]
        .format(path=short_path(path), line=mark, detail=detail)
        .partition(mark)
    )
    room = MAX_MESSAGE_CHARS - len(head) - 12  # 12: the longest line number and "…"
    if len(tail) > room:
        tail = tail[: max(room, 0)] + "…"
    return head, tail
