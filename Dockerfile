# syntax=docker/dockerfile:1
# LearnPlatform: one image holding the API (with its operator CLI) and the grading worker.
#   API:    dotnet LearnPlatform.Api.dll            (working directory /app/api, the default)
#   CLI:    dotnet LearnPlatform.Api.dll migrate | tenants create ... | members add ...
#   Worker: dotnet LearnPlatform.Worker.dll         (working directory /app/worker)
# The two apps are published into sibling directories, not one: both ship an appsettings.json
# and a deps.json graph, and publishing them into a single folder lets one overwrite the other's.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
# mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled also works (no shell, same app UID 1654).
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# global.json pins the SDK band; Directory.*.props carry the build settings and the central
# package versions; .editorconfig is read by the build (EnforceCodeStyleInBuild).
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig LearnPlatform.sln ./
COPY src/ src/
RUN --mount=type=cache,id=learnplatform-nuget,target=/root/.nuget/packages \
    dotnet restore src/LearnPlatform.Api/LearnPlatform.Api.csproj \
 && dotnet restore src/LearnPlatform.Worker/LearnPlatform.Worker.csproj \
 && dotnet publish src/LearnPlatform.Api/LearnPlatform.Api.csproj \
      -c Release --no-restore -p:UseAppHost=false -o /out/api \
 && dotnet publish src/LearnPlatform.Worker/LearnPlatform.Worker.csproj \
      -c Release --no-restore -p:UseAppHost=false -o /out/worker

FROM ${RUNTIME_IMAGE} AS runtime
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
# 1654 is the "app" user of the .NET images; numeric so Kubernetes can verify runAsNonRoot.
USER 1654:1654
ENTRYPOINT ["dotnet", "LearnPlatform.Api.dll"]
