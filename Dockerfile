# syntax=docker/dockerfile:1
# inferwatch: Node 24 runs the TypeScript sources directly (type stripping), so there is no build step;
# the first stage only installs production dependencies (no native addons to compile).
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    INFERWATCH_HOST=0.0.0.0 \
    INFERWATCH_PORT=8080 \
    INFERWATCH_STORE_PATH=/data/inferwatch.db
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
# The only writable path is /data (SQLite store): the container runs with a read-only root filesystem.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.INFERWATCH_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/inferwatch.js"]
CMD ["start"]
