using FluentValidation;

namespace LearnPlatform.Api.Http;

/// <summary>
/// The API's one validation step, on the /api/v1 group: every handler argument whose type has a registered
/// <see cref="IValidator{T}"/> (a body, or an [AsParameters] record of route, query and body) is validated before the
/// handler runs, and every failure, per field, comes back in one 400 (<see cref="Problems.Invalid"/>). Which arguments
/// to validate is worked out once per endpoint, when the app starts.
/// </summary>
public static class ValidationFilter
{
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var validated = context.MethodInfo.GetParameters()
            .Select((parameter, index) => (Index: index, Validator: context.ApplicationServices.GetService(typeof(IValidator<>).MakeGenericType(parameter.ParameterType)) as IValidator))
            .Where(p => p.Validator is not null)
            .ToArray();
        if (validated.Length == 0)
        {
            return next;
        }
        return async invocation =>
        {
            var errors = new Dictionary<string, string[]>();
            foreach (var (index, validator) in validated)
            {
                if (invocation.Arguments[index] is not { } argument)
                {
                    errors["body"] = ["A request body is required."];
                    continue;
                }
                var result = await validator!.ValidateAsync(new ValidationContext<object>(argument), invocation.HttpContext.RequestAborted);
                foreach (var field in result.Errors.GroupBy(e => e.PropertyName))
                {
                    errors[field.Key] = field.Select(e => e.ErrorMessage).Distinct().ToArray();
                }
            }
            return errors.Count > 0 ? Problems.Invalid(errors) : await next(invocation);
        };
    }

    /// <summary>Field paths in errors read like the JSON the client sent: questions[2].options, not Questions[2].Options.</summary>
    public static void UseSnakeCasePropertyNames() =>
        ValidatorOptions.Global.PropertyNameResolver = (_, member, expression) =>
            member is null ? null : System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name);
}
