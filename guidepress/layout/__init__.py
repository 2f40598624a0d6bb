"""Layout: HTML → laid-out pages, with WeasyPrint (imported only here and in writers).

``book`` lays out the print book once per build (the print PDF writes it; the EPUB reads
where each printed page begins from it); ``weasy`` wraps WeasyPrint (fonts, the URL
fetcher that reads only the guide's checked images, metadata); ``cover`` makes the
ebook's cover; ``thumbs`` turns pages into PNG images.

May import: ``read``, ``render`` and everything below them; never ``writers`` or later.
"""
