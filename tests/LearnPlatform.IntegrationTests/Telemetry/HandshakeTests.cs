using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Privacy;
using Microsoft.Extensions.DependencyInjection;

namespace LearnPlatform.IntegrationTests.Telemetry;

/// <summary>Tickets and the socket's handshake: origin (403), ticket (401), session (404, 409), single use and expiry.</summary>
public sealed class HandshakeTests(HandshakeTests.Fixture fixture) : IClassFixture<HandshakeTests.Fixture>
{
    private const string AllowedOrigin = "https://exams.example.com";

    public sealed class Fixture : AppFixture
    {
        public ManualClock Clock { get; } = new();

        public override async Task InitializeAsync() =>
            App = await TestApp.StartAsync(
                settings => settings["Cors:AllowedOrigins:0"] = AllowedOrigin,
                builder => builder.Services.AddSingleton<TimeProvider>(Clock));
    }

    private TestApp App => fixture.App;

    [Fact]
    public async Task TicketIsRandomShortLivedAndStoredOnlyAsAHash()
    {
        var t = await TelemetrySetup.StartAsync(App);

        using var response = await t.CandidateClient.PostTicketAsync(t.Session);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var ticket = body.GetProperty("ticket").GetString()!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("lpt_", ticket, StringComparison.Ordinal);
        Assert.True(ticket.Length >= 40);
        Assert.Equal(fixture.Clock.GetUtcNow().AddSeconds(30), body.GetProperty("expires_at").GetDateTimeOffset());
        Assert.NotEqual(ticket, await t.CandidateClient.TicketAsync(t.Session));
        Assert.Equal(2, await App.CountAsync("SELECT count(*) FROM telemetry_tickets WHERE session_id = @s", ("s", t.Session)));
        Assert.Empty(await App.RowsContainingAsync(ticket));
        Assert.DoesNotContain(ticket, App.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TicketOpensOneConnectionOnly()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var ticket = await t.CandidateClient.TicketAsync(t.Session);
        await using (var socket = await App.ConnectAsync(t.Session, ticket))
        {
            Assert.Equal(System.Net.WebSockets.WebSocketState.Open, socket.State);
        }

        var (status, headers) = await App.RefusedHandshakeAsync(t.Session, ticket);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("Ticket", headers["WWW-Authenticate"].Single(), StringComparison.Ordinal);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM telemetry_tickets WHERE session_id = @s", ("s", t.Session)));
    }

    [Fact]
    public async Task TicketExpiresAfterThirtySeconds()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var ticket = await t.CandidateClient.TicketAsync(t.Session);

        fixture.Clock.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(HttpStatusCode.Unauthorized, (await App.RefusedHandshakeAsync(t.Session, ticket)).Status);
    }

    [Fact]
    public async Task TicketWithinThirtySecondsConnects()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var ticket = await t.CandidateClient.TicketAsync(t.Session);

        fixture.Clock.Advance(TimeSpan.FromSeconds(29));

        await using var socket = await App.ConnectAsync(t.Session, ticket);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task TicketOfOneSessionDoesNotOpenAnother()
    {
        var a = await TelemetrySetup.StartAsync(App);
        var b = await TelemetrySetup.StartAsync(App);

        var (status, _) = await App.RefusedHandshakeAsync(b.Session, await a.CandidateClient.TicketAsync(a.Session));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("lpt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-ticket")]
    public async Task MissingOrForgedTicketIsUnauthorized(string? ticket)
    {
        var t = await TelemetrySetup.StartAsync(App);

        Assert.Equal(HttpStatusCode.Unauthorized, (await App.RefusedHandshakeAsync(t.Session, ticket)).Status);
    }

    [Fact]
    public async Task AnotherCandidatesSessionGetsNoTicket()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var other = await t.SignUpAsync(App, Roles.Candidate);
        var author = await t.SignUpAsync(App, Roles.Author);
        var elsewhere = await TelemetrySetup.StartAsync(App);

        await (await other.PostTicketAsync(t.Session)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await author.PostTicketAsync(t.Session)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await elsewhere.CandidateClient.PostTicketAsync(t.Session)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await App.Client.PostTicketAsync(t.Session)).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SubmittedSessionGetsNoTicketAndAnEarlierTicketNoSocket()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var early = await t.CandidateClient.TicketAsync(t.Session);

        Assert.Equal(HttpStatusCode.Accepted, (await t.CandidateClient.SubmitAsync(t.Session)).StatusCode);

        await (await t.CandidateClient.PostTicketAsync(t.Session)).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.Conflict, (await App.RefusedHandshakeAsync(t.Session, early)).Status);
    }

    [Fact]
    public async Task GuestOpensTheSocketOfTheirSession()
    {
        var tenant = await App.CreateTenantAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));
        using var created = await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var guest = App.ClientWithGuestToken(body.GetProperty("guest_token").GetString()!);
        var session = body.GetProperty("session").Id();

        await using var socket = await App.OpenTelemetryAsync(guest, session);
        await socket.SendBatchAndWaitForAckAsync(1, TelemetryCalls.Event("blur"));

        Assert.Equal(1, await App.EventCountAsync(session));
        await (await guest.PostTicketAsync((await TelemetrySetup.StartAsync(App)).Session)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ForeignOriginIsForbiddenBeforeTheTicketIsUsed()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var ticket = await t.CandidateClient.TicketAsync(t.Session);

        var (status, _) = await App.RefusedHandshakeAsync(t.Session, ticket, origin: "https://evil.example.com");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        await using var socket = await App.ConnectAsync(t.Session, ticket, origin: AllowedOrigin);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task ClientWithoutOriginConnects()
    {
        var t = await TelemetrySetup.StartAsync(App);

        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session, origin: null);

        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task PlainHttpRequestIsBadRequestAndLeavesTheTicket()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var ticket = await t.CandidateClient.TicketAsync(t.Session);

        using var response = await App.Client.GetAsync(App.SocketUri(t.Session, ticket).PathAndQuery);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        await using var socket = await App.ConnectAsync(t.Session, ticket);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, socket.State);
    }
}
