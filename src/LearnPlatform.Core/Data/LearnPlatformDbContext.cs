using LearnPlatform.Core.Lti;
using LearnPlatform.Core.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Core.Data;

/// <summary>
/// Every table of the application (the workflow engine's tables belong to the engine: src/LearnPlatform.Workflows).
/// Queries do not track by default; a write that edits loaded rows asks for tracking with AsTracking(). Requests take
/// their context from a pool (EF's internal services are then built once per pooled instance, not per request) and
/// give it the request's <see cref="TenantScope"/>.
/// </summary>
public sealed class LearnPlatformDbContext(DbContextOptions<LearnPlatformDbContext> options) : DbContext(options)
{
    /// <summary>The tenant this unit of work acts for; set when the context is handed out.</summary>
    public TenantScope Tenant { get; private set; } = new();

    /// <summary>Hands the context to a unit of work acting for <paramref name="tenant"/>.</summary>
    internal LearnPlatformDbContext For(TenantScope tenant)
    {
        Tenant = tenant;
        AppliedTenant = null;
        return this;
    }

    /// <summary>The tenant set on the open connection, or null when the next statement must set it (<see cref="TenantConnectionInterceptor"/>).</summary>
    internal string? AppliedTenant { get; set; }

    // Disposing a pooled context returns it to the pool: it goes back acting for no tenant, so a context handed out
    // without For (straight from the factory) cannot act for the previous unit of work's tenant.
    public override void Dispose()
    {
        For(new TenantScope());
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        For(new TenantScope());
        return base.DisposeAsync();
    }

    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<GuestToken> GuestTokens => Set<GuestToken>();
    public DbSet<Paper> Papers => Set<Paper>();
    public DbSet<PaperVersion> PaperVersions => Set<PaperVersion>();
    public DbSet<ExamSession> Sessions => Set<ExamSession>();
    public DbSet<SessionResponse> Responses => Set<SessionResponse>();
    public DbSet<Accommodation> Accommodations => Set<Accommodation>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<QuestionGradeRow> QuestionGrades => Set<QuestionGradeRow>();
    public DbSet<Consent> Consents => Set<Consent>();
    public DbSet<SessionMetrics> SessionMetrics => Set<SessionMetrics>();
    public DbSet<AiUsageCounter> AiUsageCounters => Set<AiUsageCounter>();
    public DbSet<AiMonthlySpend> AiMonthlySpend => Set<AiMonthlySpend>();
    public DbSet<AiReservation> AiReservations => Set<AiReservation>();
    public DbSet<RateLimitCounter> RateLimitCounters => Set<RateLimitCounter>();
    public DbSet<LtiPlatform> LtiPlatforms => Set<LtiPlatform>();
    public DbSet<LtiDeployment> LtiDeployments => Set<LtiDeployment>();
    public DbSet<LtiUser> LtiUsers => Set<LtiUser>();
    public DbSet<LtiLaunch> LtiLaunches => Set<LtiLaunch>();
    public DbSet<LtiSessionLink> LtiSessionLinks => Set<LtiSessionLink>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<TelemetryEvent> TelemetryEvents => Set<TelemetryEvent>();
    public DbSet<TelemetryTicket> TelemetryTickets => Set<TelemetryTicket>();
    public DbSet<TelemetryConnection> TelemetryConnections => Set<TelemetryConnection>();
    public DbSet<TelemetrySetting> TelemetrySettings => Set<TelemetrySetting>();
    public DbSet<AttemptLedgerEntry> AttemptLedger => Set<AttemptLedgerEntry>();
    public DbSet<AuditRetentionFloor> AuditRetentionFloor => Set<AuditRetentionFloor>();
    public DbSet<RetentionSetting> RetentionSettings => Set<RetentionSetting>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(tenant =>
        {
            tenant.ToTable("tenants");
            tenant.HasIndex(t => t.FirebaseTenantId).IsUnique();
        });
        modelBuilder.Entity<Membership>(membership =>
        {
            membership.ToTable("memberships");
            membership.HasKey(m => new { m.TenantId, m.Uid });
        });
        modelBuilder.Entity<GuestToken>(token =>
        {
            token.ToTable("guest_tokens");
            token.HasIndex(t => t.TokenHash).IsUnique();
        });
        modelBuilder.Entity<Paper>(paper =>
        {
            paper.ToTable("papers");
            paper.Property(p => p.Content).HasJsonConversion();
        });
        modelBuilder.Entity<PaperVersion>(version =>
        {
            version.ToTable("paper_versions");
            version.HasKey(v => new { v.PaperId, v.Version });
            version.Property(v => v.Content).HasJsonConversion();
        });
        modelBuilder.Entity<ExamSession>(session =>
        {
            session.ToTable("exam_sessions");
            session.Property(s => s.Layout).HasJsonConversion();
        });
        modelBuilder.Entity<SessionResponse>(response =>
        {
            response.ToTable("session_responses");
            response.HasKey(r => new { r.SessionId, r.QuestionId });
            response.Property(r => r.Answer).HasColumnType("jsonb");
        });
        modelBuilder.Entity<QuestionGradeRow>(grade =>
        {
            grade.ToTable("question_grades");
            grade.HasKey(g => new { g.SessionId, g.QuestionId });
            grade.Ignore(g => g.EffectiveScore);
        });
        modelBuilder.Entity<Accommodation>().ToTable("accommodations");
        modelBuilder.Entity<AuditEvent>(audit =>
        {
            audit.ToTable("audit_events");
            audit.Property(a => a.Details).HasColumnType("jsonb");
        });
        modelBuilder.Entity<Consent>(consent =>
        {
            consent.ToTable("consents");
            consent.HasKey(c => new { c.TenantId, c.Uid, c.Flag });
        });
        modelBuilder.Entity<SessionMetrics>(metrics =>
        {
            metrics.ToTable("session_metrics");
            metrics.HasKey(m => m.SessionId);
        });
        modelBuilder.Entity<AiUsageCounter>(counter =>
        {
            counter.ToTable("ai_usage_counters");
            counter.HasKey(c => new { c.TenantId, c.Scope, c.Kind });
        });
        modelBuilder.Entity<AiMonthlySpend>(spend =>
        {
            spend.ToTable("ai_monthly_spend");
            spend.HasKey(s => new { s.TenantId, s.Month });
        });
        modelBuilder.Entity<AiReservation>().ToTable("ai_reservations");
        modelBuilder.Entity<RateLimitCounter>(counter =>
        {
            counter.ToTable("rate_limit_counters");
            counter.HasKey(c => c.Key);
        });
        modelBuilder.Entity<LtiPlatform>().ToTable("lti_platforms");
        modelBuilder.Entity<LtiDeployment>(deployment =>
        {
            deployment.ToTable("lti_deployments");
            deployment.HasKey(d => new { d.Issuer, d.ClientId, d.DeploymentId });
            // Declared so a platform and its deployments saved together are inserted in that order.
            deployment.HasOne<LtiPlatform>().WithMany().HasForeignKey(d => d.PlatformId);
        });
        modelBuilder.Entity<LtiUser>().ToTable("lti_users");
        modelBuilder.Entity<LtiLaunch>().ToTable("lti_launches");
        modelBuilder.Entity<LtiSessionLink>(link =>
        {
            link.ToTable("lti_session_links");
            link.HasKey(l => l.SessionId);
        });
        modelBuilder.Entity<WebhookEndpoint>().ToTable("webhook_endpoints");
        modelBuilder.Entity<WebhookDelivery>().ToTable("webhook_deliveries");

        modelBuilder.Entity<TelemetryEvent>(telemetry =>
        {
            telemetry.ToTable("telemetry_events");
            telemetry.HasKey(e => new { e.SessionDay, e.Id });
            telemetry.Property(e => e.Id).ValueGeneratedOnAdd();
            telemetry.Property(e => e.Data).HasColumnType("jsonb");
        });
        modelBuilder.Entity<TelemetryTicket>(ticket =>
        {
            ticket.ToTable("telemetry_tickets");
            ticket.HasKey(t => t.TicketHash);
        });
        modelBuilder.Entity<TelemetryConnection>(connection =>
        {
            connection.ToTable("telemetry_connections");
            connection.HasKey(c => c.SessionId);
        });
        modelBuilder.Entity<TelemetrySetting>(setting =>
        {
            setting.ToTable("telemetry_settings");
            setting.HasKey(s => s.TenantId);
        });
        modelBuilder.Entity<AttemptLedgerEntry>(entry =>
        {
            entry.ToTable("attempt_ledger");
            entry.HasKey(e => new { e.TenantId, e.PaperId, e.SubjectHmac });
        });
        modelBuilder.Entity<AuditRetentionFloor>().ToTable("audit_retention_floor");
        modelBuilder.Entity<RetentionSetting>(setting =>
        {
            setting.ToTable("retention_settings");
            setting.HasKey(s => s.TenantId);
        });

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase.From(property.Name));
            }
        }
    }
}
