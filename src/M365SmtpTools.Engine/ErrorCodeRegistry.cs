using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace M365SmtpTools.Engine
{
    /// <summary>
    /// Every error code of the engine, found by id: for ids that arrive as text (a result's ErrorId, a script's
    /// FullyQualifiedErrorId). The codes are the public static fields of the catalogues listed here.
    /// </summary>
    public static class ErrorCodeRegistry
    {
        // One catalogue per area; a new catalogue must be added here (a test checks that none is missing).
        internal static readonly Type[] Catalogues =
        {
            typeof(FileErrorCodes),
            typeof(Auth.AuthErrorCodes),
            typeof(Auth.CertificateErrorCodes),
            typeof(Auth.TokenErrorCodes),
            typeof(Dns.DnsErrorCodes),
            typeof(Dns.Spf.SpfErrorCodes),
            typeof(Exchange.ExchangeErrorCodes),
            typeof(Graph.GraphErrorCodes),
            typeof(Mime.MimeErrorCodes),
            typeof(Operations.DiagnosticErrorCodes),
            typeof(Operations.PlanErrorCodes),
            typeof(Operations.RequestErrorCodes),
            typeof(Operations.SendMailErrorCodes),
            typeof(Smtp.SmtpErrorCodes),
        };

        private static readonly Lazy<Dictionary<string, ErrorCode>> s_byId = new Lazy<Dictionary<string, ErrorCode>>(Build);

        /// <summary>Every registered code.</summary>
        public static IReadOnlyCollection<ErrorCode> All => s_byId.Value.Values;

        /// <summary>The code with this id, or null (for null, empty or unknown ids).</summary>
        public static ErrorCode? Find(string? id) =>
            id != null && s_byId.Value.TryGetValue(id, out ErrorCode? code) ? code : null;

        /// <summary>The public static <see cref="ErrorCode"/> fields of a catalogue class.</summary>
        internal static IEnumerable<ErrorCode> FieldsOf(Type catalogue) =>
            catalogue.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.FieldType == typeof(ErrorCode))
                .Select(f => (ErrorCode)f.GetValue(null)!);

        private static Dictionary<string, ErrorCode> Build()
        {
            var byId = new Dictionary<string, ErrorCode>(StringComparer.Ordinal);
            foreach (Type catalogue in Catalogues)
                foreach (ErrorCode code in FieldsOf(catalogue))
                    byId[code.Id] = code; // duplicates are caught by the registry test, not at run time
            return byId;
        }
    }
}
