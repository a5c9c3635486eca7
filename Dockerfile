# syntax=docker/dockerfile:1
# synse-server (and the plugins) built on the official Swift image, run on Debian slim.
#   docker build -t synse-swift .
#   docker run -p 5000:5000 synse-swift          # the embedded emulator: curl localhost:5000/v3/scan
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsystemd-dev libfreeipmi-dev libsnmp-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources Sources
COPY plugins plugins
COPY examples/plugins examples/plugins
COPY Tests Tests
# swift build takes one --product per run (a second one replaces the first).
RUN for product in synse-server synse-emulator-plugin synse-hwmon-plugin; do \
      swift build -c release --static-swift-stdlib --product "$product" || exit 1; \
    done \
 && mkdir /out \
 && for product in synse-server synse-emulator-plugin synse-hwmon-plugin; do \
      strip -o "/out/$product" "$(swift build -c release --show-bin-path)/$product" || exit 1; \
    done

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libsystemd0 ca-certificates curl tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /etc/synse synse
COPY --from=build /out/ /usr/local/bin/
COPY config.yaml /etc/synse/server/config.yaml
USER synse
WORKDIR /etc/synse/server
EXPOSE 5000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s CMD curl -fsS http://127.0.0.1:5000/test || exit 1
ENTRYPOINT ["synse-server"]
CMD ["--config", "/etc/synse/server/config.yaml"]
