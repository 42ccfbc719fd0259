using System;
using System.Collections.Generic;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Graph;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>What a Test-M365GraphSend run will do: the auth options and method, the cloud and Graph address, the mailbox and
    /// recipients.</summary>
    internal sealed class GraphSendTestPlan
    {
        public SmtpAuthOptions Auth = null!;
        public SmtpAuthMethod Method;
        public CloudEnvironment Cloud = null!;
        public Uri BaseAddress = null!;
        public string? Mailbox;
        public EmailAddress? From;
        public List<EmailAddress> To = new List<EmailAddress>();


        /// <summary>Checks the request (before anything is requested) and decides what the run will do.</summary>
        public static GraphSendTestPlan Prepare(TestGraphSendRequest r, IOperationHost host)
        {
            if (r.TimeoutSeconds < 1 || r.TimeoutSeconds > 3600)
                throw SmtpAuthOptions.Invalid(RequestErrorCodes.TimeoutOutOfRange, "TimeoutSeconds",
                    $"-TimeoutSeconds {r.TimeoutSeconds} is out of range.", "Give 1 to 3600 seconds (default 30).");
            if (!r.SpecifiesAuthMethod())
                throw SmtpAuthOptions.Invalid(GraphErrorCodes.AuthMissing, null,
                    "Test-M365GraphSend needs a way to get a token for Microsoft Graph (session connections of Connect-M365Smtp hold " +
                        "SMTP tokens).",
                    "Give -TenantId -ClientId with -CertificatePath, -CertificateThumbprint or -ClientSecret (and -UserName), " +
                        "-ManagedIdentity (and -UserName), -DeviceCode or -Interactive with -ClientId, or -AccessToken with a token for " +
                        "https://graph.microsoft.com.");
            var plan = new GraphSendTestPlan { Cloud = r.ResolveCloud() };
            if (!string.IsNullOrWhiteSpace(r.From)) plan.From = EmailAddress.Parse(r.From!);
            plan.Mailbox = !string.IsNullOrWhiteSpace(r.UserName) ? EmailAddress.Parse(r.UserName!).Address : plan.From?.Address;

            var auth = new SmtpAuthOptions();
            r.CopyAuthOptionsTo(auth);
            if (string.IsNullOrWhiteSpace(auth.Scope))
                auth.Scope = auth.DeviceCode || auth.Interactive
                    ? plan.Cloud.GraphDelegatedScope + " offline_access" : plan.Cloud.GraphAppOnlyScope;
            // Graph names the mailbox in the URL, not in the token request: -From stands in for -UserName.
            if (string.IsNullOrWhiteSpace(auth.UserName) && plan.Mailbox != null) auth.UserName = plan.Mailbox;
            SmtpAuthMethod method;
            try
            {
                method = auth.Validate();
            }
            catch (M365SmtpException e) when (e.Code == AuthErrorCodes.UserNameMissing)
            {
                throw SmtpAuthOptions.Invalid(AuthErrorCodes.UserNameMissing, "UserName",
                    "Test-M365GraphSend needs the mailbox to test: -UserName (or -From).", "Add -UserName with the mailbox the app sends " +
                        "from, e.g. -UserName reports@contoso.com.");
            }
            if (method == SmtpAuthMethod.Basic)
                throw SmtpAuthOptions.Invalid(GraphErrorCodes.BasicAuthNotSupported, "Credential",
                    "Microsoft Graph doesn't accept a user name and password (-Credential); it needs an OAuth token.",
                    "Use -CertificatePath, -ClientSecret, -ManagedIdentity, -DeviceCode, -Interactive or -AccessToken.");
            if (method == SmtpAuthMethod.AccessToken && plan.Mailbox == null)
                throw SmtpAuthOptions.Invalid(AuthErrorCodes.UserNameMissing, "UserName",
                    "With -AccessToken, Test-M365GraphSend needs the mailbox to test: -UserName (or -From).", "Add -UserName with the " +
                        "mailbox the token may send from.");
            if (method.IsDelegated() && !host.IsInteractive) throw TokenProviderFactory.NonInteractiveDelegated(method);
            plan.Auth = auth;
            plan.Method = method;

            foreach (string t in r.To ?? Array.Empty<string>())
                if (!string.IsNullOrWhiteSpace(t)) plan.To.AddRange(EmailAddress.ParseList(t));
            if (plan.To.Count > 0 && !r.SendTestMessage)
                host.WriteWarning("-To is used only with -SendTestMessage: without it nothing is sent, so there are no " +
                    "recipients to test.");

            plan.BaseAddress = GraphEndpoint.BaseAddress(r.GraphEndpoint, plan.Cloud);
            if (r.SkipCertificateValidation && GraphEndpoint.IsMicrosoftGraphHost(plan.BaseAddress.Host))
                throw GraphEndpoint.SkipCertificateValidationRefused(plan.BaseAddress.Host);
            if (r.SkipCertificateValidation)
                host.WriteWarning("-SkipCertificateValidation: the server's certificate is not checked, so the connection can be " +
                    "intercepted. Use it only with test servers.");
            return plan;
        }
    }
}
