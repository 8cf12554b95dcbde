using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Nats.Core.Monitoring;
using NUnit.Framework;

namespace Nats.TestSupport;

/// <summary>
/// Checks that a source-generated JSON context writes a monitoring type exactly as reflection
/// does under <see cref="MonitoringJson"/>'s options: same field names, order and omissions. Each
/// type is filled with a non-default value in every settable member (one element in every list
/// and dictionary, nested objects filled too), so a field that either side would leave out or
/// reorder shows. The context alone describes the types (no reflection fallback), so a type it
/// lacks fails the check instead of passing silently.
/// </summary>
public static class SourceGeneratedJsonCheck
{
    private const int MaxDepth = 5;

    /// <summary>Asserts that <paramref name="context"/> writes each type it lists (<c>[JsonSerializable]</c>) as reflection does.</summary>
    public static void AssertSameAsReflection(JsonSerializerContext context) =>
        AssertSameAsReflection(context, MonitoringJson.Indented, MonitoringJson.Compact);

    /// <summary>
    /// The same under other options than monitoring's (a protocol's JSON: the context's own
    /// options, e.g. <c>JsonSerializerOptions.Default</c>), each of <paramref name="options"/> in turn.
    /// </summary>
    public static void AssertSameAsReflection(JsonSerializerContext context, params JsonSerializerOptions[] options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        var types = context.GetType().GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(JsonSerializableAttribute))
            .Select(a => (Type)a.ConstructorArguments[0].Value!)
            .ToList();
        Assert.That(types, Is.Not.Empty);
        foreach (var baseOptions in options)
        {
            var generated = new JsonSerializerOptions(baseOptions) { TypeInfoResolver = context };
            var reflected = new JsonSerializerOptions(baseOptions) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
            foreach (var type in types)
            {
                var value = Fill(type, 0);
                var expected = JsonSerializer.Serialize(value, reflected.GetTypeInfo(type));
                var actual = JsonSerializer.Serialize(value, generated.GetTypeInfo(type));
                Assert.That(actual, Is.EqualTo(expected), $"{type.Name} (indented: {baseOptions.WriteIndented})");
            }
        }
    }

    private static object? Fill(Type type, int depth)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Fill(underlying, depth);
        }
        if (Scalar(type) is { } scalar)
        {
            return scalar;
        }
        if (depth > MaxDepth || type == typeof(object) || type.IsAbstract && !type.IsInterface)
        {
            return null;
        }
        if (Collection(type, depth) is { } collection)
        {
            return collection;
        }
        var instance = Create(type);
        if (instance is null)
        {
            return null;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.PropertyType == typeof(object))
            {
                continue;   // object members keep their default (the /varz sections: EmptySection)
            }
            if (property.SetMethod is { IsPublic: true })
            {
                property.SetValue(instance, Fill(property.PropertyType, depth + 1));
            }
            else if (property.GetValue(instance) is IDictionary dictionary && property.PropertyType.IsGenericType)
            {
                var valueType = property.PropertyType.GetGenericArguments()[1];
                dictionary["k"] = Fill(valueType, depth + 1);
            }
        }
        return instance;
    }

    private static object? Scalar(Type type) => type switch
    {
        _ when type == typeof(string) => "s<é>",
        _ when type == typeof(bool) => true,
        _ when type == typeof(double) => 1.5,
        _ when type == typeof(float) => 2.5f,
        _ when type == typeof(decimal) => 3.5m,
        _ when type == typeof(DateTime) => new DateTime(2026, 12, 6, 4, 5, 6, 789, DateTimeKind.Utc),
        _ when type == typeof(DateTimeOffset) => new DateTimeOffset(2026, 12, 6, 4, 5, 6, TimeSpan.Zero),
        _ when type == typeof(TimeSpan) => TimeSpan.FromMilliseconds(1500),
        _ when type == typeof(JsonElement) => JsonDocument.Parse("{\"a\":[1,\"b\"]}").RootElement.Clone(),
        _ when type.IsEnum => Enum.GetValues(type).Cast<object>().Last(),
        _ when type.IsPrimitive => Convert.ChangeType(7, type, System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    private static object? Collection(Type type, int depth)
    {
        if (type.IsArray)
        {
            var array = Array.CreateInstance(type.GetElementType()!, 1);
            array.SetValue(Fill(type.GetElementType()!, depth + 1), 0);
            return array;
        }
        if (!type.IsGenericType)
        {
            return null;
        }
        var arguments = type.GetGenericArguments();
        if (arguments.Length == 2 && typeof(Dictionary<,>).MakeGenericType(arguments) is var dictionaryType && type.IsAssignableFrom(dictionaryType))
        {
            var dictionary = (IDictionary)Activator.CreateInstance(dictionaryType)!;
            dictionary[Fill(arguments[0], depth + 1)!] = Fill(arguments[1], depth + 1);
            return dictionary;
        }
        if (arguments.Length == 1 && typeof(List<>).MakeGenericType(arguments) is var listType && type.IsAssignableFrom(listType))
        {
            var list = (IList)Activator.CreateInstance(listType)!;
            list.Add(Fill(arguments[0], depth + 1));
            return list;
        }
        return null;
    }

    private static object? Create(Type type)
    {
        if (type.IsValueType)
        {
            return Activator.CreateInstance(type);
        }
        var constructor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).FirstOrDefault();
        return constructor?.Invoke([.. constructor.GetParameters().Select(p => p.HasDefaultValue ? p.DefaultValue : Fill(p.ParameterType, MaxDepth))]);
    }
}
