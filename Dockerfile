# syntax=docker/dockerfile:1
# inferwatch from its npm package, the way users install it: the first stage packs the tarball
# (`npm pack` builds dist/ in prepack), the second installs exactly that tarball's files with the
# production dependencies of the lockfile. Nothing of the source tree reaches the image.
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS pack
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json inferwatch.example.yaml README.md ./
COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
COPY dashboards ./dashboards
COPY alerts ./alerts
COPY grafana ./grafana
COPY otel-collector/config.yaml ./otel-collector/config.yaml
COPY docs/library.md ./docs/library.md
RUN npm pack --pack-destination /pkg && mkdir /app \
 && tar -xzf /pkg/inferwatch-*.tgz --strip-components=1 -C /app

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=pack /app ./
COPY package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    INFERWATCH_HOST=0.0.0.0 \
    INFERWATCH_PORT=8080 \
    INFERWATCH_STORE_PATH=/data/inferwatch.db
WORKDIR /app
COPY --from=deps /app ./
# The only writable path is /data (SQLite store): the container runs with a read-only root filesystem.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.INFERWATCH_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/inferwatch.js"]
CMD ["start"]
