global using LearnPlatform.UnitTests.Logging;
