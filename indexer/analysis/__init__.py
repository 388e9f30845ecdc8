"""The Danish analysis pipeline: normalise, tokenise, variants, lemma, stem, fold; compounds; bodies.

Engine-free: every engine indexes and every query is analysed with these tokens.
"""
