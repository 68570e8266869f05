// nl2code's stand-in for the one part of KellermanSoftware.CompareNetObjects (a NuGet package,
// in none of the registries nl2code installs from) that MBXP's C# tests use:
//     new CompareLogic().Compare(expected, actual).AreEqual
// Written for nl2code from the library's documented behaviour under its default settings, not from
// its code: a deep comparison where the two values must have the same runtime type, collections
// and dictionaries are compared element by element in their enumeration order, and any other
// object by its public instance fields and readable properties. docs/languages.md lists the cases
// where the real library may judge otherwise.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Reflection;

namespace KellermanSoftware.CompareNetObjects
{
    public class ComparisonConfig
    {
        public int MaxDifferences = 1;
        public int MaxDepth = 64;
    }

    public class ComparisonResult
    {
        private readonly List<string> differences = new List<string>();

        public ComparisonConfig Config { get; private set; }

        public ComparisonResult(ComparisonConfig config) { Config = config; }

        public bool AreEqual { get { return differences.Count == 0; } }

        public string DifferencesString { get { return string.Join(Environment.NewLine, differences); } }

        internal bool Full { get { return differences.Count >= Math.Max(1, Config.MaxDifferences); } }

        internal void Add(string path, string what) { differences.Add((path.Length == 0 ? "value" : path) + ": " + what); }
    }

    public class CompareLogic
    {
        public ComparisonConfig Config { get; set; }

        public CompareLogic() { Config = new ComparisonConfig(); }

        public CompareLogic(ComparisonConfig config) { Config = config; }

        public ComparisonResult Compare(object expectedObject, object actualObject)
        {
            var result = new ComparisonResult(Config);
            Walk(expectedObject, actualObject, "", 0, result, new HashSet<Pair>());
            return result;
        }

        // a pair of references already being compared: cyclic structures end here
        private struct Pair : IEquatable<Pair>
        {
            public object A, B;
            public bool Equals(Pair other) { return ReferenceEquals(A, other.A) && ReferenceEquals(B, other.B); }
            public override bool Equals(object o) { return o is Pair && Equals((Pair)o); }
            public override int GetHashCode()
            {
                return System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(A) * 31
                    ^ System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(B);
            }
        }

        private static bool IsSimple(Type t)
        {
            return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime)
                || t == typeof(TimeSpan) || t == typeof(Guid) || t == typeof(DateTimeOffset)
                || t == typeof(System.Numerics.BigInteger) || t == typeof(System.Numerics.Complex);
        }

        private void Walk(object a, object b, string path, int depth, ComparisonResult result, HashSet<Pair> seen)
        {
            if (result.Full) return;
            if (a == null || b == null)
            {
                if (a != null || b != null) result.Add(path, a == null ? "expected null" : "actual is null");
                return;
            }
            Type type = a.GetType();
            if (type != b.GetType())
            {
                result.Add(path, "types differ: " + type + " and " + b.GetType());
                return;
            }
            if (IsSimple(type))
            {
                if (!a.Equals(b)) result.Add(path, a + " != " + b);
                return;
            }
            if (depth >= Config.MaxDepth) return;
            if (!type.IsValueType)
            {
                var pair = new Pair { A = a, B = b };
                if (!seen.Add(pair)) return;
            }
            var dictionary = a as IDictionary;
            if (dictionary != null)
            {
                var other = (IDictionary)b;
                if (dictionary.Count != other.Count)
                {
                    result.Add(path, "counts differ: " + dictionary.Count + " and " + other.Count);
                    return;
                }
                IDictionaryEnumerator x = dictionary.GetEnumerator(), y = other.GetEnumerator();
                for (int i = 0; x.MoveNext() && y.MoveNext(); i++)
                {
                    Walk(x.Key, y.Key, path + "[key " + i + "]", depth + 1, result, seen);
                    Walk(x.Value, y.Value, path + "[" + x.Key + "]", depth + 1, result, seen);
                }
                return;
            }
            var items = a as IEnumerable;
            if (items != null)
            {
                IEnumerator x = items.GetEnumerator(), y = ((IEnumerable)b).GetEnumerator();
                int i = 0;
                while (true)
                {
                    bool more = x.MoveNext(), moreOther = y.MoveNext();
                    if (more != moreOther)
                    {
                        result.Add(path, "lengths differ at item " + i);
                        return;
                    }
                    if (!more) return;
                    Walk(x.Current, y.Current, path + "[" + i + "]", depth + 1, result, seen);
                    i++;
                }
            }
            foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                Walk(field.GetValue(a), field.GetValue(b), path + "." + field.Name, depth + 1, result, seen);
            }
            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!property.CanRead || property.GetIndexParameters().Length > 0) continue;
                Walk(property.GetValue(a, null), property.GetValue(b, null), path + "." + property.Name, depth + 1, result, seen);
            }
        }
    }
}
