# consent-audit in a container: Debian bookworm slim, Debian's Chromium, a non-root user, Chromium's
# sandbox on. Build:  docker build -t consent-audit .
# Run:    docker run --rm -v "$PWD/out:/work/out" consent-audit audit https://www.example.fr/ --out out
# (see docs/ci.md: the sandbox needs user namespaces, which Docker's default seccomp profile allows
# for Chromium only with the profile or flags given there).
FROM debian:bookworm-slim

ENV VIRTUAL_ENV=/opt/consent-audit \
    PATH=/opt/consent-audit/bin:$PATH \
    CONSENT_AUDIT_SANDBOX=1 \
    PYTHONDONTWRITEBYTECODE=1

COPY docker/install.sh /usr/local/lib/consent-audit/install.sh
RUN bash /usr/local/lib/consent-audit/install.sh system

COPY pyproject.toml README.md /src/
COPY auditor /src/auditor
COPY rules /src/rules
COPY reports /src/reports
RUN bash /usr/local/lib/consent-audit/install.sh package /src && rm -rf /src

USER auditor
WORKDIR /work
ENTRYPOINT ["consent-audit"]
CMD ["--help"]
