using FluentValidation;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Papers;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Qti;

/// <summary>Papers in and out as QTI 3.0 content packages (zip with imsmanifest.xml), for authors and admins.</summary>
public static class QtiApi
{
    public const string Format = "qti3";
    private static readonly string[] ZipMediaTypes = ["application/zip", "application/x-zip-compressed"];

    public static void MapQti(this IEndpointRouteBuilder routes)
    {
        var papers = routes.MapGroup("/api/v1/papers").RequireAuthorization(Policies.Author);
        papers.MapPost("/import", ImportAsync);
        papers.MapGet("/{id:guid}/export", ExportAsync);
    }

    /// <summary>A draft paper from the package; 400 with every problem, at the file it is in, when it cannot be mapped.</summary>
    private static async Task<Results<Created<PaperResponse>, ValidationProblem, ProblemHttpResult>> ImportAsync(
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
            return Problems.BadRequest("The body is empty; send the QTI 3.0 package (a zip with imsmanifest.xml).");
        }
        body.Position = 0;
        var (package, error) = QtiPackage.Open(body);
        if (package is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [Qti3.PackageKey] = [error!] });
        }
        using (package)
        {
            var (paper, errors) = QtiImport.Read(package, validator);
            if (paper is null)
            {
                return TypedResults.ValidationProblem(errors, detail: "The package has content that cannot be imported; errors are listed per file.");
            }
            return await PapersApi.CreateDraftAsync(caller, paper.ToSettings(), source: Format, db, time, response, ct);
        }
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ExportAsync(
        Guid id, string? format, int? version, Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        if (format != Format)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = [$"format must be {Format}."] });
        }
        var paper = await db.Papers.SingleOrDefaultAsync(p => p.Id == id && p.TenantId == caller.TenantId, ct);
        if (paper is null)
        {
            return Problems.NotFound("The paper");
        }
        var (content, exported) = (paper.Content, paper.Version);
        if (version is { } requested)
        {
            var published = await db.PaperVersions.SingleOrDefaultAsync(v => v.PaperId == id && v.TenantId == caller.TenantId && v.Version == requested, ct);
            if (published is null)
            {
                return Problems.NotFound("The paper version");
            }
            (content, exported) = (published.Content, published.Version);
        }
        if (QtiExport.Unexportable(content) is { Count: > 0 } errors)
        {
            return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ValidationProblemDetails(errors)
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Conflict",
                Detail = "The paper has questions a QTI 3.0 package cannot carry; remove or change them to export it.",
            });
        }
        return TypedResults.File(QtiExport.Package(id, content), "application/zip", $"paper-{id}-v{exported}-qti3.zip");
    }
}
