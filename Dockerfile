# syntax=docker/dockerfile:1
#
# The REST connector worker, in two stages: "build" makes a virtual environment with the
# project and its pinned dependencies; "runtime" copies only that environment into a clean
# slim image. The runtime image runs as a numeric non-root user and never writes to its
# root filesystem, so it runs with a read-only root (docker run --read-only, Kubernetes
# readOnlyRootFilesystem: true).
#
#   docker build -t rest-connector-worker .
#   docker run --read-only -e ZEEBE_ADDRESS=host:26500 rest-connector-worker

# Tag for readers, digest for reproducibility: the digest wins when both are given.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d

FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/worker

WORKDIR /src
# Dependencies first: this layer is rebuilt only when the pins change, not on every edit.
COPY config/constraints.txt ./config/constraints.txt
RUN /opt/worker/bin/pip install --constraint config/constraints.txt \
        --requirement config/constraints.txt

COPY pyproject.toml README.md ./
COPY feel ./feel
COPY worker ./worker
RUN /opt/worker/bin/pip install --no-deps --constraint config/constraints.txt . \
    # Compile now: at run time the root filesystem is read-only and nothing is written.
    # Hash-based .pyc files stay valid whatever mtimes the copy to the next stage gives.
    && /opt/worker/bin/python -m compileall -q --invalidation-mode unchecked-hash /opt/worker/lib


FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="rest-connector-worker" \
      org.opencontainers.image.description="REST connector (io.camunda:http-json:1) job worker for Camunda 8 / Zeebe" \
      org.opencontainers.image.licenses="Apache-2.0"

ENV PATH=/opt/worker/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONFAULTHANDLER=1 \
    HOME=/tmp \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=8080 \
    LOG_FORMAT=json

COPY --from=build /opt/worker /opt/worker

# No /etc/passwd entry is needed: nothing looks the user up by name.
USER 10001:10001
WORKDIR /app

EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "worker", "healthcheck"]

# Exec form: the worker is PID 1 and receives SIGTERM itself, so it drains in-flight jobs.
ENTRYPOINT ["python", "-m", "worker"]
CMD ["run"]
