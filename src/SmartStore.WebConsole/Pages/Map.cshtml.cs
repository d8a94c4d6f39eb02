using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SmartStore.WebConsole.Pages;

[Authorize(Policy = ConsolePolicies.Watch)]
public sealed class MapModel : PageModel
{
}
