using System.Reflection;
using System.Text.Json;
using Tomlyn;
using Tomlyn.Parsing;
using Tomlyn.Serialization;
using Tomlyn.Syntax;

namespace Crossboard.Recipes;

/// <summary>Where each key of a file stands, by dotted path ("cpu.arch"); "" is the file itself.</summary>
public sealed class RecipeSource(string file)
{
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.Ordinal);

    public string File { get; } = file;

    internal void Add(string path, SourceSpan span) => _positions.TryAdd(path, (span.Start.Line + 1, span.Start.Column + 1));

    public bool Has(string path) => _positions.ContainsKey(path);

    /// <summary>A diagnostic at <paramref name="path"/>, or at its nearest present parent.</summary>
    public RecipeDiagnostic At(string path, string message)
    {
        for (var p = path; ; p = p.Contains('.') ? p[..p.LastIndexOf('.')] : "")
        {
            if (_positions.TryGetValue(p, out var pos))
            {
                return new RecipeDiagnostic(File, pos.Line, pos.Column, message);
            }

            if (p.Length == 0)
            {
                return new RecipeDiagnostic(File, 1, 1, message);
            }
        }
    }
}

/// <summary>
/// Reads a TOML file into a typed record with Tomlyn, after checking it against the record's shape
/// through Tomlyn's syntax tree: Tomlyn's serializer ignores unknown keys and does not enforce
/// required ones, and a typo in a recipe must not silently become a default.
/// </summary>
public static class TomlRecordReader
{
    private static readonly TomlSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
    };

    /// <remarks>
    /// Tomlyn's reflection-based reader, in the natively compiled host too: HostPublish.props turns
    /// it on there (TomlynIsReflectionEnabledByDefault), and the recipe records live in the host's
    /// own assembly, which is not trimmed. NativeHostTests reads every recipe with that host.
    /// </remarks>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The recipe records are in the host's untrimmed assembly (see remarks).")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Tomlyn's reflection reader is enabled for the native host and proven there by a test (see remarks).")]
    public static T? Read<T>(string path, List<RecipeDiagnostic> diagnostics, out RecipeSource source)
        where T : class
    {
        source = new RecipeSource(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            diagnostics.Add(new RecipeDiagnostic(path, 1, 1, $"cannot read the file: {ex.Message}"));
            return null;
        }

        var document = SyntaxParser.Parse(text, path, validate: true);
        if (document.HasErrors)
        {
            foreach (var message in document.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error))
            {
                diagnostics.Add(new RecipeDiagnostic(path, message.Span.Start.Line + 1, message.Span.Start.Column + 1, message.Message));
            }

            return null;
        }

        var before = diagnostics.Count;
        new ShapeChecker(source, diagnostics).Check(document, typeof(T));
        if (diagnostics.Count > before)
        {
            return null;
        }

        try
        {
            return TomlSerializer.Deserialize<T>(text, Options with { SourceName = path });
        }
        catch (TomlException ex)
        {
            diagnostics.Add(new RecipeDiagnostic(path, ex.Line ?? 1, ex.Column ?? 1, ex.Message));
            return null;
        }
    }

    /// <summary>The TOML name of a record property: [TomlPropertyName] or kebab-case.</summary>
    internal static string TomlName(PropertyInfo property) =>
        property.GetCustomAttribute<TomlPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.KebabCaseLower.ConvertName(property.Name);

    /// <summary>The properties a TOML file may set on <paramref name="type"/>, by TOML name.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The recipe records are in the host's untrimmed assembly.")]
    internal static Dictionary<string, PropertyInfo> TomlProperties(Type type) => type
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<TomlIgnoreAttribute>() is null)
        .ToDictionary(TomlName, p => p, StringComparer.Ordinal);

    private sealed class ShapeChecker(RecipeSource source, List<RecipeDiagnostic> diagnostics)
    {
        private readonly HashSet<string> _present = new(StringComparer.Ordinal);

        public void Check(DocumentSyntax document, Type rootType)
        {
            source.Add("", document.Span);
            foreach (var keyValue in document.KeyValues)
            {
                CheckKeyValue(rootType, "", keyValue);
            }

            foreach (var table in document.Tables)
            {
                var parts = KeyParts(table.Name);
                var (type, path) = Resolve(rootType, "", parts, table.Span, forTable: true);
                if (type is null)
                {
                    continue;
                }

                if (table is TableArraySyntax)
                {
                    diagnostics.Add(source.At(path, $"[[{path}]] is an array of tables; write it as [{path}]."));
                    continue;
                }

                foreach (var keyValue in table.Items)
                {
                    CheckKeyValue(type, path, keyValue);
                }
            }

            CheckRequired(rootType, "");
        }

        private void CheckKeyValue(Type owner, string ownerPath, KeyValueSyntax keyValue)
        {
            var parts = KeyParts(keyValue.Key);
            var (type, path) = Resolve(owner, ownerPath, parts[..^1], keyValue.Key!.Span, forTable: true);
            if (type is null)
            {
                return;
            }

            var name = parts[^1];
            var properties = TomlProperties(type);
            var fullPath = Join(path, name);
            source.Add(fullPath, keyValue.Key.Span);
            if (!properties.TryGetValue(name, out var property))
            {
                diagnostics.Add(source.At(fullPath, UnknownKey(name, path, properties.Keys)));
                return;
            }

            _present.Add(fullPath);
            CheckValue(property, fullPath, keyValue.Value!);
        }

        private void CheckValue(PropertyInfo property, string path, ValueSyntax value)
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var expected = Describe(type);
            var ok = value switch
            {
                StringValueSyntax => type == typeof(string),
                IntegerValueSyntax i => (type == typeof(int) && i.Value is >= int.MinValue and <= int.MaxValue) || type == typeof(long) || type == typeof(double),
                BooleanValueSyntax => type == typeof(bool),
                FloatValueSyntax => type == typeof(double),
                ArraySyntax array => type == typeof(List<string>) && array.Items.All(item => item.Value is StringValueSyntax),
                InlineTableSyntax => IsTable(type),
                _ => false,
            };

            if (!ok)
            {
                var got = value switch
                {
                    StringValueSyntax => "a string",
                    IntegerValueSyntax i when type == typeof(int) => $"the integer {i.Value}, which is out of range",
                    IntegerValueSyntax => "an integer",
                    BooleanValueSyntax => "a boolean",
                    FloatValueSyntax => "a float",
                    ArraySyntax when type == typeof(List<string>) => "an array with a non-string item",
                    ArraySyntax => "an array",
                    InlineTableSyntax => "a table",
                    _ => "a " + value.Kind.ToString().ToLowerInvariant(),
                };
                diagnostics.Add(source.At(path, $"'{path}' must be {expected}, not {got}."));
                return;
            }

            if (value is InlineTableSyntax inline)
            {
                foreach (var item in inline.Items)
                {
                    CheckKeyValue(type, path, item.KeyValue!);
                }
            }
        }

        /// <summary>Walks table names (or the dotted prefix of a key) down the record types.</summary>
        private (Type? Type, string Path) Resolve(Type type, string path, string[] parts, SourceSpan span, bool forTable)
        {
            foreach (var part in parts)
            {
                var properties = TomlProperties(type);
                var next = Join(path, part);
                source.Add(next, span);
                if (!properties.TryGetValue(part, out var property))
                {
                    diagnostics.Add(source.At(next, UnknownKey(part, path, properties.Keys)));
                    return (null, next);
                }

                var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (!IsTable(propertyType))
                {
                    diagnostics.Add(source.At(next, $"'{next}' is {Describe(propertyType)}, not a table."));
                    return (null, next);
                }

                _present.Add(next);
                type = propertyType;
                path = next;
            }

            return (type, path);
        }

        private void CheckRequired(Type type, string path)
        {
            foreach (var (name, property) in TomlProperties(type))
            {
                var fullPath = Join(path, name);
                var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                var required = property.GetCustomAttribute<TomlRequiredAttribute>() is not null;
                if (!_present.Contains(fullPath))
                {
                    if (required)
                    {
                        var what = IsTable(propertyType) ? $"table [{fullPath}]" : $"key '{name}'" + (path.Length > 0 ? $" in [{path}]" : "");
                        diagnostics.Add(source.At(path, $"missing required {what}; see README, \"Adding a board\"."));
                    }

                    continue;
                }

                if (IsTable(propertyType))
                {
                    CheckRequired(propertyType, fullPath);
                }
            }
        }

        private static string UnknownKey(string name, string table, IEnumerable<string> known)
        {
            var where = table.Length == 0 ? "at the top level" : $"in [{table}]";
            var hint = NameSuggestions.Closest(name, known) is { } match
                ? $" Did you mean '{match}'?"
                : $" Known keys: {string.Join(", ", known)}.";
            return $"unknown key '{name}' {where}.{hint}";
        }

        private static string[] KeyParts(KeySyntax? key)
        {
            if (key is null)
            {
                return [];
            }

            var parts = new List<string> { Name(key.Key) };
            foreach (var dotted in key.DotKeys)
            {
                parts.Add(Name(dotted.Key));
            }

            return parts.ToArray();
        }

        private static string Name(BareKeyOrStringValueSyntax? key) => key switch
        {
            BareKeySyntax bare => bare.Key!.Text!,
            StringValueSyntax quoted => quoted.Value!,
            _ => "",
        };

        private static bool IsTable(Type type) =>
            type.IsClass && type != typeof(string) && !type.IsGenericType;

        private static string Describe(Type type) => type switch
        {
            _ when type == typeof(string) => "a string",
            _ when type == typeof(int) || type == typeof(long) => "an integer",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(double) => "a number",
            _ when type == typeof(List<string>) => "an array of strings",
            _ => "a table",
        };

        private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
    }
}
