using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace M365SmtpTools.Engine
{
    /// <summary>
    /// A read-only list of a result's values (recipients, commands, findings) whose text form joins them with "; ".
    /// Export-Csv and other text conversions use that form, so an exported result reads "ann@contoso.com; ben@contoso.com"
    /// (which Send-M365Mail reads back as two recipients) instead of a type name.
    /// </summary>
    public sealed class DisplayList<T> : ReadOnlyCollection<T>
    {
        /// <summary>An empty list.</summary>
        public static DisplayList<T> Empty { get; } = new DisplayList<T>(new T[0]);

        /// <summary>Wraps the items (not copied).</summary>
        public DisplayList(IList<T> items) : base(items) { }

        /// <summary>The items' text, joined with "; ".</summary>
        public override string ToString() => string.Join("; ", this);

        /// <summary>Wraps an array.</summary>
        public static implicit operator DisplayList<T>(T[] items) => new DisplayList<T>(items);

        /// <summary>Wraps a list.</summary>
        public static implicit operator DisplayList<T>(List<T> items) => new DisplayList<T>(items);
    }
}
