using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SmartStore.WebConsole.Pages;

/// <summary>What a refused request says: the status and why, never a stack trace.</summary>
[AllowAnonymous]
public sealed class StatusModel : PageModel
{
    public string Title { get; private set; } = string.Empty;

    public string Explanation { get; private set; } = string.Empty;

    public void OnGet(int code) => (Title, Explanation) = code switch
    {
        400 => ("Bad request", "The request was refused: a form sent without its antiforgery token, or with values the console cannot read."),
        403 => ("Not allowed", "Your role does not allow this page."),
        404 => ("Not found", "There is no such page."),
        _ => ($"Error {code}", "The console could not answer this request."),
    };

    public void OnPost(int code) => OnGet(code);
}
