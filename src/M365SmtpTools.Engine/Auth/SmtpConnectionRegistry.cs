using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// The connections of the process (the PowerShell session), by name. Thread-safe. Replacing or removing a
    /// connection closes it and clears its in-memory token cache.
    /// </summary>
    public sealed class SmtpConnectionRegistry
    {
        /// <summary>The name used when none is given.</summary>
        public const string DefaultName = "Default";

        private readonly object _gate = new object();
        private readonly Dictionary<string, SmtpConnection> _connections =
            new Dictionary<string, SmtpConnection>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The registry of this process, used by the cmdlets.</summary>
        public static SmtpConnectionRegistry Default { get; } = new SmtpConnectionRegistry();

        /// <summary>The names, sorted.</summary>
        public IReadOnlyList<string> Names
        {
            get { lock (_gate) return _connections.Keys.OrderBy(k => k, StringComparer.OrdinalIgnoreCase).ToList(); }
        }

        /// <summary>How many connections there are.</summary>
        public int Count
        {
            get { lock (_gate) return _connections.Count; }
        }

        /// <summary>Stores a connection under its name, closing the one it replaces (if any).</summary>
        public void Add(SmtpConnection connection)
        {
            SmtpConnection? old;
            lock (_gate)
            {
                _connections.TryGetValue(connection.Name, out old);
                _connections[connection.Name] = connection;
            }
            if (old != null && !ReferenceEquals(old, connection)) old.Close();
        }

        /// <summary>The connection with this name (null or empty = Default), or null.</summary>
        public SmtpConnection? TryGet(string? name)
        {
            lock (_gate) return _connections.TryGetValue(Normalize(name), out SmtpConnection? c) ? c : null;
        }

        /// <summary>The connection with this name; throws ConnectionNotFound (saying what exists) when there is none.</summary>
        public SmtpConnection Get(string? name) => TryGet(name) ?? throw NotFound(Normalize(name));

        /// <summary>The connections whose names match a wildcard pattern (<c>*</c>, <c>?</c>, <c>[a-c]</c>); null = all.</summary>
        public IReadOnlyList<SmtpConnection> Find(string? pattern)
        {
            lock (_gate)
            {
                IEnumerable<SmtpConnection> all = _connections.Values;
                if (!string.IsNullOrEmpty(pattern)) all = all.Where(c => Wildcard.IsMatch(pattern!, c.Name));
                return all.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToList();
            }
        }

        /// <summary>Removes and closes the connections matching a pattern (null = all); returns them.</summary>
        public IReadOnlyList<SmtpConnection> Remove(string? pattern)
        {
            List<SmtpConnection> removed;
            lock (_gate)
            {
                removed = _connections.Values.Where(c => string.IsNullOrEmpty(pattern) || Wildcard.IsMatch(pattern!, c.Name)).ToList();
                foreach (SmtpConnection c in removed) _connections.Remove(c.Name);
            }
            foreach (SmtpConnection c in removed) c.Close();
            return removed;
        }

        /// <summary>Removes and closes every connection.</summary>
        public void Clear() => Remove(null);

        internal static string Normalize(string? name) => string.IsNullOrWhiteSpace(name) ? DefaultName : name!.Trim();

        internal M365SmtpException NotFound(string name)
        {
            IReadOnlyList<string> names = Names;
            return new M365SmtpException(AuthErrorCodes.ConnectionNotFound,
                names.Count == 0
                    ? $"There is no SMTP connection named '{name}': no connection has been made in this session."
                    : $"There is no SMTP connection named '{name}'; the connections are: {string.Join(", ", names)}.")
            { TargetObject = name, RecommendedAction = names.Count == 0
                ? "Run Connect-M365Smtp first, or give the auth parameters directly."
                : "Use one of the existing names (Get-M365SmtpConnection), or Connect-M365Smtp -Name " + name + "." };
        }
    }

    /// <summary>PowerShell-style wildcard matching (<c>*</c>, <c>?</c>, <c>[...]</c>, backtick escape), case-insensitive.</summary>
    public static class Wildcard
    {
        /// <summary>True when the pattern has a wildcard character.</summary>
        public static bool ContainsWildcard(string pattern) => pattern.IndexOfAny(new[] { '*', '?', '[' }) >= 0;

        /// <summary>True when <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
        public static bool IsMatch(string pattern, string text) =>
            Regex.IsMatch(text, ToRegex(pattern), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);

        private static string ToRegex(string pattern)
        {
            var b = new StringBuilder("^");
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '`' && i + 1 < pattern.Length) { b.Append(Regex.Escape(pattern[++i].ToString())); continue; }
                if (c == '*') b.Append(".*");
                else if (c == '?') b.Append('.');
                else if (c == '[')
                {
                    int end = pattern.IndexOf(']', i + 1);
                    if (end < 0) { b.Append(@"\["); continue; }
                    string set = pattern.Substring(i + 1, end - i - 1).Replace(@"\", @"\\").Replace("^", @"\^");
                    b.Append('[').Append(set).Append(']');
                    i = end;
                }
                else b.Append(Regex.Escape(c.ToString()));
            }
            return b.Append('$').ToString();
        }
    }
}
