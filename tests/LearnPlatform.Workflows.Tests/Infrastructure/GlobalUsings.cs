global using LearnPlatform.Testing;
