"""Word lists behind the claim-intake heuristics (English unless marked).

Kept apart from the code that uses them so an editor can read, in one place, which
words move a score. Everything is lower case unless the list is about capitalised
forms (titles, place names).
"""

from __future__ import annotations

from typing import Final


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`, as a set (keeps long lists readable)."""
    return frozenset(text.split())


# Words that start many sentences and are capitalised only because of that.
COMMON_SENTENCE_STARTS: Final[frozenset[str]] = words(
    """
    a about above absent according across after again against all almost along also
    although among an and another any anyone are around as at away back because before
    behind being below besides between beyond both but by can could despite did do does
    during each earlier either else even every everyone few finally first for from
    further given had has have he her here hers him his how however i if in including
    inside instead into is it its just last later least less like many may meanwhile
    more moreover most much my near neither never nevertheless next no none nor not
    nothing now of off on once one only or other others our out outside over overall
    perhaps previously rather regardless same second separately several she should since
    so some someone something still such than that the their them then there these they
    third this those though through throughout thus to today together tomorrow too
    toward towards under unless unlike until up upon us was we were what whatever when
    where whether which while who whom whose why will with within without would
    yesterday yet you your clearly obviously certainly surely frankly arguably indeed
    instead notably meanwhile crucially importantly ultimately
    """
)

# Honorifics, ranks and offices that precede a person's name (as written, capitalised).
TITLES: Final[frozenset[str]] = words(
    """
    Mr Mr. Mrs Mrs. Ms Ms. Mx Mx. Dr Dr. Prof Prof. Professor Sir Dame Lord Lady
    President Vice Premier Minister Secretary Chancellor Governor Gov. Senator Sen. Rep.
    Representative Congressman Congresswoman Mayor King Queen Prince Princess Emir
    Sheikh Sultan Ayatollah Imam Pope Cardinal Bishop Rabbi Ambassador Judge Justice
    Commissioner Director Chairman Chairwoman Chair Speaker Spokesman Spokeswoman
    Spokesperson CEO Inspector Insp. Superintendent Supt. Sheriff General Gen. Lt.-Gen.
    Maj.-Gen. Brig.-Gen. Col. Lt.-Col. Lt. Maj. Capt. Cpt. Adm. Admiral Commander Cmdr.
    Sgt. Sergeant Cpl. Corporal Pvt. Private Colonel Lieutenant Major Captain Brigadier
    Marshal Field-Marshal
    """
)

# Lower-case role nouns that, right before a capitalised name, mark it as a person.
PERSON_ROLES: Final[frozenset[str]] = words(
    """
    spokesman spokeswoman spokesperson leader candidate commander figure official
    minister governor general chief economist analyst president director chairman
    chairwoman founder author journalist reporter editor lawyer attorney activist
    researcher scientist professor doctor farmer resident witness mayor senator lawmaker
    mp deputy envoy ambassador cleric preacher militant fighter manager
    """
)

# Last words that make a capitalised span an organisation.
ORGANISATION_SUFFIXES: Final[frozenset[str]] = words(
    """
    Corps Forces Force Army Navy Party Ministry Bank Council Agency Commission Committee
    Office Service Services Institute University College School Company Group Front
    Movement Alliance International News Times Post Gazette Courier Herald Journal
    Tribune Guardian Telegraph Press Radio TV FM Television Channel Federation Union
    Association Organisation Organization Authority Court Parliament Assembly Senate
    Congress Police Department Capital Inc Inc. Ltd Ltd. Corp Corp. Brigades Brigade
    Militia Guard Guards Aid Relief Foundation Fund Trust Network Board Bureau Centre
    Center Cabinet Government Administration Coalition League Society Club Airlines
    Airways Motors Holdings Partners
    """
)
ORGANISATION_HEADS: Final[frozenset[str]] = words(
    """
    Ministry Bank University Department Office Institute Council Board Court
    """
)

# Last words (or first, for "Port", "Lake", "Mount") that make a span a place.
PLACE_SUFFIXES: Final[frozenset[str]] = words(
    """
    River Valley Sea Ocean Gulf Bay Strait Lake Mountains Mountain Hills Island Islands
    Province Region District County City Town Village Street Square Avenue Road Bridge
    Airport Port Peninsula Desert Coast Border Heights Plain Basin Delta Strip Bank
    """
)
PLACE_HEADS: Final[frozenset[str]] = words("Port Lake Mount Fort Gulf Cape Saint St.")

# A small gazetteer of countries, regions and capitals that often appear in news.
PLACES: Final[frozenset[str]] = words(
    """
    Afghanistan Albania Algeria Argentina Armenia Australia Austria Azerbaijan Bahrain
    Bangladesh Belarus Belgium Bolivia Bosnia Brazil Britain Bulgaria Canada Chad Chile
    China Colombia Croatia Cuba Cyprus Denmark Egypt England Eritrea Estonia Ethiopia
    Europe Finland France Gaza Georgia Germany Greece Haiti Hungary India Indonesia Iran
    Iraq Ireland Israel Italy Japan Jordan Kazakhstan Kenya Kosovo Kuwait Latvia Lebanon
    Libya Lithuania Mali Mexico Moldova Morocco Myanmar Nepal Netherlands Niger Nigeria
    Norway Oman Pakistan Palestine Peru Philippines Poland Portugal Qatar Romania Russia
    Rwanda Scotland Serbia Somalia Spain Sudan Sweden Switzerland Syria Taiwan
    Tajikistan Tanzania Thailand Tunisia Turkey Turkmenistan UAE UK US USA Uganda
    Ukraine Uzbekistan Venezuela Vietnam Wales Yemen Zimbabwe Africa Asia America
    Americas Caucasus Balkans Levant Kurdistan Tehran Damascus Baghdad Beirut Moscow
    Washington London Paris Berlin Ankara Istanbul Cairo Riyadh Doha Amman Kyiv Kiev
    Jerusalem Brussels Beijing Tokyo Delhi Kabul Islamabad Aleppo Hama Homs Idlib Mosul
    Basra Sanaa Aden Tripoli
    """
)

# Nationality and group adjectives: part of a name span ("Syrian Democratic Forces")
# but not a name on their own ("Syrian regime").
DEMONYMS: Final[frozenset[str]] = words(
    """
    Afghan African American Arab Arabic Asian Australian British Canadian Chinese
    Egyptian English European French German Greek Indian Iranian Iraqi Irish Islamic
    Israeli Italian Japanese Jewish Jordanian Kurdish Lebanese Libyan Muslim Christian
    Pakistani Palestinian Persian Qatari Russian Saudi Shia Shiite Sunni Syrian Turkish
    Ukrainian Western Eastern Northern Southern Yemeni Emirati Gulf Sudanese Somali
    Nigerian Kenyan Mexican Spanish Polish Dutch Swedish Norwegian Danish Finnish
    Scottish Welsh Armenian Azerbaijani Georgian Belarusian
    """
)

# Name particles that may sit inside a name span in lower case.
NAME_PARTICLES: Final[frozenset[str]] = words(
    """
    al el ad ash as at an ar ibn bin bint abu de da di du del della van von der den la
    le of
    """
)

# Verbs that attribute a statement to a source. Media verbs make their subject the
# outlet that reported the claim (the nearest link of the chain).
SPEECH_VERBS: Final[frozenset[str]] = words(
    """
    said says say told tells tell claimed announced announces announce warned warns warn
    confirmed confirms confirm denied denies deny stated admitted admits admit added
    adds noted insisted insists alleged alleges acknowledged acknowledges revealed
    reveals disclosed discloses declared declares asserted asserts emphasized emphasised
    emphasizes emphasises accused accuses argued argues estimated predicted predicts
    quoted testified explained explains wrote writes
    """
)
# Forms that are nouns just as often ("state media", "the reports", "the claims"):
# they attribute only when followed by "that".
SPEECH_VERBS_BEFORE_THAT: Final[frozenset[str]] = words("states claims reports notes estimates")
MEDIA_VERBS: Final[frozenset[str]] = words("reported published broadcast")
# Verbs of belief: they attribute an opinion, and make a sentence less checkable.
OPINION_VERBS: Final[frozenset[str]] = words(
    """
    believe believes believed think thinks thought feel feels felt expect expects hope
    hopes fear fears
    """
)
# "citing X", "sourcing X", "quoting X": X is the source behind the reporter.
CITING_WORDS: Final[frozenset[str]] = words("citing sourcing quoting")
# Participles that attribute to the sentence's subject: "..., saying that ...".
ATTRIBUTING_PARTICIPLES: Final[frozenset[str]] = words(
    """
    saying adding claiming warning noting insisting arguing stating
    """
)
PRONOUNS: Final[frozenset[str]] = words("he she they it we i you")
# Recipients of "told" that are not a named outlet.
GENERIC_AUDIENCES: Final[frozenset[str]] = words(
    """
    reporters journalists the media press lawmakers parliament supporters
    """
)

# Verbs of concrete, checkable events (past and perfect forms). "cost" is left out: as a
# noun it is everywhere.
EVENT_VERBS: Final[frozenset[str]] = words(
    """
    killed died arrested detained captured seized took overtook launched attacked struck
    deployed arrived signed agreed approved passed voted won lost rose fell increased
    decreased declined grew dropped reached served sanctioned banned fined charged
    convicted sentenced elected appointed resigned visited travelled traveled met called
    spoke phoned raised cut closed opened collapsed destroyed damaged evacuated rescued
    pulled delivered suspended fired shot bombed invaded withdrew retreated advanced
    clashed founded built recorded posted shared viewed filmed removed deleted doubled
    tripled halved spent led commanded accredited promised pushed hit injured wounded
    displaced forced burst flooded received paid invested earned imposed hammered
    overran retook recaptured fled crossed landed carried dates dated occurred happened
    began started ended ceased joined left returned sent transferred bought sold hired
    laid defeated surrendered blocked shut held hosted released freed traced played
    criticised criticized circulated spread asked urged demanded requested ordered
    """
)
# Present forms, as headlines use them ("Kestria raises rates"). Most double as plural
# nouns ("these clashes"), so they count only when no determiner comes before them.
EVENT_VERBS_PRESENT: Final[frozenset[str]] = words(
    """
    kills dies arrests captures seizes takes launches attacks strikes deploys arrives
    signs agrees approves passes votes wins loses rises falls increases decreases
    declines grows drops reaches bans fines charges elects appoints resigns visits meets
    calls raises cuts closes opens destroys evacuates rescues delivers suspends invades
    withdraws advances clashes records shares removes doubles spends leads hits injures
    displaces floods receives pays earns imposes crosses sends sells hires defeats
    blocks holds releases ends begins starts joins leaves returns orders
    """
)
DETERMINERS: Final[frozenset[str]] = words(
    "the a an these those this that its their his her our my your some many more new further no"
)

# Subjective, evaluative or rhetorical markers (phrases are matched as written).
SUBJECTIVE_MARKERS: Final[tuple[str, ...]] = (
    "clearly",
    "obviously",
    "of course",
    "undoubtedly",
    "surely",
    "frankly",
    "arguably",
    "should",
    "must",
    "ought to",
    "deserve",
    "deserves",
    "desperate",
    "desperation",
    "admission of failure",
    "damning",
    "indictment",
    "shameful",
    "disgrace",
    "disgraceful",
    "outrageous",
    "absurd",
    "ridiculous",
    "nonsense",
    "humiliating",
    "striking",
    "remarkable",
    "worrying",
    "alarming",
    "frightening",
    "hard to overstate",
    "another matter",
    "anyone's guess",
    "paints a picture",
    "picture that emerges",
    "dire",
    "i think",
    "in my view",
    "it is time",
    "sadly",
    "unfortunately",
    "hopefully",
    "tragic",
    "scandalous",
    "a disaster for",
    "punishes",
    "erode trust",
    "scrambling",
    "grasping",
)

# Hedges: the writer or the source signals uncertainty.
HEDGE_PATTERNS: Final[tuple[str, ...]] = (
    r"may(?: not)?",
    r"might(?: not)?",
    r"could(?! not\b|n['’]t)",
    r"reportedly",
    r"allegedly",
    r"purportedly",
    r"apparently",
    r"possibly",
    r"probably",
    r"perhaps",
    r"(?:un)?likely",
    r"it is (?:unclear|not clear|not known) (?:if|whether)",
    r"(?:unconfirmed|unverified)",
    r"appears? to|appeared to",
    r"seems? to|seemed to",
    r"(?:is|are|was|were) (?:believed|thought|said|reported|rumou?red) to",
    r"(?:it is|it['’]s) starting to look",
    r"look(?:s)? as if",
    r"rumou?red",
)

# Comparisons and superlatives.
COMPARISON_PATTERNS: Final[tuple[str, ...]] = (
    r"(?:more|less|fewer|greater|higher|lower|bigger|smaller|larger|worse|better) than",
    r"\w+er than",
    r"compared (?:with|to)",
    r"(?:in|by) (?:stark )?contrast",
    r"up from",
    r"down from",
    r"as (?:many|much|few|little) as",
    r"at least",
    r"almost|nearly|roughly|about(?= \d)",
    r"(?:over|under)(?= (?:\d|one|two|three|four|five|six|seven|eight|nine|ten|a (?:dozen|hundred|thousand|million)))",
    r"twice as|half as",
)
SUPERLATIVES: Final[frozenset[str]] = words(
    """
    largest biggest highest lowest worst best most least first top greatest smallest
    longest shortest deadliest fastest slowest strongest weakest richest poorest oldest
    youngest latest record unprecedented
    """
)

# Number words counted as quantities.
NUMBER_WORDS: Final[dict[str, int]] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "dozen": 12,
}
QUANTITY_WORDS: Final[frozenset[str]] = words(
    """
    dozens hundreds thousands millions billions half third quarter twice double doubled
    tripled halved
    """
)

# Negation, for telling "X happened" from "X did not happen".
NEGATIONS: Final[frozenset[str]] = words(
    """
    not no never none nobody nothing neither nor without cannot cant dont doesnt didnt
    isnt wasnt arent werent hasnt havent hadnt wont wouldnt couldnt shouldnt denied
    denies deny لا لم لن لیس غیر نه نیست نبود نبودند هرگز هیچ
    """
)

# Direction words: "rose" and "fell" make different claims about the same figure.
UPWARD: Final[frozenset[str]] = words(
    """
    rose rise rises risen rising increased increase increases grew grow grows gained
    gains up higher climbed jumped surged soared
    """
)
DOWNWARD: Final[frozenset[str]] = words(
    """
    fell fall falls fallen falling decreased decrease decreases declined decline
    declines shrank dropped drops down lower slumped plunged slid
    """
)

WEEKDAYS: Final[tuple[str, ...]] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
MONTHS: Final[tuple[str, ...]] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
