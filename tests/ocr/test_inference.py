"""The PP-OCR models run on OpenVINO when it is installed, and read what onnxruntime
reads; a backend that does not exist stops the service from starting."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import cv2
import numpy as np
import pytest

from ocr import inference, recognizer
from samples import degrade
from samples.corpus import render_kind


def _picture(kind: str, degradation: str, seed: int) -> np.ndarray:
    rendered = render_kind(kind, random.Random(seed), 0)
    data, _ = degrade.apply(rendered.pages[0], degradation, seed)
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


@contextmanager
def _fresh_openvino(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A recogniser made anew on OpenVINO for the block (the process's own is kept)."""
    with monkeypatch.context() as patched:
        patched.setenv("PREREVIEW_INFERENCE", "openvino")
        patched.setattr(recognizer, "_ENGINE", None)
        yield recognizer._engine()


def _read_with(backend: str, picture: np.ndarray,
               monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    with monkeypatch.context() as patched:
        patched.setenv("PREREVIEW_INFERENCE", backend)
        patched.setattr(recognizer, "_ENGINE", None)
        patched.setattr(recognizer, "_BACKEND", "")
        texts = [p.text for p in recognizer.read_pieces(picture, orientation=True).pieces]
        return recognizer.backend(), texts


def test_openvino_is_used_when_installed_and_reads_what_onnxruntime_reads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    picture = _picture("income_certificate", "scan", 23)
    used, on_openvino = _read_with("openvino", picture, monkeypatch)
    plain, on_onnxruntime = _read_with("onnxruntime", picture, monkeypatch)
    assert (used, plain) == ("openvino", "onnxruntime")
    assert len(on_openvino) >= 8
    same = sum(a == b for a, b in zip(on_openvino, on_onnxruntime, strict=False))
    assert len(on_openvino) == len(on_onnxruntime) and same >= len(on_openvino) - 1


def test_pieces_read_in_parallel_come_back_in_their_order_as_read_one_at_a_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    picture = _picture("pay_slip", "scan", 29)
    with _fresh_openvino(monkeypatch) as engine:
        quads = recognizer._detect(engine, picture, recognizer.DET_SIDE)
        crops = engine.get_crop_img_list(picture, quads)
        assert len(crops) >= 10
        together, _ = engine.text_rec(crops)
        alone = [engine.text_rec([crop])[0][0] for crop in crops]
    assert [text for text, _ in together] == [text for text, _ in alone]
    assert all(abs(a[1] - b[1]) < 0.01 for a, b in zip(together, alone, strict=True))


def test_recognition_inputs_are_widened_to_a_few_widths(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with _fresh_openvino(monkeypatch) as engine:
        widen = engine.text_rec.resize_norm_img
        crops = [np.full((40, width, 3), 255, np.uint8) for width in (50, 130, 131, 333)]
        inputs = [widen(c, max(2.0, c.shape[1] / c.shape[0])) for c in crops]
    widths = [batch.shape[2] for batch in inputs]
    assert all(w % inference.REC_WIDTH_STEP == 0 for w in widths)
    assert widths[0] == recognizer.REC_MIN_WIDTH  # a short piece: the model's least width
    assert widths[1] == widths[2] == 160  # 130 and 131 px at 40 high: one shape
    assert float(inputs[3][:, :, -1].mean()) == pytest.approx(1.0)  # widened with white


def test_an_unknown_backend_stops_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.config import InvalidOcrEngine, ServiceSettings

    monkeypatch.setenv("PREREVIEW_INFERENCE", "tensorrt")
    with pytest.raises(InvalidOcrEngine) as caught:
        ServiceSettings().refuse_insecure()
    assert "openvino, onnxruntime" in caught.value.message


def test_the_models_run_in_f32_unless_told_and_an_unknown_precision_stops_the_service(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from api.config import InvalidOcrEngine, ServiceSettings

    with _fresh_openvino(monkeypatch) as engine:
        compiled = [engine.text_det.infer._request.get_compiled_model(),
                    engine.text_rec._one.session._request.get_compiled_model()]
    # OpenVINO's own default is bf16 on a CPU with AVX512_BF16 or AMX
    assert {str(m.get_property("INFERENCE_PRECISION_HINT")) for m in compiled} == {
        "<Type: 'float32'>"}
    monkeypatch.setenv("PREREVIEW_INFERENCE_PRECISION", "int4")
    with pytest.raises(InvalidOcrEngine) as caught:
        ServiceSettings().refuse_insecure()
    assert "f32, bf16, f16" in caught.value.message


def test_the_detector_alone_can_run_in_bf16_and_an_unknown_value_stops_the_service(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from api.config import InvalidOcrEngine, ServiceSettings

    monkeypatch.setenv("PREREVIEW_DETECTION_PRECISION", "bf16")
    with _fresh_openvino(monkeypatch) as engine:
        detector = engine.text_det.infer._request.get_compiled_model()
        reader = engine.text_rec._one.session._request.get_compiled_model()
    import openvino

    # on a CPU without bf16 (no AVX512_BF16 or AMX) OpenVINO keeps f32
    capable = "BF16" in openvino.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    assert str(detector.get_property("INFERENCE_PRECISION_HINT")) == (
        "<Type: 'bfloat16'>" if capable else "<Type: 'float32'>")
    assert str(reader.get_property("INFERENCE_PRECISION_HINT")) == "<Type: 'float32'>"
    monkeypatch.setenv("PREREVIEW_DETECTION_PRECISION", "int4")
    with pytest.raises(InvalidOcrEngine) as caught:
        ServiceSettings().refuse_insecure()
    assert "PREREVIEW_DETECTION_PRECISION='int4'" in caught.value.message


def test_a_failure_while_decoding_a_piece_is_raised_not_read_as_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with _fresh_openvino(monkeypatch) as engine:

        def broken(_: object) -> None:
            raise RuntimeError("decoder broke")

        monkeypatch.setattr(engine.text_rec._one, "postprocess_op", broken)
        crops = [np.full((40, 200, 3), 255, np.uint8)] * 3
        with pytest.raises(RuntimeError, match="decoder broke"):
            engine.text_rec(crops)


def test_pieces_of_one_shape_are_read_in_one_request() -> None:
    inputs = [np.zeros((3, 48, w), np.float32) for w in (96, 160, 96, 96, 160, 640)]
    assert inference._same_shape_batches(inputs) == [[5], [1, 4], [0, 2, 3]]  # widest first
    many = [np.zeros((3, 48, 96), np.float32)] * (inference.REC_BATCH + 2)
    assert [len(b) for b in inference._same_shape_batches(many)] == [inference.REC_BATCH, 2]
