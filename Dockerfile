# kona-bff: the gateway image. The KONA PLATE sandbox ships in the same image and runs with
#   docker run ... kona-bff node dist/sandbox/test/sandbox/main.js
# (tsconfig.sandbox.json compiles test/sandbox, with the src/konaplate/operations descriptors it
# imports, under dist/sandbox/).
# Checked by test/deploy/dockerfile.spec.ts (no Docker engine in CI; the test parses this file).

# One place for the Node version: Node 24 LTS, matching .nvmrc (24.21.0) and engines (24.x).
# test/deploy/dockerfile.spec.ts fails when they drift apart.
ARG NODE_IMAGE=node:24.21-trixie-slim

# ---- build: full dependency tree, compile TypeScript to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# Dependencies first, so source edits reuse this layer. --ignore-scripts: the one approved install
# script (the devDependency "node", which brings Node 24 to machines whose system Node is older)
# is not wanted here, since the image is Node 24 already; its dangling .bin/node link is removed so
# that every build step runs on the image's own node.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
    && rm -f node_modules/.bin/node

# .dockerignore keeps node_modules, dist, .git, .env and test output out of this copy.
COPY . .
# The entry points are package.json's "start" and "sandbox" scripts; fail the build here rather
# than at container start if either is missing.
RUN npm run build \
    && test -f dist/main.js \
    && test -f dist/sandbox/test/sandbox/main.js

# ---- runtime: production dependencies and compiled JavaScript only (so one Node: the image's) ----
FROM ${NODE_IMAGE} AS runtime

# Re-declared: an ARG from before the first FROM is not visible inside a stage otherwise.
ARG NODE_IMAGE
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="kona-bff" \
      org.opencontainers.image.description="Backend-for-frontend gateway between the mobile card app and KONA PLATE" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force

COPY --from=build /app/dist ./dist

# Files stay root-owned and read-only to the process; uid/gid 1000 is the image's "node" user,
# numeric so Kubernetes runAsNonRoot can verify it without reading /etc/passwd.
USER 1000:1000

EXPOSE 3000
# Exec-form CMD, no shell in between: node receives SIGTERM itself and the gateway drains
# (SHUTDOWN_DELAY_MS) before closing. As PID 1, node has no default signal actions, so the process
# must handle SIGTERM (Nest shutdown hooks); compose adds `init: true` as a safety net.
STOPSIGNAL SIGTERM

# The image has no curl; Node's global fetch does the probe. Liveness only: readiness also
# depends on Redis and KONA PLATE, which orchestrators probe separately (compose uses /health/ready).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

CMD ["node", "dist/main.js"]
