# Quorum in two stages: build the web app and the release binary, then copy
# them into a slim Debian image with only the runtime libraries (libpq for
# PostgreSQL).

FROM rust:1-bookworm AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# `cargo xtask frontend` adds the wasm target and the matching wasm-bindgen CLI.
RUN cargo xtask frontend \
 && cargo build --release -p quorum --locked \
 && install -m 0755 target/release/quorum /usr/local/bin/quorum \
 && mkdir -p /usr/share/quorum \
 && cp -r target/quorum-dist /usr/share/quorum/web

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/quorum quorum \
 && install -d -o quorum -g quorum -m 0700 /var/lib/quorum/data /var/lib/quorum/data/uploads
COPY --from=builder /usr/local/bin/quorum /usr/local/bin/quorum
COPY --from=builder /usr/share/quorum/web /usr/share/quorum/web
USER quorum
WORKDIR /var/lib/quorum
# SQLite (when DATABASE_URL is unset) and the generated secret live here.
ENV QUORUM_DATA_DIR=/var/lib/quorum/data \
    QUORUM_STATIC_DIR=/usr/share/quorum/web \
    QUORUM_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=5 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["quorum"]
CMD ["serve"]
