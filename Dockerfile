# The one `bourse` image: every platform service, the exchange simulator and the `bourse` command,
# run from source through tsx (there is no build step; tsx is the only runtime dependency the root
# package has). Build from the repository root:
#   docker build -t bourse:dev .
# docker-compose.yml and the Kubernetes manifests (k8s/) both run it; each container picks its
# service with the entry file as its first argument, e.g.
#   docker run --rm bourse:dev services/exchange-sim/src/main.ts --help
# Two stages: `deps` has pnpm and installs the production dependencies of every workspace package
# (no test runner, linter or type checker); `runtime` copies the result onto a clean Node.js image
# without pnpm or its store, and runs as the image's unprivileged `node` user.

FROM node:20-slim AS deps
ENV CI=true
RUN npm install -g pnpm@12.4.2
WORKDIR /app
# The workspace manifests and lockfile first, so the install layer is cached while only sources change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY libs ./libs
COPY services ./services
COPY config ./config
# Frozen: exactly the lockfile's versions. --prod: dependencies only, never devDependencies.
RUN pnpm install --prod --frozen-lockfile

FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=root:root /app /app
# The simulator's accounts: docker-compose.yml mounts a named volume here, which takes this owner.
RUN mkdir /state && chown 1000:1000 /state
# uid 1000 is the image's `node` user. The code is owned by root and not writable by it; the
# Deployments also mount the root filesystem read-only, so tsx's compile cache goes to /tmp.
USER 1000:1000
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["services/cli/src/main.ts", "--help"]
