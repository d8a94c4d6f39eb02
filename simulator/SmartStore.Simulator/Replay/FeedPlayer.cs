using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using SmartStore.Messaging.Transport;
using SmartStore.Simulator.Feeds;

namespace SmartStore.Simulator.Replay;

/// <summary>What <c>sim play</c> needs: the feed, its shoppers, the broker and the running store's console API.</summary>
internal sealed record PlayOptions(string FeedPath, string TruthPath, string Broker, Uri Console, string ApiToken, double Speed);

/// <summary>What a play did.</summary>
internal sealed record PlayOutcome(string StoreId, int ShoppersEnrolled, int ShoppersAlreadyEnrolled, long Published, long Skipped, long DeviceStartMs, string RunTag);

/// <summary>Why a play could not go on: <see cref="BadInput"/> is the user's to fix (exit 2), otherwise the store or broker failed (exit 1).</summary>
internal sealed class PlayException(string message, bool badInput) : Exception(message)
{
    public bool BadInput { get; } = badInput;
}

/// <summary>
/// Plays a recorded or generated feed into a store that is already running (<c>smartstore-node run</c> with its
/// console): the feed's shoppers are enrolled through the console's API, then the devices' messages are published
/// to the store's broker at the chosen speed. Each payload is rewritten so the store takes the feed as new traffic:
/// device times start after the store's event time (now, or later if the store's clock is already ahead), sequence
/// numbers continue above anything a device could have sent before, and person tracks get this play's tag so they
/// never meet a track of an earlier play.
/// </summary>
internal static class FeedPlayer
{
    /// <summary>Sequence numbers per play start: a play's devices number from (start ms × this), above every earlier play's.</summary>
    private const long SequenceSpan = 1_000;

    public static async Task<PlayOutcome> PlayAsync(PlayOptions options, Action<string>? say, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<FeedProblem>();
        FeedHeader header;
        List<FeedMessage> messages;
        GroundTruth truth;
        try
        {
            (header, messages) = await FeedFile.ReadAsync(options.FeedPath, BadLinePolicy.Reject, problems, cancellationToken);
            truth = await GroundTruth.ReadAsync(options.TruthPath, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or InvalidFeedException or JsonException or UnauthorizedAccessException)
        {
            throw new PlayException(exception.Message, badInput: true);
        }

        using var api = new HttpClient { BaseAddress = options.Console, Timeout = TimeSpan.FromSeconds(30) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiToken);
        var store = await GetStoreAsync(api, cancellationToken);
        if (store.StoreId != header.Store)
        {
            throw new PlayException($"the feed is for store '{header.Store}' but the console at {options.Console} serves '{store.StoreId}': start the store with the feed's layout ({header.Layout})", badInput: true);
        }

        var (enrolled, already) = await EnrolShoppersAsync(api, truth.Shoppers, cancellationToken);
        say?.Invoke($"shoppers: {enrolled} enrolled through the console's API, {already} already enrolled");

        if (!MqttReplay.TryParseBroker(options.Broker, out var host, out var port))
        {
            throw new PlayException($"--broker must be host:port, got '{options.Broker}'", badInput: true);
        }

        var startMs = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), (store.WatermarkMs ?? 0) + 1_000);
        var tag = startMs.ToString("x", CultureInfo.InvariantCulture);
        var rebase = new PayloadRebase(startMs - header.StartMs, startMs * SequenceSpan, $"~{tag}");
        await using var devices = new MqttSession(new MqttSessionOptions { Host = host, Port = port, ClientId = $"smartstore-play-{tag}", CleanSession = true });
        try
        {
            await devices.ConnectAsync(cancellationToken);
        }
        catch (MqttException exception)
        {
            throw new PlayException($"cannot reach the broker: {exception.Message}", badInput: false);
        }

        say?.Invoke($"playing {messages.Count:N0} device messages of {header.Scenario} (seed {header.Seed}) into {store.StoreId} on {host}:{port}, device time from {DateTimeOffset.FromUnixTimeMilliseconds(startMs).ToLocalTime():HH:mm:ss}");
        var clock = Stopwatch.StartNew();
        var pending = new Queue<Task>();
        long published = 0, skipped = 0;
        foreach (var message in messages)
        {
            await ReplayRunner.PaceAsync(message.At, options.Speed, clock, cancellationToken);
            if (rebase.Apply(message.Payload) is not { } payload)
            {
                // Not a JSON device message (a gate camera's binary frame): its header cannot be rebased here.
                skipped++;
                continue;
            }

            if (pending.Count >= 1_000)
            {
                await pending.Dequeue();
            }

            pending.Enqueue(devices.PublishAsync(message.Topic, payload));
            if ((++published & 1023) == 0)
            {
                progress?.Invoke(published + skipped, messages.Count);
            }
        }

        await Task.WhenAll(pending);
        progress?.Invoke(messages.Count, messages.Count);
        return new PlayOutcome(store.StoreId, enrolled, already, published, skipped, startMs, tag);
    }

    private static async Task<StoreAnswer> GetStoreAsync(HttpClient api, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await api.GetAsync(new Uri("/api/v1/store", UriKind.Relative), cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new PlayException($"cannot reach the store's console at {api.BaseAddress}: {exception.Message} (start it with `smartstore-node run --console URL --read-models …`)", badInput: false);
        }

        using (response)
        {
            await RefuseUnlessAsync(response, HttpStatusCode.OK, "asking which store the console serves", cancellationToken);
            return await response.Content.ReadFromJsonAsync<StoreAnswer>(cancellationToken) ?? throw new PlayException("the console answered /api/v1/store with nothing", badInput: false);
        }
    }

    private static async Task<(int Enrolled, int Already)> EnrolShoppersAsync(HttpClient api, IReadOnlyList<TruthShopper> shoppers, CancellationToken cancellationToken)
    {
        int enrolled = 0, already = 0;
        foreach (var shopper in shoppers)
        {
            using (var existing = await api.GetAsync(new Uri($"/api/v1/shoppers/{Uri.EscapeDataString(shopper.Id)}", UriKind.Relative), cancellationToken))
            {
                if (existing.StatusCode == HttpStatusCode.OK)
                {
                    already++;
                    continue;
                }

                if (existing.StatusCode != HttpStatusCode.NotFound)
                {
                    await RefuseUnlessAsync(existing, HttpStatusCode.OK, $"looking up shopper {shopper.Id}", cancellationToken);
                }
            }

            var request = new { shopperId = shopper.Id, name = shopper.Name, paymentToken = shopper.Token, faceReference = shopper.FaceRef, consent = true };
            using var created = await api.PostAsJsonAsync(new Uri("/api/v1/shoppers", UriKind.Relative), request, cancellationToken);
            await RefuseUnlessAsync(created, HttpStatusCode.Created, $"enrolling shopper {shopper.Id}", cancellationToken);
            enrolled++;
        }

        return (enrolled, already);
    }

    private static async Task RefuseUnlessAsync(HttpResponseMessage response, HttpStatusCode expected, string doing, CancellationToken cancellationToken)
    {
        if (response.StatusCode == expected)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var detail = body.Length > 300 ? body[..300] : body;
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new PlayException($"the console refused the API token while {doing}: a supervisor issues tokens on the console's Users page", badInput: true),
            HttpStatusCode.Forbidden => new PlayException($"the API token's user may not do this ({doing}): it needs an operator's or a supervisor's token", badInput: true),
            _ => new PlayException($"the console answered {(int)response.StatusCode} {response.StatusCode} while {doing}: {detail}", badInput: false),
        };
    }

    private sealed record StoreAnswer(string StoreId, string Name, string Currency, long? WatermarkMs);
}

/// <summary>
/// Rewrites one device payload for a play: device time shifted by <paramref name="TimeShiftMs"/>, sequence number
/// raised by <paramref name="SequenceBase"/>, and every person track given <paramref name="TrackTag"/>. Null for a
/// payload that is not a JSON object (binary gate frames).
/// </summary>
internal sealed record PayloadRebase(long TimeShiftMs, long SequenceBase, string TrackTag)
{
    public byte[]? Apply(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Length == 0 || payload[0] != (byte)'{')
        {
            return null;
        }

        JsonObject message;
        try
        {
            message = JsonNode.Parse(payload) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            // A deliberately malformed message in the feed (the noisy network): sent as it is, for the store to refuse.
            return payload;
        }

        if (message["ts"] is JsonValue ts && ts.TryGetValue<long>(out var time))
        {
            message["ts"] = time + TimeShiftMs;
        }

        if (message["seq"] is JsonValue seq && seq.TryGetValue<long>(out var sequence))
        {
            message["seq"] = sequence + SequenceBase;
        }

        if (message["track"] is JsonValue track && track.TryGetValue<string>(out var id))
        {
            message["track"] = id + TrackTag;
        }

        return JsonSerializer.SerializeToUtf8Bytes(message);
    }
}
