# kona-bff images, two targets of this one file:
#   docker build .                    the gateway (the last stage, `runtime`): production only
#   docker build --target sandbox .   the KONA PLATE sandbox (docker-compose.yml's `sandbox`)
# The gateway image holds no sandbox, no demo credentials and no signing test utility: its dist/
# comes from tsconfig.build.json (src/ only); the sandbox's from tsconfig.sandbox.json, compiled in
# a stage of its own into dist/sandbox/.
# Checked by test/deploy/dockerfile.spec.ts (no Docker engine in CI; the test parses this file).

# One place for the Node version: Node 24 LTS, matching .nvmrc (24.21.0) and engines (24.x).
# test/deploy/dockerfile.spec.ts fails when they drift apart.
ARG NODE_IMAGE=node:24.21-trixie-slim

# ---- build: full dependency tree, compile the gateway (src/) to dist/ ----
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
# The gateway's entry point is package.json's "start" script; fail the build here rather than at
# container start if it is missing, or if the sandbox ever lands in this dist/.
RUN npm run build:gateway \
    && test -f dist/main.js \
    && test ! -e dist/sandbox

# ---- sandbox-build: the sandbox (test/sandbox and the operation descriptors it imports) ----
FROM build AS sandbox-build
RUN npm run build:sandbox \
    && test -f dist/sandbox/test/sandbox/main.js

# ---- runtime-base: production dependencies only, one Node (the image's); shared by both images ----
FROM ${NODE_IMAGE} AS runtime-base
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force

# ---- sandbox: the KONA PLATE stand-in with its demo credentials; never deploy it to production ----
FROM runtime-base AS sandbox
ARG NODE_IMAGE
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="kona-bff-sandbox" \
      org.opencontainers.image.description="KONA PLATE sandbox for kona-bff development and tests (demo credentials)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
ENV SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8080
COPY --from=sandbox-build /app/dist/sandbox ./dist/sandbox
USER 1000:1000
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SANDBOX_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/sandbox/test/sandbox/main.js"]

# ---- runtime: the gateway. Last, so it is what `docker build .` produces ----
FROM runtime-base AS runtime

# Re-declared: an ARG from before the first FROM is not visible inside a stage otherwise.
# VERSION is package.json's version and the chart's appVersion (the test checks all three agree).
ARG NODE_IMAGE
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="kona-bff" \
      org.opencontainers.image.description="Backend-for-frontend gateway between the mobile card app and KONA PLATE" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"

# PORT serves the API and the probe paths; MANAGEMENT_PORT /metrics, /docs and detailed health.
ENV HOST=0.0.0.0 \
    PORT=3000 \
    MANAGEMENT_PORT=9464

COPY --from=build /app/dist ./dist

# Files stay root-owned and read-only to the process; uid/gid 1000 is the image's "node" user,
# numeric so Kubernetes runAsNonRoot can verify it without reading /etc/passwd.
USER 1000:1000

EXPOSE 3000 9464
# Exec-form CMD, no shell in between: node receives SIGTERM itself and the gateway drains
# (SHUTDOWN_DELAY_MS) before closing. As PID 1, node has no default signal actions, so the process
# must handle SIGTERM (Nest shutdown hooks); compose adds `init: true` as a safety net.
STOPSIGNAL SIGTERM

# The image has no curl; Node's global fetch does the probe. Liveness only: readiness also
# depends on Redis and KONA PLATE, which orchestrators probe separately (compose uses /health/ready).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# V8's heap flags are the start script's (package.json, scripts/node-flags.js), measured in
# bench/RESULTS.md "V8 heap flags": a 16 MiB semi-space and old space grown by at most 25 % past
# what the last full GC kept hold the peak RSS near 220 MiB under full load (Node 24's defaults
# reach 420-440 MiB) without the CPU a hard --max-old-space-size cap costs. They are on the command
# line because NODE_OPTIONS refuses --heap-growing-percent; NODE_OPTIONS set through the chart's
# extraEnv adds to them.
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=25", "dist/main.js"]
