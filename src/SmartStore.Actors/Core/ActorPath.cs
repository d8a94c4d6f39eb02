namespace SmartStore.Actors;

/// <summary>
/// Where an actor lives in its system's tree, for logs and diagnostics (for example
/// <c>/user/store/gate-1</c>). Paths are not addresses: messages travel by <see cref="ActorRef{T}"/>.
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    private string? _text;

    private ActorPath(ActorPath? parent, string name)
    {
        Parent = parent;
        Name = name;
    }

    public ActorPath? Parent { get; }

    public string Name { get; }

    public static ActorPath Root { get; } = new(null, string.Empty);

    public ActorPath Child(string name)
    {
        ActorNames.Validate(name);
        return new ActorPath(this, name);
    }

    internal static ActorPath Internal(ActorPath parent, string name) => new(parent, name);

    public override string ToString() => _text ??= Parent is null ? "/" : Parent.Parent is null ? "/" + Name : Parent + "/" + Name;

    public bool Equals(ActorPath? other) => other is not null && string.Equals(ToString(), other.ToString(), StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is ActorPath other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());
}

/// <summary>Rules for actor names: they appear in paths and logs, so they stay printable and slash-free.</summary>
public static class ActorNames
{
    // Characters an entity id may keep as they are; '~' starts an escape, so only escaped names contain it.
    private static readonly System.Buffers.SearchValues<char> Plain =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:@+=");

    public static void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw new InvalidActorNameException(name, "an actor name must not be empty");
        }

        if (name[0] == '$')
        {
            throw new InvalidActorNameException(name, "names starting with '$' are reserved for the kernel");
        }

        foreach (char c in name)
        {
            if (!Plain.Contains(c) && c != '~')
            {
                throw new InvalidActorNameException(name, $"character '{c}' is not allowed (letters, digits and - _ . : @ + = ~ are)");
            }
        }
    }

    /// <summary>Reverses <see cref="Escape"/>.</summary>
    public static string Unescape(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!name.Contains('~', StringComparison.Ordinal))
        {
            return name;
        }

        if (name == "~")
        {
            return string.Empty;
        }

        var builder = new System.Text.StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '~' && i + 4 < name.Length)
            {
                builder.Append((char)int.Parse(name.AsSpan(i + 1, 4), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
                i += 4;
            }
            else
            {
                builder.Append(name[i]);
            }
        }

        return builder.ToString();
    }

    /// <summary>Turns any entity id into a valid, collision-free child name.</summary>
    public static string Escape(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length == 0)
        {
            return "~";
        }

        // A region escapes the id of every message it routes: the common, plain case must not allocate.
        if (id[0] != '$' && !id.AsSpan().ContainsAnyExcept(Plain))
        {
            return id;
        }

        var builder = new System.Text.StringBuilder(id.Length + 8);
        foreach (char c in id)
        {
            if (Plain.Contains(c))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('~').Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
