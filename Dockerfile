# Multi-stage build: compile the release binary, then run it as a non-root user on a slim image
# with the sample index built at image build time.
#
#   docker build -t cuentas .
#   docker run -p 8080:8080 cuentas

FROM rust:1-bookworm AS build
WORKDIR /src
# Dependencies first, so that code changes don't refetch them.
COPY Cargo.toml Cargo.lock ./
COPY vendor ./vendor
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo fetch --locked && rm -rf src
COPY src ./src
COPY config ./config
# Declared test and bench targets must exist for cargo to read the manifest.
COPY tests ./tests
COPY benches ./benches
RUN cargo build --release --locked --bin cuentas

FROM debian:bookworm-slim
# OCR of scanned reports: Tesseract with its Spanish model, and pdftoppm to render PDF pages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-spa poppler-utils \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --home-dir /app --uid 10001 cuentas
WORKDIR /app
COPY --from=build /src/target/release/cuentas /usr/local/bin/cuentas
COPY --chown=cuentas:cuentas config ./config
COPY --chown=cuentas:cuentas corpus ./corpus
USER cuentas
# The sample index is part of the image: the container serves at once.
RUN cuentas index
ENV CUENTAS_ADDR=0.0.0.0:8080
EXPOSE 8080
CMD ["cuentas", "serve"]
