"""Readers: a file in, a SourceDocument out."""
