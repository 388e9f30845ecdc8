"""The Danish analysis pipeline: normalise, tokenise, variants, lemma, stem, fold; compounds; bodies.

Engine-free: every engine indexes and every query is analysed with these tokens.
"""

# Which analysis wrote an index.  Raise it with any change to the terms this package makes of
# the same text (a new lemma, variant, compound rule, a different fold or stemmer order): an
# index stamped lower was written by an older analysis, misses forms the queries now produce,
# and every command that reads it says to run `minutes reindex`.  2 is the first stamped
# analysis (accents folded before stemming: "komitéen" is "komit", no longer "komite"); 3: a
# hyphenated word's pieces of letters and digits are parts too ("CO2-neutralitet" → co2, neutralitet);
# 4: a compound is cut where its modifier is a word as written ("landsby·fornyelse", not
# "lands·byfornyelse"), and a compound modifier is named without its linking -s-; 5: a verb in -ende
# is stemmed without its infinitive's -e ("godkende" → "godkend", as "godkendt" and "godkendelse");
# 6: the compound-parts field holds a word's verb family too ("nedrevet" → nedrivning); 7: a
# three-letter inflection in -e/-t of a two-letter word meets it ("nye", "nyt" → "ny");
# 8: forms of one word the lemma path parted and Snowball kept together meet again (forældre/
# forældrene, budgetter/budget, børne/børn, gamles/gamle, finansierer/finansiere), and a noun in -s
# keeps its -s ("sats", "satsen", "satser" → "sats", no longer "sat"); 9: a suspended compound's
# first part borrows the last one's head as the split reads it ("aktivitets- og samværstilbuddet" →
# aktivitetstilbuddet, no longer aktivitetsbuddet; "vand- og varmeforsyninger" → vandforsyninger);
# 10: a verb is no compound of parts ("indeholder" no longer holds "holde", "bortskaffe" no "kaffe");
# 11: the signs minutes write for words are words ("40 %" → 40 procent, "§ 17" → paragraf 17);
# 12: a name written with a capital inside holds its words as parts ("StautrupÅbo": stautrup, åbo);
# 13: a date written in digits holds its month in words and its year ("30.09.14": september, 2014);
# 14: a letter written with a combining mark ("a" and a ring for "å") stays inside its word;
# 15: a noun alone is read as the dictionary's compounds read it ("centret" → center, "cykler" → cykel);
# 16: a word is compared in NFKC, its soft hyphens taken out ("ﬁnansiering" → finansiering,
# "２０１６" → 2016, "m²" → m2, "fun\u00addamentet" one word, no longer two); 17: so are its zero-width
# signs ("vind\u200dmølle", "vind\u2060mølle", "vind\u200bmølle" → vindmølle, no longer two words);
# 18: a stop word left out of the stemmed fields and the compound parts keeps its place (a gap:
# "affaldsplan og godkendelse" holds "affaldsplan" at 0 and "godkend" at 2, no longer at 1).
ANALYSIS_VERSION = 18
# What an index written before analyses were stamped counts as (a generation without the
# stamp file, a database whose ``state.analysis`` is NULL).
UNSTAMPED_ANALYSIS = 1
