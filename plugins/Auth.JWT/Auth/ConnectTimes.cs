using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;

namespace Nats.AuthJwt.Auth;

/// <summary>
/// nats-server's <c>validateTimes</c>: whether <c>now</c> falls in one of the user's daily
/// <c>times</c> windows (in <c>times_location</c>, else the server's zone; a window whose start
/// is after its end crosses midnight), and for how long: the longest time left among the
/// matching windows, after which the connection is closed.
/// </summary>
public static class ConnectTimes
{
    /// <summary>(true, zero) when no windows are set; (false, zero) outside every window.</summary>
    public static (bool Allowed, TimeSpan ValidFor) Check(UserPermissionLimits limits, DateTimeOffset now)
    {
        if (limits.Times is not { Count: > 0 } ranges)
        {
            return (true, TimeSpan.Zero);
        }
        var zone = TimeZoneInfo.Local;
        if (!string.IsNullOrEmpty(limits.Locale) && !TimeZones.TryFind(limits.Locale, out zone, out _))
        {
            return (false, TimeSpan.Zero);
        }
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var ok = false;
        var validFor = TimeSpan.Zero;
        foreach (var range in ranges)
        {
            if (!ClockTime.TryParse(range.Start ?? "", out var startClock) || !ClockTime.TryParse(range.End ?? "", out var endClock))
            {
                return (false, TimeSpan.Zero);
            }
            var start = At(local, startClock, zone);
            var end = At(local, endClock, zone);
            var (inRange, left) = InRange(start, end, now);
            if (inRange && (!ok || left > validFor))
            {
                ok = true;
                validFor = left;
            }
        }
        return (ok, validFor);
    }

    private static DateTimeOffset At(DateTimeOffset localNow, TimeSpan clock, TimeZoneInfo zone)
    {
        var wall = new DateTime(localNow.Year, localNow.Month, localNow.Day, clock.Hours, clock.Minutes, clock.Seconds, DateTimeKind.Unspecified);
        return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }

    private static (bool, TimeSpan) InRange(DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
    {
        if (start < now && end > now)
        {
            return (true, end - now);
        }
        if (start > end)
        {
            if (end > now)
            {
                return (true, end - now); // after midnight, e.g. 22:00-06:00 at 05:00
            }
            var tomorrow = end.AddDays(1);
            if (start < now && tomorrow > now)
            {
                return (true, tomorrow - now); // before midnight, e.g. 22:00-06:00 at 23:30
            }
        }
        return (false, TimeSpan.Zero);
    }
}
