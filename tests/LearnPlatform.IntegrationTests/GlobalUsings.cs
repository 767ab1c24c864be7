global using System.Net;
global using System.Net.Http.Json;
global using System.Text.Json;
global using LearnPlatform.IntegrationTests.Infrastructure;
global using LearnPlatform.Testing;
global using Microsoft.Extensions.Logging;
