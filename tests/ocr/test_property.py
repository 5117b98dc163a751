"""Property certificates from the shared corpus."""

from __future__ import annotations

import numpy as np
import pytest

from ocr.kinds.property_certificate import area, normalise

from .conftest import documents, share_right


@pytest.fixture(scope="module")
def certificates(corpus, read_page):
    _, truth = corpus
    return {deg: [(read_page(t["file"]), t)
                  for t in documents(truth, "property_certificate", deg)]
            for deg in ("clean", "scan", "photo", "rotated")}


def test_every_certificate_classified(certificates):
    for readings in certificates.values():
        for reading, _ in readings:
            assert reading.kind == "property_certificate", reading.file


@pytest.mark.parametrize("name", ["certificate_number", "co_ownership", "unit_number", "area",
                                  "right_type", "use"])
def test_key_fields_on_scans(certificates, name):
    assert share_right(certificates["clean"] + certificates["scan"], name) >= 0.75


def test_owners_found(certificates):
    # Rare characters of names are often misread by Tesseract (孟→重, 萍→东): the
    # owner is found on every scan, exact on some; the engine compares names.
    readings = certificates["clean"] + certificates["scan"]
    assert sum(bool(r.fields.get("owners")) for r, _ in readings) >= len(readings) - 1
    assert share_right(readings, "owners") >= 0.25


def test_long_fields_on_scans(certificates):
    readings = certificates["clean"] + certificates["scan"]
    for name in ("location", "term", "notes"):
        assert share_right(readings, name) >= 0.5, name


def test_photos_mostly_read(certificates):
    readings = certificates["photo"] + certificates["rotated"]
    assert share_right(readings, "certificate_number") >= 0.5
    assert share_right(readings, "co_ownership") >= 0.5


def test_value_normalisation():
    grey = np.full((10, 10), 255, np.uint8)
    assert area("共有宗地面积17206.09m2/房屋建筑面积112.10m?") == "112.10"
    assert area("89.5平方米") == "89.50"
    assert normalise("owners", "张伟,李娜", grey, (0, 0, 1, 1)) == "张伟、李娜"
    assert normalise("co_ownership", "共同共右", grey, (0, 0, 1, 1)) == "共同共有"
    assert normalise("term", "2005年03月01日起2075年02月28日目", grey, (0, 0, 1, 1)) == (
        "2005年03月01日起2075年02月28日止")
    assert normalise("other_status", "专有建筑面积99.79m:，分摊12.31m;", grey, (0, 0, 1, 1)) == (
        "专有建筑面积99.79m²，分摊12.31m²")
