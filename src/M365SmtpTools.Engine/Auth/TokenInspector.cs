using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>What an access token says about itself (decoded, not validated). Holds no part of the token itself.</summary>
    public sealed class TokenFacts
    {
        /// <summary>The <c>aud</c> claim.</summary>
        public string? Audience { get; set; }
        /// <summary>The <c>tid</c> claim.</summary>
        public string? TenantId { get; set; }
        /// <summary>The <c>appid</c> (v1) or <c>azp</c> (v2) claim.</summary>
        public string? AppId { get; set; }
        /// <summary>The delegated permissions (<c>scp</c>, space-separated in the token).</summary>
        public IReadOnlyList<string> Scopes { get; set; } = Array.Empty<string>();
        /// <summary>The application permissions (<c>roles</c>).</summary>
        public IReadOnlyList<string> Roles { get; set; } = Array.Empty<string>();
        /// <summary>The signed-in user: <c>upn</c>, <c>unique_name</c> or <c>preferred_username</c>.</summary>
        public string? User { get; set; }
        /// <summary>The <c>oid</c> claim (object id of the user or service principal).</summary>
        public string? ObjectId { get; set; }
        /// <summary>The <c>exp</c> claim.</summary>
        public DateTimeOffset? ExpiresOn { get; set; }
        /// <summary>The <c>nbf</c> claim.</summary>
        public DateTimeOffset? NotBefore { get; set; }
        /// <summary>True when the token has no user (app-only: <c>idtyp</c> app, or roles and no <c>scp</c>).</summary>
        public bool IsAppOnly { get; set; }

        /// <inheritdoc />
        public override string ToString() =>
            $"aud={Audience} tid={TenantId} appid={AppId} {(IsAppOnly ? "app-only roles=" + string.Join(",", Roles) : "delegated scp=" + string.Join(",", Scopes) + " user=" + User)} exp={ExpiresOn:u}";
    }

    /// <summary>One conclusion of a check, with what to do about it.</summary>
    public sealed class TokenFinding
    {
        /// <summary>Creates a finding.</summary>
        public TokenFinding(string id, FindingSeverity severity, string message, string remediation)
        {
            Id = id;
            Severity = severity;
            Message = message;
            Remediation = remediation;
        }

        /// <summary>A stable id, e.g. <c>TokenWrongAudience</c>.</summary>
        public string Id { get; }
        /// <summary>How bad it is.</summary>
        public FindingSeverity Severity { get; }
        /// <summary>What was found.</summary>
        public string Message { get; }
        /// <summary>What to do.</summary>
        public string Remediation { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Severity} {Id}: {Message}";
    }

    /// <summary>What the checks should assume.</summary>
    public sealed class TokenCheckOptions
    {
        /// <summary>The tenant the token should come from (GUID), if known.</summary>
        public string? ExpectedTenantId { get; set; }
        /// <summary>True when the app's permission comes from Exchange App RBAC (no SMTP.SendAsApp role in the token).</summary>
        public bool AppRbac { get; set; }
        /// <summary>The moment to judge expiry against; default now.</summary>
        public DateTimeOffset? Now { get; set; }
        /// <summary>How close to expiry counts as "about to expire" (default 5 minutes).</summary>
        public TimeSpan NearExpiry { get; set; } = TimeSpan.FromMinutes(5);
        /// <summary>The mailbox that will be the XOAUTH2 <c>user=</c>, to compare with a delegated token's user.</summary>
        public string? UserName { get; set; }
    }

    /// <summary>
    /// Decodes an access token (a JWT) without validating its signature and checks it for the mistakes that make
    /// SMTP XOAUTH2 fail. Never prints or keeps the token.
    /// </summary>
    public static class TokenInspector
    {
        /// <summary>Tokens longer than this are refused without decoding.</summary>
        public const int MaxTokenLength = 64 * 1024;

        private static readonly string[] s_smtpAudiences =
        {
            "https://outlook.office.com", "https://outlook.office365.com", "00000002-0000-0ff1-ce00-000000000000",
            "https://outlook.office365.us", "https://outlook-dod.office365.us", "https://partner.outlook.cn",
            "https://outlook.office.de",
        };

        private static readonly Dictionary<string, string> s_knownOtherAudiences =
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["https://graph.microsoft.com"] = "Microsoft Graph",
            ["00000003-0000-0000-c000-000000000000"] = "Microsoft Graph",
            ["https://graph.microsoft.us"] = "Microsoft Graph (US Gov)",
            ["https://management.azure.com"] = "Azure Resource Manager",
            ["https://management.core.windows.net"] = "Azure Resource Manager",
            ["https://communication.azure.com"] = "Azure Communication Services",
            ["https://vault.azure.net"] = "Azure Key Vault",
        };

        /// <summary>Decodes a token; throws <see cref="M365SmtpException"/> (TokenNotJwt) when it isn't a readable JWT.</summary>
        public static TokenFacts Decode(string token)
        {
            if (TryDecode(token, out TokenFacts? facts, out string? why)) return facts!;
            throw new M365SmtpException(TokenErrorCodes.TokenNotJwt, $"The access token could not be read: {why}.")
            {
                TargetObject = "AccessToken",
                ParameterName = "AccessToken",
                RecommendedAction = "Pass the access token itself (three base64url parts separated by dots), not an id token, a refresh " +
                    "token or a file path.",
            };
        }

        /// <summary>Decodes a token; false when it isn't a readable JWT.</summary>
        public static bool TryDecode(string? token, out TokenFacts? facts) => TryDecode(token, out facts, out _);

        private static bool TryDecode(string? token, out TokenFacts? facts, out string? why)
        {
            facts = null;
            why = null;
            if (string.IsNullOrWhiteSpace(token)) { why = "it is empty"; return false; }
            string t = token!.Trim();
            if (t.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) t = t.Substring(7).Trim();
            if (t.Length > MaxTokenLength) { why = $"it is longer than {MaxTokenLength} characters"; return false; }
            string[] parts = t.Split('.');
            if (parts.Length != 3)
            {
                why = parts.Length == 5
                    ? "it is encrypted (JWE), so its claims can't be read"
                    : $"a JWT has 3 dot-separated parts, this has {parts.Length}";
                return false;
            }
            byte[]? payload = Base64UrlDecode(parts[1]);
            if (payload == null) { why = "its payload is not base64url"; return false; }
            try
            {
                using JsonDocument doc = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 32 });
                if (doc.RootElement.ValueKind != JsonValueKind.Object) { why = "its payload is not a JSON object"; return false; }
                JsonElement root = doc.RootElement;
                var f = new TokenFacts
                {
                    Audience = FirstString(root, "aud"),
                    TenantId = FirstString(root, "tid"),
                    AppId = FirstString(root, "appid") ?? FirstString(root, "azp"),
                    User = FirstString(root, "upn") ?? FirstString(root, "unique_name") ?? FirstString(root, "preferred_username"),
                    ObjectId = FirstString(root, "oid"),
                    ExpiresOn = UnixTime(root, "exp"),
                    NotBefore = UnixTime(root, "nbf"),
                };
                string? scp = FirstString(root, "scp");
                f.Scopes = scp == null ? Array.Empty<string>() : scp.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                f.Roles = Strings(root, "roles");
                string? idtyp = FirstString(root, "idtyp");
                f.IsAppOnly = idtyp != null ? idtyp.Equals("app", StringComparison.OrdinalIgnoreCase) : scp == null && f.User == null;
                facts = f;
                return true;
            }
            catch (Exception e) when (e is JsonException || e is InvalidOperationException || e is ArgumentException
                || e is FormatException)
            {
                why = "its payload is not JSON";
                return false;
            }
        }

        /// <summary>Decodes and checks a token.</summary>
        public static IReadOnlyList<TokenFinding> Check(string token, TokenCheckOptions? options = null) => Check(Decode(token), options);

        /// <summary>Checks decoded facts for the mistakes that make SMTP XOAUTH2 fail.</summary>
        public static IReadOnlyList<TokenFinding> Check(TokenFacts facts, TokenCheckOptions? options = null)
        {
            options ??= new TokenCheckOptions();
            DateTimeOffset now = options.Now ?? DateTimeOffset.UtcNow;
            var findings = new List<TokenFinding>();
            string aud = (facts.Audience ?? "").TrimEnd('/');

            if (aud.Length == 0)
                findings.Add(new TokenFinding("TokenNoAudience", FindingSeverity.Error, "The token has no audience (aud) claim.",
                    "Request the token for https://outlook.office365.com (app-only) or https://outlook.office.com/SMTP.Send (delegated)."));
            else if (!s_smtpAudiences.Any(a => a.Equals(aud, StringComparison.OrdinalIgnoreCase)))
            {
                string what = s_knownOtherAudiences.TryGetValue(aud, out string? name) ? $"{name} ({aud})" : aud;
                findings.Add(new TokenFinding("TokenWrongAudience", FindingSeverity.Error,
                    $"The token is for {what}, not Exchange Online: SMTP AUTH will answer 535 5.7.3.",
                    "Request the token for Exchange Online: scope https://outlook.office365.com/.default (app-only), " +
                        "https://outlook.office.com/SMTP.Send (delegated), or Get-AzAccessToken -ResourceUrl " +
                        "https://outlook.office365.com."));
            }

            if (facts.IsAppOnly)
            {
                bool hasRole = facts.Roles.Any(r => r.Equals("SMTP.SendAsApp", StringComparison.OrdinalIgnoreCase));
                if (!hasRole && !options.AppRbac)
                    findings.Add(new TokenFinding("TokenMissingSendAsApp", FindingSeverity.Error,
                        facts.Roles.Count == 0
                            ? "The app-only token carries no application permissions (roles): SMTP.SendAsApp is missing."
                            : $"The app-only token's roles ({string.Join(", ", facts.Roles)}) don't include SMTP.SendAsApp.",
                        "Add the application permission SMTP.SendAsApp of Office 365 Exchange Online to the app and grant admin consent, " +
                            "then get a new token; if the app is authorized through Exchange App RBAC instead, this finding does " +
                            "not apply."));
                else if (hasRole && options.AppRbac)
                    findings.Add(new TokenFinding("TokenRoleWithAppRbac", FindingSeverity.Information,
                        "The token carries SMTP.SendAsApp from Entra and App RBAC is declared too; Microsoft advises using only " +
                            "one of them.",
                        "Remove the Entra SMTP.SendAsApp consent when App RBAC assignments are in place, or drop the App RBAC " +
                            "assignment."));
            }
            else
            {
                if (!facts.Scopes.Any(s => s.Equals("SMTP.Send", StringComparison.OrdinalIgnoreCase)))
                    findings.Add(new TokenFinding("TokenMissingSmtpSend", FindingSeverity.Error,
                        facts.Scopes.Count == 0
                            ? "The delegated token has no scopes (scp): SMTP.Send is missing."
                            : $"The delegated token's scopes ({string.Join(", ", facts.Scopes)}) don't include SMTP.Send.",
                        "Add the delegated permission SMTP.Send (Office 365 Exchange Online) to the app, consent to it, and request the " +
                            "scope https://outlook.office.com/SMTP.Send."));
                if (options.UserName != null && facts.User != null
                    && !facts.User.Equals(options.UserName.Trim(), StringComparison.OrdinalIgnoreCase))
                    findings.Add(new TokenFinding("TokenUserMismatch", FindingSeverity.Warning,
                        $"The token was issued to {facts.User} but the SMTP user name is {options.UserName}: Exchange requires them to " +
                            "match (535 5.7.3).",
                        "Use the signed-in account as -UserName, and send as other addresses through Send As permission in MAIL FROM."));
            }

            if (facts.ExpiresOn is DateTimeOffset exp)
            {
                if (exp <= now)
                    findings.Add(new TokenFinding("TokenExpired", FindingSeverity.Error, $"The token expired at {exp:u}.",
                        "Get a new token."));
                else if (exp - now <= options.NearExpiry)
                    findings.Add(new TokenFinding("TokenNearExpiry", FindingSeverity.Warning,
                        $"The token expires at {exp:u}, in {(int)(exp - now).TotalSeconds} seconds.", "Get a new token before a long " +
                            "send run, or let this module get and refresh tokens itself."));
            }
            else
                findings.Add(new TokenFinding("TokenNoExpiry", FindingSeverity.Warning, "The token has no expiry (exp) claim.",
                    "Check that this is an Entra ID access token."));

            if (facts.NotBefore is DateTimeOffset nbf && nbf > now + TimeSpan.FromMinutes(5))
                findings.Add(new TokenFinding("TokenNotYetValid", FindingSeverity.Error,
                    $"The token is not valid before {nbf:u}: this computer's clock may be wrong.", "Synchronize the clock (NTP)."));

            if (!string.IsNullOrWhiteSpace(options.ExpectedTenantId) && facts.TenantId != null
                && !facts.TenantId.Equals(options.ExpectedTenantId!.Trim(), StringComparison.OrdinalIgnoreCase))
                findings.Add(new TokenFinding("TokenTenantMismatch", FindingSeverity.Error,
                    $"The token comes from tenant {facts.TenantId}, not the expected tenant {options.ExpectedTenantId}.",
                    "Request the token from the tenant that holds the mailbox (-TenantId), or sign in with an account of that tenant."));
            return findings;
        }

        private static string? FirstString(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out JsonElement v)) return null;
            if (v.ValueKind == JsonValueKind.String) return v.GetString();
            if (v.ValueKind == JsonValueKind.Array)
                foreach (JsonElement e in v.EnumerateArray())
                    if (e.ValueKind == JsonValueKind.String) return e.GetString();
            return null;
        }

        private static IReadOnlyList<string> Strings(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out JsonElement v)) return Array.Empty<string>();
            if (v.ValueKind == JsonValueKind.String) return new[] { v.GetString()! };
            if (v.ValueKind != JsonValueKind.Array) return Array.Empty<string>();
            return v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();
        }

        private static DateTimeOffset? UnixTime(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out JsonElement v)) return null;
            long seconds;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out seconds)) { }
            else if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && d > -1e11 && d < 1e11) seconds = (long)d;
            else if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), out seconds)) { }
            else return null;
            if (seconds < -62135596800L || seconds > 253402300799L) return null;
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        internal static byte[]? Base64UrlDecode(string s)
        {
            if (s.Length == 0) return null;
            var b = new StringBuilder(s.Length + 3);
            foreach (char c in s)
            {
                if (c == '-') b.Append('+');
                else if (c == '_') b.Append('/');
                else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/') b.Append(c);
                else if (c == '=') continue;
                else return null;
            }
            switch (b.Length % 4)
            {
                case 1: return null;
                case 2: b.Append("=="); break;
                case 3: b.Append('='); break;
            }
            try { return Convert.FromBase64String(b.ToString()); }
            catch (FormatException) { return null; }
        }
    }
}
