# A strategies folder baked into an image built FROM Bourse's: for strategies a ConfigMap cannot hold
# (over 1 MiB together, or modules in subfolders), or to ship them versioned as an image. Build with the
# strategies folder as the context, e.g. this repository's example:
#   docker build -f examples/strategies.Dockerfile -t registry.example.com/my-strategies:1 examples/strategies
# and run it as the strategy runner's image with STRATEGIES_FILE=/strategies/strategies.yaml (k8s/README.md,
# "Your own strategies"). The base image's entry point, user (1000) and read-only-friendly layout stay.
ARG BOURSE_IMAGE=bourse:dev
FROM ${BOURSE_IMAGE}
# Owned by root (COPY's default) and only read by the runner, which runs as uid 1000: the files must be
# readable by others (chmod -R a+rX the folder before building if they are not).
COPY . /strategies/
ENV STRATEGIES_FILE=/strategies/strategies.yaml
