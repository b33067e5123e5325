"""Vectors and search: the embedder, the dense and keyword indexes, fusion, persistence."""
