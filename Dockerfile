# The api and worker image (docker-compose.yml runs it twice: `npm run api` and `npm run worker`).
# TypeScript runs through tsx, as in development: the build steps are the workflow bundle (below) and the web
# console's bundle, made in a stage of its own (Vite and the front-end libraries are dev dependencies) and copied into the image.
FROM node:24-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --include=dev --no-audit --no-fund
COPY web ./web
COPY domain ./domain
COPY scripts/build-web.mjs ./scripts/
RUN node scripts/build-web.mjs --force

FROM node:24-bookworm-slim

ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
WORKDIR /app

# Dependencies first, for the layer cache. --ignore-scripts: the postinstall fetches the Temporal dev and test
# server binaries, which production (an external Temporal server) does not need.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit \
    && npm cache clean --force

COPY . .
COPY --from=console /app/web/dist ./web/dist
# postgres.js guarded against writing to a closed socket (the postinstall does it elsewhere; scripts/patch-postgres.mjs).
RUN node scripts/patch-postgres.mjs
# The workflow bundle, built once here (worker/bundle.ts: .tmp/workflow-bundles/<content hash>.js), so a worker
# container starts without running webpack.
RUN npx tsx scripts/build-workflows.ts

# Recordings of three-party review sessions are written under DATA_DIR (a volume in docker-compose.yml).
ENV DATA_DIR=/app/data
RUN mkdir -p /app/data/recordings && chown -R node:node /app/data
VOLUME ["/app/data"]

USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
