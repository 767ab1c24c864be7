# The two commands of README.md. Everything else is plain dotnet.
.PHONY: run test

run: node_modules/.package-lock.json
	dotnet run --project src/LearnPlatform.Api --launch-profile local

test: node_modules/.package-lock.json
	dotnet test LearnPlatform.sln --logger "trx" --results-directory TestResults

# firebase-tools (the Auth Emulator) for the local run and the tests; skipped without npm.
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the Firebase Auth Emulator will not be available"; fi
