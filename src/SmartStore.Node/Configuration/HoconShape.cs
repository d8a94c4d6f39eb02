namespace SmartStore.Node.Configuration;

/// <summary>
/// Akka's HOCON parser is lenient: an unclosed brace or an unterminated string is read as far as it makes
/// sense and the rest is dropped without a word. A node must not run on half a file, so before parsing, the
/// braces, brackets and strings are checked for balance and an imbalance is reported with its line.
/// </summary>
internal static class HoconShape
{
    public static void Check(string text, string file)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\n':
                    line++;
                    break;
                case '#':
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    while (i + 1 < text.Length && text[i + 1] != '\n')
                    {
                        i++;
                    }

                    break;
                case '"':
                    var start = line;
                    var triple = i + 2 < text.Length && text[i + 1] == '"' && text[i + 2] == '"';
                    i += triple ? 3 : 1;
                    while (i < text.Length && !(triple ? i + 2 < text.Length && text[i] == '"' && text[i + 1] == '"' && text[i + 2] == '"' : text[i] == '"' || text[i] == '\n'))
                    {
                        if (text[i] == '\\' && !triple)
                        {
                            i++;
                        }
                        else if (text[i] == '\n')
                        {
                            line++;
                        }

                        i++;
                    }

                    if (i >= text.Length || (!triple && text[i] == '\n'))
                    {
                        throw new ConfigurationException(file, $"line {start}: a string is never closed");
                    }

                    i += triple ? 2 : 0;
                    break;
                case '{' or '[':
                    open.Push((c, line));
                    break;
                case '}' or ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0 || open.Peek().Bracket != expected)
                    {
                        throw new ConfigurationException(file, $"line {line}: '{c}' closes nothing");
                    }

                    open.Pop();
                    break;
            }
        }

        if (open.Count > 0)
        {
            var (bracket, at) = open.Peek();
            throw new ConfigurationException(file, $"line {at}: '{bracket}' is never closed");
        }
    }
}
