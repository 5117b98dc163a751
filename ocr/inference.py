"""Where RapidOCR's three models (PP-OCR detection, angle classifier, recognition) run.

RapidOCR runs them through onnxruntime. OpenVINO reads the same ONNX files and, on this
kind of machine, runs detection ~1.8x and recognition ~1.2x faster, with outputs equal
to ~1e-4 (measured over a generated corpus: ``scripts/measure_inference.py``). When
OpenVINO is installed it takes over, unless ``PREREVIEW_INFERENCE=onnxruntime``.
Its arithmetic is pinned to f32 (``PREREVIEW_INFERENCE_PRECISION``): left to itself it
runs bf16 on a CPU that has it, faster there but reading worse, and differently from
host to host.

Recognition reads a page's pieces (a scanned statement page has ~240) as parallel
requests on OpenVINO's CPU streams (one per core), each request on one core: ~1.8x faster
than one request at a time on both cores, where a short piece keeps the second core
waiting. Pieces of one input shape go in one request, up to REC_BATCH (no padding, the
same readings; a statement page's cells ~18 % faster). A single crop is read by one
request on all cores.

OpenVINO prepares its kernels for each new input shape, and a line's width varies by
the pixel: each recognition input is widened to a multiple of REC_WIDTH_STEP, so the
shapes repeat and their kernels are reused. It is widened with more of the piece's own
edge (its paper), not RapidOCR's grey padding: with grey, a property certificate photo's
rare owner names read wrong where onnxruntime, unpadded, read them right.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any, cast

import cv2
import numpy as np

BACKENDS = ("openvino", "onnxruntime")
REC_WIDTH_STEP = 32  # px at the model's 48 px height
REC_HEIGHT = 48
REC_BATCH = 8  # pieces of one input shape read in one request


PRECISIONS = ("f32", "bf16", "f16")


class UnknownBackend(ValueError):
    code = "read.inference_unknown"

    def __init__(self, name: str) -> None:
        super().__init__(f"PREREVIEW_INFERENCE={name!r} is not one of {', '.join(BACKENDS)}")


class UnknownPrecision(ValueError):
    code = "read.inference_precision_unknown"

    def __init__(self, name: str, variable: str = "PREREVIEW_INFERENCE_PRECISION") -> None:
        super().__init__(f"{variable}={name!r} is not one of {', '.join(PRECISIONS)}")


def wanted() -> str:
    name = os.environ.get("PREREVIEW_INFERENCE", "openvino").strip().lower()
    if name not in BACKENDS:
        raise UnknownBackend(name)
    return name


def accelerate(engine: Any) -> str:
    """Run ``engine``'s models on OpenVINO when it is wanted and installed; the
    backend now in use."""
    if wanted() != "openvino":
        return "onnxruntime"
    try:
        import openvino
    except ImportError:
        return "onnxruntime"
    core = openvino.Core()
    paths = _model_paths()
    engine.text_det.infer = _Compiled(core, paths["Det"], detection_precision())
    engine.text_cls.infer = _Compiled(core, paths["Cls"])
    engine.text_rec.session = _Compiled(core, paths["Rec"])
    engine.text_rec.resize_norm_img = _stepped(engine.text_rec.resize_norm_img)
    engine.text_rec = _ParallelRecognizer(engine.text_rec, core, paths["Rec"])
    return "openvino"


class _Compiled:
    """One model compiled for the CPU, called as RapidOCR calls its onnxruntime session:
    one input array in, the list of outputs back."""

    def __init__(self, core: Any, path: str, arithmetic: str | None = None) -> None:
        model = core.compile_model(core.read_model(path), "CPU", _config("LATENCY", arithmetic))
        self._request = model.create_infer_request()

    def __call__(self, batch: np.ndarray) -> list[np.ndarray]:
        # the request's output buffer is reused by the next call: hand out a copy
        return [np.array(self._request.infer({0: batch})[0], copy=True)]


class _ParallelRecognizer:
    """RapidOCR's recogniser, called as it is (crops in, ``[(text, score)]`` in their
    order and seconds out), its pieces read as parallel requests, widest first."""

    def __init__(self, recognizer: Any, core: Any, path: str) -> None:
        import openvino

        self._one = recognizer  # a single crop: one request on every core
        self._min_ratio = recognizer.rec_image_shape[2] / recognizer.rec_image_shape[1]
        model = core.compile_model(core.read_model(path), "CPU", _config("THROUGHPUT"))
        self._queue = openvino.AsyncInferQueue(
            model, int(model.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")))
        self._queue.set_callback(self._decoded)
        self._results: list[tuple[str, float]] = []
        self._failure: Exception | None = None

    def __getattr__(self, name: str) -> Any:  # resize_norm_img, postprocess_op, ...
        return getattr(self._one, name)

    def __call__(self, crops: np.ndarray | list[np.ndarray],
                 return_word_box: bool = False) -> tuple[list[tuple[str, float]], float]:
        crops = [crops] if isinstance(crops, np.ndarray) else crops
        if len(crops) < 2 or return_word_box:
            return cast(tuple[list[tuple[str, float]], float],
                        self._one(crops, return_word_box))
        started = time.perf_counter()
        self._results, self._failure = [("", 0.0)] * len(crops), None
        inputs = [self._one.resize_norm_img(c, max(self._min_ratio, c.shape[1] / c.shape[0]))
                  for c in crops]
        try:
            for batch in _same_shape_batches(inputs):
                self._queue.start_async({0: np.stack([inputs[i] for i in batch])}, batch)
        finally:
            self._queue.wait_all()
        if self._failure is not None:  # raised here, not lost in OpenVINO's thread
            raise self._failure
        return self._results, time.perf_counter() - started

    def _decoded(self, request: Any, batch: list[int]) -> None:
        try:
            read = self._one.postprocess_op(request.get_output_tensor(0).data)
            for i, (text, score) in zip(batch, read, strict=True):
                self._results[i] = (text, float(score))
        except Exception as err:  # noqa: BLE001 - handed to the caller's thread
            self._failure = err


def _same_shape_batches(inputs: list[np.ndarray]) -> list[list[int]]:
    """The inputs' indices in batches of one shape (widest first), up to REC_BATCH
    each: inputs of one width (widened to a step) are read together with no padding,
    the same as one at a time (a statement page's 240 cells: 0.63 s -> 0.52 s)."""
    by_shape: dict[tuple[int, ...], list[int]] = {}
    for i, x in enumerate(inputs):
        by_shape.setdefault(x.shape, []).append(i)
    return [same[k:k + REC_BATCH] for shape in sorted(by_shape, key=lambda s: -s[-1])
            for same in [by_shape[shape]] for k in range(0, len(same), REC_BATCH)]


def _stepped(resize_norm_img: Callable[[np.ndarray, float], np.ndarray]
             ) -> Callable[[np.ndarray, float], np.ndarray]:
    def padded_to_step(image: np.ndarray, max_wh_ratio: float) -> np.ndarray:
        width = math.ceil(REC_HEIGHT * max_wh_ratio / REC_WIDTH_STEP) * REC_WIDTH_STEP
        h, w = image.shape[:2]
        extra = round(width * h / REC_HEIGHT) - w
        if extra > 0:  # padded with more of the piece's own edge, not grey
            image = cv2.copyMakeBorder(image, 0, 0, 0, extra, cv2.BORDER_REPLICATE)
        # a hair over, so the model's int(48 * ratio) lands on ``width`` itself
        return resize_norm_img(image, (width + 0.5) / REC_HEIGHT)
    return padded_to_step


def _config(hint: str, arithmetic: str | None = None) -> dict[str, str]:
    return {"PERFORMANCE_HINT": hint, "INFERENCE_PRECISION_HINT": arithmetic or precision()}


def precision() -> str:
    """The models' arithmetic, pinned: OpenVINO's default is bf16 on a CPU that has it
    (AVX512_BF16, AMX), and there the reader, tuned in f32, read worse (80 desk photos of
    ID copies: 315 + 320 of 720 fields right in bf16, 325 + 321 in f32)."""
    name = os.environ.get("PREREVIEW_INFERENCE_PRECISION", "f32").strip().lower()
    if name not in PRECISIONS:
        raise UnknownPrecision(name)
    return name


def detection_precision() -> str:
    """The text detector's arithmetic (``PREREVIEW_DETECTION_PRECISION``), by default
    the models' (``precision``). bf16 finds text ~1.7x faster on a CPU with AMX, and
    the boxes move a little: on the 240 documents of seeds 5 and 7, 12 fields read wrong
    instead of 11 (all checked by hand) and 66 right ones left unsure instead of 62; on
    the 312 files of seeds 5, 7 and 11, 21 wrong instead of 19, one of them sure (贾晶 read
    贾品, 0.972, an income certificate turned on the desk)."""
    name = os.environ.get("PREREVIEW_DETECTION_PRECISION", "").strip().lower() or precision()
    if name not in PRECISIONS:
        raise UnknownPrecision(name, "PREREVIEW_DETECTION_PRECISION")
    return name


def _model_paths() -> dict[str, str]:
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path

    config = update_model_path(read_yaml(DEFAULT_CFG_PATH))
    return {part: str(config[part]["model_path"]) for part in ("Det", "Cls", "Rec")}
