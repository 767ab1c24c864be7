# The two commands of README.md. Everything else is plain dotnet.
.PHONY: run test openapi

# The API runs the sandbox host it finds built beside it (src/LearnPlatform.Sandbox), so that is built first.
run: node_modules/.package-lock.json
	dotnet build src/LearnPlatform.Sandbox --nologo -v q
	dotnet run --project src/LearnPlatform.LocalDev --launch-profile local

# Restore exactly the committed packages.lock.json files (a drifted lockfile fails here); unit and integration tests; the Helm chart, the operator recipe and the workflows (deploy/validate); then the
# restore drill (pg_dump, restore into a new cluster, migrate, readyz, a session read back through HTTP).
test: node_modules/.package-lock.json deploy/validate/node_modules/.package-lock.json
	dotnet restore --locked-mode LearnPlatform.sln
	dotnet test LearnPlatform.sln --no-restore --logger "trx" --results-directory TestResults
	deploy/validate/run
	deploy/restore-drill/run

# docs/openapi.json rewritten from the endpoints (a test fails while the committed copy differs).
openapi: node_modules/.package-lock.json
	LEARNPLATFORM_WRITE_OPENAPI=1 dotnet test tests/LearnPlatform.IntegrationTests --filter "FullyQualifiedName~OpenApiDocumentTests.CommittedCopy"

# firebase-tools (the Auth Emulator) for the local run and the tests.
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  echo "Installing the Firebase Auth Emulator (first run only, about 2 minutes) ..."; \
	  npm ci --no-audit --no-fund --loglevel=error && echo "Firebase Auth Emulator installed."; \
	else echo "npm not found: the Firebase Auth Emulator will not be available"; fi

deploy/validate/node_modules/.package-lock.json: deploy/validate/package-lock.json
	cd deploy/validate && npm ci --no-audit --no-fund --loglevel=error
