# The prereview image: `prereview serve` (the API) by default, `prereview worker` for
# workers (see compose.yaml). Debian (python:3.11-slim) with Tesseract (chi_sim), CJK fonts
# and Pango (PDF reports).

# -- build: the virtualenv (durable-rules compiles a C extension, hence the compiler) -----
FROM python:3.11-slim AS build
ENV DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api api
COPY engine engine
COPY ocr ocr
COPY storage storage
COPY samples samples
COPY rules rules
# Installed in place (-e): the rule files and their schema are found beside engine/ (rules/),
# as in a checkout. The second reader goes in with --no-deps, as scripts/setup.sh does: its
# metadata pulls a second OpenCV; its real dependencies are in pyproject.toml.
RUN /opt/venv/bin/pip install -e . \
 && /opt/venv/bin/pip install --no-deps rapidocr-onnxruntime==1.4.4

# -- run -------------------------------------------------------------------------------------
FROM python:3.11-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/prereview prereview
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
# One OpenMP thread per Tesseract: parallelism comes from worker processes (--concurrency).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    OMP_THREAD_LIMIT=1 \
    PREREVIEW_DATA_DIR=/var/lib/prereview
USER prereview
EXPOSE 8000
CMD ["prereview", "serve", "--host", "0.0.0.0", "--port", "8000"]
