"""Renderers: ground-truth values in, images (and PDFs) out."""
