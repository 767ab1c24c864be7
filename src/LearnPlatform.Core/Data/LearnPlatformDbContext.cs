using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Core.Data;

public sealed class LearnPlatformDbContext(DbContextOptions<LearnPlatformDbContext> options, TenantScope tenant) : DbContext(options)
{
    public TenantScope Tenant { get; } = tenant;

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
    public DbSet<TelemetryEvent> TelemetryEvents => Set<TelemetryEvent>();
    public DbSet<TelemetryTicket> TelemetryTickets => Set<TelemetryTicket>();
    public DbSet<TelemetryConnection> TelemetryConnections => Set<TelemetryConnection>();
    public DbSet<TelemetrySetting> TelemetrySettings => Set<TelemetrySetting>();

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

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase.From(property.Name));
            }
        }
    }
}
