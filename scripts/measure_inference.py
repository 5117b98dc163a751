"""Seconds RapidOCR's detection and recognition models take on onnxruntime and on
OpenVINO, on the same inputs, over a generated corpus's pictures.

Both backends are loaded in one process and called alternately on each picture (the
order swapped from picture to picture), so a busy moment of the machine falls on both.
Detection: the picture at the size ``ocr.recognizer`` detects at. Recognition: every
piece detected, each widened to a multiple of ``ocr.inference.REC_WIDTH_STEP`` px as
the service reads it. The pictures are gone through twice: the first pass includes
OpenVINO preparing kernels for shapes it has not seen, the second is its steady state.

    .venv/bin/python scripts/measure_inference.py --seed 7 --count 1
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ocr import inference, recognizer  # noqa: E402
from samples.corpus import build_corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args()
    import openvino
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR(det_limit_type="max", rec_batch_num=1,
                      rec_img_shape=[3, 48, recognizer.REC_MIN_WIDTH])
    paths = inference._model_paths()
    core = openvino.Core()
    runs = {
        "onnxruntime": (_ort(engine.text_det.infer.session),
                        _ort(engine.text_rec.session.session)),
        "openvino": (inference._Compiled(core, paths["Det"]),
                     inference._Compiled(core, paths["Rec"])),
    }
    widen = inference._stepped(engine.text_rec.resize_norm_img)
    with tempfile.TemporaryDirectory() as folder:
        build_corpus(Path(folder), args.count, args.seed)
        pictures = [cv2.imread(str(p)) for p in sorted(Path(folder).glob("*.[pj][np]g"))]
        for label in ("first pass", "second pass"):
            spent = {(name, part): 0.0 for name in runs for part in ("detection", "recognition")}
            for i, picture in enumerate(pictures):
                det_input = _det_input(picture)
                quads = recognizer._detect(engine, picture, recognizer.DET_SIDE)
                crops = engine.get_crop_img_list(picture, quads) if quads else []
                rec_inputs = [widen(c, max(2.0, c.shape[1] / c.shape[0]))[None] for c in crops]
                for name in sorted(runs, reverse=bool(i % 2)):
                    det, rec = runs[name]
                    spent[name, "detection"] += _timed(det, [det_input])
                    spent[name, "recognition"] += _timed(rec, rec_inputs)
            print(f"{label}, {len(pictures)} pictures:")
            for part in ("detection", "recognition"):
                ort, ov = spent["onnxruntime", part], spent["openvino", part]
                print(f"  {part:12s} onnxruntime {ort:6.2f} s  openvino {ov:6.2f} s  "
                      f"({ort / ov:.2f}x)")


def _ort(session: object) -> object:
    name = session.get_inputs()[0].name  # type: ignore[attr-defined]
    return lambda batch: session.run(None, {name: batch})  # type: ignore[attr-defined]


def _det_input(picture: np.ndarray) -> np.ndarray:
    h, w = picture.shape[:2]
    factor = min(1.0, math.sqrt(recognizer.DET_SIDE ** 2 / math.sqrt(2) / (h * w)))
    size = (max(32, round(w * factor / 32) * 32), max(32, round(h * factor / 32) * 32))
    small = cv2.resize(picture, size).astype(np.float32)
    return np.ascontiguousarray(((small / 255 - 0.5) / 0.5).transpose(2, 0, 1)[None])


def _timed(run: object, inputs: list[np.ndarray]) -> float:
    started = time.perf_counter()
    for batch in inputs:
        run(batch)  # type: ignore[operator]
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
