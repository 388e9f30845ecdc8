"""Things Danish writes two ways, the same in every municipality: everyday abbreviations, the
names of national laws and of the political parties.

A search may type a word in full that the minutes abbreviate, or the reverse ("gamle gørlev
kommune" for an item writing "gl. Gørlev Kommune"; "styrelsesloven § 17" for "Lov om kommunernes
styrelse § 17"), so each form typed is also looked for as the others of its group
(``indexer.search.query.expand_written_forms``).  The table is general Danish usage, not learnt
from any query or any municipality: the abbreviations are Retskrivningsordbogen's common ones
(the list of abbreviations in Dansk Sprognævn's spelling dictionary); the laws are the national acts
municipal minutes cite, by their short name and their title as the Lovtidende writes it; the parties
are those in Folketinget and the municipal councils, by their names and the abbreviations in
capitals minutes name them by ("Forslag fra SF", "Stillet af Ole Hansen (DF)").

Left out, and why:

* the abbreviations the analysis already reads as their word (``lexicon.VARIANT_WORDS``: mio.,
  mia., kr., ca., evt., vedr., inkl., ekskl., pct., hhv.): "2,1 mio." and "2,1 millioner" are
  the same terms in the index already;
* "gamla": no Danish form of gammel (gammel, gamle, gammelt are, and stem alike);
* kl./klokken: "kl" is also KL, Kommunernes Landsforening, which minutes name far more often
  than an hour a search would type;
* the laws whose title is their short name (forvaltningsloven, byggeloven, sundhedsloven,
  museumsloven: "Forvaltningslov"), whose inflections the analysis already reads as one word;
* kommunalfuldmagten, which is no law;
* the parties' letters on the ballot (A, B, C, D, F, I, K, M, O, V, Æ, Ø, Å): a single letter is a list
  item, an annex ("bilag A"), a pronoun ("I") or a word ("ø", "å"), never safe to look for as a party;
* Venstre and V: "venstre" is the everyday word for left ("venstre side", "venstresving");
* Alternativet and ALT: "alternativet" is the everyday word (the alternative) and "alt" a stop word;
* Moderaterne (M; the name is read as the adjective "moderat"), Nye Borgerlige (D; its NB is nota
  bene), Danmarksdemokraterne (Æ; DD is left until checked on dev text); "Konservative" alone: the
  adjective ("et konservativt skøn");
* EL and LA are looked for as typed in capitals ("EL forslag" finds "Enhedslisten"), but neither is
  looked for when the name is typed, nor typed in lower case: "el" is electricity, "la" a word too
  (``indexer.search.query``: an abbreviation in capitals that is also a word).
"""

from __future__ import annotations

# Each group: the ways of writing one thing; a form typed is also looked for as each of the others
# (a form in several groups: as every other form of each).
ABBREVIATIONS: tuple[tuple[str, ...], ...] = (
    ("gl.", "gammel", "gamle", "gammelt"),
    ("nr.", "nummer"),
    ("stk.", "stykke"),
    ("pkt.", "punkt"),
    ("ha", "hektar"),
    ("jf.", "jfr.", "jævnfør"),
    ("pga.", "på grund af"),
    ("iht.", "i henhold til"),
    ("mht.", "med hensyn til"),
    ("dvs.", "det vil sige"),
    ("f.eks.", "f. eks.", "for eksempel"),
    ("bl.a.", "bl. a.", "blandt andet"),
    ("tlf.", "telefon"),
    ("afd.", "afdeling"),
    ("adm.", "administration"),
    ("adm.", "administrativ"),  # a form in several groups is looked for as every other form in them:
    ("adm.", "administrerende"),  # "adm." as the three words, each word as "adm." alone
    ("m.fl.", "m. fl.", "med flere"),
    ("o.l.", "o. l.", "og lignende"),
    ("ift.", "i forhold til"),
)

LAWS: tuple[tuple[str, ...], ...] = (
    ("styrelsesloven", "kommunestyrelsesloven", "lov om kommunernes styrelse"),
    ("serviceloven", "lov om social service"),
    ("planloven", "lov om planlægning"),
    ("miljøbeskyttelsesloven", "lov om miljøbeskyttelse"),
    ("naturbeskyttelsesloven", "lov om naturbeskyttelse"),
    ("offentlighedsloven", "lov om offentlighed i forvaltningen"),
    ("vejloven", "lov om offentlige veje"),
    ("vandløbsloven", "lov om vandløb"),
    ("almenboligloven", "lov om almene boliger"),
    ("aktivloven", "lov om aktiv socialpolitik"),
    ("retssikkerhedsloven", "lov om retssikkerhed og administration på det sociale område"),
    ("folkeskoleloven", "lov om folkeskolen"),
    ("dagtilbudsloven", "lov om dag-, fritids- og klubtilbud"),
    ("lejeloven", "lov om leje"),
    ("beskæftigelsesloven", "lov om en aktiv beskæftigelsesindsats", "lov om aktiv beskæftigelsesindsats"),
    ("vandforsyningsloven", "lov om vandforsyning"),
    ("privatvejsloven", "lov om private fællesveje"),
    (
        "husdyrbrugloven",
        "husdyrbrugsloven",
        "lov om miljøgodkendelse af husdyrbrug",
        "lov om miljøgodkendelse m.v. af husdyrbrug",
    ),
    ("miljømålsloven", "lov om miljømål"),
    ("persondataloven", "databeskyttelsesloven", "lov om behandling af personoplysninger"),
)

# A form in capitals is an abbreviation: a word typed in capitals meets it, and one typed in lower
# case too where it is no Danish word ("sf", "df"; not "el", "la").
PARTIES: tuple[tuple[str, ...], ...] = (
    ("socialistisk folkeparti", "SF"),
    ("enhedslisten", "EL"),
    ("dansk folkeparti", "DF"),
    ("radikale venstre", "det radikale venstre", "de radikale", "RV"),
    ("det konservative folkeparti", "konservative folkeparti", "de konservative", "KF"),
    ("liberal alliance", "LA"),
    ("kristendemokraterne", "KD"),
    # the party's name since 2018, and from 2002 (items of those years write it)
    ("socialdemokratiet", "socialdemokraterne"),
)

WRITTEN_FORMS: tuple[tuple[str, ...], ...] = ABBREVIATIONS + LAWS + PARTIES
