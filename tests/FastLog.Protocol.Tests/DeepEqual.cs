using System.Collections;
using System.Reflection;

namespace FastLog.Protocol.Tests;

/// <summary>Structural comparison of generated messages through their public properties.</summary>
internal static class DeepEqual
{
    public static void AssertEqual(object? expected, object? actual, string path = "$")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: {expected ?? "null"} vs {actual ?? "null"}");
            return;
        }

        Type type = expected.GetType();
        Assert.True(type == actual.GetType(), $"{path}: type {type} vs {actual.GetType()}");
        switch (expected)
        {
            case string or Guid or bool or sbyte or short or ushort or int or long or double or KafkaRecords or TaggedField:
                Assert.True(expected.Equals(actual), $"{path}: {expected} vs {actual}");
                return;
            case byte[] bytes:
                Assert.True(bytes.AsSpan().SequenceEqual((byte[])actual), $"{path}: bytes differ");
                return;
            case IList list:
                var other = (IList)actual;
                Assert.True(list.Count == other.Count, $"{path}: count {list.Count} vs {other.Count}");
                for (int i = 0; i < list.Count; i++)
                {
                    AssertEqual(list[i], other[i], $"{path}[{i}]");
                }

                return;
        }

        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            AssertEqual(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
        }
    }
}
