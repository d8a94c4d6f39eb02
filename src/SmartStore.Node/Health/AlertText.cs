using System.Globalization;
using SmartStore.Domain.Fusion;

namespace SmartStore.Node.Health;

/// <summary>
/// How an alert reads for a person: when, in the store's local time, what kind, what happened. Alerts carry Unix
/// milliseconds (device or node time); a layout names no time zone, so the store's is the node's own zone
/// (<see cref="TimeProvider.LocalTimeZone"/>: the machine's, or TZ), and the offset is printed with it.
/// </summary>
public static class AlertText
{
    public static string Format(FloorAlert alert, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return $"{LocalTime(alert.TimeMs, zone)} {alert.Kind}: {alert.Detail}";
    }

    public static string LocalTime(long unixMs, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(unixMs), zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    /// <summary>How long a condition has lasted, as an alert's detail states it ("for 30 s"): a raw timestamp in the detail would read as a number to nobody.</summary>
    public static string Duration(long milliseconds) =>
        milliseconds < 120_000
            ? string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000.0:0.#} s")
            : string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 60_000.0:0.#} min");
}
