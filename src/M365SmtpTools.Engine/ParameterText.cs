using System;
using System.Text.RegularExpressions;

namespace M365SmtpTools.Engine
{
    /// <summary>
    /// Help text written once for every front end. In it, <c>{Name}</c> stands for the parameter that sets the request
    /// property <c>Name</c>; each front end writes that name the way its users type it (<c>-ClientId</c> in the
    /// cmdlets' help, <c>--client-id</c> in the command line's).
    /// </summary>
    public static class ParameterText
    {
        private static readonly Regex Placeholder = new Regex(@"\{([A-Z][A-Za-z0-9]*)\}", RegexOptions.CultureInvariant);

        /// <summary>The text with each <c>{Name}</c> replaced by <paramref name="parameterName"/>(Name).</summary>
        public static string Render(string text, Func<string, string> parameterName)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            if (parameterName == null) throw new ArgumentNullException(nameof(parameterName));
            return Placeholder.Replace(text, m => parameterName(m.Groups[1].Value));
        }

        /// <summary>The text as PowerShell help writes it: <c>{ClientId}</c> becomes <c>-ClientId</c>.</summary>
        public static string ForPowerShell(string text) => Render(text, name => "-" + name);
    }
}
