# syntax=docker/dockerfile:1
# LearnPlatform images (docs/operations.md, "The image"):
#   default target "runtime": the API (with its operator CLI) and the grading worker, on the chiseled (distroless)
#     ASP.NET Core runtime: no shell, no package manager.
#       API:    dotnet LearnPlatform.Api.dll            (working directory /app/api, the default)
#       CLI:    dotnet LearnPlatform.Api.dll migrate | tenants create ... | members add ... | runs ...
#       Worker: dotnet LearnPlatform.Worker.dll         (working directory /app/worker)
#   target "sandbox": the code sandbox (src/LearnPlatform.Sandbox) with bubblewrap, python3 and nodejs.
# The two apps are published into sibling directories, not one: both ship an appsettings.json and a deps.json
# graph, and publishing them into a single folder lets one overwrite the other's.
#
# Base images are pinned by digest; Dependabot (.github/dependabot.yml) proposes new digests. To move by hand:
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled   (the "Digest:" line)
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-noble@sha256:e70cdb7f80b0348f5cb85f19a8f670fca061f033d57eed12fa003d58b0e06317
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled@sha256:48e51f2f6798897be7ac4e775c049ed8fe60d3190f637e1f9c9dc7513efa659c
# .NET 10 ships no Debian images; the sandbox needs apt packages, so it builds on the Ubuntu 24.04 (Debian-derived)
# runtime image instead of the chiseled one.
ARG SANDBOX_BASE_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble@sha256:222759b391a1aaf241166672c8f99b2d4ada452e7b5319f3c6e8f265a37b5ad4

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# global.json pins the SDK band; Directory.*.props carry the build settings and the central
# package versions; .editorconfig is read by the build (EnforceCodeStyleInBuild).
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig LearnPlatform.sln ./
COPY src/ src/
# --locked-mode: exactly the packages and content hashes of the committed packages.lock.json files, or the build fails.
RUN --mount=type=cache,id=learnplatform-nuget,target=/root/.nuget/packages \
    dotnet restore --locked-mode src/LearnPlatform.Api/LearnPlatform.Api.csproj \
 && dotnet restore --locked-mode src/LearnPlatform.Worker/LearnPlatform.Worker.csproj \
 && dotnet publish src/LearnPlatform.Api/LearnPlatform.Api.csproj \
      -c Release --no-restore -p:UseAppHost=false -o /out/api \
 && dotnet publish src/LearnPlatform.Worker/LearnPlatform.Worker.csproj \
      -c Release --no-restore -p:UseAppHost=false -o /out/worker

FROM build AS build-sandbox
RUN --mount=type=cache,id=learnplatform-nuget,target=/root/.nuget/packages \
    dotnet restore --locked-mode src/LearnPlatform.Sandbox/LearnPlatform.Sandbox.csproj \
 && dotnet publish src/LearnPlatform.Sandbox/LearnPlatform.Sandbox.csproj \
      -c Release --no-restore -p:UseAppHost=false -o /out/sandbox

FROM ${SANDBOX_BASE_IMAGE} AS sandbox
# Set by CI (.github/workflows/image.yml): the version, the commit, the build time and the repository URL.
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
ARG SANDBOX_BASE_IMAGE
LABEL org.opencontainers.image.title="learnplatform-sandbox" \
      org.opencontainers.image.description="LearnPlatform code sandbox: runs candidates' code under bubblewrap or gVisor" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${SANDBOX_BASE_IMAGE}"
# The language runtimes candidates' code runs with, and the isolation; nothing else is added.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends bubblewrap python3 nodejs \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build-sandbox /out/sandbox /app/sandbox
WORKDIR /app/sandbox
# The root filesystem may be mounted read-only; runs work in /tmp (Kubernetes: an emptyDir).
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1
EXPOSE 8080
USER 1000:1000
ENTRYPOINT ["dotnet", "LearnPlatform.Sandbox.dll"]

FROM ${RUNTIME_IMAGE} AS runtime
# Set by CI (.github/workflows/image.yml): the version, the commit, the build time and the repository URL.
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
ARG RUNTIME_IMAGE
LABEL org.opencontainers.image.title="learnplatform" \
      org.opencontainers.image.description="LearnPlatform exam and learning backend: API, operator CLI and grading worker" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
# Files stay owned by root: the app user can read them but not change them.
COPY --from=build /out/api /app/api
COPY --from=build /out/worker /app/worker
WORKDIR /app/api
# The worker's container overrides ASPNETCORE_HTTP_PORTS to 8081 (its health port).
# The root filesystem may be mounted read-only; give the runtime a writable /tmp
# (Kubernetes: an emptyDir) for its diagnostics socket.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080 8081
# uid/gid 1000, numeric so Kubernetes can verify runAsNonRoot (the chart pins the same ids).
USER 1000:1000
ENTRYPOINT ["dotnet", "LearnPlatform.Api.dll"]
