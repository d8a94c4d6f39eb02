using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmartStore.WebConsole.Alerts;
using SmartStore.WebConsole.Api;
using SmartStore.WebConsole.Audit;
using SmartStore.WebConsole.Security;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Layouts;
using SmartStore.Node.Health;
using SmartStore.ReadModels;
using SmartStore.WebConsole.Live;

namespace SmartStore.WebConsole;

/// <summary>Where the console listens and how hard it is on sign-in attempts.</summary>
public sealed record ConsoleOptions
{
    /// <summary>Loopback by default: the console is for the store's own network; port 0 takes a free one.</summary>
    public string Url { get; init; } = "http://127.0.0.1:0";

    public int SignInAttemptsPerWindow { get; init; } = 5;

    public TimeSpan SignInWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the live map sends the floor to the browsers watching it.</summary>
    public TimeSpan MapInterval { get; init; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>The authorization policies, by what they allow.</summary>
public static class ConsolePolicies
{
    /// <summary>Any signed-in role: watch the store, read receipts and reviews.</summary>
    public const string Watch = "watch";

    /// <summary>Decide reviews: operators and supervisors.</summary>
    public const string Resolve = "resolve";

    /// <summary>Refunds, erasure, users: supervisors.</summary>
    public const string Supervise = "supervise";

    /// <summary>The audit log: auditors and supervisors.</summary>
    public const string Audit = "audit";
}

/// <summary>
/// The operators' web console: ASP.NET Core Razor Pages over the Marten read models, on Kestrel. Every page
/// needs a signed-in operator unless it says otherwise (the fallback policy); every form carries an antiforgery
/// token (Razor Pages check it on every POST); every response carries the security headers.
/// </summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ConsoleServer(WebApplication app, Uri address, string? setupToken)
    {
        _app = app;
        Address = address;
        SetupToken = setupToken;
    }

    /// <summary>Where the console answers.</summary>
    public Uri Address { get; }

    /// <summary>The one-time setup token printed at start when no supervisor exists (null when one does).</summary>
    public string? SetupToken { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the console; without <paramref name="operations"/> it only reads (review decisions are refused with a reason).</summary>
    public static async Task<ConsoleServer> StartAsync(ConsoleOptions options, IDocumentStore store, IStoreOperations? operations = null, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ConsoleServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(options.Url);
        // The host's own logging only where the caller hands its loggers in: the demo prints what matters itself.
        builder.Logging.ClearProviders();
        if (loggers is not null)
        {
            builder.Services.AddSingleton(loggers);
        }

        // Keys that sign the session cookie live in memory only: none is written to disk unencrypted, and a
        // restarted console signs everyone out (multi-node key storage comes with the cluster, issue 17).
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();

        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(operations ?? new ReadOnlyStore());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OperatorDirectory>();
        builder.Services.AddSingleton<ApiTokens>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<VisitQueries>();
        builder.Services.AddSingleton<ShopperQueries>();
        builder.Services.AddSingleton(new SignInThrottle(options.SignInAttemptsPerWindow, options.SignInWindow));
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.Cookie.Name = "smartstore-console";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = "/signin";
            cookie.AccessDeniedPath = "/denied";
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;

            // A role change takes effect on the next request (the cookie is reissued with the new role), not at
            // the cookie's expiry; an account that is gone is signed out.
            cookie.Events.OnValidatePrincipal = async context =>
            {
                var name = context.Principal?.Identity?.Name;
                var directory = context.HttpContext.RequestServices.GetRequiredService<OperatorDirectory>();
                var account = name is null ? null : await directory.FindAsync(name, context.HttpContext.RequestAborted);
                if (account is null)
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                }
                else if (!context.Principal!.IsInRole(account.Role))
                {
                    context.ReplacePrincipal(OperatorDirectory.PrincipalOf(account));
                    context.ShouldRenew = true;
                }
            };
        }).AddScheme<AuthenticationSchemeOptions, ApiTokenAuthentication>(ApiTokenAuthentication.SchemeName, configureOptions: null);
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(ConsolePolicies.Watch, p => p.RequireRole(OperatorRoles.All))
            .AddPolicy(ConsolePolicies.Resolve, p => p.RequireRole(OperatorRoles.Operator, OperatorRoles.Supervisor))
            .AddPolicy(ConsolePolicies.Supervise, p => p.RequireRole(OperatorRoles.Supervisor))
            .AddPolicy(ConsolePolicies.Audit, p => p.RequireRole(OperatorRoles.Auditor, OperatorRoles.Supervisor));
        builder.Services.AddAntiforgery(a =>
        {
            a.Cookie.Name = "smartstore-console-antiforgery";
            a.Cookie.SameSite = SameSiteMode.Strict;
            a.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddRazorPages().AddApplicationPart(typeof(ConsoleServer).Assembly);
        builder.Services.AddSignalR();
        // A body that is not JSON, or not the request's shape, is answered in problem details like every other refusal.
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "SmartStore console API";
            document.Info.Description = "The console's operations for integrators. Authenticate with 'Authorization: Bearer sst_…', a token a supervisor issues on the users page; it has that user's role.";
            return Task.CompletedTask;
        }));
        builder.Services.AddSingleton(new FloorMapOptions { Interval = options.MapInterval });
        builder.Services.AddSingleton<FloorMapFeed>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FloorMapFeed>());
        builder.Services.AddSingleton<AlertAcknowledgements>();

        var app = builder.Build();
        app.Use(SecurityHeaders.Apply);
        // The API answers in problem details (a bare status, such as 400 for a body that is not JSON, gets one too);
        // pages get the console's status pages.
        app.UseWhen(ConsoleApi.Serves, api => api.UseStatusCodePages());
        app.UseWhen(context => !ConsoleApi.Serves(context), pages => pages.UseStatusCodePagesWithReExecute("/status/{0}"));
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/console.css", () => Results.Text(ConsoleStyle.Css, "text/css")).AllowAnonymous();
        app.MapGet("/lib/signalr.min.js", () => Results.Bytes(ClientScripts.SignalR, "text/javascript")).AllowAnonymous();
        app.MapGet("/map.js", () => Results.Text(ClientScripts.Map, "text/javascript")).AllowAnonymous();
        app.MapHub<FloorMapHub>("/hubs/floor").RequireAuthorization(ConsolePolicies.Watch);
        app.MapRazorPages();
        app.MapOpenApi().AllowAnonymous();
        app.MapConsoleApi();

        var setupToken = await app.Services.GetRequiredService<OperatorDirectory>().PrepareSetupAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        if (setupToken is not null)
        {
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SmartStore.WebConsole").LogWarning(
                "No supervisor yet: open {Address}setup and use the one-time setup token {Token}", address, setupToken);
        }

        return new ConsoleServer(app, address, setupToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A console started without a store: it says so instead of deciding anything.</summary>
    private sealed class ReadOnlyStore : IStoreOperations
    {
        private const string NotConnected = "this console is not connected to a store: it can only read";

        public StoreLayout? Layout => null;

        public Task<string?> ResolveReviewAsync(string visitId, string operatorId, IReadOnlyDictionary<string, int>? correctedUnits, string note, CancellationToken cancellationToken) =>
            Task.FromResult<string?>(NotConnected);

        public Task<string?> RefundAsync(string visitId, string sku, int units, string reason, string operatorId, CancellationToken cancellationToken) =>
            Task.FromResult<string?>(NotConnected);

        public Task<string?> DecideDisputeAsync(string visitId, string disputeId, bool approve, string operatorId, string note, CancellationToken cancellationToken) =>
            Task.FromResult<string?>(NotConnected);

        public Task<ShopperView?> FindShopperAsync(string shopperId, CancellationToken cancellationToken) => Task.FromResult<ShopperView?>(null);

        public Task<EnrolmentOutcome> EnrolShopperAsync(string shopperId, string name, string paymentToken, IReadOnlyList<ReadOnlyMemory<byte>> photos, DateTimeOffset consentedAt, CancellationToken cancellationToken) =>
            Task.FromResult(new EnrolmentOutcome(null, [NotConnected]));

        public Task<EnrolmentOutcome> EnrolWithFaceReferenceAsync(string shopperId, string name, string paymentToken, string faceReference, DateTimeOffset consentedAt, CancellationToken cancellationToken) =>
            Task.FromResult(new EnrolmentOutcome(null, [NotConnected]));

        public Task<EnrolmentOutcome> EnrolFaceAsync(string shopperId, IReadOnlyList<ReadOnlyMemory<byte>> photos, DateTimeOffset consentedAt, CancellationToken cancellationToken) =>
            Task.FromResult(new EnrolmentOutcome(null, [NotConnected]));

        public Task<string?> ChangePaymentMethodAsync(string shopperId, string paymentToken, CancellationToken cancellationToken) => Task.FromResult<string?>(NotConnected);

        public Task<string?> EraseShopperAsync(string shopperId, CancellationToken cancellationToken) => Task.FromResult<string?>(NotConnected);

        public Task<FloorView?> FloorAsync(CancellationToken cancellationToken) => Task.FromResult<FloorView?>(null);

        public HealthSummary? Health() => null;
    }
}
