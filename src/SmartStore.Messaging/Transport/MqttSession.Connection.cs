using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace SmartStore.Messaging.Transport;

/// <summary>Connecting, subscribing, reconnecting with back-off, and closing.</summary>
public sealed partial class MqttSession
{
    private string Broker => $"{_options.Host}:{_options.Port}";

    private static MqttClientOptions BuildClientOptions(MqttSessionOptions options, CorkableStreamProvider streams)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithStreamProvider(streams)
            .WithClientId(options.ClientId)
            .WithKeepAlivePeriod(options.KeepAlive)
            .WithTimeout(PacketTimeout);
        if (options.ProtocolVersion == 5)
        {
            // The session expiry travels with every CONNECT: a reconnect without it would end the session at the next drop.
            builder = builder.WithProtocolVersion(MqttProtocolVersion.V500)
                .WithCleanStart(options.CleanSession)
                .WithSessionExpiryInterval(options.CleanSession ? 0u : (uint)Math.Min(uint.MaxValue, options.SessionExpiry.TotalSeconds))
                .WithReceiveMaximum((ushort)Math.Min(options.ReceiveMaximum, options.InboxCapacity));
        }
        else
        {
            builder = builder.WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(options.CleanSession);
        }

        if (options.Username is not null)
        {
            builder = builder.WithCredentials(options.Username, options.Password);
        }

        if (options.TlsCaFile is not null)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(options.TlsCaFile);
            builder = builder.WithTlsOptions(tls =>
            {
                tls.UseTls().WithTrustChain(authorities).WithTargetHost(options.Host);
                if (options.TlsCertFile is not null && options.TlsKeyFile is not null)
                {
                    // Linux's TLS wants the key in a store it can use: a PEM-loaded key is ephemeral, a PKCS#12 round trip is not.
                    using var pem = X509Certificate2.CreateFromPemFile(options.TlsCertFile, options.TlsKeyFile);
                    tls.WithClientCertificates([X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)]);
                }
            });
        }

        return builder.Build();
    }

    /// <summary>One attempt: the connection, then every subscription answered, within the connect timeout.</summary>
    private async Task ConnectOnceAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closingSource.Token);
        limit.CancelAfter(_options.ConnectTimeout);
        await _link.WaitAsync(limit.Token);
        try
        {
            MqttClientConnectResult result;
            // A new connection number before the broker can send anything on it: a message pushed right after the
            // CONNACK must carry this connection's number, or its acknowledgement would be skipped as stale.
            Interlocked.Increment(ref _connection);
            try
            {
                result = await _client.ConnectAsync(_clientOptions, limit.Token);
            }
            catch (Exception error) when (error is MqttCommunicationException or SocketException or IOException or System.Security.Authentication.AuthenticationException)
            {
                throw Failed($"MQTT broker {Broker} could not be reached by client '{_options.ClientId}': {Innermost(error).Message}", error);
            }

            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw Failed($"the broker {Broker} refused client '{_options.ClientId}': {Refusal(result.ResultCode)}{(string.IsNullOrEmpty(result.ReasonString) ? string.Empty : $" ({result.ReasonString})")}");
            }

            string[] subscriptions;
            lock (_gate)
            {
                subscriptions = [.. _subscriptions];
            }

            // One SUBSCRIBE per filter, each answered before the next, as a broker's log shows them.
            foreach (var pattern in subscriptions)
            {
                await SubscribeOnAsync(pattern, limit.Token);
            }

            Interlocked.Increment(ref _connects);
            _isConnected = true;
            lock (_gate)
            {
                _online.TrySetResult();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_closingSource.IsCancellationRequested)
        {
            throw Failed($"MQTT broker {Broker} did not answer client '{_options.ClientId}' within {_options.ConnectTimeout.TotalSeconds:0.#} s");
        }
        finally
        {
            _link.Release();
        }

        ConnectionChanged?.Invoke(true);
    }

    private async Task SubscribeOnAsync(string pattern, CancellationToken cancellationToken)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder().WithTopicFilter(pattern, MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var answer = await _client.SubscribeAsync(subscribe, cancellationToken);
        foreach (var item in answer.Items)
        {
            if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
            {
                throw Failed($"the broker {Broker} refused a subscription of client '{_options.ClientId}' to '{pattern}': {item.ResultCode}");
            }
        }
    }

    private async Task SubscribeLateAsync(string pattern)
    {
        try
        {
            await SubscribeOnAsync(pattern, _closingSource.Token);
        }
#pragma warning disable CA1031 // Nobody awaits this: the reason goes to the health page, and the next reconnect subscribes again.
        catch (Exception error)
#pragma warning restore CA1031
        {
            _lastError = $"subscribe '{pattern}': {error.Message}";
        }
    }

    private Task LostAsync(MqttClientDisconnectedEventArgs lost)
    {
        // MQTTnet raises this for failed attempts too, on the thread pool: one that comes after a newer connection is
        // up would mark the live connection lost for good (nothing acknowledged, commands queued for ever).
        if (!lost.ClientWasConnected || _client.IsConnected)
        {
            return Task.CompletedTask;
        }

        Interlocked.Increment(ref _connection);
        lock (_gate)
        {
            if (_online.Task.IsCompleted)
            {
                _online = NewSignal();
            }
        }

        var was = _isConnected;
        _isConnected = false;
        if (lost.Exception is not null || lost.Reason != MqttClientDisconnectReason.NormalDisconnection)
        {
            _lastError = $"connection lost: {lost.Reason}{(lost.Exception is null ? string.Empty : $" ({Innermost(lost.Exception).Message})")}";
        }

        // Messages waiting for "everything handled" may wait for a connection that is gone: let them re-check.
        _progress.Fire();
        _lost.Fire();
        if (was)
        {
            ConnectionChanged?.Invoke(false);
        }

        return Task.CompletedTask;
    }

    /// <summary>Keeps the connection: after a loss, tries again after a delay that doubles up to its maximum.</summary>
    private async Task ReconnectLoopAsync()
    {
        var closing = _closingSource.Token;
        var delay = _options.ReconnectDelay;
        while (!closing.IsCancellationRequested)
        {
            var lost = _lost.Next;
            if (_client.IsConnected)
            {
                delay = _options.ReconnectDelay;
                try
                {
                    await lost.WaitAsync(closing);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            try
            {
                await Task.Delay(delay, closing);
                await ConnectOnceAsync(closing);
            }
            catch (OperationCanceledException) when (closing.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Whatever failed, the loop tries again; the reason is kept for the health page.
            catch (Exception error)
#pragma warning restore CA1031
            {
                _lastError = error.Message;
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectDelayMax.Ticks));
            }
        }
    }

    private async ValueTask CloseAsync(bool graceful)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            await _closed.Task;
            return;
        }

        try
        {
            if (graceful && _isConnected)
            {
                _draining = true;
                await DrainAsync();
                _draining = false;
            }

            await _closingSource.CancelAsync();
            _progress.Fire();
            if (graceful && _client.IsConnected)
            {
                try
                {
                    using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    if (_streams.Current is { } stream)
                    {
                        await stream.WriteThrough().WaitAsync(limit.Token);
                    }

                    await _client.DisconnectAsync(new MqttClientDisconnectOptions(), limit.Token);
                }
#pragma warning disable CA1031 // A goodbye that fails changes nothing: the socket closes below either way.
                catch (Exception error)
#pragma warning restore CA1031
                {
                    _lastError = $"disconnect: {error.Message}";
                }
            }

            // Disposing closes the socket without a DISCONNECT when none was sent: to the broker, a crash.
            _client.Dispose();
            await _reconnecting;
            await _acknowledging;
        }
        finally
        {
            _isConnected = false;
            _inbox.Writer.TryComplete();
            _link.Dispose();
            _closingSource.Dispose();
            _closed.TrySetResult();
        }
    }

    /// <summary>Waits until what was taken in is handled and acknowledged and what was published is answered, or the drain timeout.</summary>
    private async Task DrainAsync()
    {
        using var limit = new CancellationTokenSource(_options.DrainTimeout);
        while (!limit.IsCancellationRequested && _client.IsConnected)
        {
            var progress = _progress.Next;
            bool settled;
            lock (_gate)
            {
                settled = _unhandled == 0 && _tickets.Count == 0 && Volatile.Read(ref _publishing) == 0;
            }

            if (settled)
            {
                return;
            }

            // Publishes do not pulse: look again every few milliseconds as well.
            await Task.WhenAny(progress, Task.Delay(10, limit.Token)).ConfigureAwait(false);
        }
    }

    private MqttException Failed(string reason, Exception? inner = null)
    {
        _lastError = reason;
        return new MqttException(reason, inner);
    }

    private static Exception Innermost(Exception error) => error.InnerException is { } inner ? Innermost(inner) : error;

    private static string Refusal(MqttClientConnectResultCode code) => code switch
    {
        MqttClientConnectResultCode.BadUserNameOrPassword => "bad user name or password (not authorised)",
        MqttClientConnectResultCode.NotAuthorized => "not authorised",
        MqttClientConnectResultCode.ClientIdentifierNotValid => "the client id is not valid",
        MqttClientConnectResultCode.ServerUnavailable => "the server is unavailable",
        MqttClientConnectResultCode.UnsupportedProtocolVersion => "the protocol version is not supported",
        _ => code.ToString(),
    };
}
