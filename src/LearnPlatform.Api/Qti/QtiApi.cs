using FluentValidation;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Papers;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Qti;

/// <summary>GET /papers/{id}/export: the format (only qti3), and a published version instead of the draft.</summary>
public sealed record QtiExportCall([FromRoute] Guid Id, [FromQuery] string? Format, [FromQuery] int? Version);

public sealed class QtiExportCallValidator : AbstractValidator<QtiExportCall>
{
    public QtiExportCallValidator() => RuleFor(c => c.Format).Equal(QtiApi.Format).WithMessage($"format must be {QtiApi.Format}.");
}

/// <summary>Papers in and out as QTI 3.0 content packages (zip with imsmanifest.xml), for authors and admins.</summary>
public static class QtiApi
{
    public const string Format = "qti3";
    private static readonly string[] ZipMediaTypes = ["application/zip", "application/x-zip-compressed"];

    public static IServiceCollection AddQti(this IServiceCollection services) =>
        services.AddSingleton<IValidator<QtiExportCall>, QtiExportCallValidator>();

    public static void MapQti(this ApiRoutes routes)
    {
        var papers = routes.Authors.MapGroup("/papers");
        papers.MapPost("/import", ImportAsync).Accepts<Stream>(ZipMediaTypes[0], ZipMediaTypes[1..]);
        papers.MapGet("/{id:guid}/export", ExportAsync).Produces<Stream>(StatusCodes.Status200OK, ZipMediaTypes[0]).ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>A draft paper from the package; 400 with every problem, at the file it is in, when it cannot be mapped.</summary>
    private static async Task<Results<Created<PaperResponse>, ProblemHttpResult>> ImportAsync(
        HttpRequest request, Caller caller, IValidator<PaperRequest> validator, LearnPlatformDbContext db, TimeProvider time, HttpResponse response, CancellationToken ct)
    {
        if (!ZipMediaTypes.Contains(request.ContentType?.Split(';')[0].Trim(), StringComparer.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: 415, title: "Unsupported Media Type", detail: "Send the QTI 3.0 package as application/zip.");
        }
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        if (body.Length == 0)
        {
            return Problems.Invalid("body", "The body is empty; send the QTI 3.0 package (a zip with imsmanifest.xml).");
        }
        body.Position = 0;
        var (package, error) = QtiPackage.Open(body);
        if (package is null)
        {
            return Problems.Invalid(Qti3.PackageKey, error!);
        }
        using (package)
        {
            var (paper, errors) = QtiImport.Read(package, validator);
            if (paper is null)
            {
                return Problems.Invalid(errors, detail: "The package has content that cannot be imported; errors are listed per file.");
            }
            return await PapersApi.CreateDraftAsync(caller, paper.ToSettings(), source: Format, db, time, response, ct);
        }
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        [AsParameters] QtiExportCall call, Caller caller, LearnPlatformDbContext db, PaperVersionCache papers, CancellationToken ct)
    {
        var (id, version) = (call.Id, call.Version);
        var paper = await db.Papers.SingleOrDefaultAsync(p => p.Id == id && p.TenantId == caller.TenantId, ct);
        if (paper is null)
        {
            return Problems.NotFound("The paper");
        }
        var (content, exported) = (paper.Content, paper.Version);
        if (version is { } requested)
        {
            // The paper is the caller's tenant's (found above), so its versions are too.
            if (await papers.GetAsync(db, id, requested, ct) is not { } published)
            {
                return Problems.NotFound("The paper version");
            }
            (content, exported) = (published, requested);
        }
        if (QtiExport.Unexportable(content) is { Count: > 0 } errors)
        {
            return TypedResults.Problem(new ValidationProblemDetails(errors)
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Conflict",
                Detail = "The paper has questions a QTI 3.0 package cannot carry; remove or change them to export it.",
            });
        }
        return TypedResults.File(QtiExport.Package(id, content), "application/zip", $"paper-{id}-v{exported}-qti3.zip");
    }
}
