# Quorum in two stages: build the release binary, then copy it into a slim
# Debian image with only the runtime libraries (libpq for PostgreSQL).

FROM rust:1-bookworm AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release -p quorum --locked \
 && install -m 0755 target/release/quorum /usr/local/bin/quorum

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/quorum quorum
COPY --from=builder /usr/local/bin/quorum /usr/local/bin/quorum
USER quorum
WORKDIR /var/lib/quorum
# SQLite (when DATABASE_URL is unset) and the generated secret live here.
ENV QUORUM_DATA_DIR=/var/lib/quorum/data \
    QUORUM_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=5 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["quorum"]
CMD ["serve"]
