"""Everything a reader of the published pages and tables reads: Dutch labels and
one-line explanations, kept apart from the code that draws them."""

from __future__ import annotations

from datetime import date

from orchestration import settings, vocabulary

# The rules' thresholds (dbt_project.yml vars), so the texts say what the models do.
PERSISTENT_MONTHS = int(settings.dbt_var("persistent_months"))
SUSTAINED_MONTHS = int(settings.dbt_var("sustained_months"))
QUIET_MONTHS = int(settings.dbt_var("declined_quiet_months"))
STALE_MONTHS = int(settings.dbt_var("registration_stale_months"))
REACH_MONTHS = int(settings.dbt_var("reach_months"))

MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
MONTHS_NL_LONG = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def month_short(m: date) -> str:
    return f"{MONTHS_NL[m.month - 1]} {m.year}"


def month_long(m: date) -> str:
    return f"{MONTHS_NL_LONG[m.month - 1]} {m.year}"


def number_nl(n: int | float | str | None) -> str:
    """12345 -> '12.345' (Dutch thousands separator); marks and None pass through."""
    if n is None:
        return "–"
    if isinstance(n, str):
        return n
    if isinstance(n, float):
        return f"{n:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{n:,}".replace(",", ".")


TILES = {
    "on_list": ("Op de lijst", "Jongeren op de JIB-lijsten van de gemeenten in de regio."),
    "excluded": (
        "Uitgesloten",
        "Op de lijst, maar volgens een eigen registratie wel in beeld (ruis).",
    ),
    "in_view": ("In beeld te brengen", "Op de lijst en niet uitgesloten: de echte doelgroep."),
    "persistent": (
        f"Persistent (≥ {PERSISTENT_MONTHS} maanden)",
        f"In beeld te brengen en {PERSISTENT_MONTHS} maanden of langer aaneengesloten op de lijst.",
    ),
    "priority_a": (
        "Prioriteit A",
        "Persistent én bijna 27, teruggekeerd op de lijst of met vso/pro-achtergrond.",
    ),
}

MEASURES = {
    "on_list": "op de lijst",
    "excluded": "uitgesloten",
    "in_view": "in beeld te brengen",
    "persistent": "persistent",
    "priority_a": "prioriteit A",
    "priority_b": "prioriteit B",
    "not_persistent": "niet persistent",
    "approached": "benaderd of verder",
    "reached": "bereikt of verder",
    "in_trajectory": "in traject",
}

# The code lists with their Dutch labels: dbt_project/seeds/*.csv (orchestration/vocabulary.py).
EXCLUSION_SOURCES = {s: vocabulary.source_labels()[s] for s in vocabulary.exclusion_sources()}

OUTFLOW_REASONS = vocabulary.outflow_reason_labels()

PERSISTENCE_BUCKETS = {
    "1": "1 maand",
    "2": "2 maanden",
    "3-5": "3–5 maanden",
    "6-11": "6–11 maanden",
    "12+": "12 maanden of langer",
}

TREDES = {
    "1": "1 geïsoleerd",
    "2": "2 sociale contacten",
    "3": "3 deelname activiteiten",
    "4": "4 onbetaald werk",
    "5": "5 betaald werk met ondersteuning",
    "6": "6 betaald werk",
    "geen": "geen trede bekend",
}

LADDER_DIRECTIONS = {
    "omhoog": "omhoog",
    "gelijk": "gelijk gebleven",
    "omlaag": "omlaag",
    "eerste": "eerste trede",
}

FUNNEL_STEPS = {
    0: "in beeld te brengen (12 mnd)",
    1: "benaderd",
    2: "bereikt",
    3: "intake",
    4: "traject",
    5: "gestart met werk of opleiding",
}

REFERRAL_TYPES = {
    "commercieel": "commercieel",
    "sociale_onderneming": "sociale onderneming",
    "interesse_hobby": "interesse en hobby",
    "leef_probleemgebied": "leef- en probleemgebied",
    "cultuur_religie": "cultuur en religie",
    "onbekend": "onbekende organisatie",
}

REFERRAL_OUTCOMES = {
    "werk": "aan het werk",
    "opleiding": "naar opleiding",
    "traject": "in intake of traject",
    "in_contact": "benaderd of bereikt",
    "anders": "anders (geweigerd, bezwaar, niet benaderd)",
}

ROLES = {
    "bereiken": "bereiken",
    "activeren": "activeren",
    "plaatsen": "plaatsen",
    "behouden": "behouden",
}

PLACEMENT_KINDS = {"werk": "werk", "opleiding": "opleiding"}
PLACEMENT_STATUSES = {
    "duurzaam": f"duurzaam (na {SUSTAINED_MONTHS} maanden nog van de lijst)",
    "niet_duurzaam": "niet duurzaam (uitval of terug op de lijst)",
    "nog_onbekend": "nog niet te beoordelen",
}

FIGURES = {
    "leveringen": (
        "Leveringen per gemeente en maand",
        "Welke bestanden elke gemeente per maand leverde, per bestand zoals het in de inbox heet (jib: de JIB-lijst; kvk, rmc (voortijdig schoolverlaten), jongerenloket, buitenland, detentie en vso_pro: de eigen registraties; begeleiding: de casusregistratie): G = geleverd, A = afgekeurd (met de reden onder de figuur en in leveringen.csv), O = ontbreekt. Ontbreekt een JIB-lijst, dan zijn de regiocijfers van die maand te laag; ontbreekt een registratie of de casusregistratie, dan zijn uitsluiting of de fasen van die gemeente te laag.",
    ),
    "trend": (
        "Verloop per maand",
        "Aantal jongeren per maand: op de lijst, in beeld te brengen, persistent en prioriteit A.",
    ),
    "uitsluiting": (
        "Uitgesloten naar reden",
        "Jongeren op de lijst die volgens een registratie in die maand wel in beeld zijn, per bron; één jongere kan meerdere redenen hebben.",
    ),
    "persistentie": (
        "Hoe lang al op de lijst",
        "In beeld te brengen jongeren in de laatste maand naar het aantal maanden dat zij aaneengesloten op de lijst staan.",
    ),
    "trechter": (
        "Bereik van de toeleiding",
        "Jongeren die in de afgelopen 12 maanden in beeld te brengen waren, naar de verste stap die zij in die 12 maanden bereikten.",
    ),
    "uitkomsten": (
        "Plaatsingen en duurzaamheid",
        f"Jongeren die met werk of met een opleiding begonnen, per kwartaal (alle jongeren met zo'n gebeurtenis), naar of de plaatsing na {SUSTAINED_MONTHS} maanden standhield. Alleen volledige kwartalen; 'duurzaam' en 'niet duurzaam' zijn . (nog niet bekend) zolang de plaatsingen van een kwartaal nog geen {SUSTAINED_MONTHS} maanden te volgen waren.",
    ),
    "uitstroom": (
        "Uitstroom van de lijst naar reden",
        "Jongeren die in de maand van de lijst verdwenen, om welke reden ook, naar de eerste reden die van toepassing is. Dit is iets anders dan de fase 'gestart met werk of opleiding' in de toeleiding.",
    ),
    "ladder": (
        "Beweging op de participatieladder per kwartaal",
        "Jongeren van wie in het kwartaal een trede is vastgelegd, naar hun trede aan het eind van het kwartaal vergeleken met hun trede vóór het kwartaal: omhoog, gelijk, omlaag, of een eerste trede.",
    ),
    "trede": (
        "Huidige trede",
        "Jongeren op de lijst in de laatste maand naar hun laatst bekende trede op de participatieladder (trede 1 tot en met 6); wie nog geen trede heeft, staat onder de figuur.",
    ),
    "gemeenten": (
        "Gemeenten naast elkaar",
        "Per gemeente in de laatste maand: in beeld te brengen jongeren en hoeveel daarvan persistent zijn.",
    ),
    "verwijzingen": (
        "Verwijzingen naar de sociale kaart",
        "Jongeren die in de afgelopen 12 maanden zijn verwezen naar een informele organisatie, naar het type organisatie van hun laatste verwijzing; wat er van hen werd staat in de tabel onderaan.",
    ),
    "rollen": (
        "Verwijzingen naar rol van de organisatie",
        "Verwezen jongeren naar de rol die de organisatie kan spelen, en hoeveel van hen aan werk of opleiding begonnen; een organisatie kan meer rollen hebben.",
    ),
    "resultaat": (
        "Wat trajecten opleveren",
        f"Van de trajecten die in het kwartaal begonnen: het deel dat tot werk leidde en het deel dat tot een opleiding leidde (de eerste start na het begin van het traject, tot nu), en van de plaatsingen die al {SUSTAINED_MONTHS} maanden te volgen waren het deel dat standhield. De stippellijnen zijn de praktijkreferentie, geen norm: Heerlen meldt dat van ongeveer 400 aanmeldingen in vijf jaar bijna 70% aan het werk ging en bijna 10% naar school. Een recent kwartaal loopt nog op: zijn uitkomsten komen later binnen.",
    ),
    "kanalen": (
        "Welk kanaal bereikt wie",
        f"Per kwartaal en kanaal: jongeren die zo benaderd werden, en het deel van hen dat binnen {REACH_MONTHS} maanden na die benadering bereikt werd (contact of verder). Een jongere kan via meer kanalen benaderd zijn en telt dan bij elk.",
    ),
    "weigering": (
        "Niet in beeld willen: gerespecteerd",
        f"Jongeren op de lijst die de benadering weigerden (in de rustperiode van {QUIET_MONTHS} maanden na hun weigering, waarin zij niet opnieuw benaderd worden) en jongeren die bezwaar maakten (zij worden nooit meer benaderd en staan niet op de werklijst).",
    ),
    "instroom": (
        "Binnengekomen via een organisatie",
        "Jongeren die in de afgelopen 12 maanden voor het eerst bereikt werden (eerste contact), naar het type organisatie dat hen eerder verwees: informele organisaties en jongerenscouts van de sociale kaart. Wie zonder verwijzing bereikt werd, staat in de tabel.",
    ),
    "perduizend": (
        "Gemeenten per 1.000 inwoners",
        "Per gemeente in de laatste maand: in beeld te brengen en persistente jongeren per 1.000 inwoners van 23 tot en met 26 jaar (CBS), zodat gemeenten van verschillende grootte te vergelijken zijn.",
    ),
}

# The practice reference drawn beside the outcome rates (Heerlen, ~400 registrations in
# five years): a reference mark, named as such, not a target.
PRACTICE_REFERENCE = {"werk": 70, "opleiding": 10}
PRACTICE_NAME = "praktijkreferentie Heerlen"
CHANNELS = {e.gebeurtenis: e.label for e in vocabulary.case_events() if e.channel}
DECLINED = {"geweigerd": "geweigerd (in rustperiode)", "bezwaar": "bezwaar"}
INFLOW_TYPES = {**REFERRAL_TYPES, "geen": "zonder verwijzing"}
TRAJECT_COLUMNS = {
    "gestart": "trajecten gestart",
    "werk": "naar werk",
    "werk%": "% naar werk",
    "opleiding": "naar opleiding",
    "opleiding%": "% naar opleiding",
    "gevolgd": f"plaatsingen {SUSTAINED_MONTHS} maanden gevolgd",
    "duurzaam": "daarvan duurzaam",
    "duurzaam%": "% duurzaam",
}
YEAR_LABEL = "laatste 4 kwartalen"
NO_POPULATION_NOTE = (
    "Per 1.000 inwoners: niet getoond, want de regio leverde geen bevolking.csv (CBS "
    "StatLine: inwoners van 23 tot en met 26 jaar per gemeente en jaar) in de inbox."
)
CONVERSION = "{pct} van vorige stap"

SOURCE = (
    "Bron: de maandelijkse lijsten uit Jongeren in Beeld (Inlichtingenbureau) van de "
    "gemeenten, gekoppeld aan de eigen registraties van de gemeenten (KvK, RMC, "
    "jongerenloket, buitenland, detentie), hun casusregistratie van de toeleiding en de "
    "regionale sociale kaart. Gemeentelijke indeling: CBS, 1 januari 2025; "
    "arbeidsmarktregio's volgens de wettelijke indeling."
)


def suppression_count(published: int, primary: int, secondary: int, k: int) -> str:
    """The colophon's count of suppressed cells."""
    return (
        f"Van de {number_nl(published)} gepubliceerde cellen zijn er {number_nl(primary)} "
        f"onderdrukt als <{k} en {number_nl(secondary)} als x (secundair)."
    )


# Below every figure: its numbers as a table and as a CSV file.
TABLE_SUMMARY = "Tabel"
TABLE_CSV = "De aantallen van deze figuur als CSV (puntkomma-gescheiden)"
LADDER_PARTIAL_NOTE = (
    "Alleen volledige kwartalen; {quarters} valt maar voor een deel in de gegevens en is "
    "weggelaten (. nog niet bekend)."
)
LADDER_COMPLETE_NOTE = "Alleen volledige kwartalen."
TREDE_NONE_NOTE = "Geen trede bekend: {n} jongeren op de lijst (niet in de figuur)."


def suppression_rule(k: int) -> str:
    return (
        f"Geheimhouding: aantallen van 1 tot en met {k - 1} worden getoond als <{k}. "
        "Waar een verborgen aantal uit een totaal of uit de andere delen terug te rekenen "
        "zou zijn, is ook het volgende kleinste aantal verborgen; dat wordt getoond als x. "
        "Percentages op basis van een verborgen aantal worden niet getoond. Alleen "
        "geaggregeerde aantallen; geen gegevens over personen."
    )


DEFINITIONS = (
    (
        "Op de lijst",
        "jongeren van 23 tot en met 26 jaar op de JIB-lijst van een gemeente in de regio in die maand; op twee lijsten telt een jongere één keer, bij de laagste gemeentecode.",
    ),
    (
        "Uitgesloten",
        "op de lijst, terwijl een registratie van KvK, RMC, jongerenloket, buitenland of detentie de maand overlapt (ruis: de jongere is wel in beeld).",
    ),
    ("In beeld te brengen", "op de lijst en niet uitgesloten."),
    (
        "Persistent",
        f"in beeld te brengen en {PERSISTENT_MONTHS} maanden of langer aaneengesloten op de lijst.",
    ),
    (
        "Prioriteit",
        f"voor in beeld te brengen jongeren die nog niet bereikt zijn: nog niet benaderd, of wel benaderd (brief, tweede brief, huisbezoek, app of verwijzing) maar nog zonder contact; ook wie weigerde, zodra de rustperiode van {QUIET_MONTHS} maanden na de weigering voorbij is. A = persistent én bijna 27, teruggekeerd op de lijst of met vso/pro-achtergrond; B = overig persistent; C = korter dan {PERSISTENT_MONTHS} maanden op de lijst. Prioriteit C wordt niet apart getoond: zie niet persistent.",
    ),
    (
        "Niet persistent",
        f"in beeld te brengen en korter dan {PERSISTENT_MONTHS} maanden aaneengesloten op de lijst (in beeld te brengen min persistent). De meesten hebben prioriteit C: nog niet of alleen benaderd; een enkeling is al bereikt. Prioriteit C zelf is niet te tonen zonder haar te verbergen: het verschil met niet persistent is vaak maar 0 of 1 jongere.",
    ),
    (
        "Bijna 27",
        "wordt 27 vóór de eerste dag van de zesde maand na de maand van de lijst: op de lijst van maart wie vóór 1 september 27 wordt.",
    ),
    (
        "Fasen",
        "benaderd (brief, huisbezoek, app of verwijzing), bereikt (contact), intake, traject, gestart met werk of opleiding.",
    ),
    (
        "Uitstroom van de lijst",
        "een jongere verdwijnt van de lijst, om welke reden ook: 27 jaar, werk of opleiding (gestart in de drie maanden ervoor), buitenland, detentie, KvK, anders onbekend.",
    ),
    (
        "Duurzaam",
        f"na de start van werk of opleiding {SUSTAINED_MONTHS} maanden geen uitval en niet terug op de lijst; pas te beoordelen als die {SUSTAINED_MONTHS} maanden voorbij zijn.",
    ),
    (
        "Leveringen",
        "per gemeente, maand en bestand: geleverd, afgekeurd (met de reden) of ontbreekt. Een maand waarin de JIB-lijst van een gemeente ontbreekt of is afgekeurd, is onvolledig: de regiocijfers van die maand zijn te laag. Alle leveringen staan in leveringen.csv.",
    ),
)


SYMBOLS = (
    "Tekens: . = niet beschikbaar of nog niet bekend (bijvoorbeeld persistent in de eerste "
    f"{PERSISTENT_MONTHS - 1} maanden van de gegevens, duurzaam zolang {SUSTAINED_MONTHS} "
    "maanden nog niet voorbij zijn, en een kwartaal dat maar voor een deel in de gegevens "
    f"valt); * achter een maand of kwartaal = voorlopig: de laatste {STALE_MONTHS} maanden van "
    f"de gegevens, omdat registraties tot {STALE_MONTHS} maanden "
    "later binnenkomen. In een grafiek staat een verborgen of onbekend aantal als een open "
    "staafje met zijn teken."
)

# status -> (letter in the grid, legend)
DELIVERY_STATUSES = {
    "geleverd": ("G", "G = geleverd"),
    "afgekeurd": ("A", "A = afgekeurd"),
    "ontbreekt": ("O", "O = ontbreekt"),
}
# What the municipality table says where a file type was never delivered.
NEVER_DELIVERED = {
    "begeleiding": "geen casusregistratie",
    "kvk": "geen KvK-bestand",
    "rmc": "geen RMC-bestand",
    "jongerenloket": "geen jongerenloketbestand",
    "buitenland": "geen buitenlandbestand",
    "detentie": "geen detentiebestand",
    "vso_pro": "geen vso/pro-bestand",
}


def missing_list_text(month: date, parts: list[tuple[str, str]]) -> str:
    """'mei 2026: Haarlem geen lijst, Velsen lijst afgekeurd' from (gemeente, status)."""
    said = [
        f"{name} {'lijst afgekeurd' if status == 'afgekeurd' else 'geen lijst'}"
        for name, status in parts
    ]
    return f"{month_short(month)}: {', '.join(said)}"
