"""The report as PDF: the same HTML page, laid out by WeasyPrint (no browser, no
network: the page embeds its images and uses the fonts installed on the machine)."""

from __future__ import annotations


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    return pdf
