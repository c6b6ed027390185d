# syntax=docker/dockerfile:1
# The GenAI gateway image: `gateway` as entrypoint, `gen-iam` beside it.
#
#   docker build -t genai-gateway .
#   docker run --rm -p 8080:8080 -e GATEWAY_INBOUND_AUDIENCE=... -e GATEWAY_CLIENT_ID=... genai-gateway
#   docker run --rm --entrypoint /app/gen-iam genai-gateway --help
#
# Tests/python/test_dockerfile.py lints this file with hadolint, runs the build commands below on the tree and
# checks that the runtime stage installs every shared library the release binaries load (ldd).
# Debian package versions are pinned to bookworm's current ones; bump them (or pass --build-arg) when Debian
# publishes a security update, since the archive keeps only the newest version of each package.

# ---- build ----------------------------------------------------------------------------------------------------
FROM swift:6.3-bookworm AS build

ARG LIBHIREDIS_DEV_VERSION=0.14.1-3
# libhiredis-dev: the CHiredis system-library target. The Swift image already has libxml2-dev, libcurl and zlib.
RUN apt-get update \
    && apt-get install -y --no-install-recommends "libhiredis-dev=${LIBHIREDIS_DEV_VERSION}" \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build
# The manifest first: dependencies are fetched in a layer that survives source changes.
COPY Package.swift Package.resolve[d] ./
RUN swift package resolve

# SwiftPM checks every target of the manifest, test targets included, so Tests/ comes along.
COPY Sources ./Sources
COPY Tests ./Tests
# Release build with the Swift runtime linked statically; debug info is stripped (symbols stay for backtraces).
RUN swift build -c release --static-swift-stdlib --product gateway \
    && swift build -c release --static-swift-stdlib --product gen-iam \
    && mkdir /staging \
    && cp "$(swift build -c release --static-swift-stdlib --show-bin-path)/gateway" /staging/gateway \
    && cp "$(swift build -c release --static-swift-stdlib --show-bin-path)/gen-iam" /staging/gen-iam \
    && strip --strip-debug /staging/gateway /staging/gen-iam

# ---- runtime --------------------------------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

ARG LIBHIREDIS_VERSION=0.14.1-3
ARG LIBXML2_VERSION=2.9.14+dfsg-1.3~deb12u6
ARG CA_CERTIFICATES_VERSION=20250419~deb12u2
ARG TZDATA_VERSION=2026f-0+deb12u1
# Only what the binaries load beyond the base image (libc6, libgcc-s1, libstdc++6, zlib1g, liblzma5 are in it):
#   libhiredis0.14   Redis protocol (CHiredis)
#   libxml2          FoundationXML (STS answers are XML); brings libicu72
#   ca-certificates  TLS to STS, Bedrock, the IdP and ElastiCache
#   tzdata           Foundation's time zones
# FoundationNetworking is not linked, so no libcurl.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        "libhiredis0.14=${LIBHIREDIS_VERSION}" \
        "libxml2=${LIBXML2_VERSION}" \
        "ca-certificates=${CA_CERTIFICATES_VERSION}" \
        "tzdata=${TZDATA_VERSION}" \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --home-dir /app --shell /usr/sbin/nologin gateway

WORKDIR /app
COPY --from=build /staging/gateway /staging/gen-iam /app/
# GATEWAY_CATALOG defaults to policies/catalog.yaml, relative to this working directory.
COPY policies/catalog.yaml /app/policies/catalog.yaml

USER 10001:10001
ENV GATEWAY_LISTEN=0.0.0.0:8080
EXPOSE 8080

# Liveness over bash's /dev/tcp: bash is in the base image, while curl would add libcurl4 and about twenty
# libraries (ssh, ldap, rtmp, ...) to the image only for this probe. The port follows GATEWAY_LISTEN.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/bin/bash", "-c", "port=${GATEWAY_LISTEN##*:}; exec 3<>\"/dev/tcp/127.0.0.1/${port:-8080}\" && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && IFS= read -r -t 4 status <&3 && [[ $status == HTTP/1.[01]' 200 '* ]]"]

ENTRYPOINT ["/app/gateway"]
