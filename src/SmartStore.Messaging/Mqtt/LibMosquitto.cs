using System.Runtime.InteropServices;

namespace SmartStore.Messaging.Mqtt;

/// <summary>The received message as libmosquitto lays it out (<c>struct mosquitto_message</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeMessage
{
    public int Mid;
    public nint Topic;
    public nint Payload;
    public int PayloadLength;
    public int Qos;
    [MarshalAs(UnmanagedType.U1)]
    public bool Retain;
}

/// <summary>
/// The libmosquitto 2.0 entry points the client needs (Debian's <c>libmosquitto1</c>), bound with
/// <see cref="LibraryImportAttribute"/>. Callbacks are unmanaged function pointers to static methods; the
/// client's identity travels in libmosquitto's user-data pointer as a GC handle.
/// </summary>
/// <remarks>
/// The client drives the connection itself (<c>mosquitto_threaded_set</c> plus <c>loop_read</c>,
/// <c>loop_write</c> and <c>loop_misc</c>) rather than through <c>mosquitto_loop_start</c>: in that mode
/// libmosquitto only queues outgoing packets, PUBACKs included, and writes them when told to. That is what lets
/// the client acknowledge a message only once the node has stored it (libmosquitto 2.0 has no manual ack).
/// </remarks>
internal static unsafe partial class LibMosquitto
{
    private const string Library = "libmosquitto.so.1";

    public const int Success = 0;
    public const int ErrorNoConnection = 4;
    public const int OptionProtocolVersion = 1;
    public const int OptionReceiveMaximum = 4;
    public const int OptionTcpNoDelay = 11;
    public const int ProtocolV311 = 4;
    public const int ProtocolV5 = 5;
    public const int PropertySessionExpiryInterval = 17;

    [LibraryImport(Library, EntryPoint = "mosquitto_lib_init")]
    public static partial int LibInit();

    [LibraryImport(Library, EntryPoint = "mosquitto_lib_version")]
    public static partial int LibVersion(out int major, out int minor, out int revision);

    [LibraryImport(Library, EntryPoint = "mosquitto_new", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint New(string? id, [MarshalAs(UnmanagedType.U1)] bool cleanSession, nint userData);

    [LibraryImport(Library, EntryPoint = "mosquitto_destroy")]
    public static partial void Destroy(nint mosq);

    [LibraryImport(Library, EntryPoint = "mosquitto_threaded_set")]
    public static partial int ThreadedSet(nint mosq, [MarshalAs(UnmanagedType.U1)] bool threaded);

    [LibraryImport(Library, EntryPoint = "mosquitto_int_option")]
    public static partial int IntOption(nint mosq, int option, int value);

    [LibraryImport(Library, EntryPoint = "mosquitto_username_pw_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UsernamePasswordSet(nint mosq, string? username, string? password);

    [LibraryImport(Library, EntryPoint = "mosquitto_tls_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TlsSet(nint mosq, string? caFile, string? caPath, string? certFile, string? keyFile, nint passwordCallback);

    [LibraryImport(Library, EntryPoint = "mosquitto_property_add_int32")]
    public static partial int PropertyAddInt32(ref nint properties, int identifier, uint value);

    [LibraryImport(Library, EntryPoint = "mosquitto_property_free_all")]
    public static partial void PropertyFreeAll(ref nint properties);

    [LibraryImport(Library, EntryPoint = "mosquitto_connect_bind_v5", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConnectV5(nint mosq, string host, int port, int keepAlive, string? bindAddress, nint properties);

    [LibraryImport(Library, EntryPoint = "mosquitto_connect", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Connect(nint mosq, string host, int port, int keepAlive);

    [LibraryImport(Library, EntryPoint = "mosquitto_disconnect")]
    public static partial int Disconnect(nint mosq);

    [LibraryImport(Library, EntryPoint = "mosquitto_socket")]
    public static partial int Socket(nint mosq);

    /// <summary>Reads what the socket has (one packet, or a few); errno says EAGAIN once it ran dry.</summary>
    [LibraryImport(Library, EntryPoint = "mosquitto_loop_read", SetLastError = true)]
    public static partial int LoopRead(nint mosq, int maxPackets);

    [LibraryImport(Library, EntryPoint = "mosquitto_loop_write")]
    public static partial int LoopWrite(nint mosq, int maxPackets);

    [LibraryImport(Library, EntryPoint = "mosquitto_loop_misc")]
    public static partial int LoopMisc(nint mosq);

    [LibraryImport(Library, EntryPoint = "mosquitto_want_write")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool WantWrite(nint mosq);

    [LibraryImport(Library, EntryPoint = "mosquitto_subscribe", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Subscribe(nint mosq, out int mid, string pattern, int qos);

    [LibraryImport(Library, EntryPoint = "mosquitto_publish", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Publish(nint mosq, out int mid, string topic, int payloadLength, byte* payload, int qos, [MarshalAs(UnmanagedType.U1)] bool retain);

    [LibraryImport(Library, EntryPoint = "mosquitto_strerror")]
    public static partial nint StrError(int error);

    [LibraryImport(Library, EntryPoint = "mosquitto_connack_string")]
    public static partial nint ConnackString(int code);

    [LibraryImport(Library, EntryPoint = "mosquitto_reason_string")]
    public static partial nint ReasonString(int code);

    /// <summary>The CONNACK callback with its flags: bit 0 says the broker kept a session (and its subscriptions) for this client.</summary>
    [LibraryImport(Library, EntryPoint = "mosquitto_connect_with_flags_callback_set")]
    public static partial void ConnectWithFlagsCallbackSet(nint mosq, delegate* unmanaged[Cdecl]<nint, nint, int, int, void> callback);

    [LibraryImport(Library, EntryPoint = "mosquitto_subscribe_callback_set")]
    public static partial void SubscribeCallbackSet(nint mosq, delegate* unmanaged[Cdecl]<nint, nint, int, int, int*, void> callback);

    [LibraryImport(Library, EntryPoint = "mosquitto_disconnect_callback_set")]
    public static partial void DisconnectCallbackSet(nint mosq, delegate* unmanaged[Cdecl]<nint, nint, int, void> callback);

    [LibraryImport(Library, EntryPoint = "mosquitto_publish_callback_set")]
    public static partial void PublishCallbackSet(nint mosq, delegate* unmanaged[Cdecl]<nint, nint, int, void> callback);

    [LibraryImport(Library, EntryPoint = "mosquitto_message_callback_set")]
    public static partial void MessageCallbackSet(nint mosq, delegate* unmanaged[Cdecl]<nint, nint, NativeMessage*, void> callback);

    public static string Error(int code) => Marshal.PtrToStringUTF8(StrError(code)) ?? $"error {code}";

    /// <summary>Why the broker refused a connection, in the words of the protocol version in use.</summary>
    public static string Refusal(int code, int protocolVersion) =>
        Marshal.PtrToStringUTF8(protocolVersion == ProtocolV5 ? ReasonString(code) : ConnackString(code)) ?? $"code {code}";
}

/// <summary>The few libc calls the network loop needs: <c>poll</c> over the socket and a wake-up <c>eventfd</c>.</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc.so.6";

    public const int TryAgain = 11;
    public const short PollIn = 0x001;
    public const short PollOut = 0x004;
    public const short PollError = 0x008;
    public const short PollHangUp = 0x010;
    public const int EventFdNonBlocking = 0x800;
    public const int EventFdCloseOnExec = 0x80000;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport(Library, EntryPoint = "read")]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "write")]
    public static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "close")]
    public static partial int Close(int fd);
}
