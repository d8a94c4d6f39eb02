using System.Net;
using System.Text.RegularExpressions;

namespace SmartStore.Testing;

/// <summary>A browser's view of the console over HTTP: cookies kept, redirects not followed, forms posted with their antiforgery token.</summary>
public sealed partial class ConsoleClient : IDisposable
{
    private readonly HttpClient _http;

    public ConsoleClient(Uri address)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = address };
    }

    public CookieContainer Cookies { get; }

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(new Uri(path, UriKind.Relative));

    /// <summary>Loads the page the form is on, then posts the form with the token the page carried.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string path, IDictionary<string, string> fields, string? formPage = null)
    {
        var page = await (await GetAsync(formPage ?? path)).Content.ReadAsStringAsync();
        var token = TokenField().Match(page);
        if (!token.Success)
        {
            throw new InvalidOperationException($"{formPage ?? path} has no antiforgery token");
        }

        return await PostWithoutTokenAsync(path, new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value) });
    }

    /// <summary>Posts a multipart form (files as the browser sends them) with the token of the page it is on.</summary>
    public async Task<HttpResponseMessage> PostMultipartAsync(string path, IDictionary<string, string> fields, IReadOnlyList<(string Field, string FileName, byte[] Content)> files, string formPage)
    {
        var page = await (await GetAsync(formPage)).Content.ReadAsStringAsync();
        var token = TokenField().Match(page);
        if (!token.Success)
        {
            throw new InvalidOperationException($"{formPage} has no antiforgery token");
        }

        using var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            content.Add(new StringContent(value), name);
        }

        content.Add(new StringContent(WebUtility.HtmlDecode(token.Groups[1].Value)), "__RequestVerificationToken");
        foreach (var (field, fileName, bytes) in files)
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(fileName.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? "image/png" : "image/jpeg");
            content.Add(file, field, fileName);
        }

        return await _http.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    public async Task<HttpResponseMessage> PostWithoutTokenAsync(string path, IDictionary<string, string> fields)
    {
        using var content = new FormUrlEncodedContent(fields);
        return await _http.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    public async Task<HttpStatusCode> SignInAsync(string user, string password) =>
        (await PostFormAsync("/signin", new Dictionary<string, string> { ["UserName"] = user, ["Password"] = password })).StatusCode;

    /// <summary>As a supervisor on the Users page: issues an API token for <paramref name="user"/>; the response, and the token it showed.</summary>
    public async Task<(HttpResponseMessage Response, string Token)> IssueApiTokenAsync(string user)
    {
        var issued = await PostFormAsync("/users?handler=Token", new Dictionary<string, string> { ["UserName"] = user }, formPage: "/users");
        return (issued, IssuedToken().Match(await issued.Content.ReadAsStringAsync()).Groups[1].Value);
    }

    /// <summary>An integrator's client of the console's API: the bearer token and nothing else (no cookies).</summary>
    public static HttpClient Api(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("<code id=\"issued-token\">([^<]+)</code>")]
    private static partial Regex IssuedToken();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
