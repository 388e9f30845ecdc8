"""Whole-meeting minutes documents (PDF, DOCX, scans) split into items.

``extract`` turns a file into clean lines with their page numbers; ``profiles``
describes each layout family as data; ``splitter`` cuts the lines into items by
a profile; ``read`` puts it together into a ``Meeting``; ``publish`` writes the
copy of a PDF that may be shown (closed pages blanked).  The input format that
registers all this is ``indexer.formats.document``.
"""
