"""litmap: turns a corpus of paper abstracts into a static, searchable site with a literature map."""

__version__ = "0.1.0"
